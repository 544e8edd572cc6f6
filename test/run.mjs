// `npm test` after the build: every suite in turn, each a real mocha run, then one tally.
// Stages: unit + integration (node), webview harness (Chromium), VS Code e2e (code-server).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const stages = [
  { name: 'unit + integration', globs: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'sdk/test/**/*.test.ts'] },
  { name: 'webview harness (Chromium)', globs: ['test/webview/**/*.test.ts'] },
  { name: 'VS Code end to end (code-server + Chromium)', globs: ['test/e2e/**/*.test.ts'] },
];

const only = process.argv[2];
let passed = 0, failed = 0, skipped = 0, broken = 0;
for (const stage of stages) {
  if (only && !stage.name.startsWith(only)) continue;
  const dirs = stage.globs.map((g) => g.split('/**')[0]);
  if (!dirs.some((d) => existsSync(d) && readdirSync(d, { recursive: true }).some((f) => String(f).endsWith('.test.ts')))) continue;
  console.log(`\n=== ${stage.name}`);
  const run = spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', ...stage.globs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(run.stdout ?? '');
  const tally = /tests: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(run.stdout ?? '');
  if (tally) {
    passed += +tally[1]; failed += +tally[2]; skipped += +tally[3];
  }
  if (run.status !== 0 && (!tally || +tally[2] === 0)) broken++;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
if (broken) console.error(`${broken} stage(s) ended abnormally (see above)`);
process.exit(failed || broken ? 1 : 0);

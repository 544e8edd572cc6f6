// Builds the suite that runs inside VS Code: test/vscode/index.ts and every *.test.ts beside it
// → out/test/vscode/*.js (CommonJS, 'vscode' and mocha left to the extension host and node_modules).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const outdir = path.join(root, 'out/test/vscode');
const entries = readdirSync(here).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => path.join(here, f));

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir,
  outbase: here,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode', 'mocha'],
});
console.log(`built ${entries.length} files of the VS Code suite into ${path.relative(root, outdir)}`);

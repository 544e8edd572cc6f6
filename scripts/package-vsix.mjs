#!/usr/bin/env node
// `npm run package`: bundles for production and writes stacklens-<version>.vsix with vsce.
// Everything the extension needs is bundled into dist/, so vsce runs with --no-dependencies and
// .vscodeignore lets in only dist/, media/, README, CHANGELOG, LICENSE and package.json; the file
// list is checked before packaging so a stray folder (node_modules, .test-tools) never ships.
//   node scripts/package-vsix.mjs [--no-build] [--out <file.vsix>]
// --no-build packages dist/ as it is (the e2e tests do this after `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
const allowed = [/^dist\//, /^media\//, /^(README|CHANGELOG)\.md$/, /^LICENSE(\.txt|\.md)?$/, /^package\.json$/];

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const outIndex = args.indexOf('--out');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(root, `${manifest.name}-${manifest.version}.vsix`));

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    fail(`${path.basename(commandArgs[0] ?? command)} ${commandArgs.slice(1).join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

// package.json has no repository field while the project has no public home: without the flag
// vsce would stop and ask on stdin (CI has none), and it could not turn README's relative links
// into absolute ones, so they are left relative (they still work in a checkout).
const packageFlags = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];

if (build) {
  console.log('package: bundling for production (node esbuild.mjs --production)');
  process.stdout.write(run(process.execPath, ['esbuild.mjs', '--production']));
}
const main = path.join(root, manifest.main ?? 'dist/extension.js');
if (!existsSync(main)) fail(`${path.relative(root, main)} (package.json "main") does not exist: run \`npm run build\` first`);

const files = run(process.execPath, [vsce, 'ls', '--no-dependencies']).split('\n').map((f) => f.trim()).filter(Boolean);
const stray = files.filter((f) => !allowed.some((pattern) => pattern.test(f)));
if (stray.length) fail(`these files would ship but are not part of the extension, adjust .vscodeignore:\n  ${stray.join('\n  ')}`);

process.stdout.write(run(process.execPath, [vsce, 'package', ...packageFlags, '--out', out]));
const shown = path.relative(process.cwd(), out).startsWith('..') ? out : path.relative(process.cwd(), out);
console.log(`package: ${shown} (${files.length} extension files, ${(statSync(out).size / 1024).toFixed(0)} KB)`);

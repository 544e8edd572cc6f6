// Bundles every runnable part of StackLens. Entries whose source does not exist yet are skipped,
// so each area can land on its own.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
};

const targets = [
  { ...node, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['extension/server/collector-worker.ts'], outfile: 'dist/collector-worker.js' },
  { ...node, entryPoints: ['extension/server/store/store-worker.ts'], outfile: 'dist/store-worker.js' },
  { ...node, entryPoints: ['extension/server/trace-files/reader-worker.ts'], outfile: 'dist/trace-file-reader.js' },
  { ...node, entryPoints: ['extension/server/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['sdk/src/index.ts'], outfile: 'sdk/dist/index.js', external: [] },
  {
    entryPoints: ['webview/main.tsx'],
    outfile: 'dist/webview.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'text' },
  },
  {
    entryPoints: ['webview/dashboard/main.tsx'],
    outfile: 'dist/dashboard.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'text' },
  },
].filter((t) => existsSync(t.entryPoints[0]));

mkdirSync('dist', { recursive: true });
// sql.js loads its WebAssembly from beside the bundle that requires it.
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join('dist', 'sql-wasm.wasm'));

const started = Date.now();
await Promise.all(targets.map((t) => build(t)));
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
console.log(`built ${targets.map((t) => t.outfile).join(', ')} in ${Date.now() - started} ms`);
if (watch) console.log('(--watch is not supported; re-run npm run build)');

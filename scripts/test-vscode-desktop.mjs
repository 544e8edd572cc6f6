#!/usr/bin/env node
// `npm run test:vscode`: the test/vscode suite in desktop VS Code through @vscode/test-electron,
// for machines that can download VS Code (it fetches a build into .vscode-test/ on first run).
// Not part of `npm test`: CI here reaches only npm and Debian, where the same suite runs inside
// code-server instead (test/e2e/vscode-suite.test.ts).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const suiteEntry = path.join(root, 'out', 'test', 'vscode', 'index.js');

function build(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`test:vscode: ${what} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

build(['esbuild.mjs'], 'the extension build (node esbuild.mjs)');
build([path.join('test', 'vscode', 'build.mjs')], 'the suite build (node test/vscode/build.mjs)');

const runDir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-test-vscode-'));
const workspace = path.join(runDir, 'workspace');
const fixture = path.join(root, 'test', 'fixtures', 'workspace');
if (existsSync(fixture)) cpSync(fixture, workspace, { recursive: true });
else mkdirSync(workspace, { recursive: true });

try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suiteEntry,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(runDir, 'user-data')],
  });
} catch (error) {
  console.error(`test:vscode: the suite failed or VS Code could not start: ${error instanceof Error ? error.message : String(error)}`);
  console.error('(a machine without internet cannot download VS Code: run `npm run test:e2e` there, it runs the same suite in code-server)');
  process.exit(1);
}

// One temp folder per e2e run: code-server's state, HOME, and a copy of the workspace the person
// opens (a copy, so a run never edits the fixture and two runs never share files).
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './tools';

export const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');

export function makeRunFolder(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `stacklens-e2e-${name}-`));
}

/** Copies test/fixtures/workspace into the run folder and returns the copy's path. */
export function copyWorkspace(runDir: string): string {
  if (!existsSync(fixtureWorkspace)) {
    throw new Error(`${path.relative(repoRoot, fixtureWorkspace)} is missing: the e2e tests open it as the person's project (a traced example program).`);
  }
  const workspace = path.join(runDir, 'workspace');
  cpSync(fixtureWorkspace, workspace, { recursive: true });
  return workspace;
}

/** The fixture workspace's copy when it exists, else an empty folder (the in-host suite may not need files). */
export function workspaceFor(runDir: string): string {
  if (existsSync(fixtureWorkspace)) return copyWorkspace(runDir);
  const workspace = path.join(runDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  return workspace;
}

/** Removes a run folder after a passing run; a failing one is kept and named for diagnosis. */
export function removeRunFolder(runDir: string): void {
  rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
}

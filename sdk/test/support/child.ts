// Runs a TypeScript fixture in its own Node process (through tsx, like the test itself).
import { spawn } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(args: string[], env: Record<string, string | undefined>, timeoutMs = 20_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment minus any StackLens configuration of the shell running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.STACKLENS_ENDPOINT;
  delete env.STACKLENS_API_KEY;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

export function runTs(file: string, env: Record<string, string | undefined>, timeoutMs?: number): Promise<ChildResult> {
  return runNode(['--import', 'tsx', file], env, timeoutMs);
}

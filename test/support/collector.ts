// Starts the real collector as a user would: `node dist/cli.js serve --port 0` in its own
// process (run `npm run build` first). Tests talk to it over loopback HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');

export interface RunningCollector {
  url: string;
  token: string;
  dataDir: string;
  process: ChildProcess;
  /** everything the process printed so far */
  output(): string;
  /** SIGTERM and wait for a clean exit; resolves to the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL, no flush */
  kill(): Promise<void>;
  /** GET/POST with the token; returns status and parsed JSON */
  request(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
}

export interface StartOptions {
  token?: string;
  dataDir?: string;
  promptsDir?: string;
  port?: number;
  extraArgs?: string[];
  env?: Record<string, string>;
}

export function tempDir(prefix = 'stacklens-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startCollector(options: StartOptions = {}): Promise<RunningCollector> {
  const dataDir = options.dataDir ?? tempDir();
  const token = options.token ?? 'sl-test-token';
  const args = [CLI, 'serve', '--port', String(options.port ?? 0), '--data', dataDir, '--token', token];
  if (options.promptsDir) args.push('--prompts', options.promptsDir);
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not print its URL within 20 s; output:\n${output}`)), 20_000);
    lines.on('line', (line) => {
      output += line + '\n';
      const m = /^StackLens collector listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code} before listening; output:\n${output}`));
    });
  });

  return {
    url,
    token,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async request(method, route, body, headers = {}) {
      const res = await fetch(url + route, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as any) : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed };
    },
  };
}

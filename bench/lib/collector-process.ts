// `stacklens serve` as a user starts it (the CLI bundle, its own process, a fresh data folder),
// plus what the bench asks of a running server: how busy it still is, and whether it kept spans.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds } from './proc';
import { sleep, startServer, type Server } from './processes';

export const TOKEN = 'sl-bench-token';

export interface CollectorProcess extends Server {
  token: string;
  dataDir: string;
  /** stops and deletes the data folder */
  dispose(): Promise<void>;
}

export function cliPath(root: string): string {
  return path.join(root, 'dist', 'cli.js');
}

/** null when the CLI bundle is missing (the part has not landed or `npm run build` failed) */
export function collectorMissing(root: string): string | null {
  return existsSync(cliPath(root)) ? null : `dist/cli.js is missing (the collector did not build: run \`npm run build\` and read its errors)`;
}

export async function startCollectorProcess(root: string, options: { nodeArgs?: string[]; extraArgs?: string[] } = {}): Promise<CollectorProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-bench-'));
  const server = await startServer([cliPath(root), 'serve', '--port', '0', '--data', dataDir, '--token', TOKEN, ...(options.extraArgs ?? [])], /^StackLens collector listening on (http:\/\/127\.0\.0\.1:\d+)$/, {
    nodeArgs: options.nodeArgs,
  });
  return {
    ...server,
    token: TOKEN,
    dataDir,
    async dispose() {
      await server.stop(20_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until `pid` stops using CPU (under 2% of a core over 250 ms), up to `maxMs`. A server
 * that acknowledges before it has applied the spans keeps working after the last answer; this is
 * how long, and that work belongs to the cost of the spans.
 */
export async function waitQuiet(pid: number, maxMs = 60_000): Promise<number> {
  const started = performance.now();
  let last = cpuSeconds(pid);
  if (last === null) return NaN;
  while (performance.now() - started < maxMs) {
    await sleep(250);
    const now = cpuSeconds(pid);
    if (now === null) break;
    if (now - last <= 0.005) return performance.now() - started - 250;
    last = now;
  }
  return performance.now() - started;
}

export async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${body.error ?? ''}`);
  return body;
}

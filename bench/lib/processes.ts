// Child processes of a bench section: servers that print a "listening on URL" line, and one-shot
// scripts that print one JSON line. Every child started here is ended here (by its pid, on stop or
// when the section exits), so an interrupted bench leaves nothing running.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

export interface Server {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited */
  stop(graceMs?: number): Promise<void>;
}

export async function startServer(args: string[], ready: RegExp, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<Server> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  children.add(child);
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not print its URL within ${options.timeoutMs ?? 20_000} ms; output:\n${output}`)), options.timeoutMs ?? 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += line + '\n';
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (${child.exitCode ?? child.signalCode}) before listening; output:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  };
}

/** Runs a script to completion and parses the JSON line it prints last. */
export function runJson<T>(args: string[], options: { nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exited with ${code ?? signal}`);
        resolve(JSON.parse(last) as T);
      } catch (e) {
        reject(new Error(`${args[0]} failed (${(e as Error).message}): ${err.trim().split('\n').slice(-5).join(' | ') || last}`));
      }
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Counts synchronous I/O the code under test does: every *Sync function of fs, child_process and
// zlib is wrapped on its module object. Import this before the code under test is loaded, so a
// library that keeps its own reference to, say, fs.readFileSync gets the counting one.
import childProcess from 'node:child_process';
import fs from 'node:fs';
import zlib from 'node:zlib';

const calls = new Map<string, number>();
let counting = false;

for (const [name, mod] of [['fs', fs], ['child_process', childProcess], ['zlib', zlib]] as const) {
  const target = mod as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    const original = target[key];
    if (!key.endsWith('Sync') || typeof original !== 'function') continue;
    const label = `${name}.${key}`;
    target[key] = function (this: unknown, ...args: unknown[]) {
      if (counting) calls.set(label, (calls.get(label) ?? 0) + 1);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

/** Runs `fn` with counting on; returns its result and the sync calls made while it ran. */
export async function countSyncIo<T>(fn: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  calls.clear();
  counting = true;
  try {
    const result = await fn();
    return { result, calls: Object.fromEntries(calls) };
  } finally {
    counting = false;
  }
}

// One writer per data folder: two processes appending to the same journal would interleave records.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const lockFile = (dataDir: string) => path.join(dataDir, 'store.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder for this process. A lock left by a dead process (kill -9) is taken over; one of
 * this very process is too, since a thread of it that held the store can only have died.
 */
export function lockDataDir(dataDir: string): void {
  let holder: number | null = null;
  try {
    holder = (JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as { pid: number }).pid;
  } catch {
    // no lock, or an unreadable one: take it
  }
  if (holder !== null && holder !== process.pid && alive(holder)) {
    throw new Error(`the store in ${dataDir} is in use by process ${holder} (another StackLens collector?): stop it, or use another data folder`);
  }
  writeFileSync(lockFile(dataDir), JSON.stringify({ pid: process.pid }));
}

export function unlockDataDir(dataDir: string): void {
  rmSync(lockFile(dataDir), { force: true });
}

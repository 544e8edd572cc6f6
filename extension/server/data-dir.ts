// One collector per data folder: two processes appending to the same journal would corrupt it.
// The claim file also tells `stacklens traces` where the running collector answers.
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface DataDirClaim {
  pid: number;
  url: string | null;
}

const claimFile = (dataDir: string) => path.join(dataDir, 'collector.json');

export function readClaim(dataDir: string): DataDirClaim | null {
  try {
    const claim = JSON.parse(readFileSync(claimFile(dataDir), 'utf8')) as DataDirClaim;
    return isAlive(claim.pid) ? claim : null;
  } catch {
    return null;
  }
}

/** Claims the folder for this process (again, with its URL once listening). Throws when a live process holds it. */
export function claimDataDir(dataDir: string, url: string | null = null): void {
  mkdirSync(dataDir, { recursive: true });
  const holder = readClaim(dataDir);
  if (holder && holder.pid !== process.pid) {
    throw new Error(`data folder ${dataDir} is in use by another StackLens collector (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}): stop it, or use another --data folder`);
  }
  writeFileSync(claimFile(dataDir), JSON.stringify({ pid: process.pid, url } satisfies DataDirClaim));
}

export function releaseDataDir(dataDir: string): void {
  const holder = readClaim(dataDir);
  if (holder && holder.pid === process.pid) rmSync(claimFile(dataDir), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// One collector per data folder. Every VS Code window of this machine shares the extension's
// global storage, so two collector workers there would write the same journal. The owner holds
// `collector.lock` (pid, instance id, port); the other windows read the port from it and join.
// A lock whose process is gone is stale and taken over; one whose process lives but whose
// collector does not answer belongs to a window that is still starting or shutting down.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const LOCK_FILE = 'collector.lock';

export interface LockRecord {
  pid: number;
  /** one per CollectorConnection, so two connections in one process (tests) are told apart */
  instance: string;
  /** null until the owner's collector listens */
  port: number | null;
  since: number;
}

export type LockAttempt = { acquired: true } | { acquired: false; holder: LockRecord };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class OwnerLock {
  private readonly file: string;
  readonly instance = randomUUID();
  private held = false;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, LOCK_FILE);
  }

  get isHeld(): boolean {
    return this.held;
  }

  async acquire(): Promise<LockAttempt> {
    await mkdir(path.dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      const record: LockRecord = { pid: process.pid, instance: this.instance, port: null, since: Date.now() };
      try {
        await writeFile(this.file, JSON.stringify(record), { flag: 'wx' });
        this.held = true;
        return { acquired: true };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(this.file, err);
      }
      let holder = await this.read();
      if (!holder) {
        // Maybe caught between its creation and its first write: look again before calling it stale.
        await new Promise((resolve) => setTimeout(resolve, 100));
        holder = await this.read();
      }
      if (holder?.instance === this.instance) {
        this.held = true;
        return { acquired: true };
      }
      if (holder && processAlive(holder.pid)) return { acquired: false, holder };
      // Stale (its window crashed) or unreadable (a writer died mid-write): remove and retry.
      // Two windows may both remove it; 'wx' then still lets exactly one of them create it.
      await unlink(this.file).catch(() => undefined);
    }
    const holder = await this.read();
    if (holder) return { acquired: false, holder };
    throw new Error(`could not take the collector lock ${this.file}: it keeps changing. Reload the window.`);
  }

  /** Records the port the collector listens on, for the windows that will join it. */
  async setPort(port: number): Promise<void> {
    if (!this.held) return;
    const record: LockRecord = { pid: process.pid, instance: this.instance, port, since: Date.now() };
    // Write beside and rename: a reader never sees a half-written lock.
    const temp = `${this.file}.${this.instance}.tmp`;
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, this.file);
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const holder = await this.read();
    if (holder?.instance === this.instance) await unlink(this.file).catch(() => undefined);
  }

  async read(): Promise<LockRecord | null> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<LockRecord>;
      if (typeof parsed.pid !== 'number' || typeof parsed.instance !== 'string') return null;
      return { pid: parsed.pid, instance: parsed.instance, port: typeof parsed.port === 'number' ? parsed.port : null, since: parsed.since ?? 0 };
    } catch {
      return null;
    }
  }
}

function lockError(file: string, err: unknown): Error {
  return new Error(`could not create the collector lock ${file}: ${(err as Error).message}. Check that the folder is writable.`);
}

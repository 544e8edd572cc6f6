// The store as its callers see it: openStore() returns a client that journals in the caller's
// thread (ingest is acknowledged once written) and asks a worker_thread running sql.js for the rest.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CallSite, Score, Span, Stats, StatsQuery, TraceDetail, TraceFilter, TraceSummary } from '../model';
import type { NewScore, Store, StoreChange, StoreOptions } from './api';
import { openEncryption, StoreKeyError, type StoreCipher } from './encryption';
import { journalDir, type Position } from './journal';
import { JournalWriter } from './journal-writer';
import { lockDataDir, unlockDataDir } from './lock';
import type { ClientMessage, OpenedInfo, RetentionResult, WorkerMessage, WorkerMethod, WorkerSettings } from './protocol';
import { QueryRefused } from './read-only-query';
import { encodeDeleteRecord, encodeScoreRecord, encodeSpansRecord } from './records';
import { resolveRetention } from './retention';
import { EXACT_PERCENTILES_UP_TO } from './stats';
import { QueryInputError } from './trace-queries';
import { checkScore, checkSpans, StoreInputError } from './validate';

export { StoreInputError } from './validate';
export { QueryRefused } from './read-only-query';
export { QueryInputError } from './trace-queries';
export { StoreKeyError } from './encryption';
export type { RetentionResult } from './protocol';

export interface OpenStoreOptions extends StoreOptions {
  /**
   * fsync the journal on every ingest, so acknowledged spans survive a power loss too. Off by
   * default: an acknowledged span already survives any crash or kill of the process.
   */
  fsync?: boolean;
  /** journal segment size (default 64 MiB); content is released a whole segment at a time */
  segmentBytes?: number;
  /** how often retention runs (default 60 s); it also runs on open and whenever maxSpans is passed */
  retentionIntervalMs?: number;
  /**
   * stats() gives exact percentiles over a range of up to this many calls (default 20,000: their
   * durations are read and sorted); over more, within 1% from the hourly latency histograms
   */
  statsSortLimit?: number;
  /** where the store reports what it skipped or repaired (default: stderr) */
  onWarning?: (message: string) => void;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_INTERVAL_MS = 60_000;

export async function openStore(options: OpenStoreOptions): Promise<StoreClient> {
  return StoreClient.open(options);
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/** spans journaled ahead of the worker before ingest waits for it to catch up (~1 s of applying) */
const MAX_BACKLOG = 5000;

export class StoreClient implements Store {
  private unconfirmed = 0;
  private halfway: { at: Position; count: number } | null = null;
  private caughtUp: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private nextCallId = 1;
  private noticePending = false;
  private state: 'open' | 'closing' | 'closed' | 'failed' = 'open';
  private failure = '';
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly dataDir: string,
    private readonly worker: Worker,
    private readonly writer: JournalWriter,
    private readonly warn: (message: string) => void,
    private readonly cipher: StoreCipher | null,
  ) {
    worker.on('message', (msg: WorkerMessage) => this.receive(msg));
    worker.on('error', (err) => this.fail(`the store worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`the store worker exited (code ${code})`));
  }

  static async open(options: OpenStoreOptions): Promise<StoreClient> {
    if (typeof options?.dataDir !== 'string' || options.dataDir === '') throw new Error('openStore: dataDir must name a folder for the store');
    const dataDir = path.resolve(options.dataDir);
    const warn = options.onWarning ?? ((m: string) => process.stderr.write(`stacklens store: ${m}\n`));
    const settings: WorkerSettings = {
      dataDir,
      retention: resolveRetention(options.retention),
      snapshotIntervalMs: positive(options.snapshotIntervalMs, 'snapshotIntervalMs') ?? DEFAULT_INTERVAL_MS,
      retentionIntervalMs: positive(options.retentionIntervalMs, 'retentionIntervalMs') ?? DEFAULT_INTERVAL_MS,
      statsSortLimit: positive(options.statsSortLimit, 'statsSortLimit') ?? EXACT_PERCENTILES_UP_TO,
      dataKey: null,
    };
    mkdirSync(dataDir, { recursive: true });
    lockDataDir(dataDir);
    let worker: Worker | null = null;
    try {
      // checked here, before the worker reads a byte: a missing or wrong key never looks like an empty store
      const cipher = openEncryption(dataDir, options.encryptionKey);
      settings.dataKey = cipher?.dataKey ?? null;
      worker = startWorker(settings);
      const info = await opened(worker, warn);
      const writer = new JournalWriter({
        dir: journalDir(dataDir),
        firstSegment: info.nextSegment,
        segmentBytes: positive(options.segmentBytes, 'segmentBytes') ?? DEFAULT_SEGMENT_BYTES,
        fsync: options.fsync === true,
      });
      return new StoreClient(dataDir, worker, writer, warn, cipher);
    } catch (err) {
      await worker?.terminate();
      unlockDataDir(dataDir);
      throw err;
    }
  }

  async ingest(spans: Span[]): Promise<void> {
    this.assertOpen();
    if (!Array.isArray(spans)) throw new StoreInputError('ingest expects an array of spans', 0, ['spans: expected an array']);
    const { spans: valid, problems } = checkSpans(spans);
    if (valid.length > 0) {
      this.journal(encodeSpansRecord(valid, this.cipher));
      await this.holdWhileBehind(valid.length);
    }
    if (problems.length > 0) {
      const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
      throw new StoreInputError(`${problems.length} of ${spans.length} spans refused (${valid.length} stored): ${shown}`, valid.length, problems);
    }
  }

  /**
   * Backpressure. Journaling is far faster than applying to sql.js, and every query waits for the
   * journal it was asked after: an unbounded backlog makes the UI wait seconds. Once MAX_BACKLOG
   * spans are journaled but maybe not applied, ingest resolves (still durable: it was journaled
   * first) only when the worker has applied up to the point where the backlog was half that, so
   * senders slow to the apply rate while the worker always has the other half to work on.
   */
  private async holdWhileBehind(count: number): Promise<void> {
    this.unconfirmed += count;
    if (this.halfway === null && this.unconfirmed >= MAX_BACKLOG / 2) this.halfway = { at: this.writer.position, count: this.unconfirmed };
    if (this.unconfirmed < MAX_BACKLOG && !this.caughtUp) return;
    if (!this.caughtUp) {
      const mark = this.halfway ?? { at: this.writer.position, count: this.unconfirmed };
      this.halfway = null;
      this.unconfirmed -= mark.count;
      this.caughtUp = this.call('hasTrace', ['0'.repeat(32)], false, mark.at).then(
        () => undefined,
        () => undefined,
      ).finally(() => {
        this.caughtUp = undefined;
      });
    }
    await this.caughtUp;
  }

  async addScore(score: NewScore): Promise<Score> {
    this.assertOpen();
    const checked = checkScore(score, () => randomUUID(), Date.now());
    this.journal(encodeScoreRecord(checked, this.cipher));
    return checked;
  }

  listTraces(filter: TraceFilter = {}): Promise<TraceSummary[]> {
    return this.call('listTraces', [filter]) as Promise<TraceSummary[]>;
  }

  getTrace(traceId: string): Promise<TraceDetail | null> {
    return this.call('getTrace', [traceId]) as Promise<TraceDetail | null>;
  }

  async deleteTrace(traceId: string): Promise<boolean> {
    if (!(await this.call('hasTrace', [traceId]))) return false;
    this.assertOpen();
    this.journal(encodeDeleteRecord(traceId, this.cipher));
    return true;
  }

  callSites(file?: string): Promise<CallSite[]> {
    return this.call('callSites', [file]) as Promise<CallSite[]>;
  }

  stats(query: StatsQuery = {}): Promise<Stats> {
    return this.call('stats', [query]) as Promise<Stats>;
  }

  query(sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
    return this.call('query', [sql]) as Promise<{ columns: string[]; rows: unknown[][] }>;
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async snapshot(): Promise<void> {
    await this.call('snapshot', []);
  }

  /** Applies retention now (it also runs on open, on a timer and whenever maxSpans is passed). */
  retain(): Promise<RetentionResult> {
    return this.call('retain', []) as Promise<RetentionResult>;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    try {
      if (wasOpen) await this.call('close', [], true);
    } finally {
      this.writer.close();
      this.state = 'closed';
      this.worker.removeAllListeners('exit');
      await this.worker.terminate();
      unlockDataDir(this.dataDir);
      this.rejectPending('the store was closed');
    }
  }

  private journal(record: Buffer): void {
    this.writer.append(record);
    // One notice per turn of the event loop is enough: every query carries the position anyway.
    if (!this.noticePending) {
      this.noticePending = true;
      setImmediate(() => {
        this.noticePending = false;
        if (this.state === 'open') this.post({ t: 'advance', at: this.writer.position });
      });
    }
  }

  /** `at`: the journal position the answer must reflect (default: everything journaled so far) */
  private call(method: WorkerMethod, args: unknown[], duringClose = false, at: Position = this.writer.position): Promise<unknown> {
    if (!duringClose) {
      try {
        this.assertOpen();
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ t: 'call', id, method, args, at });
    });
  }

  private post(message: ClientMessage): void {
    this.worker.postMessage(message);
  }

  private receive(msg: WorkerMessage): void {
    if (msg.t === 'reply') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(rebuildError(msg.error, msg.name));
    } else if (msg.t === 'warning') {
      this.warn(msg.message);
    } else if (msg.t === 'change') {
      for (const listener of this.listeners) {
        try {
          listener(msg.change);
        } catch (err) {
          process.stderr.write(`stacklens store: a change listener failed: ${(err as Error).message}\n`);
        }
      }
    }
  }

  private assertOpen(): void {
    if (this.state === 'open') return;
    if (this.state === 'failed') throw new Error(`${this.failure}; reopen the store (restart the collector) to continue`);
    throw new Error('the store is closed');
  }

  private fail(reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.failure = reason;
    this.rejectPending(reason);
  }

  private rejectPending(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}

function positive(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0)) throw new Error(`openStore: ${name} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

function startWorker(settings: WorkerSettings): Worker {
  if (__filename.endsWith('.ts')) {
    // From source (tests under tsx): Node 20 does not run --import hooks inside worker threads, so
    // the worker loads tsx's require hook itself before the TypeScript entry.
    const script = path.join(__dirname, 'store-worker.ts');
    // createRequire: esbuild leaves it alone (the bundle never takes this branch)
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(script)});`, { eval: true, workerData: settings });
  }
  return new Worker(path.join(__dirname, 'store-worker.js'), { workerData: settings });
}

function opened(worker: Worker, warn: (message: string) => void): Promise<OpenedInfo> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: WorkerMessage) => {
      if (msg.t === 'warning') warn(msg.message);
      else if (msg.t === 'opened') done(() => resolve(msg.info));
      else if (msg.t === 'failed') done(() => reject(msg.name === 'StoreKeyError' ? new StoreKeyError(msg.error) : new Error(msg.error)));
    };
    const onError = (err: Error) => done(() => reject(new Error(`the store worker could not start: ${err.message}`)));
    const onExit = (code: number) => done(() => reject(new Error(`the store worker exited while opening (code ${code})`)));
    const done = (settle: () => void) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      settle();
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function rebuildError(message: string, name: string | undefined): Error {
  if (name === 'QueryRefused') return new QueryRefused(message);
  if (name === 'QueryInputError') return new QueryInputError(message);
  if (name === 'StoreInputError') return new StoreInputError(message, 0, [message]);
  const err = new Error(message);
  if (name) err.name = name;
  return err;
}

// The worker side of the store: one sql.js database fed from the journal. It opens from the latest
// snapshot, replays the journal past it, then follows the client's writer in batched transactions.
import { truncateSync, unlinkSync } from 'node:fs';
import type { SqlJsStatic } from 'sql.js';
import type { RetentionOptions, StoreChange } from './api';
import { callSites } from './call-site-queries';
import { Db } from './database';
import { StoreCipher } from './encryption';
import { comparePositions, journalDir, JournalReader, listSegments, segmentPath, type JournalRecord, type Position } from './journal';
import type { OpenedInfo, RetentionResult, WorkerMethod, WorkerSettings } from './protocol';
import { readOnlyQuery } from './read-only-query';
import { applyRetention } from './retention';
import { loadSnapshot, writeSnapshot } from './snapshot';
import { SpanApplier } from './span-applier';
import { stats } from './stats';
import { getTrace, hasTrace, listTraces } from './trace-queries';

/** Spans per transaction: large enough to amortise the commit, small enough to answer queries soon. */
const BATCH_SPANS = 1000;

export interface EngineEvents {
  change(change: StoreChange): void;
  warning(message: string): void;
}

export class StoreEngine {
  private applied: Position;
  /** the furthest position the client has announced */
  private target: Position;
  private dirty = false;
  /** opening: no change events, and a torn tail of the newest segment is cut off */
  private replaying = false;
  private readonly reader: JournalReader;
  private readonly applier: SpanApplier;
  private readonly db: Db;
  private readonly warned = new Set<string>();
  private readonly cipher: StoreCipher | null;
  /** records before this position are applied one per transaction: one of them failed */
  private isolateUntil: Position | null = null;

  private constructor(
    private readonly dataDir: string,
    private readonly retention: RetentionOptions,
    private readonly statsSortLimit: number,
    private readonly events: EngineEvents,
    db: Db,
    start: Position,
    cipher: StoreCipher | null,
  ) {
    this.db = db;
    this.cipher = cipher;
    this.reader = new JournalReader(journalDir(dataDir), cipher);
    this.applier = new SpanApplier(db);
    this.applied = start;
    this.target = start;
  }

  static open(SQL: SqlJsStatic, settings: Omit<WorkerSettings, 'snapshotIntervalMs' | 'retentionIntervalMs'>, events: EngineEvents): { engine: StoreEngine; info: OpenedInfo } {
    const { dataDir, retention } = settings;
    const cipher = settings.dataKey ? new StoreCipher(Buffer.from(settings.dataKey)) : null;
    const loaded = loadSnapshot(SQL, dataDir, cipher);
    const segments = listSegments(journalDir(dataDir));
    const start = loaded.covers ?? { seg: segments[0] ?? 1, off: 0 };
    const engine = new StoreEngine(dataDir, retention, settings.statsSortLimit, events, new Db(loaded.raw), start, cipher);
    loaded.warnings.forEach((w) => engine.warn(w));
    if (loaded.migrated) engine.db.transaction(() => engine.applier.rebuildRollups());
    const last = Math.max(loaded.covers?.seg ?? 0, segments.at(-1) ?? 0);
    engine.replaying = true;
    engine.catchUp({ seg: last, off: Number.MAX_SAFE_INTEGER });
    engine.replaying = false;
    // a migrated snapshot is written back, or every open would migrate it again
    engine.dirty = comparePositions(engine.applied, start) > 0 || loaded.covers === null || loaded.migrated === true;
    engine.retain(Date.now());
    engine.applier.changedTraces.clear();
    engine.applier.changedFiles.clear();
    // The writer always starts a fresh segment, never appending behind a record replay distrusted.
    engine.target = { seg: last + 1, off: 0 };
    return { engine, info: { nextSegment: last + 1 } };
  }

  /** The client wrote up to `at`. */
  announce(at: Position): void {
    if (comparePositions(at, this.target) > 0) this.target = at;
  }

  hasPending(): boolean {
    return comparePositions(this.applied, this.target) < 0;
  }

  /** Applies one batch towards the announced position; false when there was nothing to apply. */
  step(): boolean {
    return this.applyBatch(this.target);
  }

  /** Applies everything up to `at` (default: all the client has announced). */
  catchUp(at?: Position): void {
    if (at) this.announce(at);
    while (this.applyBatch(this.target));
  }

  call(method: WorkerMethod, args: unknown[], at: Position): unknown {
    this.catchUp(at);
    if (method === 'callSites' || method === 'query') this.writeCallSites();
    switch (method) {
      case 'listTraces':
        return listTraces(this.db, args[0] as Parameters<typeof listTraces>[1]);
      case 'getTrace':
        return getTrace(this.db, this.reader, args[0] as string, (m) => this.warn(m));
      case 'hasTrace':
        return hasTrace(this.db, args[0] as string);
      case 'callSites':
        return callSites(this.db, args[0] as string | undefined);
      case 'stats':
        return stats(this.db, this.applier.statsRollups, args[0] as Parameters<typeof stats>[2], this.statsSortLimit);
      case 'query':
        return readOnlyQuery(this.db, args[0] as string);
      case 'snapshot':
        return this.snapshot(true);
      case 'retain':
        return this.retain(Date.now());
      case 'close':
        return this.close();
    }
  }

  /** Writes a snapshot when something changed since the last one, then compacts the journal. */
  snapshot(force = false): void {
    if (!this.dirty && !force) return;
    this.writeCallSites();
    writeSnapshot(this.db, this.dataDir, this.applied, this.cipher);
    this.dirty = false;
    this.compact();
  }

  /** Call-site rows are written at most once a second while applying: bring them up to date. */
  private writeCallSites(): void {
    this.guarded(() => this.db.transaction(() => this.applier.flush(true)));
  }

  retain(now: number): RetentionResult {
    const result = this.guarded(() =>
      this.db.transaction(() => {
        const r = applyRetention(this.db, this.applier, this.retention, now);
        this.applier.flush();
        return r;
      }),
    );
    if (result.dropped_traces > 0) this.dirty = true;
    this.announceChanges();
    return result;
  }

  /** A transaction outside applyBatch that failed was rolled back: drop what the caches kept of it. */
  private guarded<T>(fn: () => T): T {
    const spanCountBefore = this.applier.spanCount;
    try {
      return fn();
    } catch (err) {
      this.applier.discard(spanCountBefore);
      throw err;
    }
  }

  close(): void {
    this.snapshot();
    this.reader.close();
    this.db.close();
  }

  /**
   * Applies up to BATCH_SPANS spans of records in one transaction, aggregates written once at its
   * end. A record that cannot be applied rolls the batch back; its records are then applied one per
   * transaction (isolating) so only the bad one is skipped, with a warning.
   */
  private applyBatch(limit: Position): boolean {
    const start = this.applied;
    const spanCountBefore = this.applier.spanCount;
    const isolating = this.isolateUntil !== null && comparePositions(start, this.isolateUntil) < 0;
    let spans = 0;
    let records = 0;
    let last: JournalRecord | null = null;
    let reading = false;
    try {
      this.db.transaction(() => {
        while (spans < BATCH_SPANS && !(isolating && records === 1)) {
          reading = true;
          const record = this.nextRecord(limit);
          reading = false;
          if (!record) break;
          last = record;
          spans += this.applier.apply(record);
          records += 1;
          this.applied = record.next;
        }
        this.applier.flush();
      });
    } catch (err) {
      this.applier.discard(spanCountBefore);
      const failed = last as JournalRecord | null;
      if (reading || !failed) {
        this.applied = start;
        throw err;
      }
      if (!isolating) {
        // apply this batch's records again one per transaction, to skip only the bad one
        this.isolateUntil = failed.next;
        this.applied = start;
        return true;
      }
      this.applied = failed.next;
      this.dirty = true; // a snapshot past the bad record, so the next open does not skip it again
      this.warn(`the journal record at segment ${failed.start.seg} offset ${failed.start.off} could not be applied and was skipped: ${errorText(err)}`);
      return true;
    }
    if (this.isolateUntil !== null && comparePositions(this.applied, this.isolateUntil) >= 0) this.isolateUntil = null;
    if (records === 0) return false;
    this.dirty = true;
    if (this.applier.spanCount > this.retention.maxSpans && !this.replaying) this.retain(Date.now());
    else this.announceChanges();
    return true;
  }

  /** The next complete record before `limit`, moving across segment files as the writer did. */
  private nextRecord(limit: Position): JournalRecord | null {
    for (;;) {
      if (comparePositions(this.applied, limit) >= 0) return null;
      const read = this.reader.read(this.applied);
      if (read.kind === 'record') return read.record;
      if (read.kind === 'torn') this.torn(read.reason);
      if (limit.seg <= this.applied.seg) return null;
      const next = listSegments(journalDir(this.dataDir)).find((s) => s > this.applied.seg);
      if (next === undefined || next > limit.seg) return null;
      this.applied = { seg: next, off: 0 };
    }
  }

  /**
   * A record cut short (kill -9 or power loss in the middle of a write) or damaged. At the end of
   * the newest segment during replay it is cut off; nothing after it in that file was acknowledged.
   */
  private torn(reason: string): void {
    const { seg, off } = this.applied;
    const file = segmentPath(journalDir(this.dataDir), seg);
    const isTail = this.replaying && seg === listSegments(journalDir(this.dataDir)).at(-1);
    if (isTail) {
      this.reader.release(seg);
      truncateSync(file, off);
      this.warn(`ignored an incomplete record at the end of ${file} (${reason}); it was never acknowledged`);
    } else {
      this.warn(`stopped reading ${file} at offset ${off}: ${reason}; any later records in that file are skipped`);
    }
  }

  /** Deletes journal segments the snapshot covers that hold no live content. */
  private compact(): void {
    const live = new Set(this.db.values('SELECT seg FROM segments WHERE live > 0').map((r) => r[0] as number));
    for (const seg of listSegments(journalDir(this.dataDir))) {
      if (seg >= this.applied.seg || live.has(seg)) continue;
      this.reader.release(seg);
      unlinkSync(segmentPath(journalDir(this.dataDir), seg));
    }
    this.db.run('DELETE FROM segments WHERE live <= 0');
  }

  private announceChanges(): void {
    const { changedTraces, changedFiles } = this.applier;
    if (changedTraces.size === 0 && changedFiles.size === 0) return;
    if (!this.replaying) this.events.change({ trace_ids: [...changedTraces], files: [...changedFiles] });
    changedTraces.clear();
    changedFiles.clear();
  }

  private warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.events.warning(message);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

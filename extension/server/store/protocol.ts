// Messages between the store client (caller's thread) and the store worker (sql.js). Every query
// carries the journal position the client had written when it was asked: the worker applies up to
// there first, so a query never misses spans whose ingest() had resolved.
import type { RetentionOptions, StoreChange } from './api';
import type { Position } from './journal';

export interface WorkerSettings {
  dataDir: string;
  retention: RetentionOptions;
  snapshotIntervalMs: number;
  retentionIntervalMs: number;
  statsSortLimit: number;
  /** the data key (derived from the caller's key) when the store is encrypted */
  dataKey: Uint8Array | null;
}

/** Methods the worker answers; arguments and results are those of the Store methods. */
export type WorkerMethod =
  | 'listTraces'
  | 'getTrace'
  | 'hasTrace'
  | 'callSites'
  | 'stats'
  | 'query'
  | 'snapshot'
  | 'retain'
  | 'close';

export type ClientMessage =
  | { t: 'advance'; at: Position }
  | { t: 'call'; id: number; method: WorkerMethod; args: unknown[]; at: Position };

export interface OpenedInfo {
  /** the segment the client's journal writer starts (never one that holds older records) */
  nextSegment: number;
}

export type WorkerMessage =
  | { t: 'opened'; info: OpenedInfo }
  | { t: 'failed'; error: string; name?: string }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: string; name?: string }
  | { t: 'change'; change: StoreChange }
  | { t: 'warning'; message: string };

export interface RetentionResult {
  dropped_traces: number;
  dropped_spans: number;
}

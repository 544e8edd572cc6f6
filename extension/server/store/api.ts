// The contract between the collector (HTTP, in its own thread) and the store (sql.js in a worker).
// The collector only ever holds a `Store`; how the store keeps spans is its own business.
import type { CallSite, Score, Span, Stats, StatsQuery, TraceDetail, TraceFilter, TraceSummary } from '../model';

export interface RetentionOptions {
  /** spans whose trace started longer ago than this are dropped (default 7 days) */
  maxAgeMs: number;
  /** when more spans than this are stored, the oldest traces are dropped (default 200,000) */
  maxSpans: number;
}

export interface StoreOptions {
  /** folder for the journal, content and snapshot files; created if missing */
  dataDir: string;
  retention?: Partial<RetentionOptions>;
  /** how often a snapshot is taken when there were changes (default 60 s) */
  snapshotIntervalMs?: number;
  /**
   * 32 bytes (AES-256). When set, the journal and snapshots are encrypted with AES-256-GCM. A new
   * folder becomes an encrypted store; an existing one opens only with the key it was created with
   * (a missing or wrong key throws StoreKeyError), and an unencrypted one refuses a key.
   */
  encryptionKey?: Buffer;
}

/** What changed, announced after spans are applied (the UI refreshes what is visible). */
export interface StoreChange {
  trace_ids: string[];
  /** call-site files whose aggregates changed */
  files: string[];
}

export type NewScore = Omit<Score, 'score_id' | 'created_at'> & { score_id?: string; created_at?: number };

export interface Store {
  /** Resolves once the spans are durable (journaled): a crash after this loses nothing. */
  ingest(spans: Span[]): Promise<void>;
  addScore(score: NewScore): Promise<Score>;
  listTraces(filter: TraceFilter): Promise<TraceSummary[]>;
  getTrace(traceId: string): Promise<TraceDetail | null>;
  deleteTrace(traceId: string): Promise<boolean>;
  callSites(file?: string): Promise<CallSite[]>;
  stats(query: StatsQuery): Promise<Stats>;
  /** read-only SQL over the store's tables and views (llm_calls, trace_costs) */
  query(sql: string): Promise<{ columns: string[]; rows: unknown[][] }>;
  onChange(listener: (change: StoreChange) => void): () => void;
  /** writes a snapshot now */
  snapshot(): Promise<void>;
  /** flushes and snapshots, then stops the worker */
  close(): Promise<void>;
}

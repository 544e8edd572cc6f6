// Retention: whole traces leave, oldest first, when they are older than maxAgeMs or when more than
// maxSpans spans are stored. Their content segments are released at the next snapshot.
import type { RetentionOptions } from './api';
import type { Db } from './database';
import type { RetentionResult } from './protocol';
import type { SpanApplier } from './span-applier';

export const DEFAULT_RETENTION: RetentionOptions = { maxAgeMs: 7 * 24 * 60 * 60 * 1000, maxSpans: 200_000 };

/**
 * Over the span limit, traces are dropped until this share of it remains, so that a store at its
 * limit does not drop one trace (and re-read its call sites) on every batch.
 */
export const LOW_WATER = 0.95;

const CHUNK = 500;

export function resolveRetention(given: Partial<RetentionOptions> | undefined): RetentionOptions {
  const r = { ...DEFAULT_RETENTION, ...given };
  for (const [k, v] of Object.entries(r)) {
    if (typeof v !== 'number' || !(v > 0)) throw new Error(`retention.${k}: expected a positive number, got ${JSON.stringify(v)}`);
  }
  return r;
}

/** Runs inside the caller's transaction; the caller flushes the applier afterwards. */
export function applyRetention(db: Db, applier: SpanApplier, options: RetentionOptions, now: number): RetentionResult {
  const result: RetentionResult = { dropped_traces: 0, dropped_spans: 0 };
  const drop = (ids: string[]) => {
    result.dropped_traces += ids.length;
    result.dropped_spans += applier.dropTraces(ids);
  };
  const cutoff = now - options.maxAgeMs;
  for (;;) {
    const ids = db.values(`SELECT trace_id FROM traces WHERE start_time < ? ORDER BY start_time LIMIT ${CHUNK}`, [cutoff]).map((r) => r[0] as string);
    if (ids.length === 0) break;
    drop(ids);
  }
  if (applier.spanCount > options.maxSpans) {
    const target = Math.floor(options.maxSpans * LOW_WATER);
    while (applier.spanCount > target) {
      const rows = db.values(`SELECT trace_id, span_count FROM traces ORDER BY start_time LIMIT ${CHUNK}`);
      if (rows.length === 0) break;
      const ids: string[] = [];
      let remaining = applier.spanCount;
      for (const [id, count] of rows as Array<[string, number]>) {
        if (remaining <= target) break;
        ids.push(id);
        remaining -= count;
      }
      drop(ids);
    }
  }
  // scores whose trace never arrived
  db.run('DELETE FROM scores WHERE created_at < ? AND trace_id NOT IN (SELECT trace_id FROM traces)', [cutoff]);
  return result;
}

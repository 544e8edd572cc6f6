// Hourly rollups behind stats(): counted model calls per (UTC hour, model) with a latency histogram,
// and traces per (UTC hour, tag). Kept in memory by the store worker, changed as spans come and go
// (the same deltas that move trace and call-site totals), written back at the end of each batch.
// stats() merges a range's whole hours from here and reads only its partial edge hours from the
// spans: at 1M spans it merges a few hundred rows instead of scanning 600,000 calls.
import type { Db } from './database';
import type { SpanFacts } from './span-facts';

export const HOUR_MS = 3_600_000;

/**
 * Latency buckets grow by 2%: a percentile read from them is the geometric middle of its bucket,
 * within 1% of the exact value. Durations under 10 µs share bucket 0 (reported as 0).
 */
const RATIO = 1.02;
const LOG_RATIO = Math.log(RATIO);
const SMALLEST_MS = 0.01;

export function bucketOf(ms: number): number {
  return ms < SMALLEST_MS ? 0 : 1 + Math.floor(Math.log(ms / SMALLEST_MS) / LOG_RATIO);
}

export function bucketValue(bucket: number): number {
  return bucket === 0 ? 0 : SMALLEST_MS * RATIO ** (bucket - 1) * Math.sqrt(RATIO);
}

/** A histogram of durations: bucket → count. */
export type Histogram = Map<number, number>;

export interface CallCell {
  hour: number;
  /** null: calls that name no model */
  model: string | null;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
  errors: number;
  latency: Histogram;
}

export interface TraceCell {
  hour: number;
  /** null: every trace (for the trace count); otherwise the traces carrying this tag */
  tag: string | null;
  traces: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** What one trace adds to the trace rollups: its start hour, tags and totals. */
export interface TraceContribution {
  start_time: number;
  tags: string[];
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

type CallFacts = Pick<SpanFacts, 'start_time' | 'model' | 'duration_ms' | 'status' | 'input_tokens' | 'output_tokens' | 'total_tokens' | 'cost_usd' | 'is_call'>;

// null and every name get distinct keys: a name is prefixed, null is the bare hour
const callKey = (hour: number, model: string | null) => (model === null ? `${hour}` : `${hour}:${model}`);
const traceKey = (hour: number, tag: string | null) => (tag === null ? `${hour}` : `${hour}:${tag}`);
// a model or tag column cannot hold NULL in a primary key: kind 0 rows stand for NULL
const NO_NAME = 0;
const NAMED = 1;

export class Rollups {
  private calls = new Map<string, CallCell>();
  private traces = new Map<string, TraceCell>();
  private dirtyCalls = new Set<string>();
  private dirtyTraces = new Set<string>();

  constructor(private readonly db: Db) {
    this.load();
  }

  /** A counted model call was added (+1) or taken away (-1). Spans that are not calls are ignored. */
  call(f: CallFacts, sign: 1 | -1): void {
    if (!f.is_call) return;
    const hour = Math.floor(f.start_time / HOUR_MS);
    const k = callKey(hour, f.model);
    let c = this.calls.get(k);
    if (!c) {
      c = { hour, model: f.model, calls: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cost_usd: 0, errors: 0, latency: new Map() };
      this.calls.set(k, c);
    }
    c.calls += sign;
    c.input_tokens += sign * (f.input_tokens ?? 0);
    c.output_tokens += sign * (f.output_tokens ?? 0);
    c.total_tokens += sign * (f.total_tokens ?? (f.input_tokens ?? 0) + (f.output_tokens ?? 0));
    c.cost_usd += sign * (f.cost_usd ?? 0);
    if (f.status === 'error') c.errors += sign;
    const b = bucketOf(f.duration_ms);
    const n = (c.latency.get(b) ?? 0) + sign;
    if (n === 0) c.latency.delete(b);
    else c.latency.set(b, n);
    this.dirtyCalls.add(k);
  }

  /** A trace's contribution was added (+1) or taken away (-1). */
  trace(t: TraceContribution, sign: 1 | -1): void {
    const hour = Math.floor(t.start_time / HOUR_MS);
    for (const tag of [null, ...t.tags]) {
      const k = traceKey(hour, tag);
      let c = this.traces.get(k);
      if (!c) {
        c = { hour, tag, traces: 0, calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
        this.traces.set(k, c);
      }
      c.traces += sign;
      c.calls += sign * t.calls;
      c.input_tokens += sign * t.input_tokens;
      c.output_tokens += sign * t.output_tokens;
      c.cost_usd += sign * t.cost_usd;
      this.dirtyTraces.add(k);
    }
  }

  /** Call cells of the hours in [fromHour, toHour). */
  *callCells(fromHour: number, toHour: number): Iterable<CallCell> {
    for (const c of this.calls.values()) if (c.hour >= fromHour && c.hour < toHour) yield c;
  }

  *traceCells(fromHour: number, toHour: number): Iterable<TraceCell> {
    for (const c of this.traces.values()) if (c.hour >= fromHour && c.hour < toHour) yield c;
  }

  /** Writes the cells changed since the last flush (inside the caller's transaction). */
  flush(): void {
    for (const k of this.dirtyCalls) {
      const c = this.calls.get(k)!;
      if (c.calls <= 0) {
        this.db.run('DELETE FROM call_hours WHERE hour = ? AND kind = ? AND model = ?', [c.hour, c.model === null ? NO_NAME : NAMED, c.model ?? '']);
        this.calls.delete(k);
        continue;
      }
      this.db.run(
        `INSERT OR REPLACE INTO call_hours (hour, kind, model, calls, input_tokens, output_tokens, total_tokens, cost_usd, errors, latency)
         VALUES (?,?,?,?,?,?,?,?,?,?)`,
        [c.hour, c.model === null ? NO_NAME : NAMED, c.model ?? '', c.calls, c.input_tokens, c.output_tokens, c.total_tokens, c.cost_usd, c.errors, encodeHistogram(c.latency)],
      );
    }
    for (const k of this.dirtyTraces) {
      const c = this.traces.get(k)!;
      if (c.traces <= 0) {
        this.db.run('DELETE FROM trace_hours WHERE hour = ? AND kind = ? AND tag = ?', [c.hour, c.tag === null ? NO_NAME : NAMED, c.tag ?? '']);
        this.traces.delete(k);
        continue;
      }
      this.db.run(
        `INSERT OR REPLACE INTO trace_hours (hour, kind, tag, traces, calls, input_tokens, output_tokens, cost_usd) VALUES (?,?,?,?,?,?,?,?)`,
        [c.hour, c.tag === null ? NO_NAME : NAMED, c.tag ?? '', c.traces, c.calls, c.input_tokens, c.output_tokens, c.cost_usd],
      );
    }
    this.dirtyCalls.clear();
    this.dirtyTraces.clear();
  }

  /** A rolled-back transaction: back to what the tables hold. */
  discard(): void {
    this.dirtyCalls.clear();
    this.dirtyTraces.clear();
    this.load();
  }

  /** Recomputes both rollups from the spans and traces (a database from before they existed). */
  rebuild(): void {
    this.db.run('DELETE FROM call_hours');
    this.db.run('DELETE FROM trace_hours');
    this.calls.clear();
    this.traces.clear();
    for (const [start_time, model, duration_ms, status, input_tokens, output_tokens, total_tokens, cost_usd] of this.db.values(
      'SELECT start_time, model, duration_ms, status, input_tokens, output_tokens, total_tokens, cost_usd FROM spans WHERE is_call = 1 AND usage_counted = 1',
    ) as Array<[number, string | null, number, string, number | null, number | null, number | null, number | null]>) {
      this.call({ is_call: 1, start_time, model, duration_ms, status, input_tokens, output_tokens, total_tokens, cost_usd }, 1);
    }
    for (const [start_time, tags, calls, input_tokens, output_tokens, cost_usd] of this.db.values(
      'SELECT start_time, tags, llm_call_count, input_tokens, output_tokens, total_cost_usd FROM traces',
    ) as Array<[number, string, number, number, number, number]>) {
      this.trace({ start_time, tags: JSON.parse(tags) as string[], calls, input_tokens, output_tokens, cost_usd }, 1);
    }
    this.flush();
  }

  private load(): void {
    this.calls.clear();
    this.traces.clear();
    for (const r of this.db.values('SELECT hour, kind, model, calls, input_tokens, output_tokens, total_tokens, cost_usd, errors, latency FROM call_hours')) {
      const [hour, kind, model, calls, input_tokens, output_tokens, total_tokens, cost_usd, errors, latency] = r as [number, number, string, number, number, number, number, number, number, Uint8Array];
      const m = kind === NO_NAME ? null : model;
      this.calls.set(callKey(hour, m), { hour, model: m, calls, input_tokens, output_tokens, total_tokens, cost_usd, errors, latency: decodeHistogram(latency) });
    }
    for (const r of this.db.values('SELECT hour, kind, tag, traces, calls, input_tokens, output_tokens, cost_usd FROM trace_hours')) {
      const [hour, kind, tag, traces, calls, input_tokens, output_tokens, cost_usd] = r as [number, number, string, number, number, number, number, number];
      const t = kind === NO_NAME ? null : tag;
      this.traces.set(traceKey(hour, t), { hour, tag: t, traces, calls, input_tokens, output_tokens, cost_usd });
    }
  }
}

/** [bucket, count] pairs as little-endian u32. */
function encodeHistogram(h: Histogram): Uint8Array {
  const pairs = new Uint32Array(h.size * 2);
  let i = 0;
  for (const [b, n] of h) {
    pairs[i++] = b;
    pairs[i++] = n;
  }
  return new Uint8Array(pairs.buffer);
}

function decodeHistogram(bytes: Uint8Array): Histogram {
  const pairs = new Uint32Array(bytes.slice().buffer);
  const h: Histogram = new Map();
  for (let i = 0; i + 1 < pairs.length; i += 2) h.set(pairs[i], pairs[i + 1]);
  return h;
}

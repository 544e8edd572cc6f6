// Usage analytics over counted model calls (wrappers excluded): totals, nearest-rank latency
// percentiles, and breakdowns by model, by model by UTC day, and by trace tag. The hours a range
// covers whole come from the hourly rollups (rollups.ts); only the partial hours at its edges are
// read from the rows. Percentiles are exact over a range of up to `exactUpTo` calls (their
// durations are read and sorted) and within 1% beyond (merged latency histograms).
import type { LatencyPercentiles, Stats, StatsQuery } from '../model';
import type { Db, Param } from './database';
import { bucketOf, bucketValue, HOUR_MS, type Histogram, type Rollups } from './rollups';
import { QueryInputError } from './trace-queries';

const PERCENTILES = [50, 90, 95, 99] as const;
const UNKNOWN_MODEL = '(unknown)';
const DAY_MS = 86_400_000;
const COUNTED = 'is_call = 1 AND usage_counted = 1';

/**
 * Nearest-rank percentile: the smallest value such that at least p% of the values are at or below
 * it, i.e. the value at rank ceil(p/100 * n) in ascending order (1-based). Always an observed value.
 */
export function nearestRank(p: number, n: number): number {
  return Math.max(1, Math.ceil((p * n) / 100));
}

interface Sums {
  key: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

function sums(key: string): Sums {
  return { key, calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
}

function add(to: Sums, from: Omit<Sums, 'key'>): void {
  to.calls += from.calls;
  to.input_tokens += from.input_tokens;
  to.output_tokens += from.output_tokens;
  to.cost_usd += from.cost_usd;
}

function bound(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new QueryInputError(`${field}: expected epoch milliseconds, got ${JSON.stringify(v)}`);
  return v;
}

/** Up to this many calls in a range, percentiles are exact: the range's durations are read and sorted. */
export const EXACT_PERCENTILES_UP_TO = 20_000;

interface ModelSums extends Sums {
  latency: Histogram;
  durations: number[];
}

/** [from, to) in epoch ms, read from the rows instead of the rollups. */
type Edge = [number, number];

export function stats(db: Db, rollups: Rollups, query: StatsQuery = {}, exactUpTo = EXACT_PERCENTILES_UP_TO): Stats {
  const since = bound(query.since, 'since');
  const until = bound(query.until, 'until');
  const group = query.group ?? 'day';
  if (!['day', 'model', 'tag'].includes(group)) throw new QueryInputError(`group: expected day, model or tag, got ${JSON.stringify(group)}`);

  // whole hours [fromHour, toHour) from the rollups; the rest of the range from rows
  let fromHour = since === null ? -Infinity : Math.ceil(since / HOUR_MS);
  let toHour = until === null ? Infinity : Math.floor(until / HOUR_MS);
  const edges: Edge[] = [];
  if (fromHour >= toHour) {
    // inside one hour, or across one hour boundary: both bounds are given
    if (since! < until!) edges.push([since!, until!]);
    fromHour = toHour = 0;
  } else {
    if (since !== null && since < fromHour * HOUR_MS) edges.push([since, fromHour * HOUR_MS]);
    if (until !== null && toHour * HOUR_MS < until) edges.push([toHour * HOUR_MS, until]);
  }

  const totals = { calls: 0, traces: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cost_usd: 0, errors: 0 };
  const overall: Histogram = new Map();
  const models = new Map<string | null, ModelSums>();
  const cells = new Map<string, Sums & { day: string; model: string }>();
  const addCalls = (day: number, model: string | null, c: { calls: number; input_tokens: number; output_tokens: number; total_tokens: number; cost_usd: number; errors: number }) => {
    totals.calls += c.calls;
    totals.input_tokens += c.input_tokens;
    totals.output_tokens += c.output_tokens;
    totals.total_tokens += c.total_tokens;
    totals.cost_usd += c.cost_usd;
    totals.errors += c.errors;
    let m = models.get(model);
    if (!m) {
      m = { ...sums(model ?? UNKNOWN_MODEL), latency: new Map(), durations: [] };
      models.set(model, m);
    }
    add(m, c);
    const dayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
    const k = `${dayText}\u0000${m.key}`;
    let cell = cells.get(k);
    if (!cell) {
      cell = { ...sums(m.key), day: dayText, model: m.key };
      cells.set(k, cell);
    }
    add(cell, c);
    return m;
  };

  for (const c of rollups.callCells(fromHour, toHour)) {
    const m = addCalls(Math.floor(c.hour / 24), c.model, c);
    for (const [b, n] of c.latency) {
      m.latency.set(b, (m.latency.get(b) ?? 0) + n);
      overall.set(b, (overall.get(b) ?? 0) + n);
    }
  }
  for (const [from, to] of edges) {
    const rows = db.values(
      `SELECT start_time, model, duration_ms, input_tokens, output_tokens, total_tokens, cost_usd, status FROM spans
       WHERE ${COUNTED} AND start_time >= ? AND start_time < ?`,
      [from, to],
    ) as Array<[number, string | null, number, number | null, number | null, number | null, number | null, string]>;
    for (const [start, model, duration, input, output, total, cost, status] of rows) {
      const m = addCalls(Math.floor(start / DAY_MS), model, {
        calls: 1, input_tokens: input ?? 0, output_tokens: output ?? 0, total_tokens: total ?? (input ?? 0) + (output ?? 0),
        cost_usd: cost ?? 0, errors: status === 'error' ? 1 : 0,
      });
      const b = bucketOf(duration);
      m.latency.set(b, (m.latency.get(b) ?? 0) + 1);
      overall.set(b, (overall.get(b) ?? 0) + 1);
    }
  }
  const byModelByDay: Stats['by_model_by_day'] = [...cells.values()]
    .sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model))
    .map(({ day, model, calls, input_tokens, output_tokens, cost_usd }) => ({ day, model, calls, input_tokens, output_tokens, cost_usd }));
  const byDay = new Map<string, Sums>();
  for (const c of byModelByDay) {
    if (!byDay.has(c.day)) byDay.set(c.day, sums(c.day));
    add(byDay.get(c.day)!, c);
  }

  // traces, and by tag the counted calls of the traces carrying it, by the trace's start (a tag
  // belongs to a trace, usually set on its root span, not to each model call)
  const tags = new Map<string, Sums>();
  const addTag = (tag: string, t: { calls: number; input_tokens: number; output_tokens: number; cost_usd: number }) => {
    if (!tags.has(tag)) tags.set(tag, sums(tag));
    add(tags.get(tag)!, t);
  };
  for (const c of rollups.traceCells(fromHour, toHour)) {
    if (c.tag === null) totals.traces += c.traces;
    else addTag(c.tag, c);
  }
  for (const [from, to] of edges) {
    totals.traces += db.get('SELECT COUNT(*) AS n FROM traces WHERE start_time >= ? AND start_time < ?', [from, to])!.n as number;
    for (const [tag, calls, input, output, cost] of db.values(
      `SELECT g.tag, SUM(t.llm_call_count), SUM(t.input_tokens), SUM(t.output_tokens), SUM(t.total_cost_usd)
       FROM traces t JOIN tags g ON g.trace_id = t.trace_id WHERE t.start_time >= ? AND t.start_time < ? GROUP BY g.tag`,
      [from, to],
    ) as Array<[string, number, number, number, number]>) {
      addTag(tag, { calls, input_tokens: input, output_tokens: output, cost_usd: cost });
    }
  }
  const byCost = (a: Sums, b: Sums) => b.cost_usd - a.cost_usd || b.calls - a.calls || a.key.localeCompare(b.key);
  const byTag = [...tags.values()].sort(byCost);

  const byModel = [...models.entries()].sort((a, b) => byCost(a[1], b[1]));
  const exact = totals.calls <= exactUpTo;
  const latency = exact ? exactLatencies(db, since, until, models) : histogramLatencies(overall, models);
  const series = group === 'model' ? byModel.map(([, m]) => m) : group === 'tag' ? byTag : [...byDay.values()].sort((a, b) => a.key.localeCompare(b.key));
  return {
    since,
    until,
    totals,
    latency_ms: latency.overall,
    latency_exact: exact,
    by_model: byModel.map(([model, m]) => ({
      model: m.key,
      calls: m.calls,
      input_tokens: m.input_tokens,
      output_tokens: m.output_tokens,
      cost_usd: m.cost_usd,
      latency_ms: latency.byModel.get(model)!,
    })),
    by_model_by_day: byModelByDay,
    by_tag: byTag.map((t) => ({ tag: t.key, calls: t.calls, cost_usd: t.cost_usd })),
    series: series.map(({ key, calls, input_tokens, output_tokens, cost_usd }) => ({ key, calls, input_tokens, output_tokens, cost_usd })),
  };
}

interface Latencies {
  overall: LatencyPercentiles;
  byModel: Map<string | null, LatencyPercentiles>;
}

function pick(sorted: Float64Array, n: number): LatencyPercentiles {
  const out: LatencyPercentiles = { p50: 0, p90: 0, p95: 0, p99: 0 };
  if (n > 0) for (const p of PERCENTILES) out[`p${p}`] = sorted[nearestRank(p, n) - 1];
  return out;
}

/** Exact: the range's durations, read through the spans_call_time index and sorted. */
function exactLatencies(db: Db, since: number | null, until: number | null, models: Map<string | null, unknown>): Latencies {
  const where = [COUNTED];
  const params: Param[] = [];
  if (since !== null) {
    where.push('start_time >= ?');
    params.push(since);
  }
  if (until !== null) {
    where.push('start_time < ?');
    params.push(until);
  }
  const rows = db.values(`SELECT model, duration_ms FROM spans WHERE ${where.join(' AND ')}`, params) as Array<[string | null, number]>;
  const perModel = new Map<string | null, number[]>();
  for (const [model, d] of rows) {
    if (!perModel.has(model)) perModel.set(model, []);
    perModel.get(model)!.push(d);
  }
  const byModel = new Map<string | null, LatencyPercentiles>();
  for (const model of models.keys()) {
    const d = Float64Array.from(perModel.get(model) ?? []).sort();
    byModel.set(model, pick(d, d.length));
  }
  return { overall: pick(Float64Array.from(rows, (r) => r[1]).sort(), rows.length), byModel };
}

/** Within 1%: the middle of the histogram bucket that holds each rank. */
function histogramLatencies(overall: Histogram, models: Map<string | null, { latency: Histogram }>): Latencies {
  const byModel = new Map<string | null, LatencyPercentiles>();
  for (const [model, m] of models) byModel.set(model, fromHistogram(m.latency));
  return { overall: fromHistogram(overall), byModel };
}

function fromHistogram(h: Histogram): LatencyPercentiles {
  const out: LatencyPercentiles = { p50: 0, p90: 0, p95: 0, p99: 0 };
  const buckets = [...h.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const n = buckets.reduce((sum, [, c]) => sum + c, 0);
  if (n === 0) return out;
  for (const p of PERCENTILES) {
    const rank = nearestRank(p, n);
    let seen = 0;
    for (const [b, c] of buckets) {
      seen += c;
      if (seen >= rank) {
        out[`p${p}`] = bucketValue(b);
        break;
      }
    }
  }
  return out;
}

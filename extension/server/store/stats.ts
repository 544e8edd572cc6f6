// Usage analytics over counted model calls (wrappers excluded): totals, exact nearest-rank latency
// percentiles, and breakdowns by model, by model by UTC day, and by trace tag. Every query walks a
// covering index of counted calls (schema.ts): no sort of the spans, no read of their rows.
import type { LatencyPercentiles, Stats, StatsQuery } from '../model';
import type { Db, Param } from './database';
import { QueryInputError } from './trace-queries';

const PERCENTILES = [50, 90, 95, 99] as const;
const UNKNOWN_MODEL = '(unknown)';
const DAY_MS = 86_400_000;
const COUNTED = 's.is_call = 1 AND s.usage_counted = 1';

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

export function stats(db: Db, query: StatsQuery = {}, sortInMemory = SORT_IN_MEMORY): Stats {
  const since = bound(query.since, 'since');
  const until = bound(query.until, 'until');
  const group = query.group ?? 'day';
  if (!['day', 'model', 'tag'].includes(group)) throw new QueryInputError(`group: expected day, model or tag, got ${JSON.stringify(group)}`);

  const range: string[] = [];
  const params: Param[] = [];
  // the day bounds only let the (day, model, ...) index seek for the grouping; elsewhere they
  // would cost a division per row walked
  const days: string[] = [];
  const dayParams: Param[] = [];
  if (since !== null) {
    range.push('s.start_time >= ?');
    params.push(since);
    days.push('CAST(s.start_time / 86400000 AS INTEGER) >= ?');
    dayParams.push(Math.floor(since / DAY_MS));
  }
  if (until !== null) {
    range.push('s.start_time < ?');
    params.push(until);
    days.push('CAST(s.start_time / 86400000 AS INTEGER) <= ?');
    dayParams.push(Math.floor(until / DAY_MS));
  }

  const cells = db.values(
    `SELECT CAST(s.start_time / 86400000 AS INTEGER) AS day, s.model, COUNT(*), COALESCE(SUM(s.input_tokens), 0),
       COALESCE(SUM(s.output_tokens), 0), COALESCE(SUM(s.cost_usd), 0),
       COALESCE(SUM(COALESCE(s.total_tokens, COALESCE(s.input_tokens, 0) + COALESCE(s.output_tokens, 0))), 0),
       COALESCE(SUM(s.status = 'error'), 0)
     FROM spans s WHERE ${[COUNTED, ...days, ...range].join(' AND ')} GROUP BY 1, 2`,
    [...dayParams, ...params],
  ) as Array<[number, string | null, number, number, number, number, number, number]>;

  const totals = { calls: 0, traces: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cost_usd: 0, errors: 0 };
  const models = new Map<string | null, Sums>();
  const byDay = new Map<string, Sums>();
  const byModelByDay: Stats['by_model_by_day'] = [];
  for (const [dayNumber, model, calls, input, output, cost, total, errors] of cells) {
    const cell = { calls, input_tokens: input, output_tokens: output, cost_usd: cost };
    totals.calls += calls;
    totals.input_tokens += input;
    totals.output_tokens += output;
    totals.cost_usd += cost;
    totals.total_tokens += total;
    totals.errors += errors;
    const day = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    if (!models.has(model)) models.set(model, sums(model ?? UNKNOWN_MODEL));
    add(models.get(model)!, cell);
    if (!byDay.has(day)) byDay.set(day, sums(day));
    add(byDay.get(day)!, cell);
    byModelByDay.push({ day, model: model ?? UNKNOWN_MODEL, ...cell });
  }
  byModelByDay.sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model));

  // traces (and their tags, which carry the trace's start) in the range
  const traceParams = [since, until].filter((v): v is number => v !== null);
  const startedIn = (table: string) => {
    const c = [since !== null ? `${table}.start_time >= ?` : '', until !== null ? `${table}.start_time < ?` : ''].filter(Boolean);
    return c.length ? 'WHERE ' + c.join(' AND ') : '';
  };
  totals.traces = db.get(`SELECT COUNT(*) AS n FROM traces t ${startedIn('t')}`, traceParams)!.n as number;

  // by tag: the counted calls of the traces carrying the tag that started in the range (a tag
  // belongs to a trace, usually set on its root span, not to each model call)
  const byTag = db.values(
    `SELECT g.tag, SUM(t.llm_call_count), SUM(t.input_tokens), SUM(t.output_tokens), SUM(t.total_cost_usd)
     FROM tags g JOIN traces t ON t.trace_id = g.trace_id ${startedIn('g')} GROUP BY g.tag`,
    traceParams,
  ).map(([tag, calls, input, output, cost]) => ({ key: tag as string, calls: calls as number, input_tokens: input as number, output_tokens: output as number, cost_usd: cost as number }));
  const byCost = (a: Sums, b: Sums) => b.cost_usd - a.cost_usd || b.calls - a.calls || a.key.localeCompare(b.key);
  byTag.sort(byCost);

  const byModel = [...models.entries()].sort((a, b) => byCost(a[1], b[1]));
  const latency = latencies(db, [...days, ...range], [...dayParams, ...params], range, params, totals.calls, byModel.map(([model, m]) => [model, m.calls]), sortInMemory);
  const series = group === 'model' ? byModel.map(([, m]) => m) : group === 'tag' ? byTag : [...byDay.values()].sort((a, b) => a.key.localeCompare(b.key));
  return {
    since,
    until,
    totals,
    latency_ms: latency.overall,
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
    series,
  };
}

/** Up to this many calls, their durations are read and sorted in JS; beyond, ranks are index walks. */
export const SORT_IN_MEMORY = 100_000;

function pick(sorted: Float64Array | number[], n: number): LatencyPercentiles {
  const out: LatencyPercentiles = { p50: 0, p90: 0, p95: 0, p99: 0 };
  if (n > 0) for (const p of PERCENTILES) out[`p${p}`] = sorted[nearestRank(p, n) - 1];
  return out;
}

/**
 * Exact percentiles, overall and per model. A few calls (a day, a week of a quiet project) are
 * read in one pass and sorted; many are answered by walking the latency-ordered indexes to each
 * rank, which costs a pass over the index instead of a sort.
 */
function latencies(
  db: Db,
  seekRange: string[],
  seekParams: Param[],
  range: string[],
  params: Param[],
  n: number,
  models: Array<[string | null, number]>,
  sortInMemory: number,
): { overall: LatencyPercentiles; byModel: Map<string | null, LatencyPercentiles> } {
  const byModel = new Map<string | null, LatencyPercentiles>();
  if (n <= sortInMemory) {
    const rows = db.values(`SELECT s.model, s.duration_ms FROM spans s WHERE ${[COUNTED, ...seekRange, ...range].join(' AND ')}`, [...seekParams, ...params]) as Array<[string | null, number]>;
    const all = Float64Array.from(rows, (r) => r[1]).sort();
    const perModel = new Map<string | null, number[]>();
    for (const [model, d] of rows) {
      if (!perModel.has(model)) perModel.set(model, []);
      perModel.get(model)!.push(d);
    }
    for (const [model, count] of models) byModel.set(model, pick(Float64Array.from(perModel.get(model) ?? []).sort(), count));
    return { overall: pick(all, rows.length), byModel };
  }
  const walk = (conditions: string[], walkParams: Param[], count: number): LatencyPercentiles => {
    const sql = `SELECT s.duration_ms FROM spans s WHERE ${[COUNTED, ...conditions].join(' AND ')} ORDER BY s.duration_ms LIMIT 1 OFFSET ?`;
    const out: LatencyPercentiles = { p50: 0, p90: 0, p95: 0, p99: 0 };
    for (const p of PERCENTILES) out[`p${p}`] = (db.values(sql, [...walkParams, nearestRank(p, count) - 1])[0]?.[0] as number) ?? 0;
    return out;
  };
  for (const [model, count] of models) byModel.set(model, walk(['s.model IS ?', ...range], [model, ...params], count));
  return { overall: walk(range, params, n), byModel };
}

// A recount of every aggregate the store worker maintains (wrapper flags, trace totals, call sites,
// hourly rollups) from the rows alone, through the read-only SQL console. Used by
// store-consistency.test.ts after one-batch scenarios and random workloads.
import type { StoreClient } from '../../extension/server/store';
import { bucketOf, HOUR_MS as HOUR } from '../../extension/server/store/rollups';

export type Rows = unknown[][];
export const q = async (store: StoreClient, sql: string): Promise<Rows> => (await store.query(sql)).rows;

/** Every mismatch between the maintained aggregates and the rows, as readable lines. */
export async function inconsistencies(store: StoreClient): Promise<string[]> {
  const out: string[] = [];
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

  // 1. wrapper flags from scratch
  const spans = (await q(store, 'SELECT trace_id, span_id, parent_span_id, has_usage, is_call, below_usage, below_call, usage_counted FROM spans')) as Array<
    [string, string, string | null, number, number, number, number, number]
  >;
  const byTrace = new Map<string, typeof spans>();
  for (const s of spans) byTrace.set(s[0], [...(byTrace.get(s[0]) ?? []), s]);
  for (const [t, rows] of byTrace) {
    const kids = new Map<string, typeof rows>();
    for (const r of rows) if (r[2] !== null) kids.set(r[2], [...(kids.get(r[2]) ?? []), r]);
    const sub = (r: (typeof rows)[number], seen = new Set<string>()): { u: boolean; c: boolean } => {
      const b = below(r, seen);
      return { u: !!r[3] || b.u, c: !!r[4] || b.c };
    };
    const below = (r: (typeof rows)[number], seen: Set<string>): { u: boolean; c: boolean } => {
      if (seen.has(r[1])) return { u: false, c: false };
      seen.add(r[1]);
      let u = false;
      let c = false;
      for (const k of kids.get(r[1]) ?? []) {
        const s = sub(k, seen);
        u ||= s.u;
        c ||= s.c;
      }
      return { u, c };
    };
    for (const r of rows) {
      const b = below(r, new Set());
      const counted = r[3] === 2 ? 1 : r[3] ? (b.u ? 0 : 1) : r[4] ? (b.c ? 0 : 1) : 1;
      if (+b.u !== r[5] || +b.c !== r[6] || counted !== r[7]) out.push(`flags ${t}/${r[1]}: stored bu=${r[5]} bc=${r[6]} counted=${r[7]}, expected bu=${+b.u} bc=${+b.c} counted=${counted}`);
    }
  }

  // 2. trace totals
  const traces = (await q(store, `SELECT t.trace_id, t.span_count, t.llm_call_count, t.total_cost_usd, t.unpriced_call_count, t.input_tokens, t.output_tokens,
      (SELECT COUNT(*) FROM spans s WHERE s.trace_id = t.trace_id),
      (SELECT COUNT(*) FROM llm_calls c WHERE c.trace_id = t.trace_id),
      (SELECT COALESCE(SUM(cost_usd), 0) FROM llm_calls c WHERE c.trace_id = t.trace_id),
      (SELECT COUNT(*) FROM llm_calls c WHERE c.trace_id = t.trace_id AND c.cost_usd IS NULL),
      (SELECT COALESCE(SUM(input_tokens), 0) FROM llm_calls c WHERE c.trace_id = t.trace_id),
      (SELECT COALESCE(SUM(output_tokens), 0) FROM llm_calls c WHERE c.trace_id = t.trace_id)
    FROM traces t`)) as number[][];
  for (const r of traces) {
    const [id, ...v] = r as unknown as [string, ...number[]];
    const got = v.slice(0, 6);
    const want = v.slice(6);
    if (got[0] !== want[0] || got[1] !== want[1] || !close(got[2], want[2]) || got[3] !== want[3] || got[4] !== want[4] || got[5] !== want[5]) {
      out.push(`trace ${id}: stored [spans, calls, cost, unpriced, in, out] ${JSON.stringify(got)}, rows say ${JSON.stringify(want)}`);
    }
  }
  const orphans = await q(store, 'SELECT DISTINCT trace_id FROM spans WHERE trace_id NOT IN (SELECT trace_id FROM traces)');
  for (const [t] of orphans) out.push(`spans of ${t} without a trace row`);

  // 3. call sites
  const sites = (await q(store, `SELECT c.code_file, c.code_line, c.runs, c.error_count, c.total_cost_usd, c.last_run,
      (SELECT COUNT(*) FROM spans s WHERE s.code_file = c.code_file AND s.code_line = c.code_line),
      (SELECT COALESCE(SUM(s.status = 'error'), 0) FROM spans s WHERE s.code_file = c.code_file AND s.code_line = c.code_line),
      (SELECT COALESCE(SUM(CASE WHEN usage_counted = 1 THEN cost_usd END), 0) FROM spans s WHERE s.code_file = c.code_file AND s.code_line = c.code_line),
      (SELECT MAX(start_time) FROM spans s WHERE s.code_file = c.code_file AND s.code_line = c.code_line)
    FROM call_sites c`)) as Array<[string, number, ...number[]]>;
  for (const [file, line, ...v] of sites) {
    const [runs, errors, cost, last, wantRuns, wantErrors, wantCost, wantLast] = v;
    if (runs !== wantRuns || errors !== wantErrors || !close(cost, wantCost) || last !== wantLast) {
      out.push(`site ${file}:${line}: stored runs=${runs} errors=${errors} cost=${cost} last=${last}, rows say ${wantRuns} ${wantErrors} ${wantCost} ${wantLast}`);
    }
  }
  const scoreAndP50 = (await q(store, `SELECT c.code_file, c.code_line, c.score_sum, c.score_count, c.p50_ms,
      (SELECT COALESCE(SUM(value), 0) FROM scores WHERE site_file = c.code_file AND site_line = c.code_line),
      (SELECT COUNT(*) FROM scores WHERE site_file = c.code_file AND site_line = c.code_line)
    FROM call_sites c`)) as Array<[string, number, number, number, number, number, number]>;
  for (const [file, line, sum, n, p50, wantSum, wantN] of scoreAndP50) {
    const durations = ((await q(store, `SELECT duration_ms FROM spans WHERE code_file = '${file}' AND code_line = ${line} ORDER BY start_time DESC LIMIT 100`)) as number[][]).map((x) => x[0]).sort((a, b) => a - b);
    const wantP50 = durations[Math.ceil(durations.length / 2) - 1];
    if (!close(sum, wantSum) || n !== wantN || p50 !== wantP50) out.push(`site ${file}:${line}: scores ${sum}/${n} p50 ${p50}, rows say ${wantSum}/${wantN} p50 ${wantP50}`);
  }
  // scores whose span is stored count at its site
  const unattached = await q(store, `SELECT sc.score_id FROM scores sc JOIN spans s ON s.trace_id = sc.trace_id AND s.span_id = sc.span_id
    WHERE s.code_file IS NOT NULL AND s.code_line IS NOT NULL AND (sc.site_file IS NOT s.code_file OR sc.site_line IS NOT s.code_line)`);
  for (const [id] of unattached) out.push(`score ${id} not attributed to its span's site`);
  const missingSites = await q(store, `SELECT DISTINCT code_file, code_line FROM spans WHERE code_file IS NOT NULL AND code_line IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM call_sites c WHERE c.code_file = spans.code_file AND c.code_line = spans.code_line)`);
  for (const [f, l] of missingSites) out.push(`site ${f}:${l}: no call_sites row`);

  // 4. call_hours
  const calls = (await q(store, 'SELECT start_time, model, latency_ms, input_tokens, output_tokens, total_tokens, cost_usd, status FROM llm_calls')) as Array<
    [number, string | null, number, number | null, number | null, number, number | null, string]
  >;
  const want = new Map<string, { calls: number; input: number; output: number; total: number; cost: number; errors: number; hist: Map<number, number> }>();
  for (const [start, model, d, i, o, t, c, st] of calls) {
    const k = `${Math.floor(start / HOUR)}|${model === null ? 0 : 1}|${model ?? ''}`;
    const w = want.get(k) ?? { calls: 0, input: 0, output: 0, total: 0, cost: 0, errors: 0, hist: new Map() };
    w.calls++;
    w.input += i ?? 0;
    w.output += o ?? 0;
    w.total += t;
    w.cost += c ?? 0;
    w.errors += st === 'error' ? 1 : 0;
    w.hist.set(bucketOf(d), (w.hist.get(bucketOf(d)) ?? 0) + 1);
    want.set(k, w);
  }
  const have = (await q(store, 'SELECT hour, kind, model, calls, input_tokens, output_tokens, total_tokens, cost_usd, errors, latency FROM call_hours')) as Array<
    [number, number, string, number, number, number, number, number, number, Uint8Array]
  >;
  const seen = new Set<string>();
  for (const [hour, kind, model, n, i, o, t, c, e, lat] of have) {
    const k = `${hour}|${kind}|${model}`;
    seen.add(k);
    const w = want.get(k);
    const pairs = new Uint32Array(Uint8Array.from(lat).buffer);
    const hist = new Map<number, number>();
    for (let x = 0; x + 1 < pairs.length; x += 2) hist.set(pairs[x], pairs[x + 1]);
    const histText = (h: Map<number, number>) => JSON.stringify([...h].sort((a, b) => a[0] - b[0]));
    if (!w) {
      out.push(`call_hours ${k}: ${n} calls, rows have none`);
      continue;
    }
    if (n !== w.calls || i !== w.input || o !== w.output || t !== w.total || !close(c, w.cost) || e !== w.errors || histText(hist) !== histText(w.hist)) {
      out.push(`call_hours ${k}: stored ${JSON.stringify([n, i, o, t, c, e, histText(hist)])}, rows say ${JSON.stringify([w.calls, w.input, w.output, w.total, w.cost, w.errors, histText(w.hist)])}`);
    }
  }
  for (const k of want.keys()) if (!seen.has(k)) out.push(`call_hours ${k}: missing`);

  // 5. trace_hours
  const th = new Map<string, number[]>();
  const tr = (await q(store, 'SELECT trace_id, start_time, llm_call_count, input_tokens, output_tokens, total_cost_usd, tags FROM traces')) as Array<[string, number, number, number, number, number, string]>;
  for (const [, start, n, i, o, c, tags] of tr) {
    for (const tag of [null, ...(JSON.parse(tags) as string[])]) {
      const k = `${Math.floor(start / HOUR)}|${tag === null ? 0 : 1}|${tag ?? ''}`;
      const w = th.get(k) ?? [0, 0, 0, 0, 0];
      th.set(k, [w[0] + 1, w[1] + n, w[2] + i, w[3] + o, w[4] + c]);
    }
  }
  const haveT = (await q(store, 'SELECT hour, kind, tag, traces, calls, input_tokens, output_tokens, cost_usd FROM trace_hours')) as number[][];
  const seenT = new Set<string>();
  for (const [hour, kind, tag, ...v] of haveT) {
    const k = `${hour}|${kind}|${tag}`;
    seenT.add(k);
    const w = th.get(k);
    if (!w || v[0] !== w[0] || v[1] !== w[1] || v[2] !== w[2] || v[3] !== w[3] || !close(v[4], w[4])) out.push(`trace_hours ${k}: stored ${JSON.stringify(v)}, rows say ${JSON.stringify(w ?? null)}`);
  }
  for (const k of th.keys()) if (!seenT.has(k)) out.push(`trace_hours ${k}: missing`);
  return out;
}

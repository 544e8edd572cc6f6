// stats(): totals, breakdowns and latency percentiles checked against values computed by hand, in
// both percentile modes, and the hourly rollups behind it checked against plain SQL over the rows.
import assert from 'node:assert/strict';
import type { LatencyPercentiles } from '../../extension/server/model';
import type { StoreClient } from '../../extension/server/store';
import { downgradeToSchema1, llm, open, removeTempDirs, span, spanId, T0, traceId, utcDay } from './store-fixtures';

// Percentiles are exact over a range of few calls (its latencies sorted), and within 1% over many
// (hourly latency histograms merged): statsSortLimit 1 takes the histograms on this small data set.
for (const [mode, statsSortLimit] of [['exact', undefined], ['from histograms', 1]] as const) describe(`store: stats (${mode})`, function () {
  this.timeout(30_000);
  let store: StoreClient;
  const sameLatency = (actual: LatencyPercentiles, expected: LatencyPercentiles) => {
    if (statsSortLimit === undefined) return assert.deepEqual(actual, expected);
    for (const p of ['p50', 'p90', 'p95', 'p99'] as const) {
      assert.ok(Math.abs(actual[p] - expected[p]) <= expected[p] * 0.01, `${p}: ${actual[p]} is not within 1% of ${expected[p]}`);
    }
  };
  // 23:00 UTC yesterday and 01:00 UTC today
  const DAY15 = T0 + 11 * 3_600_000;
  const DAY16 = T0 + 13 * 3_600_000;

  before(async () => {
    ({ store } = await open({ statsSortLimit }));
    // 20 counted calls with durations 1..20 ms in shuffled order; odd durations on model-a, even
    // on model-b; 1..10 yesterday (UTC), 11..20 today; each in its own trace tagged by parity
    const durations = [7, 19, 2, 14, 11, 5, 20, 1, 16, 9, 3, 18, 12, 6, 15, 8, 17, 4, 13, 10];
    await store.ingest(durations.map((d) =>
      llm({
        trace_id: traceId(d), span_id: spanId(1), start_time: (d <= 10 ? DAY15 : DAY16) + d, duration_ms: d,
        model: d % 2 ? 'model-a' : 'model-b', input_tokens: d * 10, output_tokens: d, cost_usd: d * 0.125,
        status: d === 7 ? 'error' : 'ok', tags: [d % 2 ? 'odd' : 'even', 'all'],
      }),
    ));
    // a wrapper over call 20: slow, but its usage repeats its child's and stays out of the stats
    await store.ingest([llm({ trace_id: traceId(20), span_id: spanId(2), start_time: DAY16, duration_ms: 10_000, model: 'model-b', input_tokens: 200, output_tokens: 20, cost_usd: 2.5 })]);
    await store.ingest([{ ...llm({ trace_id: traceId(20), span_id: spanId(1), start_time: DAY16 + 20, duration_ms: 20, model: 'model-b', input_tokens: 200, output_tokens: 20, cost_usd: 2.5, tags: ['even', 'all'] }), parent_span_id: spanId(2) }]);
  });
  after(async () => {
    await store.close();
    removeTempDirs();
  });

  it('computes totals and nearest-rank latency percentiles over counted calls', async () => {
    const s = await store.stats({});
    assert.deepEqual(s.totals, { calls: 20, traces: 20, input_tokens: 2100, output_tokens: 210, total_tokens: 2310, cost_usd: 26.25, errors: 1 });
    // ranks ceil(p/100 * 20): 10, 18, 19, 20
    sameLatency(s.latency_ms, { p50: 10, p90: 18, p95: 19, p99: 20 });
    assert.equal(s.latency_exact, statsSortLimit === undefined, 'the answer says whether its percentiles are exact');
  });

  it('breaks down by model with percentiles per model', async () => {
    const s = await store.stats({});
    assert.deepEqual(s.by_model.map(({ latency_ms, ...m }) => m), [
      { model: 'model-b', calls: 10, input_tokens: 1100, output_tokens: 110, cost_usd: 13.75 },
      { model: 'model-a', calls: 10, input_tokens: 1000, output_tokens: 100, cost_usd: 12.5 },
    ]);
    // model-b: 2,4..20 -> ranks 5, 9, 10, 10
    sameLatency(s.by_model[0].latency_ms, { p50: 10, p90: 18, p95: 20, p99: 20 });
    // model-a: 1,3..19 -> ranks 5, 9, 10, 10
    sameLatency(s.by_model[1].latency_ms, { p50: 9, p90: 17, p95: 19, p99: 19 });
  });

  it('breaks down by model by UTC day and by trace tag', async () => {
    const s = await store.stats({});
    assert.deepEqual(s.by_model_by_day, [
      { day: utcDay(DAY15), model: 'model-a', calls: 5, input_tokens: 250, output_tokens: 25, cost_usd: 3.125 },
      { day: utcDay(DAY15), model: 'model-b', calls: 5, input_tokens: 300, output_tokens: 30, cost_usd: 3.75 },
      { day: utcDay(DAY16), model: 'model-a', calls: 5, input_tokens: 750, output_tokens: 75, cost_usd: 9.375 },
      { day: utcDay(DAY16), model: 'model-b', calls: 5, input_tokens: 800, output_tokens: 80, cost_usd: 10 },
    ]);
    assert.deepEqual(s.by_tag, [
      { tag: 'all', calls: 20, cost_usd: 26.25 },
      { tag: 'even', calls: 10, cost_usd: 13.75 },
      { tag: 'odd', calls: 10, cost_usd: 12.5 },
    ]);
    assert.deepEqual(s.series?.map((r) => [r.key, r.calls]), [[utcDay(DAY15), 10], [utcDay(DAY16), 10]]);
    assert.deepEqual((await store.stats({ group: 'tag' })).series?.map((r) => [r.key, r.calls]), [['all', 20], ['even', 10], ['odd', 10]]);
    assert.deepEqual((await store.stats({ group: 'model' })).series?.map((r) => [r.key, r.cost_usd]), [['model-b', 13.75], ['model-a', 12.5]]);
  });

  it('restricts everything to since (inclusive) and until (exclusive)', async () => {
    const s = await store.stats({ since: DAY16, until: DAY16 + 20 });
    // calls 11..19 start at DAY16 + d; call 20 starts exactly at until
    assert.equal(s.totals.calls, 9);
    sameLatency(s.latency_ms, { p50: 15, p90: 19, p95: 19, p99: 19 });
    assert.equal(s.since, DAY16);
    await assert.rejects(store.stats({ group: 'week' as never }), /group: expected day, model or tag/);
  });
});

// The hourly rollups behind stats() follow every way a call's counting changes: wrappers arriving
// before or after their calls, re-sent spans, deleted traces and retention. stats() must always
// agree with a plain SQL aggregate over the rows, for ranges that fall on hours and ranges that do not.
describe('store: stats rollups agree with the rows', function () {
  this.timeout(60_000);
  const HOUR = 3_600_000;
  const MODELS = ['model-a', 'model-b', null];

  async function sqlTotals(store: StoreClient, since: number | null, until: number | null) {
    const range = [since !== null ? `start_time >= ${since}` : '', until !== null ? `start_time < ${until}` : ''].filter(Boolean);
    const where = range.length ? `WHERE ${range.join(' AND ')}` : '';
    const [[calls, input, output, total, cost, errors]] = (await store.query(
      `SELECT COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(total_tokens), 0),
         COALESCE(SUM(cost_usd), 0), COALESCE(SUM(status = 'error'), 0) FROM llm_calls ${where}`,
    )).rows as number[][];
    const [[traces]] = (await store.query(`SELECT COUNT(*) FROM traces ${where}`)).rows as number[][];
    const byModel = (await store.query(`SELECT COALESCE(model, '(unknown)'), COUNT(*), COALESCE(SUM(cost_usd), 0) FROM llm_calls ${where} GROUP BY 1 ORDER BY 1`)).rows;
    const tagWhere = range.length ? `WHERE ${range.map((c) => 't.' + c).join(' AND ')}` : '';
    const byTag = (await store.query(`SELECT g.tag, SUM(t.llm_call_count), SUM(t.total_cost_usd) FROM traces t JOIN tags g ON g.trace_id = t.trace_id ${tagWhere} GROUP BY 1 ORDER BY 1`)).rows;
    return { calls, input, output, total, cost, errors, traces, byModel, byTag };
  }

  async function assertAgrees(store: StoreClient, since: number | null, until: number | null) {
    const s = await store.stats({ ...(since !== null ? { since } : {}), ...(until !== null ? { until } : {}) });
    const q = await sqlTotals(store, since, until);
    const where = `since ${since} until ${until}`;
    assert.deepEqual(
      [s.totals.calls, s.totals.input_tokens, s.totals.output_tokens, s.totals.total_tokens, s.totals.errors, s.totals.traces],
      [q.calls, q.input, q.output, q.total, q.errors, q.traces],
      where,
    );
    assert.ok(Math.abs(s.totals.cost_usd - q.cost) < 1e-9, `${where}: cost ${s.totals.cost_usd} vs ${q.cost}`);
    assert.deepEqual(
      s.by_model.map((m) => [m.model, m.calls, Math.round(m.cost_usd * 1e6)]).sort(),
      q.byModel.map(([m, n, c]) => [m, n, Math.round((c as number) * 1e6)]).sort(),
      where,
    );
    assert.deepEqual(
      s.by_tag.map((t) => [t.tag, t.calls, Math.round(t.cost_usd * 1e6)]).sort(),
      q.byTag.map(([t, n, c]) => [t, n, Math.round((c as number) * 1e6)]).sort(),
      where,
    );
  }

  it('after wrappers, re-sent spans, deletions and retention', async () => {
    const { store } = await open({ statsSortLimit: 1, retention: { maxSpans: 400, maxAgeMs: 30 * 24 * HOUR } });
    try {
      let seq = 0;
      // 60 traces over ~30 hours: a root, a wrapper with usage and its call; half the wrappers
      // arrive after their call, half before
      for (let t = 1; t <= 60; t++) {
        const start = T0 - 30 * HOUR + t * 29 * 60_000 + (t % 7) * 1_013;
        const model = MODELS[t % 3];
        const root = span({ trace_id: traceId(t), span_id: spanId(1), start_time: start, duration_ms: 3000, tags: t % 2 ? ['odd'] : ['even', 'x'] });
        const wrapper = llm({ trace_id: traceId(t), span_id: spanId(2), parent_span_id: spanId(1), start_time: start + 1, duration_ms: 2000, model, input_tokens: 50, output_tokens: 5, cost_usd: 0.5 });
        const call = llm({ trace_id: traceId(t), span_id: spanId(3), parent_span_id: spanId(2), start_time: start + 2, duration_ms: 100 + t * 13, model, input_tokens: 50, output_tokens: 5, cost_usd: 0.5, status: t % 5 ? 'ok' : 'error', total_tokens: t % 4 ? null : 99 });
        const ordered = t % 2 ? [call, wrapper, root] : [root, wrapper, call];
        for (const s of ordered) await store.ingest([s]);
        seq += 3;
      }
      // an exporter re-sends some calls, one with a changed model and cost
      await store.ingest([llm({ trace_id: traceId(10), span_id: spanId(3), parent_span_id: spanId(2), start_time: T0 - 30 * HOUR + 10 * 29 * 60_000 + 3 * 1_013 + 2, duration_ms: 77, model: 'model-c', input_tokens: 70, output_tokens: 7, cost_usd: 0.75 })]);
      await store.ingest([llm({ trace_id: traceId(11), span_id: spanId(3), parent_span_id: spanId(2), start_time: T0 - 30 * HOUR + 11 * 29 * 60_000 + 4 * 1_013 + 2, duration_ms: 243, model: 'model-b', input_tokens: 50, output_tokens: 5, cost_usd: 0.5 })]);
      assert.ok(await store.deleteTrace(traceId(20)));
      assert.ok(await store.deleteTrace(traceId(21)));
      const ranges: Array<[number | null, number | null]> = [
        [null, null],
        [T0 - 20 * HOUR, null],
        [T0 - 20 * HOUR + 17 * 60_000, null],
        [null, T0 - 10 * HOUR + 1],
        [T0 - 25 * HOUR + 59_000, T0 - 6 * HOUR - 1],
        [T0 - 15 * HOUR + 60_000, T0 - 15 * HOUR + 30 * 60_000],
        [T0 - 15 * HOUR - 60_000, T0 - 14 * HOUR + 60_000],
      ];
      for (const [since, until] of ranges) await assertAgrees(store, since, until);

      // retention drops the oldest traces (177 spans over 400 would not; add spans until it must)
      for (let t = 100; t < 180; t++) await store.ingest([llm({ trace_id: traceId(t), span_id: spanId(1), start_time: T0 + t * 1000, model: 'model-a', tags: ['late'] })]);
      for (let i = 0; i < 3; i++) await store.ingest(Array.from({ length: 80 }, (_, k) => span({ trace_id: traceId(1000 + i), span_id: spanId(k + 1), start_time: T0 + 500_000 + i })));
      await store.retain();
      const remaining = (await store.query('SELECT COUNT(*) FROM spans')).rows[0][0] as number;
      assert.ok(remaining <= 400, `retention kept ${remaining} spans`);
      assert.equal(await store.getTrace(traceId(1)), null, 'the oldest trace was dropped');
      for (const [since, until] of ranges) await assertAgrees(store, since, until);
      assert.ok(seq > 0);
    } finally {
      await store.close();
    }
  });

  it('are rebuilt from the rows of a database from before they existed (schema 1)', async () => {
    const { store, dataDir } = await open({ statsSortLimit: 1 });
    for (let t = 1; t <= 30; t++) {
      await store.ingest([
        span({ trace_id: traceId(t), span_id: spanId(1), start_time: T0 - t * 37 * 60_000, tags: ['v1'] }),
        llm({ trace_id: traceId(t), span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 - t * 37 * 60_000 + 5, duration_ms: 40 + t, model: MODELS[t % 3] }),
      ]);
    }
    const before = await store.stats({});
    await store.close();
    await downgradeToSchema1(dataDir);

    const second = await open({ dataDir, statsSortLimit: 1 });
    try {
      assert.deepEqual(second.warnings, []);
      assert.deepEqual(await second.store.stats({}), before);
      await assertAgrees(second.store, null, null);
      await assertAgrees(second.store, T0 - 9 * HOUR - 7 * 60_000, null);
      const [[version]] = (await second.store.query("SELECT value FROM meta WHERE key = 'schema_version'")).rows;
      assert.equal(version, '2');
    } finally {
      await second.store.close();
    }
  });
});

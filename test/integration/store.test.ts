// The store keeps spans with their content byte for byte, lists traces through every filter, and
// answers read-only SQL. Real sql.js in a real worker_thread, real files in a temp folder.
import assert from 'node:assert/strict';
import type { StoreChange } from '../../extension/server/store/api';
import { QueryInputError, QueryRefused, StoreInputError, type StoreClient } from '../../extension/server/store';
import { llm, open, removeTempDirs, span, spanId, T0, traceId } from './store-fixtures';

const HOUR = 3_600_000;

describe('store: spans in, spans out', function () {
  this.timeout(20_000);
  let store: StoreClient;

  beforeEach(async () => {
    ({ store } = await open());
  });
  afterEach(async () => {
    await store.close();
    removeTempDirs();
  });
  after(removeTempDirs);

  it('returns every field of a span, content byte for byte', async () => {
    const bigAttribute = 'α'.repeat(3000);
    const input = JSON.stringify([{ role: 'user', content: 'Summarise «this» 🚀\n\ttabs, "quotes" and \\ backslashes' }]);
    const output = 'x'.repeat(1024 * 1024) + ' end ✓';
    const lone = 'broken \uD800 surrogate and \uDC00 too';
    const original = llm({
      trace_id: traceId(1),
      span_id: spanId(1),
      name: 'chat gpt-4o',
      input,
      output,
      status: 'error',
      status_message: 'rate limited',
      service_name: 'agent-svc',
      operation: 'chat',
      request_model: 'gpt-4o-2024',
      total_tokens: 120,
      cache_read_tokens: 30,
      cache_write_tokens: 5,
      reasoning_tokens: 7,
      attributes: { 'gen_ai.request.temperature': 0.2, nested: { list: [1, 'two', null, true] }, big: bigAttribute },
      resource: { 'service.name': 'agent-svc', 'telemetry.sdk.language': 'nodejs' },
      tags: ['support', 'production'],
      events: [{ name: 'retry', time: T0 + 5, attributes: { attempt: 2 } }],
      code_file: '/app/src/agent.ts',
      code_line: 42,
      code_function: 'answer',
      session_id: 'sess-1',
      user_id: 'u-1',
    });
    const second = span({ trace_id: traceId(1), span_id: spanId(2), parent_span_id: spanId(1), name: 'tool', kind: 'tool', input: lone, output: '' });
    await store.ingest([original, second]);

    const detail = await store.getTrace(traceId(1));
    assert.ok(detail);
    const got = detail.spans.find((s) => s.span_id === spanId(1));
    assert.deepEqual(got, { ...original, usage_counted: true });
    const tool = detail.spans.find((s) => s.span_id === spanId(2))!;
    assert.equal(tool.input, lone);
    assert.equal(tool.output, '');
  });

  it('keeps content out of the rows: a 200-character preview and a hash', async () => {
    const input = 'p'.repeat(5000);
    await store.ingest([llm({ trace_id: traceId(1), span_id: spanId(1), input, output: 'short answer' })]);
    const { columns, rows } = await store.query('SELECT * FROM spans');
    const row = Object.fromEntries(columns.map((c, i) => [c, rows[0][i]]));
    assert.equal(row.input_preview, 'p'.repeat(200));
    assert.equal(row.output_preview, 'short answer');
    assert.match(String(row.input_hash), /^[0-9a-f]{16}$/);
    assert.ok(rows[0].every((v) => typeof v !== 'string' || v.length < 1000), 'no column holds the full content');
  });

  it('refuses invalid spans by field and stores the valid ones of the batch', async () => {
    const good = llm({ trace_id: traceId(1), span_id: spanId(1) });
    const bad = { ...llm({ trace_id: traceId(1), span_id: spanId(2) }), input_tokens: 'ten' };
    const badId = { ...span({ trace_id: traceId(1), span_id: spanId(3) }), trace_id: 'XYZ' };
    await assert.rejects(store.ingest([good, bad as never, badId]), (err: unknown) => {
      assert.ok(err instanceof StoreInputError);
      assert.equal(err.accepted, 1);
      assert.deepEqual(err.problems, [
        'spans[1].input_tokens: expected a non-negative number up to 1e15, or null, got "ten"',
        'spans[2].trace_id: expected 32 lower-case hex digits, got "XYZ"',
      ]);
      return true;
    });
    const detail = await store.getTrace(traceId(1));
    assert.deepEqual(detail?.spans.map((s) => s.span_id), [spanId(1)]);
  });

  it('sees every span whose ingest resolved in the very next query', async () => {
    for (let b = 0; b < 40; b++) {
      await store.ingest(Array.from({ length: 25 }, (_, i) => llm({ trace_id: traceId(b + 1), span_id: spanId(i + 1), start_time: T0 + b })));
    }
    const [newest] = await store.listTraces({ limit: 1 });
    assert.equal(newest.trace_id, traceId(40));
    assert.equal(newest.span_count, 25);
    const { rows } = await store.query('SELECT COUNT(*) FROM spans');
    assert.equal(rows[0][0], 1000);
  });

  it('returns null for an unknown trace and deletes a trace once', async () => {
    await store.ingest([llm({ trace_id: traceId(1), span_id: spanId(1), code_file: 'a.ts', code_line: 1 })]);
    await store.addScore({ trace_id: traceId(1), span_id: spanId(1), name: 'quality', value: 1, label: null, reason: null, source: 'api' });
    assert.equal(await store.getTrace(traceId(9)), null);
    assert.equal(await store.deleteTrace(traceId(1)), true);
    assert.equal(await store.deleteTrace(traceId(1)), false);
    assert.equal(await store.getTrace(traceId(1)), null);
    assert.deepEqual(await store.callSites(), []);
    assert.deepEqual((await store.query('SELECT COUNT(*) FROM scores')).rows, [[0]]);
  });

  it('announces changed traces and call-site files after applying', async () => {
    const changes: StoreChange[] = [];
    const off = store.onChange((c) => changes.push(c));
    await store.ingest([llm({ trace_id: traceId(7), span_id: spanId(1), code_file: 'src/a.ts', code_line: 3 })]);
    await store.listTraces({});
    off();
    await store.ingest([llm({ trace_id: traceId(8), span_id: spanId(1) })]);
    await store.listTraces({});
    assert.deepEqual(changes, [{ trace_ids: [traceId(7)], files: ['src/a.ts'] }]);
  });
});

describe('store: listing traces', function () {
  this.timeout(20_000);
  let store: StoreClient;

  before(async () => {
    ({ store } = await open());
    // trace n starts at T0 + n hours; models, tags, status and names vary
    const spans = [
      llm({ trace_id: traceId(1), span_id: spanId(1), name: 'summarise-doc', start_time: T0 + 1 * HOUR, model: 'gpt-4o', tags: ['prod'] }),
      llm({ trace_id: traceId(2), span_id: spanId(1), name: 'support-agent', start_time: T0 + 2 * HOUR, model: 'claude-sonnet-4', tags: ['prod', 'support'], status: 'unset' }),
      span({ trace_id: traceId(2), span_id: spanId(2), parent_span_id: spanId(1), name: 'lookup_order', kind: 'tool', start_time: T0 + 2 * HOUR + 10, status: 'error' }),
      llm({ trace_id: traceId(3), span_id: spanId(1), name: 'classify', start_time: T0 + 3 * HOUR, model: 'gpt-4o-mini', tags: ['dev'], status: 'unset' }),
      llm({ trace_id: traceId(4), span_id: spanId(1), name: 'support-agent', start_time: T0 + 4 * HOUR, model: 'gpt-4o', tags: ['support'] }),
      llm({ trace_id: traceId(4), span_id: spanId(2), parent_span_id: spanId(1), name: 'rerank', start_time: T0 + 4 * HOUR + 5, model: 'cohere-rerank' }),
    ];
    await store.ingest(spans);
  });
  after(async () => {
    await store.close();
    removeTempDirs();
  });

  const ids = async (filter: Parameters<StoreClient['listTraces']>[0]) => (await store.listTraces(filter)).map((t) => Number.parseInt(t.trace_id, 16));

  it('lists newest first', async () => assert.deepEqual(await ids({}), [4, 3, 2, 1]));
  it('filters by model of any span', async () => {
    assert.deepEqual(await ids({ model: 'gpt-4o' }), [4, 1]);
    assert.deepEqual(await ids({ model: 'cohere-rerank' }), [4]);
    assert.deepEqual(await ids({ model: 'none' }), []);
  });
  it('filters by status: error, ok (nothing failed) and unset', async () => {
    assert.deepEqual(await ids({ status: 'error' }), [2]);
    assert.deepEqual(await ids({ status: 'ok' }), [4, 3, 1]);
    assert.deepEqual(await ids({ status: 'unset' }), [3]);
  });
  it('filters by tag', async () => {
    assert.deepEqual(await ids({ tag: 'support' }), [4, 2]);
    assert.deepEqual(await ids({ tag: 'support', model: 'gpt-4o' }), [4]);
  });
  it('filters by time: since inclusive, until exclusive, before for paging', async () => {
    assert.deepEqual(await ids({ since: T0 + 2 * HOUR }), [4, 3, 2]);
    assert.deepEqual(await ids({ until: T0 + 2 * HOUR }), [1]);
    assert.deepEqual(await ids({ since: T0 + 2 * HOUR, until: T0 + 4 * HOUR }), [3, 2]);
    const page1 = await store.listTraces({ limit: 2 });
    assert.deepEqual(await ids({ limit: 2, before: page1[1].start_time }), [2, 1]);
    assert.deepEqual(await ids({ model: 'gpt-4o', since: T0 + 2 * HOUR }), [4]);
  });
  it('searches names, span names, models and ids with q', async () => {
    assert.deepEqual(await ids({ q: 'support' }), [4, 2]);
    assert.deepEqual(await ids({ q: 'LOOKUP_ORDER' }), [2]);
    assert.deepEqual(await ids({ q: 'rerank' }), [4]);
    assert.deepEqual(await ids({ q: 'mini' }), [3]);
    assert.deepEqual(await ids({ q: traceId(3).slice(20) }), [3]);
    assert.deepEqual(await ids({ q: spanId(2) }), [4, 2]);
  });
  it('applies the default limit of 50 and caps at 1000', async () => {
    const { store: big } = await open();
    try {
      await big.ingest(Array.from({ length: 1100 }, (_, i) => llm({ trace_id: traceId(i + 1), span_id: spanId(1), start_time: T0 + i })));
      assert.equal((await big.listTraces({})).length, 50);
      assert.equal((await big.listTraces({ limit: 5000 })).length, 1000);
    } finally {
      await big.close();
    }
  });
  it('refuses a bad filter with the field named', async () => {
    await assert.rejects(store.listTraces({ limit: 0 }), (e: unknown) => e instanceof QueryInputError && /^limit: /.test(e.message));
    await assert.rejects(store.listTraces({ status: 'broken' as never }), /status: expected ok, error or unset/);
    await assert.rejects(store.listTraces({ since: 'yesterday' as never }), /since: expected epoch milliseconds/);
  });
  it('summarises each trace', async () => {
    const [t2] = await store.listTraces({ q: 'lookup_order' });
    assert.equal(t2.name, 'support-agent');
    assert.equal(t2.span_count, 2);
    assert.equal(t2.error_count, 1);
    assert.equal(t2.status, 'error');
    assert.deepEqual(t2.tags, ['prod', 'support']);
    assert.deepEqual(t2.models, ['claude-sonnet-4']);
  });
});

describe('store: read-only SQL', function () {
  this.timeout(20_000);
  let store: StoreClient;

  before(async () => {
    ({ store } = await open());
    await store.ingest([
      span({ trace_id: traceId(1), span_id: spanId(1), name: 'month-end-close', kind: 'agent' }),
      llm({ trace_id: traceId(1), span_id: spanId(2), parent_span_id: spanId(1), name: 'validate', cost_usd: 0.5, start_time: T0 + 10 }),
      llm({ trace_id: traceId(1), span_id: spanId(3), parent_span_id: spanId(1), name: 'classify', cost_usd: 0.25, start_time: T0 + 20 }),
      llm({ trace_id: traceId(2), span_id: spanId(1), name: 'cheap', cost_usd: 0.125 }),
    ]);
  });
  after(async () => {
    await store.close();
    removeTempDirs();
  });

  it("answers seed 004's queries over trace_costs and llm_calls", async () => {
    const costs = await store.query('SELECT trace_id, name, total_cost_usd, call_count FROM trace_costs ORDER BY total_cost_usd DESC LIMIT 20;');
    assert.deepEqual(costs.columns, ['trace_id', 'name', 'total_cost_usd', 'call_count']);
    assert.deepEqual(costs.rows, [[traceId(1), 'month-end-close', 0.75, 2], [traceId(2), 'cheap', 0.125, 1]]);
    const calls = await store.query(`SELECT time, provider, model, cost_usd, tags->>'span_name' FROM llm_calls WHERE trace_id = '${traceId(1)}' ORDER BY time`);
    assert.deepEqual(calls.rows, [
      [new Date(T0 + 10).toISOString(), 'openai', 'gpt-4o', 0.5, 'validate'],
      [new Date(T0 + 20).toISOString(), 'openai', 'gpt-4o', 0.25, 'classify'],
    ]);
  });

  it('allows WITH, EXPLAIN and keywords inside strings', async () => {
    assert.deepEqual((await store.query("WITH x AS (SELECT 'delete from spans; drop table spans' AS s) SELECT s FROM x")).rows, [['delete from spans; drop table spans']]);
    assert.ok((await store.query('EXPLAIN QUERY PLAN SELECT * FROM traces ORDER BY start_time DESC')).rows.length > 0);
    assert.deepEqual((await store.query("SELECT replace('abc', 'b', 'x') -- DROP TABLE spans")).rows, [['axc']]);
  });

  for (const [sql, reason] of [
    ['DELETE FROM spans', /only SELECT, WITH or EXPLAIN statements are allowed, not DELETE/],
    ['DROP TABLE spans', /not DROP/],
    ["ATTACH DATABASE '/tmp/x.db' AS x", /not ATTACH/],
    ['PRAGMA query_only = OFF', /not PRAGMA/],
    ['SELECT 1; DELETE FROM spans', /only one statement is allowed/],
    ['WITH x AS (SELECT 1) DELETE FROM spans', /DELETE is not allowed/],
    ['WITH x AS (SELECT 1) INSERT INTO tags VALUES (1, 2, 3)', /INSERT is not allowed/],
    ['WITH x AS (SELECT 1) REPLACE INTO tags VALUES (1, 2, 3)', /REPLACE is not allowed/],
    ['EXPLAIN UPDATE spans SET name = 1', /UPDATE is not allowed/],
    ['', /the SQL is empty/],
    ["SELECT 'unclosed", /not closed/],
  ] as const) {
    it(`refuses ${JSON.stringify(sql)}`, async () => {
      await assert.rejects(store.query(sql), (e: unknown) => e instanceof QueryRefused && reason.test(e.message));
    });
  }

  it('reports a SQL error as a failed query and keeps working', async () => {
    await assert.rejects(store.query('SELECT nope FROM spans'), /query failed: no such column: nope/);
    assert.deepEqual((await store.query('SELECT COUNT(*) FROM spans')).rows, [[4]]);
  });
});

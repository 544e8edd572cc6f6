// Aggregates maintained on insert (traces, call sites), the wrapper rule that keeps model usage
// from being counted twice whatever order spans arrive in, and scores, all checked against values
// computed by hand. stats() is in store-stats.test.ts.
import assert from 'node:assert/strict';
import type { Span, TraceSummary } from '../../extension/server/model';
import { StoreInputError, type StoreClient } from '../../extension/server/store';
import { llm, open, removeTempDirs, span, spanId, T0, traceId } from './store-fixtures';


function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

/** The parts of a summary that must not depend on arrival order (tag and model lists sorted). */
function totals(t: TraceSummary) {
  return { ...t, tags: [...t.tags].sort(), models: [...t.models].sort() };
}

describe('store: aggregates', function () {
  this.timeout(30_000);
  let store: StoreClient;

  // one store for the block; each test works in its own range of trace ids
  let range = 0;
  const tid = (n: number) => traceId(range * 1000 + n);
  before(async () => {
    ({ store } = await open());
  });
  beforeEach(() => {
    range += 1;
  });
  after(async () => {
    await store.close();
    removeTempDirs();
  });

  const summary = async (id: string) => (await store.getTrace(id))!.trace;

  it('maintains per-trace totals as spans arrive', async () => {
    const t = tid(1);
    await store.ingest([
      llm({ trace_id: t, span_id: spanId(2), parent_span_id: spanId(1), name: 'plan', start_time: T0 + 100, duration_ms: 300, input_tokens: 100, output_tokens: 10, cost_usd: 0.5, tags: ['b'] }),
      llm({ trace_id: t, span_id: spanId(3), parent_span_id: spanId(1), name: 'answer', start_time: T0 + 400, duration_ms: 500, model: 'mystery-1', input_tokens: 200, output_tokens: 20, cost_usd: null, cost_source: 'unpriced' }),
    ]);
    const before = await summary(t);
    assert.equal(before.name, 'plan', 'the earliest span names the trace until the root arrives');
    await store.ingest([
      span({ trace_id: t, span_id: spanId(4), parent_span_id: spanId(1), name: 'lookup', kind: 'tool', start_time: T0 + 350, duration_ms: 20, status: 'error' }),
      span({ trace_id: t, span_id: spanId(5), parent_span_id: spanId(1), name: 'embed', kind: 'embedding', model: 'text-embedding-3-small', start_time: T0 + 50, duration_ms: 10, input_tokens: 50, cost_usd: 0.25, cost_source: 'computed' }),
      span({ trace_id: t, span_id: spanId(1), name: 'support-agent', kind: 'agent', start_time: T0, duration_ms: 1000, status: 'unset', service_name: 'svc', session_id: 's1', user_id: 'u1', tags: ['a'] }),
    ]);
    assert.deepEqual(totals(await summary(t)), {
      trace_id: t,
      name: 'support-agent',
      start_time: T0,
      end_time: T0 + 1000,
      duration_ms: 1000,
      span_count: 5,
      llm_call_count: 3,
      error_count: 1,
      total_cost_usd: 0.75,
      unpriced_call_count: 1,
      input_tokens: 350,
      output_tokens: 30,
      status: 'error',
      tags: ['a', 'b'],
      models: ['gpt-4o', 'mystery-1', 'text-embedding-3-small'],
      service_name: 'svc',
      session_id: 's1',
      user_id: 'u1',
    });
  });

  // Vercel AI SDK: ai.generateText reports the usage of its ai.generateText.doGenerate child;
  // LangChain: a chain reports the sum of its LLM calls; some wrappers sit a tool span above.
  const tree = (t: string): Span[] => [
    span({ trace_id: t, span_id: spanId(1), name: 'agent', kind: 'agent', start_time: T0, duration_ms: 1000 }),
    llm({ trace_id: t, span_id: spanId(2), parent_span_id: spanId(1), name: 'ai.generateText', start_time: T0 + 10, duration_ms: 400, input_tokens: 100, output_tokens: 20, cost_usd: 0.5 }),
    llm({ trace_id: t, span_id: spanId(3), parent_span_id: spanId(2), name: 'ai.generateText.doGenerate', start_time: T0 + 20, duration_ms: 380, input_tokens: 100, output_tokens: 20, cost_usd: 0.5 }),
    llm({ trace_id: t, span_id: spanId(4), parent_span_id: spanId(1), name: 'chain', kind: 'agent', start_time: T0 + 500, duration_ms: 400, input_tokens: 300, output_tokens: 50, cost_usd: 1 }),
    span({ trace_id: t, span_id: spanId(5), parent_span_id: spanId(4), name: 'retry-wrapper', kind: 'tool', start_time: T0 + 510, duration_ms: 200 }),
    llm({ trace_id: t, span_id: spanId(6), parent_span_id: spanId(5), name: 'llm-1', start_time: T0 + 520, duration_ms: 150, input_tokens: 100, output_tokens: 20, cost_usd: 0.25 }),
    llm({ trace_id: t, span_id: spanId(7), parent_span_id: spanId(4), name: 'llm-2', start_time: T0 + 700, duration_ms: 150, input_tokens: 200, output_tokens: 30, cost_usd: 0.75 }),
  ];
  const counted = ['0000000000000003', '0000000000000006', '0000000000000007'];
  const expected = { llm_call_count: 3, total_cost_usd: 1.5, input_tokens: 400, output_tokens: 70 };

  it('counts a wrapper and its model call once, children first', async () => {
    await store.ingest(tree(tid(1)).reverse());
    const d = (await store.getTrace(tid(1)))!;
    assert.deepEqual(d.spans.filter((s) => s.usage_counted && s.input_tokens !== null).map((s) => s.span_id).sort(), counted);
    assert.deepEqual(pick(d.trace), expected);
  });

  it('counts a wrapper and its model call once, parents first, across batches', async () => {
    for (const s of tree(tid(1))) {
      await store.ingest([s]);
      await store.listTraces({}); // applied before the next one arrives
    }
    assert.deepEqual(pick(await summary(tid(1))), expected);
    const calls = await store.query(`SELECT span_name FROM llm_calls WHERE trace_id = '${tid(1)}' ORDER BY span_name`);
    assert.deepEqual(calls.rows, [['ai.generateText.doGenerate'], ['llm-1'], ['llm-2']]);
  });

  it('gives the same totals for every arrival order', async () => {
    // a smaller tree so that every order is tried: wrapper over a tool over a model call, plus a sibling call
    const small = (t: string): Span[] => [tree(t)[3], tree(t)[4], tree(t)[5], tree(t)[6]];
    const orders = permutations([0, 1, 2, 3]);
    const { store } = await open(); // its own store: every trace in it is one arrival order
    for (const [k, order] of orders.entries()) {
      const spans = small(traceId(k + 1));
      // odd orders arrive one span per batch, even ones in a single batch
      if (k % 2) for (const i of order) await store.ingest([spans[i]]);
      else await store.ingest(order.map((i) => spans[i]));
    }
    const all = await store.listTraces({ limit: 1000 });
    assert.equal(all.length, orders.length);
    for (const t of all) assert.deepEqual(pick(t), { llm_call_count: 2, total_cost_usd: 1, input_tokens: 300, output_tokens: 50 }, `order ${t.trace_id}`);
    const stats = await store.stats({});
    assert.equal(stats.totals.calls, 2 * orders.length);
    await store.close();
  });

  it('counts a model call without usage as a wrapper when a descendant is a model call', async () => {
    await store.ingest([
      llm({ trace_id: tid(1), span_id: spanId(2), parent_span_id: spanId(1), input_tokens: 10, output_tokens: 1, cost_usd: 0.125 }),
      span({ trace_id: tid(1), span_id: spanId(1), kind: 'llm', model: 'gpt-4o' }),
    ]);
    assert.deepEqual(pick(await summary(tid(1))), { llm_call_count: 1, total_cost_usd: 0.125, input_tokens: 10, output_tokens: 1 });
  });

  it('counts a span\'s own model call beside its children\'s when it says its usage is its own (SDK spans), in either order', async () => {
    const parent = llm({ trace_id: tid(1), span_id: spanId(1), kind: 'agent', own_usage: true, cost_usd: 0.5 });
    const child = llm({ trace_id: tid(1), span_id: spanId(2), parent_span_id: spanId(1), cost_usd: 0.25 });
    await store.ingest([child]);
    await store.ingest([parent]);
    await store.ingest([{ ...child, trace_id: tid(2) }, { ...parent, trace_id: tid(2) }].reverse());
    for (const id of [tid(1), tid(2)]) {
      assert.deepEqual(pick(await summary(id)), { llm_call_count: 2, total_cost_usd: 0.75, input_tokens: 200, output_tokens: 40 }, id);
    }
  });

  it('takes the root span\'s own status as the trace\'s, else fails the trace on any failed span', async () => {
    const failedRetry = span({ trace_id: tid(1), span_id: spanId(2), parent_span_id: spanId(1), status: 'error', status_message: '429' });
    await store.ingest([failedRetry, span({ trace_id: tid(1), span_id: spanId(1), status: 'ok' })]);
    const recovered = await summary(tid(1));
    assert.equal(recovered.status, 'ok', 'the agent recovered from its failed call');
    assert.equal(recovered.error_count, 1, 'the failed call still shows');
    const withErrors = (await store.listTraces({ status: 'error', limit: 1000 })).map((t) => t.trace_id);
    assert.ok(withErrors.includes(tid(1)), 'filtering for errors finds a trace that recovered from one');
    await store.ingest([{ ...failedRetry, trace_id: tid(2) }, span({ trace_id: tid(2), span_id: spanId(1), status: 'unset' })]);
    assert.equal((await summary(tid(2))).status, 'error');
    await store.ingest([{ ...failedRetry, trace_id: tid(3), status: 'ok' }, span({ trace_id: tid(3), span_id: spanId(1), status: 'error' })]);
    assert.equal((await summary(tid(3))).status, 'error');
  });

  it('counts a model call whose cost is unknown as unpriced, so its trace never reads as a plain $0', async () => {
    await store.ingest([
      span({ trace_id: tid(1), span_id: spanId(1) }),
      span({ trace_id: tid(1), span_id: spanId(2), parent_span_id: spanId(1), kind: 'llm', model: 'gpt-4o' }), // streamed, no usage reported
      llm({ trace_id: tid(1), span_id: spanId(3), parent_span_id: spanId(1), model: 'mystery-model', cost_usd: null, cost_source: 'unpriced' }),
    ]);
    const t = await summary(tid(1));
    assert.equal(t.unpriced_call_count, 2);
    assert.equal(t.llm_call_count, 2);
  });

  it('replaces a re-sent span instead of counting it twice', async () => {
    const spans = tree(tid(1));
    await store.ingest(spans);
    await store.ingest(spans); // an exporter retrying the whole batch
    assert.deepEqual(pick(await summary(tid(1))), expected);
    assert.equal((await summary(tid(1))).span_count, 7);
    // a corrected copy of llm-2 now failed and cost more
    await store.ingest([{ ...spans[6], status: 'error', cost_usd: 1.25 }]);
    const s = await summary(tid(1));
    assert.equal(s.total_cost_usd, 2);
    assert.equal(s.error_count, 1);
    // the wrapper's only model call loses its usage: the wrapper's own usage counts again
    await store.ingest([{ ...spans[2], kind: 'internal', input_tokens: null, output_tokens: null, cost_usd: null }]);
    const d = (await store.getTrace(tid(1)))!;
    assert.equal(d.spans.find((x) => x.name === 'ai.generateText')!.usage_counted, true);
    assert.deepEqual(pick(d.trace), { llm_call_count: 3, total_cost_usd: 2, input_tokens: 400, output_tokens: 70 });
  });
});

function pick(t: TraceSummary) {
  return { llm_call_count: t.llm_call_count, total_cost_usd: t.total_cost_usd, input_tokens: t.input_tokens, output_tokens: t.output_tokens };
}

describe('store: call sites and scores', function () {
  this.timeout(30_000);
  let store: StoreClient;

  // one store for the block; each test works in its own trace ids and files
  let range = 0;
  const tid = (n: number) => traceId(range * 1000 + n);
  const file = (name: string) => `t${range}/${name}`;
  before(async () => {
    ({ store } = await open());
  });
  beforeEach(() => {
    range += 1;
  });
  after(async () => {
    await store.close();
    removeTempDirs();
  });

  const at = (file: string, line: number) => ({ code_file: file, code_line: line, code_function: 'answer' });

  it('keeps runs, errors, last run, p50 and cost per code location', async () => {
    const durations = [30, 10, 50, 20, 40];
    await store.ingest(durations.map((d, i) =>
      llm({ trace_id: tid(i + 1), span_id: spanId(1), name: `call-${i}`, start_time: T0 + i * 1000, duration_ms: d, cost_usd: 0.125, status: i === 1 ? 'error' : 'ok', ...at(file('app/src/agent.ts'), 10) }),
    ));
    // a wrapper at line 20 whose model call (no code location) is the one counted
    await store.ingest([
      llm({ trace_id: tid(9), span_id: spanId(1), name: 'generateText', ...at(file('app/src/agent.ts'), 20) }),
      llm({ trace_id: tid(9), span_id: spanId(2), parent_span_id: spanId(1), name: 'doGenerate' }),
    ]);
    const sites = await store.callSites(file('app/src/agent.ts'));
    assert.deepEqual(sites, [
      {
        code_file: file('app/src/agent.ts'), code_line: 10, code_function: 'answer', name: 'call-4', runs: 5, error_count: 1,
        last_run: T0 + 4000, last_trace_id: tid(5), last_span_id: spanId(1), p50_ms: 30, total_cost_usd: 0.625,
        avg_score: null, score_count: 0,
      },
      {
        code_file: file('app/src/agent.ts'), code_line: 20, code_function: 'answer', name: 'generateText', runs: 1, error_count: 0,
        last_run: T0, last_trace_id: tid(9), last_span_id: spanId(1), p50_ms: 100, total_cost_usd: 0,
        avg_score: null, score_count: 0,
      },
    ]);
  });

  it('takes p50 over the latest 100 runs of a site', async () => {
    // durations 1..150 in start order: the latest 100 are 51..150, their nearest-rank median is 100
    await store.ingest(Array.from({ length: 150 }, (_, i) => span({ trace_id: tid(i + 1), span_id: spanId(1), start_time: T0 + i, duration_ms: i + 1, ...at(file('a.ts'), 1) })).reverse());
    const [site] = await store.callSites(file('a.ts'));
    assert.equal(site.runs, 150);
    assert.equal(site.p50_ms, 100);
  });

  it('matches a file by whole-segment path suffix, in either direction', async () => {
    const { store } = await open(); // its own store: it lists every call site
    await store.ingest([
      span({ trace_id: traceId(1), span_id: spanId(1), ...at('/app/src/agent.ts', 1) }),
      span({ trace_id: traceId(1), span_id: spanId(2), ...at('lib/tools.ts', 2) }),
      span({ trace_id: traceId(1), span_id: spanId(3), ...at('C:\\work\\proj\\src\\win.ts', 3) }),
    ]);
    const lines = async (file: string) => (await store.callSites(file)).map((s) => s.code_line);
    assert.deepEqual(await lines('/app/src/agent.ts'), [1]);
    assert.deepEqual(await lines('src/agent.ts'), [1], 'workspace-relative asks find container paths');
    assert.deepEqual(await lines('./src/agent.ts'), [1]);
    assert.deepEqual(await lines('/home/me/proj/lib/tools.ts'), [2], 'relative recordings are found from absolute paths');
    assert.deepEqual(await lines('src/win.ts'), [3], 'Windows separators');
    assert.deepEqual(await lines('c:/work/proj/src/win.ts'), [3]);
    assert.deepEqual(await lines('gent.ts'), [], 'only whole path segments match');
    assert.deepEqual(await lines('src/agent.tsx'), []);
    assert.deepEqual(await lines('/home/me/proj/src/agent.ts'), [], 'two different absolute roots do not match');
    assert.equal((await store.callSites()).length, 3);
    await store.close();
  });

  it('averages scores per call site, whether a score comes before or after its span', async () => {
    const t = tid(1);
    const early = await store.addScore({ trace_id: t, span_id: spanId(2), name: 'faithfulness', value: 0.5, label: null, reason: 'partly', source: 'eval', created_at: T0 + 1 });
    assert.match(early.score_id, /^[0-9a-f-]{36}$/);
    await store.ingest([
      span({ trace_id: t, span_id: spanId(1), name: 'agent', ...at(file('src/agent.ts'), 5) }),
      llm({ trace_id: t, span_id: spanId(2), parent_span_id: spanId(1), ...at(file('src/agent.ts'), 9) }),
    ]);
    await store.addScore({ trace_id: t, span_id: spanId(2), name: 'faithfulness', value: 1, label: 'pass', reason: null, source: 'human', created_at: T0 + 2 });
    await store.addScore({ trace_id: t, span_id: null, name: 'overall', value: 0.25, label: null, reason: null, source: 'sdk', created_at: T0 + 3 });
    const sites = await store.callSites(file('src/agent.ts'));
    assert.deepEqual(sites.map((s) => [s.code_line, s.avg_score, s.score_count]), [[5, 0.25, 1], [9, 0.75, 2]]);
    const d = (await store.getTrace(t))!;
    assert.deepEqual(d.scores.map((s) => [s.name, s.value, s.source]), [['faithfulness', 0.5, 'eval'], ['faithfulness', 1, 'human'], ['overall', 0.25, 'sdk']]);
  });

  it('turns gen_ai.evaluation.result events into otel scores, once', async () => {
    const evaluated = llm({
      trace_id: tid(1), span_id: spanId(1), ...at(file('src/rag.ts'), 3),
      events: [
        { name: 'gen_ai.evaluation.result', time: T0 + 5, attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.75, 'gen_ai.evaluation.score.label': 'relevant', 'gen_ai.evaluation.explanation': 'cites the doc' } },
        { name: 'gen_ai.evaluation.result', time: T0 + 6, attributes: { 'gen_ai.evaluation.name': 'tone', 'gen_ai.evaluation.score.label': 'friendly' } },
        { name: 'gen_ai.choice', time: T0 + 7, attributes: {} },
      ],
    });
    // a lone short event stays inline in the journal record; the three above go to a blob
    const judged = llm({
      trace_id: tid(1), span_id: spanId(2), parent_span_id: spanId(1), ...at(file('src/rag.ts'), 3),
      events: [{ name: 'gen_ai.evaluation.result', time: T0 + 8, attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': '0.25' } }],
    });
    await store.ingest([evaluated, judged]);
    await store.ingest([evaluated]);
    const d = (await store.getTrace(tid(1)))!;
    assert.deepEqual(d.scores.map(({ score_id, ...s }) => s), [
      { trace_id: tid(1), span_id: spanId(1), name: 'relevance', value: 0.75, label: 'relevant', reason: 'cites the doc', source: 'otel', created_at: T0 + 5 },
      { trace_id: tid(1), span_id: spanId(2), name: 'relevance', value: 0.25, label: null, reason: null, source: 'otel', created_at: T0 + 8 },
    ]);
    const [site] = await store.callSites(file('src/rag.ts'));
    assert.deepEqual([site.avg_score, site.score_count], [0.5, 2]);
  });

  it('refuses a score without a usable value, naming the field', async () => {
    await assert.rejects(
      store.addScore({ trace_id: tid(1), span_id: null, name: 'q', value: Number.NaN, label: null, reason: null, source: 'api' }),
      (e: unknown) => e instanceof StoreInputError && e.message === 'score refused: score.value: expected a finite number, got NaN',
    );
    await assert.rejects(store.addScore({ trace_id: tid(1), span_id: null, name: 'q', value: 1, label: null, reason: null, source: 'robot' as never }), /score.source: expected one of sdk, api, otel, eval, human/);
  });
});

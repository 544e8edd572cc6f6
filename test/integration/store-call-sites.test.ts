// A call site whose every run left (deleted trace, retention) loses its row, and its cached recent
// runs and score sums with it: when the site runs again, it starts afresh.
import assert from 'node:assert/strict';
import { llm, open, removeTempDirs, spanId, T0, traceId } from './store-fixtures';

describe('store: a call site emptied and used again', function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it('forgets the runs and scores of the traces that left', async () => {
    const { store } = await open();
    try {
      const site = { code_file: 'src/x.ts', code_line: 7, code_function: 'f' };
      await store.ingest([llm({ trace_id: traceId(1), span_id: spanId(1), start_time: T0, duration_ms: 10, ...site })]);
      await store.addScore({ trace_id: traceId(1), span_id: spanId(1), name: 'q', value: 1, label: null, reason: null, source: 'api', created_at: T0 });
      assert.deepEqual((await store.callSites('src/x.ts')).map((s) => [s.runs, s.p50_ms, s.score_count]), [[1, 10, 1]]);
      assert.ok(await store.deleteTrace(traceId(1)));
      assert.deepEqual(await store.callSites('src/x.ts'), [], 'the site left with its only run');
      await store.ingest([llm({ trace_id: traceId(2), span_id: spanId(1), start_time: T0 + 1000, duration_ms: 1000, ...site })]);
      const [s] = await store.callSites('src/x.ts');
      assert.deepEqual({ runs: s.runs, p50_ms: s.p50_ms, avg_score: s.avg_score, score_count: s.score_count }, { runs: 1, p50_ms: 1000, avg_score: null, score_count: 0 });
    } finally {
      await store.close();
    }
  });
});

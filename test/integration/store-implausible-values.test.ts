// Values no real span carries are refused by field, and the rest of their batch is stored: costs
// and token counts beyond 1e15 (two 1e308 costs once summed to Infinity in a trace's total, and
// Infinity − Infinity broke the stats rollups), and times past year 9999 (nanoseconds sent as
// milliseconds, which dates cannot print or group by day).
import assert from 'node:assert/strict';
import { StoreInputError } from '../../extension/server/store';
import { llm, open, removeTempDirs, span, spanId, traceId } from './store-fixtures';

describe('store: implausible values', function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it('refuses huge costs and token counts by field and keeps the valid spans of the batch', async () => {
    const { store } = await open();
    try {
      await assert.rejects(
        store.ingest([
          llm({ trace_id: traceId(1), span_id: spanId(1), cost_usd: 1e308 }),
          llm({ trace_id: traceId(1), span_id: spanId(2), input_tokens: 2e15 }),
          llm({ trace_id: traceId(1), span_id: spanId(3), cost_usd: 1e15 }),
        ]),
        (e: unknown) =>
          e instanceof StoreInputError &&
          e.accepted === 1 &&
          e.problems.length === 2 &&
          /spans\[0\]\.cost_usd: expected a non-negative number up to 1e15, or null, got 1e\+308/.test(e.problems[0]) &&
          /spans\[1\]\.input_tokens: expected a non-negative number up to 1e15, or null/.test(e.problems[1]),
      );
      const trace = await store.getTrace(traceId(1));
      assert.deepEqual(trace?.spans.map((s) => s.span_id), [spanId(3)]);
      assert.equal((await store.stats({})).totals.cost_usd, 1e15);
    } finally {
      await store.close();
    }
  });

  it('refuses times past year 9999 (nanoseconds sent as milliseconds) and stats still answers', async () => {
    const { store } = await open();
    try {
      await assert.rejects(
        store.ingest([llm({ trace_id: traceId(2), span_id: spanId(1), start_time: 1.7e18, duration_ms: 5 }), llm({ trace_id: traceId(3), span_id: spanId(1) })]),
        (e: unknown) => e instanceof StoreInputError && e.accepted === 1 && /spans\[0\]\.start_time: expected epoch milliseconds from 0 to 253402300799999 \(years 1970–9999; nanoseconds sent as milliseconds\?\), got 1700000000000000000/.test(e.problems[0]),
      );
      await assert.rejects(
        store.ingest([span({ trace_id: traceId(4), span_id: spanId(1), events: [{ name: 'e', time: -5, attributes: {} }] })]),
        /events\[0\]\.time: expected epoch milliseconds from 0/,
      );
      assert.equal((await store.stats({})).totals.calls, 1);
    } finally {
      await store.close();
    }
  });
});

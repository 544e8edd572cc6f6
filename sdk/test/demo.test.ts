// `npm run demo -- --once`: the demo's support agent runs against a real collector, and its
// traces arrive with the shape the demo promises (planner, parallel tools, a retried call, a score).
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TraceDetail } from './support/collector-api';
import { tempDir } from '../../test/support/collector';
import { cleanEnv, runNode } from './support/child';
import { useCollector } from './support/collector-session';

const RUN = path.resolve(__dirname, '../../examples/demo/run.mjs');
const AGENT = path.resolve(__dirname, '../../examples/demo/support-agent.ts');

describe('demo (examples/demo)', () => {
  const session = useCollector();

  it('reuses a running collector, and every run arrives as a full support-ticket trace', async function () {
    this.timeout(90_000);
    const port = new URL(session.collector.url).port;
    const result = await runNode([RUN, '--once', '--runs', '2', '--port', port], cleanEnv({ STACKLENS_API_KEY: session.collector.token }), 80_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /Using the StackLens collector already running/);
    const traceIds = [...result.stdout.matchAll(/T-\d+: trace ([0-9a-f]{32})/g)].map((m) => m[1]);
    assert.equal(traceIds.length, 2, result.stdout);
    for (const traceId of traceIds) {
      const detail = (await session.collector.request('GET', `/api/v1/traces/${traceId}`)).body as TraceDetail;
      const names = detail.spans.map((s) => s.name);
      for (const expected of ['support-ticket', 'SupportAgent.plan', 'gather-facts', 'lookup_order', 'search_help_center', 'SupportAgent.writeReply', 'SupportAgent.review']) {
        assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
      }
      const gather = detail.spans.find((s) => s.name === 'gather-facts')!;
      const tools = detail.spans.filter((s) => s.parent_span_id === gather.span_id);
      assert.ok(tools.length >= 2, 'the tools ran under gather-facts');
      const latestStart = Math.max(...tools.map((t) => t.start_time));
      const earliestEnd = Math.min(...tools.map((t) => t.end_time));
      assert.ok(latestStart < earliestEnd, 'the tools ran in parallel');
      const writes = detail.spans.filter((s) => s.name === 'chat gpt-4o');
      assert.deepEqual(writes.map((s) => s.status).sort(), ['error', 'ok'], 'the rate-limited call failed once, then the retry succeeded');
      assert.ok(writes.every((s) => s.code_file === AGENT), 'LLM calls point at the agent source');
      assert.ok(detail.trace.total_cost_usd > 0, 'the collector priced the calls');
      assert.equal(detail.scores[0]?.name, 'helpfulness');
    }
  });

  it('starts its own collector when none runs, and stops it with --once', async function () {
    this.timeout(90_000);
    const data = tempDir('stacklens-demo-');
    const result = await runNode([RUN, '--once', '--runs', '1', '--port', '0', '--data', data], cleanEnv(), 80_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /Started a StackLens collector at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(result.stdout, /support-ticket\s+1[0-9] spans\s+4 LLM calls/);
    assert.match(result.stdout, /traces --data /);
  });
});

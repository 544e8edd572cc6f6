// GET /api/v1/traces/:id/postmortem on the fixture failure (a retried tool, a deepest error),
// sent through the real collector and read back from the real store.
import assert from 'node:assert/strict';
import { startCollector, type RunningCollector } from '../support/collector';
import { IDS, POSTMORTEM_TRACE_ID, postmortemSpans } from '../unit/evals/postmortem-fixture';

describe('postmortem route', function () {
  this.timeout(30_000);
  let c: RunningCollector;

  before(async () => {
    c = await startCollector();
    const res = await c.request('POST', '/api/v1/spans', { spans: postmortemSpans() });
    assert.equal(res.status, 200);
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
  });

  it('answers the whys, root cause, chain, retries, critical path, expensive spans and Markdown', async () => {
    const res = await c.request('GET', `/api/v1/traces/${POSTMORTEM_TRACE_ID}/postmortem`);
    assert.equal(res.status, 200);
    const pm = res.body;
    assert.deepEqual(Object.keys(pm).sort(), ['chain', 'critical_path', 'duration_ms', 'expensive', 'kind', 'markdown', 'retries', 'root_cause', 'span_count', 'status', 'total_cost_usd', 'trace_id', 'trace_name', 'whys'].sort());
    assert.equal(pm.kind, 'failure');
    assert.equal(pm.root_cause.span_id, IDS.http);
    assert.equal(pm.root_cause.error, 'ETIMEDOUT: connect ETIMEDOUT 10.0.0.7:443');
    assert.deepEqual(pm.chain.map((s: { name: string }) => s.name), ['support-agent', 'search-docs', 'http GET /search']);
    assert.deepEqual(pm.retries.map((r: Record<string, unknown>) => [r.name, r.attempts, r.failures, r.recovered]), [['search-docs', 3, 2, true]]);
    assert.deepEqual(pm.critical_path.map((s: { name: string }) => s.name), ['support-agent', 'answer', 'tokenize']);
    assert.deepEqual(pm.expensive.map((s: { name: string }) => s.name), ['answer', 'plan']);
    assert.equal(pm.total_cost_usd, 0.012);
    assert.equal(pm.whys.length, 5);
    assert.equal(pm.whys[2].why, 'Why did "http GET /search" fail?');
    assert.match(pm.markdown, /^# Postmortem: support-agent\n/);
    assert.match(pm.markdown, /\n## Retries\n/);
  });

  it('answers 404 for a trace it does not hold', async () => {
    const res = await c.request('GET', `/api/v1/traces/${'0'.repeat(31)}1/postmortem`);
    assert.equal(res.status, 404);
    assert.match(res.body.error, /^trace 0{31}1 not found/);
  });
});

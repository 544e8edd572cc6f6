// Seed 001's samples sent by hand to POST /api/v1/spans, the way docs/integrations.md shows with
// curl: no SDK, just the documented fields in a JSON body and the bearer token.
import assert from 'node:assert/strict';
import { startCollector, type RunningCollector } from '../../support/collector';
import { assertCost, readTrace } from './client-tracing';

// Byte for byte the body of the curl example in docs/integrations.md (seed 001's trace() sample).
const DOCUMENT_SUMMARY = `{
  "name": "document-summary",
  "model": "gpt-4o",
  "provider": "openai",
  "input_tokens": 850,
  "output_tokens": 120,
  "cost_usd": 0.0012,
  "attributes": {"document_id": "doc_abc123"},
  "tags": ["summarisation", "production"]
}`;

describe("seed 001's samples through POST /api/v1/spans", function () {
  this.timeout(30_000);
  let c: RunningCollector;
  before(async () => {
    c = await startCollector();
  });
  after(async () => {
    await c?.stop();
  });

  async function post(body: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${c.url}/api/v1/spans`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body });
    return { status: res.status, body: await res.json() };
  }

  it('stores trace() with its reported cost, tokens, attributes and tags, and summarises it', async () => {
    const res = await post(DOCUMENT_SUMMARY);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.trace_id, /^[0-9a-f]{32}$/);
    assert.match(res.body.span_id, /^[0-9a-f]{16}$/);

    const detail = await readTrace(c, res.body.trace_id, 1);
    const [span] = detail.spans;
    assert.equal(span.span_id, res.body.span_id);
    assert.equal(span.name, 'document-summary');
    assert.equal(span.kind, 'llm', 'a span with a model is an llm span');
    assert.equal(span.model, 'gpt-4o');
    assert.equal(span.provider, 'openai');
    assert.equal(span.input_tokens, 850);
    assert.equal(span.output_tokens, 120);
    assert.equal(span.total_tokens, 970, 'total_tokens defaults to input + output');
    assert.equal(span.cost_source, 'reported', 'a reported cost wins over the price list');
    assertCost(span.cost_usd, 0.0012, 'reported cost');
    assert.equal(span.attributes.document_id, 'doc_abc123');
    assert.deepEqual([...span.tags].sort(), ['production', 'summarisation']);
    assert.equal(span.status, 'ok');

    const t = detail.trace;
    assert.equal(t.name, 'document-summary');
    assert.equal(t.span_count, 1);
    assert.equal(t.llm_call_count, 1);
    assert.equal(t.input_tokens, 850);
    assert.equal(t.output_tokens, 120);
    assertCost(t.total_cost_usd, 0.0012, 'trace total');
    assert.deepEqual(t.models, ['gpt-4o']);
    assert.deepEqual([...t.tags].sort(), ['production', 'summarisation']);
    assert.equal(t.status, 'ok');

    const byTag = await c.request('GET', '/api/v1/traces?tag=summarisation');
    assert.equal(byTag.status, 200);
    assert.ok(byTag.body.traces.some((s: { trace_id: string }) => s.trace_id === res.body.trace_id), 'the trace is found by its tag');
    const byModel = await c.request('GET', '/api/v1/traces?model=gpt-4o');
    assert.ok(byModel.body.traces.some((s: { trace_id: string }) => s.trace_id === res.body.trace_id), 'the trace is found by its model');
  });

  it('prices start_trace + record_llm without a cost from the tokens', async () => {
    // seed 001: span.record_llm(model="gpt-4o", provider="openai", input_tokens=200, output_tokens=150)
    const res = await post(JSON.stringify({ name: 'agent-run', model: 'gpt-4o', provider: 'openai', input_tokens: 200, output_tokens: 150 }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const detail = await readTrace(c, res.body.trace_id, 1);
    assert.equal(detail.spans[0].cost_source, 'computed');
    // gpt-4o: 200 · $2.50/M + 150 · $10/M
    assertCost(detail.spans[0].cost_usd, 0.002, 'computed cost');
    assertCost(detail.trace.total_cost_usd, 0.002, 'trace total');
  });

  it('marks status "error" as an error trace', async () => {
    const res = await post(JSON.stringify({ name: 'flaky-call', model: 'gpt-4o', provider: 'openai', input_tokens: 10, output_tokens: 0, status: 'error', status_message: 'upstream timeout after 30 s' }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const detail = await readTrace(c, res.body.trace_id, 1);
    assert.equal(detail.spans[0].status, 'error');
    assert.equal(detail.spans[0].status_message, 'upstream timeout after 30 s');
    assert.equal(detail.trace.status, 'error');
    assert.equal(detail.trace.error_count, 1);
  });

  it('refuses a span whose tokens are not a number, naming the field, and stores nothing', async () => {
    const res = await post(JSON.stringify({ name: 'bad', model: 'gpt-4o', input_tokens: 'ten' }));
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /input_tokens/);
    const list = await c.request('GET', '/api/v1/traces?q=bad');
    assert.equal(list.status, 200);
    assert.ok(!list.body.traces.some((t: { name: string }) => t.name === 'bad'), 'the refused span is not stored');
  });
});

// What real instrumentation libraries send, end to end: their spans, serialised by the
// OpenTelemetry JS protobuf exporter code, decoded and normalised by us.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import type { Span } from '../../../extension/server/model';
import { decodeTraceRequest, normaliseTraceRequest } from '../../../extension/server/ingest';
import { createPricer } from '../../../extension/server/pricing';

describe('spans from real instrumentation libraries (loopback fake OpenAI, protobuf export)', function () {
  this.timeout(60_000);
  const recorded: Record<string, Span[]> = {};

  before(() => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'record-real-clients.ts')], { encoding: 'utf8', timeout: 50_000 });
    assert.equal(run.status, 0, `recording failed: ${run.stderr}`);
    const bodies = JSON.parse(run.stdout) as Record<string, string>;
    const pricer = createPricer();
    for (const [name, base64] of Object.entries(bodies)) {
      const result = normaliseTraceRequest(decodeTraceRequest(Buffer.from(base64, 'base64'), 'application/x-protobuf'), pricer);
      assert.equal(result.rejectedSpans, 0, result.errorMessage);
      recorded[name] = result.spans;
    }
  });

  // Not every library reports cached tokens (OpenLLMetry's OpenAI instrumentation does not), so
  // the expected cost is the price of what the span itself says.
  const expectedCost = (span: Span) =>
    calcPrice({ input_tokens: 1200, cache_read_tokens: span.cache_read_tokens ?? 0, output_tokens: 20 }, 'gpt-4o-mini-2024-07-18', { providerId: 'openai', timestamp: new Date(span.start_time) })!.total_price;

  function assertChatCall(span: Span): void {
    assert.equal(span.kind, 'llm');
    assert.equal(span.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(span.provider, 'openai');
    assert.equal(span.input_tokens, 1200);
    assert.equal(span.output_tokens, 20);
    assert.equal(span.cost_source, 'computed');
    assert.ok(Math.abs(span.cost_usd! - expectedCost(span)) < 1e-12);
    assert.equal(span.service_name, 'real-client-test');
  }

  it('OpenInference (@arizeai/openinference-instrumentation-openai): an LLM span with messages and cached tokens', () => {
    const [span] = recorded.openinference;
    assertChatCall(span);
    assert.equal(span.cache_read_tokens, 1024);
    assert.deepEqual(JSON.parse(span.input!), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
    ]);
    assert.deepEqual(JSON.parse(span.output!), [{ role: 'assistant', content: 'It is rainy in Paris.' }]);
  });

  it('OpenLLMetry (@traceloop/instrumentation-openai): a gen_ai chat span with input and output messages', () => {
    const [span] = recorded.openllmetry;
    assertChatCall(span);
    assert.equal(span.cache_read_tokens, null);
    assert.equal(span.operation, 'chat');
    assert.equal(span.request_model, 'gpt-4o-mini');
    assert.deepEqual(JSON.parse(span.input!), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
    ]);
    assert.deepEqual(JSON.parse(span.output!), [{ role: 'assistant', content: 'It is rainy in Paris.', finish_reason: 'stop' }]);
  });

  it('Vercel AI SDK (ai generateText with a tool, streamText): agent, LLM and tool spans in one trace', () => {
    const spans = recorded.vercel;
    const outer = spans.find((s) => s.name === 'ai.generateText')!;
    const calls = spans.filter((s) => s.name === 'ai.generateText.doGenerate');
    const toolCall = spans.find((s) => s.name === 'ai.toolCall')!;
    assert.equal(outer.kind, 'agent');
    assert.equal(calls.length, 2);
    for (const call of calls) {
      assertChatCall(call);
      assert.equal(call.cache_read_tokens, 1024);
      assert.equal(call.parent_span_id, outer.span_id);
      assert.equal(call.trace_id, outer.trace_id);
      assert.deepEqual(call.tags, ['demo']);
      assert.equal(call.session_id, 's-1');
    }
    assert.deepEqual(JSON.parse(calls[0].output!)[0].tool_calls, [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }]);
    assert.equal(calls[1].output, 'It is rainy in Paris.');
    assert.equal(toolCall.kind, 'tool');
    assert.equal(toolCall.input, '{"city":"Paris"}');
    assert.equal(toolCall.output, '{"city":"Paris","weather":"rainy"}');
    assert.equal(outer.input_tokens, 2400, 'the outer span reports the sum of its steps');
  });

  it('Vercel AI SDK streamText: the doStream call is an LLM span with the streamed text', () => {
    const stream = recorded.vercel.find((s) => s.name === 'ai.streamText.doStream')!;
    assertChatCall(stream);
    assert.equal(stream.output, 'It is rainy.');
    assert.equal(recorded.vercel.find((s) => s.name === 'ai.streamText')!.kind, 'agent');
  });
});

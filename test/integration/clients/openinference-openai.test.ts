// Arize OpenInference's OpenAI instrumentation around the real `openai` client (talking to a local
// fake OpenAI), exporting over OTLP/protobuf as Phoenix users do. Its spans speak OpenInference
// (openinference.span.kind, llm.model_name, llm.token_count.*, llm.input_messages.N.*).
import assert from 'node:assert/strict';
import { setSession, setUser } from '@arizeai/openinference-core';
import { isPatched, OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import OpenAI from 'openai';
import { startCollector, type RunningCollector } from '../../support/collector';
import { DEFAULT_REPLY, startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { assertCost, clientTracing, messageText, readTrace, sentAttributes, spanNamed, useAsyncContext, type ClientTracing } from './client-tracing';

describe('OpenInference OpenAI instrumentation → collector', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let fake: FakeOpenAI;
  let tracing: ClientTracing;
  let instrumentation: OpenAIInstrumentation;
  let restoreContext: () => void;
  let client: OpenAI;

  before(async () => {
    [c, fake] = await Promise.all([
      startCollector(),
      startFakeOpenAI({
        chat: (r) => ({ content: r.stream ? 'Streamed: 12 °C in Köln.' : DEFAULT_REPLY, usage: { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 200 } }),
      }),
    ]);
    tracing = clientTracing(new OTLPTraceExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` } }), 'openinference-app');
    restoreContext = useAsyncContext();
    // enabled: false keeps it from hooking require() for the whole test process; patch by hand.
    instrumentation = new OpenAIInstrumentation({ tracerProvider: tracing.provider, instrumentationConfig: { enabled: false } });
    instrumentation.manuallyInstrument(OpenAI);
    assert.ok(isPatched(), 'the openai client is instrumented');
    client = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  });
  after(async () => {
    instrumentation?.disable();
    restoreContext?.();
    await tracing?.provider.shutdown();
    await Promise.all([c?.stop(), fake?.close()]);
  });

  it('a chat completion under an app span becomes a priced llm child span with its messages', async () => {
    const tracer = tracing.provider.getTracer('support-bot');
    // OpenInference's way to tag a conversation and its user: context the instrumentation reads.
    const conversation = setUser(setSession(context.active(), { sessionId: 'sess-42' }), { userId: 'u-7' });
    const traceId = await context.with(conversation, () => tracer.startActiveSpan('answer-ticket', async (root) => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'You answer support tickets.' },
          { role: 'user', content: 'Mein Passwort geht nicht <script>alert(1)</script>' },
        ],
      });
      assert.equal(completion.choices[0].message.content, DEFAULT_REPLY);
      root.end();
      return root.spanContext().traceId;
    }));
    await tracing.flush();
    const detail = await readTrace(c, traceId, 2);
    const sent = `\n${sentAttributes(detail)}`;
    const root = spanNamed(detail, 'answer-ticket');
    const llm = spanNamed(detail, 'OpenAI Chat Completions');

    assert.equal(llm.kind, 'llm', 'openinference.span.kind LLM' + sent);
    assert.equal(llm.parent_span_id, root.span_id);
    assert.equal(llm.model, 'gpt-4o-mini', 'llm.model_name');
    assert.equal(llm.provider, 'openai', 'llm.system / llm.provider' + sent);
    assert.equal(llm.input_tokens, 1000, 'llm.token_count.prompt');
    assert.equal(llm.output_tokens, 500, 'llm.token_count.completion');
    assert.equal(llm.total_tokens, 1500);
    assert.equal(llm.cache_read_tokens, 200, 'llm.token_count.prompt_details.cache_read');
    assert.equal(llm.cost_source, 'computed');
    // gpt-4o-mini: (800 · 0.15 + 200 · 0.075 + 500 · 0.60) / 1e6
    assertCost(llm.cost_usd, 0.000435, 'priced from OpenInference token counts');
    assert.equal(messageText(llm.input, 'system'), 'You answer support tickets.');
    assert.equal(messageText(llm.input, 'user'), 'Mein Passwort geht nicht <script>alert(1)</script>', 'content is kept as text, byte for byte');
    assert.equal(messageText(llm.output, 'assistant'), DEFAULT_REPLY);
    assert.equal(llm.status, 'ok');
    assert.equal(llm.session_id, 'sess-42', 'session.id' + sent);
    assert.equal(llm.user_id, 'u-7', 'user.id');

    assert.equal(root.cost_usd, null);
    assertCost(detail.trace.total_cost_usd, 0.000435, 'trace total');
    assert.equal(detail.trace.input_tokens, 1000);
    assert.equal(detail.trace.name, 'answer-ticket');
    assert.equal(detail.trace.session_id, 'sess-42', 'the trace belongs to the session its llm span names');
    assert.equal(detail.trace.user_id, 'u-7');
  });

  it('a streamed chat completion keeps model and streamed text (OpenInference JS records no usage for streams)', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Wetter?' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Streamed: 12 °C in Köln.');
    await tracing.flush();
    const traceId = tracing.exporter.traceIdOf((s) => s.name === 'OpenAI Chat Completions' && s.attributes['output.value'] === text);
    const detail = await readTrace(c, traceId, 1);
    const llm = spanNamed(detail, 'OpenAI Chat Completions');
    assert.equal(llm.kind, 'llm');
    assert.equal(llm.model, 'gpt-4o-mini');
    assert.equal(messageText(llm.input, 'user'), 'Wetter?');
    assert.equal(messageText(llm.output, 'assistant'), text);
    // The client drops the usage chunk; StackLens must not invent tokens nor show $0.
    assert.equal(llm.input_tokens, null);
    assert.equal(llm.cost_usd, null, 'no usage, no cost: never a made-up $0');
  });

  it('an embeddings call is an embedding span with its model', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['Köln', 'Bonn'] });
    assert.equal(result.data.length, 2);
    await tracing.flush();
    const detail = await readTrace(c, tracing.exporter.traceIdOf((s) => s.name === 'OpenAI Embeddings'), 1);
    const span = spanNamed(detail, 'OpenAI Embeddings');
    assert.equal(span.kind, 'embedding', 'openinference.span.kind EMBEDDING' + `\n${sentAttributes(detail)}`);
    assert.equal(span.model, 'text-embedding-3-small', 'embedding.model_name' + `\n${sentAttributes(detail)}`);
  });

  it('a Responses API call is a priced llm span with its instructions and answer', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', instructions: 'Antworte kurz.', input: 'Wie spät ist es?' });
    assert.equal(response.output_text, 'Hello from the fake model.');
    await tracing.flush();
    const detail = await readTrace(c, tracing.exporter.traceIdOf((s) => s.name === 'OpenAI Responses'), 1);
    const llm = spanNamed(detail, 'OpenAI Responses');
    assert.equal(llm.kind, 'llm');
    assert.equal(llm.input_tokens, 21);
    assert.equal(llm.output_tokens, 9);
    // 21 · $0.15/M + 9 · $0.60/M
    assertCost(llm.cost_usd, 0.00000855, 'responses call');
    assert.equal(messageText(llm.input, 'user'), 'Wie spät ist es?');
    assert.match(String(llm.output), /Hello from the fake model\./);
  });
});

// Traceloop OpenLLMetry's OpenAI instrumentation around the real `openai` client (talking to a
// local fake OpenAI), exporting over OTLP/JSON. Its spans speak current OTel GenAI semconv
// (gen_ai.provider.name, gen_ai.input.messages with parts) under an OpenLLMetry workflow span.
import assert from 'node:assert/strict';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { startCollector, type RunningCollector } from '../../support/collector';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { assertCost, clientTracing, messageText, readTrace, sentAttributes, spanNamed, useAsyncContext, type ClientTracing } from './client-tracing';

const ANSWER = 'Setzen Sie das Passwort unter "Konto" zurück.';

/** The methods the instrumentation wraps, to put back afterwards (its unpatch is private). */
function patchedMethods(): Array<[Record<string, unknown>, string, unknown]> {
  const protos = [OpenAI.Chat.Completions.prototype, OpenAI.Completions.prototype, OpenAI.Responses.prototype, OpenAI.Images.prototype] as unknown as Array<Record<string, unknown>>;
  return protos.flatMap((proto) => ['create', 'generate', 'edit', 'createVariation'].filter((m) => m in proto).map((m): [Record<string, unknown>, string, unknown] => [proto, m, proto[m]]));
}

describe('OpenLLMetry (Traceloop) OpenAI instrumentation → collector', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let fake: FakeOpenAI;
  let tracing: ClientTracing;
  let restoreContext: () => void;
  let originals: ReturnType<typeof patchedMethods>;
  let client: OpenAI;

  before(async () => {
    [c, fake] = await Promise.all([
      startCollector(),
      startFakeOpenAI({
        chat: () => ({ content: ANSWER, usage: { prompt_tokens: 1000, completion_tokens: 500 } }),
      }),
    ]);
    tracing = clientTracing(new OTLPTraceExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` } }), 'openllmetry-app');
    restoreContext = useAsyncContext();
    originals = patchedMethods();
    // enabled: false keeps it from hooking require() for the whole test process; patch by hand.
    const instrumentation = new OpenAIInstrumentation({ enabled: false });
    instrumentation.setTracerProvider(tracing.provider);
    instrumentation.manuallyInstrument(OpenAI);
    assert.notEqual(OpenAI.Chat.Completions.prototype.create, originals[0][2], 'the openai client is instrumented');
    client = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  });
  after(async () => {
    for (const [proto, method, original] of originals ?? []) proto[method] = original;
    restoreContext?.();
    await tracing?.provider.shutdown();
    await Promise.all([c?.stop(), fake?.close()]);
  });

  it('a chat completion inside a workflow span is a priced llm child with its messages', async () => {
    const tracer = tracing.provider.getTracer('traceloop-app');
    const traceId = await tracer.startActiveSpan('answer_ticket.workflow', async (workflow) => {
      workflow.setAttributes({
        'traceloop.span.kind': 'workflow',
        'traceloop.workflow.name': 'answer_ticket',
        'traceloop.entity.name': 'answer_ticket',
        'traceloop.entity.input': JSON.stringify({ args: ['Passwort vergessen'], kwargs: {} }),
      });
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'You answer support tickets.' },
          { role: 'user', content: 'Passwort vergessen' },
        ],
      });
      workflow.setAttribute('traceloop.entity.output', JSON.stringify(completion.choices[0].message.content));
      workflow.end();
      return workflow.spanContext().traceId;
    });
    await tracing.flush();
    const detail = await readTrace(c, traceId, 2);
    const sent = `\n${sentAttributes(detail)}`;
    const workflow = spanNamed(detail, 'answer_ticket.workflow');
    const llm = spanNamed(detail, 'chat gpt-4o-mini');

    assert.equal(llm.kind, 'llm', sent);
    assert.equal(llm.parent_span_id, workflow.span_id);
    assert.equal(llm.operation, 'chat');
    assert.equal(llm.model, 'gpt-4o-mini');
    assert.equal(llm.provider, 'openai');
    assert.equal(llm.input_tokens, 1000);
    assert.equal(llm.output_tokens, 500);
    assert.equal(llm.total_tokens, 1500);
    assert.equal(llm.cost_source, 'computed');
    // gpt-4o-mini: 1000 · $0.15/M + 500 · $0.60/M
    assertCost(llm.cost_usd, 0.00045, 'priced from gen_ai.usage.*');
    assert.equal(messageText(llm.input, 'system'), 'You answer support tickets.');
    assert.equal(messageText(llm.input, 'user'), 'Passwort vergessen');
    assert.equal(messageText(llm.output, 'assistant'), ANSWER);

    assert.match(String(workflow.input), /Passwort vergessen/, 'traceloop.entity.input is the workflow input' + sent);
    assert.match(String(workflow.output), /Konto/, 'traceloop.entity.output is the workflow output');
    assert.equal(workflow.cost_usd, null);
    assertCost(detail.trace.total_cost_usd, 0.00045, 'trace total');
    assert.equal(detail.trace.input_tokens, 1000);
    assert.equal(detail.trace.output_tokens, 500);
  });

  it('a streamed chat completion keeps model and streamed text (OpenLLMetry records no streamed usage)', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Und jetzt gestreamt?' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, ANSWER);
    await tracing.flush();
    const traceId = tracing.exporter.traceIdOf((s) => String(s.attributes['gen_ai.input.messages']).includes('Und jetzt gestreamt?'));
    const llm = spanNamed(await readTrace(c, traceId, 1), 'chat gpt-4o-mini');
    assert.equal(llm.kind, 'llm');
    assert.equal(messageText(llm.input, 'user'), 'Und jetzt gestreamt?');
    assert.equal(messageText(llm.output, 'assistant'), ANSWER, 'the streamed text is reassembled');
    assert.equal(llm.input_tokens, null, 'without enrichTokens the client sends no usage for streams');
    assert.equal(llm.cost_usd, null, 'no usage, no cost: never a made-up $0');
  });

  it('a model with no known price is unpriced, never $0', async () => {
    await client.chat.completions.create({ model: 'acme-llm-7b', messages: [{ role: 'user', content: 'Hallo' }] });
    await tracing.flush();
    const detail = await readTrace(c, tracing.exporter.traceIdOf((s) => s.name === 'chat acme-llm-7b'), 1);
    const llm = spanNamed(detail, 'chat acme-llm-7b');
    assert.equal(llm.input_tokens, 1000);
    assert.equal(llm.cost_source, 'unpriced');
    assert.equal(llm.cost_usd, null);
    assert.equal(detail.trace.unpriced_call_count, 1, 'the trace says its total is a lower bound');
  });

  it('a Responses API call is a priced llm span', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Wie spät ist es?' });
    assert.equal(response.output_text, 'Hello from the fake model.');
    await tracing.flush();
    const traceId = tracing.exporter.traceIdOf((s) => String(s.attributes['gen_ai.input.messages']).includes('Wie spät ist es?'));
    const llm = spanNamed(await readTrace(c, traceId, 1), 'chat gpt-4o-mini');
    assert.equal(llm.input_tokens, 21);
    assert.equal(llm.output_tokens, 9);
    assertCost(llm.cost_usd, 0.00000855, 'responses call: 21 · $0.15/M + 9 · $0.60/M');
    assert.equal(messageText(llm.output, 'assistant'), 'Hello from the fake model.');
  });
});

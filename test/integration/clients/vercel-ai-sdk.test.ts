// The Vercel AI SDK's own telemetry (experimental_telemetry) through the OTLP exporter to the
// collector, with the real @ai-sdk/openai-compatible provider talking to a local fake OpenAI.
// The AI SDK reports usage on both the call span (ai.generateText) and each model call under it
// (ai.generateText.doGenerate): StackLens must count it once.
import assert from 'node:assert/strict';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { embed, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { startCollector, type RunningCollector } from '../../support/collector';
import { EMBEDDING_DIMENSIONS, startFakeOpenAI, type ChatReply, type ChatRequest, type FakeOpenAI } from '../../support/fake-openai';
import { assertCost, clientTracing, messageText, readTrace, sentAttributes, spanNamed, useAsyncContext, type ClientTracing } from './client-tracing';

const WEATHER_ANSWER = 'In Köln sind es 12 °C.';

/** A model that calls get_weather once, then answers with what the tool returned. */
function weatherModel(request: ChatRequest): ChatReply {
  const toolResult = request.messages.find((m) => m.role === 'tool');
  if (request.tools?.length && !toolResult) return { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Köln' } }], usage: { prompt_tokens: 100, completion_tokens: 20 } };
  if (toolResult) return { content: WEATHER_ANSWER, usage: { prompt_tokens: 150, completion_tokens: 30 } };
  return { content: 'Guten Tag!', usage: { prompt_tokens: 1200, completion_tokens: 300 } };
}

/** An embedding input as stored: plain text, or a JSON list whose only item is the text. */
function messageTextOrList(input: string | null): string | null {
  if (input === null || !input.startsWith('[')) return input;
  const list = JSON.parse(input) as unknown[];
  assert.equal(list.length, 1, `one embedded value in ${input}`);
  return String(list[0]);
}

const getWeather = tool({
  description: 'Current weather of a city',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
  execute: async ({ city }) => ({ city, temperature_c: 12 }),
});

describe('Vercel AI SDK telemetry → collector', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let fake: FakeOpenAI;
  let tracing: ClientTracing;
  let restoreContext: () => void;
  let openai: ReturnType<typeof createOpenAICompatible>;

  before(async () => {
    [c, fake] = await Promise.all([startCollector(), startFakeOpenAI({ chat: weatherModel, fail: (_route, body) => (body.model === 'gpt-4o-mini-broken' ? { status: 400, message: 'The model `gpt-4o-mini-broken` does not exist' } : undefined) })]);
    tracing = clientTracing(new OTLPTraceExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` } }), 'vercel-app');
    restoreContext = useAsyncContext();
    // Named "openai" as with @ai-sdk/openai, so the spans say provider "openai.chat".
    openai = createOpenAICompatible({ name: 'openai', baseURL: fake.baseURL, apiKey: 'sk-test', includeUsage: true });
  });
  after(async () => {
    restoreContext?.();
    await tracing?.provider.shutdown();
    await Promise.all([c?.stop(), fake?.close()]);
  });

  const telemetry = (functionId: string) => ({ isEnabled: true, functionId, metadata: { userId: 'u-7', plan: 'pro' }, tracer: tracing.provider.getTracer('ai') });

  it('generateText: one priced model call under ai.generateText, usage counted once', async () => {
    const result = await generateText({ model: openai('gpt-4o-mini'), system: 'Be polite.', prompt: 'Sag Hallo auf Deutsch.', experimental_telemetry: telemetry('greet') });
    assert.equal(result.text, 'Guten Tag!');
    await tracing.flush();
    const detail = await readTrace(c, traceOf('greet'), 2);
    const sent = `\n${sentAttributes(detail)}`;
    const call = spanNamed(detail, 'ai.generateText');
    const model = spanNamed(detail, 'ai.generateText.doGenerate');

    assert.equal(model.parent_span_id, call.span_id);
    assert.equal(call.parent_span_id, null);
    assert.equal(model.kind, 'llm', 'the provider call is the llm span' + sent);
    assert.equal(model.model, 'gpt-4o-mini');
    assert.match(String(model.provider), /^openai/, 'provider from gen_ai.system "openai.chat"');
    assert.equal(model.input_tokens, 1200);
    assert.equal(model.output_tokens, 300);
    // gpt-4o-mini: 1200 · $0.15/M + 300 · $0.60/M
    assertCost(model.cost_usd, 0.00036, 'doGenerate priced from its tokens');
    assert.equal(model.usage_counted, true);
    assert.equal(call.usage_counted, false, 'ai.generateText repeats its child usage and must not count' + sent);
    assert.equal(messageText(model.input, 'user'), 'Sag Hallo auf Deutsch.');
    assert.equal(messageText(model.input, 'system'), 'Be polite.');
    assert.equal(messageText(model.output, 'assistant'), 'Guten Tag!');
    assert.equal(call.attributes['ai.telemetry.metadata.userId'], 'u-7', 'telemetry metadata is kept');

    assert.equal(detail.trace.name, 'ai.generateText');
    assert.equal(detail.trace.input_tokens, 1200, 'trace tokens count the model call once, not twice');
    assert.equal(detail.trace.output_tokens, 300);
    assertCost(detail.trace.total_cost_usd, 0.00036, 'trace cost counts the model call once');
    assert.deepEqual(detail.trace.models, ['gpt-4o-mini']);
    assert.equal(detail.trace.status, 'unset', 'the AI SDK leaves the status of a successful call unset');
  });

  it('generateText with a tool: two model calls and an ai.toolCall tool span', async () => {
    const result = await generateText({ model: openai('gpt-4o-mini'), prompt: 'Wie ist das Wetter in Köln?', tools: { get_weather: getWeather }, stopWhen: stepCountIs(3), experimental_telemetry: telemetry('weather') });
    assert.equal(result.text, WEATHER_ANSWER);
    await tracing.flush();
    const detail = await readTrace(c, traceOf('weather'), 4);
    const sent = `\n${sentAttributes(detail)}`;
    const call = spanNamed(detail, 'ai.generateText');
    const toolSpan = spanNamed(detail, 'ai.toolCall');
    const modelCalls = detail.spans.filter((s) => s.name === 'ai.generateText.doGenerate');
    assert.equal(modelCalls.length, 2);

    assert.equal(toolSpan.kind, 'tool', 'ai.toolCall is a tool span' + sent);
    assert.equal(toolSpan.parent_span_id, call.span_id);
    assert.equal(toolSpan.cost_usd, null);
    assert.match(String(toolSpan.input), /Köln/, 'the tool arguments are the tool span input');
    assert.match(String(toolSpan.output), /"temperature_c":12/, 'the tool result is the tool span output');
    for (const m of modelCalls) assert.equal(m.kind, 'llm');

    // (100 + 150) · $0.15/M + (20 + 30) · $0.60/M
    assert.equal(detail.trace.input_tokens, 250, 'two model calls, ai.generateText not counted again' + sent);
    assert.equal(detail.trace.output_tokens, 50);
    assertCost(detail.trace.total_cost_usd, 0.0000675, 'trace cost is the two model calls');
  });

  it('streamText: the streamed call is priced once and its text is the output', async () => {
    const result = streamText({ model: openai('gpt-4o-mini'), prompt: 'Wie ist das Wetter in Köln?', tools: { get_weather: getWeather }, stopWhen: stepCountIs(3), experimental_telemetry: telemetry('stream-weather') });
    assert.equal(await result.text, WEATHER_ANSWER);
    await tracing.flush();
    const detail = await readTrace(c, traceOf('stream-weather'), 4);
    const sent = `\n${sentAttributes(detail)}`;
    const call = spanNamed(detail, 'ai.streamText');
    const streams = detail.spans.filter((s) => s.name === 'ai.streamText.doStream');
    assert.equal(streams.length, 2);
    const final = streams.find((s) => s.output !== null && s.output.includes('12 °C'));
    assert.ok(final, `a doStream span carries the streamed answer; outputs: ${JSON.stringify(streams.map((s) => s.output))}`);
    assert.equal(final.kind, 'llm', 'doStream is an llm span' + sent);
    assert.equal(final.input_tokens, 150);
    assert.equal(final.output_tokens, 30);
    assert.equal(messageText(final.output, 'assistant'), WEATHER_ANSWER);
    assert.equal(spanNamed(detail, 'ai.toolCall').kind, 'tool');
    assert.equal(call.usage_counted, false);
    assert.equal(detail.trace.input_tokens, 250, 'streamed usage counted once' + sent);
    assert.equal(detail.trace.output_tokens, 50);
    assertCost(detail.trace.total_cost_usd, 0.0000675, 'streamed trace cost');
  });

  it('counts usage once when each span arrives in its own export, children before their parent', async () => {
    const simple = clientTracing(new OTLPTraceExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` } }), 'vercel-app', 'simple');
    try {
      const tracer = simple.provider.getTracer('ai');
      await generateText({ model: openai('gpt-4o-mini'), prompt: 'Wie ist das Wetter in Köln?', tools: { get_weather: getWeather }, stopWhen: stepCountIs(3), experimental_telemetry: { isEnabled: true, functionId: 'one-by-one', tracer } });
      await simple.flush();
      assert.equal(simple.exporter.results.length, 4, 'four spans, four exports');
      const detail = await readTrace(c, simple.exporter.traceIdOf((s) => s.attributes['ai.telemetry.functionId'] === 'one-by-one'), 4);
      assert.equal(spanNamed(detail, 'ai.generateText').usage_counted, false, sentAttributes(detail));
      assert.equal(detail.trace.input_tokens, 250);
      assert.equal(detail.trace.output_tokens, 50);
      assertCost(detail.trace.total_cost_usd, 0.0000675, 'trace cost is the two model calls');
    } finally {
      await simple.provider.shutdown();
    }
  });

  it('embed: an embedding span priced once, its input the embedded text', async () => {
    const { embedding } = await embed({ model: openai.textEmbeddingModel('text-embedding-3-small'), value: 'Köln liegt am Rhein.', experimental_telemetry: telemetry('embed-city') });
    assert.equal(embedding.length, EMBEDDING_DIMENSIONS);
    await tracing.flush();
    const detail = await readTrace(c, traceOf('embed-city'), 2);
    const sent = `\n${sentAttributes(detail)}`;
    const call = spanNamed(detail, 'ai.embed');
    const model = spanNamed(detail, 'ai.embed.doEmbed');
    assert.equal(model.kind, 'embedding', sent);
    assert.equal(model.parent_span_id, call.span_id);
    assert.equal(model.model, 'text-embedding-3-small');
    assert.equal(model.input_tokens, 4, 'ai.usage.tokens');
    assert.equal(call.usage_counted, false);
    assert.equal(detail.trace.input_tokens, 4, 'embedding tokens counted once');
    // text-embedding-3-small: $0.02 / M tokens
    assertCost(detail.trace.total_cost_usd, 0.00000008, 'embedding cost');
    // The AI SDK sends ai.value / ai.values as JSON text ("\"Köln…\""); the user embedded plain text.
    assert.equal(call.input, 'Köln liegt am Rhein.', `ai.embed input: ${call.input}`);
    assert.equal(messageTextOrList(model.input), 'Köln liegt am Rhein.', `ai.embed.doEmbed input: ${model.input}`);
  });

  it('a failed provider call marks the spans and the trace as errors with the provider message', async () => {
    await assert.rejects(generateText({ model: openai('gpt-4o-mini-broken'), prompt: 'Hallo?', maxRetries: 0, experimental_telemetry: telemetry('broken') }));
    await tracing.flush();
    const detail = await readTrace(c, traceOf('broken'), 2);
    const call = spanNamed(detail, 'ai.generateText');
    assert.equal(call.status, 'error');
    assert.match(String(call.status_message), /gpt-4o-mini-broken` does not exist/);
    assert.equal(detail.trace.status, 'error');
    assert.equal(detail.trace.total_cost_usd, 0, 'a failed call without usage costs nothing');
  });

  /** The trace of the AI SDK call made with this telemetry functionId. */
  function traceOf(functionId: string): string {
    return tracing.exporter.traceIdOf((s) => s.attributes['ai.telemetry.functionId'] === functionId);
  }
});

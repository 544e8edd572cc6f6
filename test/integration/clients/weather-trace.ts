// One small GenAI-semconv trace, written with the plain OpenTelemetry API as a hand-instrumented
// app would, and what StackLens must make of it. Shared by the JSON, protobuf and gzip transports
// so that all three are held to the same expectations.
import assert from 'node:assert/strict';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { TraceDetail } from '../../../extension/server/model';
import { assertCost, messageText, sentAttributes, spanNamed } from './client-tracing';

export const SYSTEM_PROMPT = 'You are a weather assistant.';
// Umlauts, quotes, markup and an emoji: content must come back byte for byte, never as markup.
export const QUESTION = 'Wie wird das Wetter in Köln? Antworte <b>"kurz"</b> & knapp.';
export const ANSWER = 'Morgen: 12 °C, Regen 🌧️';
export const RATE_LIMIT = '429 Rate limit reached for gpt-4o in organization org-x';

// gpt-4o-mini: $0.15 / M input, $0.075 / M cached input, $0.60 / M output (genai-prices).
// 1000 input tokens of which 200 cache reads, 500 output: (800·0.15 + 200·0.075 + 500·0.6) / 1e6.
export const EXPECTED_COST = 0.000435;

/** Emits chat (parent) → execute_tool + a failed chat (children); returns the trace id. */
export function emitWeatherTrace(tracer: Tracer): string {
  const t0 = Date.now() - 2000;
  const chat = tracer.startSpan('chat gpt-4o-mini', {
    kind: SpanKind.CLIENT,
    startTime: t0,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: SYSTEM_PROMPT }] },
        { role: 'user', parts: [{ type: 'text', content: QUESTION }] },
      ]),
      'code.file.path': '/home/dev/weather/src/agent.ts',
      'code.line.number': 42,
      'code.function.name': 'askWeather',
      'app.request_id': 'req-42',
    },
  });
  const inChat = trace.setSpan(context.active(), chat);

  const tool = tracer.startSpan(
    'execute_tool get_weather',
    {
      kind: SpanKind.INTERNAL,
      startTime: t0 + 100,
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': 'call_1' },
    },
    inChat,
  );
  tool.end(t0 + 300);

  const failed = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      startTime: t0 + 400,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' },
    },
    inChat,
  );
  failed.recordException(new Error(RATE_LIMIT), t0 + 440);
  failed.setStatus({ code: SpanStatusCode.ERROR, message: RATE_LIMIT });
  failed.end(t0 + 450);

  chat.setAttributes({
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.cache_read.input_tokens': 200,
    'gen_ai.usage.output_tokens': 500,
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]),
  });
  chat.setStatus({ code: SpanStatusCode.OK });
  chat.end(t0 + 900);
  return chat.spanContext().traceId;
}

export function assertWeatherTrace(detail: TraceDetail, serviceName: string): void {
  const sent = `\nattributes as sent:\n${sentAttributes(detail)}`;
  const chat = spanNamed(detail, 'chat gpt-4o-mini');
  const tool = spanNamed(detail, 'execute_tool get_weather');
  const failed = spanNamed(detail, 'chat gpt-4o');

  assert.equal(chat.kind, 'llm', 'a chat operation is an llm span' + sent);
  assert.equal(chat.operation, 'chat');
  assert.equal(chat.model, 'gpt-4o-mini-2024-07-18', 'the response model wins over the request model');
  assert.equal(chat.request_model, 'gpt-4o-mini');
  assert.equal(chat.provider, 'openai');
  assert.equal(chat.input_tokens, 1000);
  assert.equal(chat.output_tokens, 500);
  assert.equal(chat.total_tokens, 1500);
  assert.equal(chat.cache_read_tokens, 200);
  assert.equal(chat.cost_source, 'computed');
  assertCost(chat.cost_usd, EXPECTED_COST, 'chat span priced from tokens, cache reads at the cache rate');
  assert.equal(chat.parent_span_id, null);
  assert.equal(chat.status, 'ok');
  assert.ok(Math.abs(chat.duration_ms - 900) < 1, `chat lasted 900 ms, got ${chat.duration_ms}`);
  assert.equal(messageText(chat.input, 'system'), SYSTEM_PROMPT);
  assert.equal(messageText(chat.input, 'user'), QUESTION);
  assert.equal(messageText(chat.output, 'assistant'), ANSWER);
  assert.equal(chat.code_file, '/home/dev/weather/src/agent.ts');
  assert.equal(chat.code_line, 42);
  assert.equal(chat.code_function, 'askWeather');
  assert.equal(chat.attributes['app.request_id'], 'req-42', 'an unknown attribute is kept');
  assert.equal(chat.service_name, serviceName);

  assert.equal(tool.kind, 'tool', 'execute_tool is a tool span' + sent);
  assert.equal(tool.parent_span_id, chat.span_id);
  assert.equal(tool.cost_usd, null, 'a tool call costs nothing');

  assert.equal(failed.kind, 'llm');
  assert.equal(failed.parent_span_id, chat.span_id);
  assert.equal(failed.status, 'error');
  assert.equal(failed.status_message, RATE_LIMIT);
  assert.equal(failed.model, 'gpt-4o');
  const exception = failed.events.find((e) => e.name === 'exception');
  assert.ok(exception, `the exception event is kept; events: ${JSON.stringify(failed.events)}`);
  assert.equal(exception.attributes['exception.message'], RATE_LIMIT);
  assert.equal(exception.attributes['exception.type'], 'Error');

  const summary = detail.trace;
  assert.equal(summary.name, 'chat gpt-4o-mini');
  assert.equal(summary.span_count, 3);
  // the root set OK after its failed call: the trace is ok, and its failed span still counts
  assert.equal(summary.status, 'ok', 'the root span says how the trace ended');
  assert.equal(summary.error_count, 1, 'the failed call is counted');
  assert.equal(summary.input_tokens, 1000);
  assert.equal(summary.output_tokens, 500);
  assertCost(summary.total_cost_usd, EXPECTED_COST, 'trace total is the one priced call');
  assert.ok(summary.models.includes('gpt-4o-mini-2024-07-18'), `models: ${JSON.stringify(summary.models)}`);
  assert.equal(summary.service_name, serviceName);
}

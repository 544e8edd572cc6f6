// Run by real-clients.test.ts in a child process (the instrumentations patch the `openai` module
// for the whole process): real OpenInference, OpenLLMetry and Vercel AI SDK instrumentation
// calling a fake OpenAI-compatible server on loopback, exported with the OpenTelemetry JS
// protobuf serializer. Prints {"openinference", "openllmetry", "vercel"} as base64 OTLP bodies.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import OpenAI from 'openai';
import * as openaiModule from 'openai';
import { OpenAIInstrumentation as OpenInferenceOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { OpenAIInstrumentation as TraceloopOpenAI } from '@traceloop/instrumentation-openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';

const usage = { prompt_tokens: 1200, completion_tokens: 20, total_tokens: 1220, prompt_tokens_details: { cached_tokens: 1024 } };

function completion(body: { messages: Array<{ role: string }>; stream?: boolean }, res: http.ServerResponse): void {
  const toolAlreadyAnswered = body.messages.some((m) => m.role === 'tool');
  const wantsTool = JSON.stringify(body).includes('"weather"') && !toolAlreadyAnswered;
  const message = wantsTool
    ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] }
    : { role: 'assistant', content: 'It is rainy in Paris.' };
  const finish = wantsTool ? 'tool_calls' : 'stop';
  if (body.stream) {
    res.setHeader('content-type', 'text/event-stream');
    const chunk = (delta: object, finish_reason: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1757000000, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta, finish_reason }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: 'It is ' }, null));
    res.write(chunk({ content: 'rainy.' }, null));
    res.write(chunk({}, 'stop', { usage }));
    res.end('data: [DONE]\n\n');
    return;
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1757000000, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, finish_reason: finish, message }], usage }));
}

function recorder() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'real-client-test' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const body = () => Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!).toString('base64');
  return { provider, body };
}

async function main(): Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => completion(JSON.parse(text), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Weather in Paris?' }] };

  const openinference = recorder();
  new OpenInferenceOpenAI({ tracerProvider: openinference.provider }).manuallyInstrument(openaiModule as never);
  await new OpenAI({ apiKey: 'test', baseURL }).chat.completions.create(chat);
  const openinferenceBody = openinference.body();

  const openllmetry = recorder();
  const traceloop = new TraceloopOpenAI({ traceContent: true } as never);
  traceloop.setTracerProvider(openllmetry.provider);
  traceloop.manuallyInstrument(OpenAI as never);
  await new OpenAI({ apiKey: 'test', baseURL }).chat.completions.create(chat);
  const openllmetryBody = openllmetry.body();

  const vercel = recorder();
  const tracer = vercel.provider.getTracer('ai');
  const model = createOpenAICompatible({ name: 'openai', baseURL, apiKey: 'test', includeUsage: true })('gpt-4o-mini');
  await generateText({
    model,
    system: 'Be brief.',
    prompt: 'Weather in Paris?',
    tools: { weather: tool({ description: 'weather', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }), execute: async ({ city }) => ({ city, weather: 'rainy' }) }) },
    stopWhen: stepCountIs(3),
    experimental_telemetry: { isEnabled: true, tracer, functionId: 'weather-bot', metadata: { sessionId: 's-1', userId: 'u-1', tags: ['demo'] } },
  });
  const stream = streamText({ model, prompt: 'Weather?', experimental_telemetry: { isEnabled: true, tracer } });
  for await (const _ of stream.textStream) void _;
  const vercelBody = vercel.body();

  server.close();
  process.stdout.write(JSON.stringify({ openinference: openinferenceBody, openllmetry: openllmetryBody, vercel: vercelBody }));
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});

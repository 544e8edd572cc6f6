// OTLP/HTTP request bodies exactly as an OpenTelemetry app sends them: spans made by the OTel JS
// SDK, serialised by the exporters' own serialisers (JSON and protobuf). Built once; every request
// then gets fresh trace and span ids by overwriting the first 4 id bytes in place, so the load
// generator spends microseconds per request and the server never sees a duplicate span.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import { CODE_FILES, MODELS, inputMessages, outputMessages, seededRandom } from './content';

export type BodyFormat = 'json' | 'protobuf';

export const CONTENT_TYPES: Record<BodyFormat, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

export interface BodyTemplate {
  format: BodyFormat;
  bytes: Buffer;
  spanCount: number;
  /** byte offsets of every id occurrence; the first 4 id bytes (8 hex chars in JSON) start there */
  idOffsets: number[];
}

function seededIds(seed: number): IdGenerator {
  const random = seededRandom(seed);
  const hex = (bytes: number) => {
    let s = '';
    for (let i = 0; i < bytes; i++) s += Math.floor(random() * 256).toString(16).padStart(2, '0');
    return s;
  };
  return { generateTraceId: () => hex(16), generateSpanId: () => hex(8) };
}

/**
 * 100 GenAI spans by default: traces of one agent run (invoke_agent) over chat calls and tool
 * executions, each span with ~1 KB of message content and the attributes instrumentations set.
 */
export function buildSpans(spanCount = 100, spansPerTrace = 10, seed = 7) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    idGenerator: seededIds(seed),
    resource: resourceFromAttributes({ 'service.name': 'invoice-agent', 'service.version': '1.4.2', 'telemetry.sdk.language': 'nodejs', 'deployment.environment.name': 'dev' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@stacklens/bench', '0.1.0');
  const now = Date.now();
  let n = 0;
  for (let t = 0; n < spanCount; t++) {
    const traceStart = now - 60_000 + t * 1000;
    const root = tracer.startSpan('invoke_agent invoice-agent', {
      kind: SpanKind.INTERNAL,
      startTime: traceStart,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'invoice-agent',
        'gen_ai.input.messages': inputMessages(n),
        'gen_ai.output.messages': outputMessages(n),
        'session.id': `sess-${t % 7}`,
        'user.id': `user-${t % 13}`,
      },
    });
    const parent = trace.setSpan(context.active(), root);
    n++;
    for (let c = 1; c < spansPerTrace && n < spanCount; c++, n++) {
      const start = traceStart + c * 80;
      const isTool = c % 4 === 0;
      const { model, provider: system } = MODELS[n % MODELS.length];
      const code = { 'code.file.path': CODE_FILES[n % CODE_FILES.length], 'code.line.number': 10 + (n % 90), 'code.function.name': 'runStep' };
      const span = isTool
        ? tracer.startSpan('execute_tool search_invoices', {
            kind: SpanKind.INTERNAL,
            startTime: start,
            attributes: {
              'gen_ai.operation.name': 'execute_tool',
              'gen_ai.tool.name': 'search_invoices',
              'gen_ai.tool.call.id': `call_${n}`,
              'gen_ai.tool.call.arguments': inputMessages(n),
              'gen_ai.tool.call.result': outputMessages(n),
              ...code,
            },
          }, parent)
        : tracer.startSpan(`chat ${model}`, {
            kind: SpanKind.CLIENT,
            startTime: start,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': system,
              'gen_ai.request.model': model,
              'gen_ai.response.model': model,
              'gen_ai.request.temperature': 0.2,
              'gen_ai.request.max_tokens': 1024,
              'gen_ai.response.id': `chatcmpl-${n}`,
              'gen_ai.response.finish_reasons': ['stop'],
              'gen_ai.usage.input_tokens': 180 + (n % 50),
              'gen_ai.usage.output_tokens': 90 + (n % 40),
              'gen_ai.usage.cache_read.input_tokens': n % 3 === 0 ? 64 : 0,
              'gen_ai.input.messages': inputMessages(n),
              'gen_ai.output.messages': outputMessages(n),
              'server.address': 'api.example.com',
              ...code,
            },
          }, parent);
      span.end(start + 60);
    }
    root.end(traceStart + spansPerTrace * 80);
  }
  const spans = exporter.getFinishedSpans();
  void provider.shutdown();
  return spans;
}

export function buildBody(format: BodyFormat, spanCount = 100): BodyTemplate {
  const spans = buildSpans(spanCount);
  const serializer = format === 'json' ? JsonTraceSerializer : ProtobufTraceSerializer;
  const bytes = Buffer.from(serializer.serializeRequest(spans)!);
  const ids = new Set<string>();
  for (const s of spans) {
    ids.add(s.spanContext().traceId);
    ids.add(s.spanContext().spanId);
  }
  const idOffsets: number[] = [];
  for (const id of ids) {
    const needle = format === 'json' ? Buffer.from(`"${id}"`) : Buffer.from(id, 'hex');
    const shift = format === 'json' ? 1 : 0;
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) idOffsets.push(at + shift);
  }
  if (idOffsets.length < ids.size) throw new Error(`the ${format} serializer wrote ids in an unexpected form: found ${idOffsets.length} of ${ids.size} ids`);
  return { format, bytes, spanCount: spans.length, idOffsets };
}

const HEX = Buffer.from('0123456789abcdef');

/** Writes request number `n` into every id of `body` (a copy of the template's bytes). */
export function stampIds(template: BodyTemplate, body: Buffer, n: number): void {
  if (template.format === 'protobuf') {
    for (const at of template.idOffsets) body.writeUInt32BE(n >>> 0, at);
    return;
  }
  for (const at of template.idOffsets) {
    for (let i = 0; i < 8; i++) body[at + i] = HEX[(n >>> (28 - i * 4)) & 15];
  }
}

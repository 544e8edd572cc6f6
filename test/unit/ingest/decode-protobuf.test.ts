import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { IngestError, decodeTraceRequest, encodeTraceResponse, normaliseTraceRequest } from '../../../extension/server/ingest';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from '../../../extension/server/ingest/otlp-schema';
import { createPricer } from '../../../extension/server/pricing';
import { bytes, otlpJson } from './otlp-body';

const pricer = createPricer();

/** Spans made by the real OpenTelemetry JS SDK, as an instrumented app makes them. */
function sdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'dev' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('my-instrumentation', '2.3.4');
  const root = tracer.startSpan('invoke_agent Planner', { kind: SpanKind.INTERNAL, startTime: [1757000000, 123456789], attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
  const llm = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      startTime: [1757000000, 200000000],
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 80,
        'gen_ai.request.temperature': 0.5,
        'gen_ai.request.stream': false,
        'gen_ai.response.finish_reasons': ['stop', 'length'],
        'gen_ai.request.stop_sequences': [],
        'app.big_number': 2 ** 60,
        'app.negative': -7,
      },
    },
    trace.setSpan(context.active(), root),
  );
  llm.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.75 }, [1757000000, 900000000]);
  llm.addLink({ context: root.spanContext(), attributes: { why: 'linked' } });
  llm.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  llm.end([1757000001, 0]);
  root.end([1757000002, 500]);
  return exporter.getFinishedSpans();
}

describe('OTLP/protobuf decoding', () => {
  it('reads the exact bytes the OpenTelemetry JS exporter sends, as it reads the same spans in OTLP/JSON', () => {
    const spans = sdkSpans();
    const protobuf = ProtobufTraceSerializer.serializeRequest(spans)!;
    const json = JsonTraceSerializer.serializeRequest(spans)!;
    const fromProtobuf = normaliseTraceRequest(decodeTraceRequest(protobuf, 'application/x-protobuf'), pricer);
    const fromJson = normaliseTraceRequest(decodeTraceRequest(json, 'application/json'), pricer);
    assert.equal(fromProtobuf.spans.length, 2);
    assert.deepEqual(fromProtobuf, fromJson);
  });

  it('turns ids into hex, nanosecond times into exact milliseconds, and keeps every attribute type', () => {
    const spans = sdkSpans();
    const { spans: out } = normaliseTraceRequest(decodeTraceRequest(ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf'), pricer);
    const llm = out.find((s) => s.name === 'chat gpt-4o')!;
    const root = out.find((s) => s.name === 'invoke_agent Planner')!;
    assert.equal(llm.trace_id, spans[0].spanContext().traceId);
    assert.equal(llm.parent_span_id, root.span_id);
    assert.equal(root.parent_span_id, null);
    assert.equal(root.start_time, 1757000000123.456789);
    assert.equal(root.end_time, 1757000002000.0005);
    assert.equal(llm.duration_ms, 800);
    assert.equal(llm.attributes['gen_ai.request.temperature'], 0.5);
    assert.equal(llm.attributes['gen_ai.request.stream'], false);
    assert.deepEqual(llm.attributes['gen_ai.response.finish_reasons'], ['stop', 'length']);
    assert.deepEqual(llm.attributes['gen_ai.request.stop_sequences'], []);
    assert.equal(llm.attributes['app.big_number'], '1152921504606846976');
    assert.equal(llm.attributes['app.negative'], -7);
    assert.equal(llm.attributes['otel.scope.name'], 'my-instrumentation');
    assert.deepEqual(llm.resource, { 'service.name': 'checkout', 'deployment.environment': 'dev', ...pickSdkResource(llm.resource) });
    assert.equal(llm.service_name, 'checkout');
    assert.equal(llm.status, 'error');
    assert.equal(llm.status_message, 'rate limited');
    assert.deepEqual(llm.events, [{ name: 'gen_ai.evaluation.result', time: 1757000000900, attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.75 } }]);
    assert.equal(llm.input_tokens, 1200);
    assert.equal(llm.cost_source, 'computed');
  });

  it('reads bytes values as base64, nested lists and maps, and integers beyond 2^53 exactly', () => {
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'),
                  spanId: Buffer.from('b7ad6b7169203331', 'hex'),
                  name: 'pb',
                  startTimeUnixNano: '1757000000000000001',
                  endTimeUnixNano: '1757000000000000002',
                  attributes: [
                    { key: 'bytes', value: { bytesValue: Buffer.from([1, 2, 3]) } },
                    { key: 'max', value: { intValue: '9223372036854775807' } },
                    { key: 'min', value: { intValue: '-9223372036854775808' } },
                    { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }] } } },
                    { key: 'empty', value: {} },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const body = ExportTraceServiceRequest.encode(message).finish();
    const [span] = normaliseTraceRequest(decodeTraceRequest(body, 'application/x-protobuf'), pricer).spans;
    assert.equal(span.trace_id, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(span.span_id, 'b7ad6b7169203331');
    assert.equal(span.attributes.bytes, 'AQID');
    assert.equal(span.attributes.max, '9223372036854775807');
    assert.equal(span.attributes.min, '-9223372036854775808');
    assert.deepEqual(span.attributes.list, ['a', { k: true }]);
    assert.equal(span.attributes.empty, null);
    assert.equal(span.start_time, 1757000000000.000001);
  });

  it('reads the deprecated instrumentation_library_spans (field 1000) of old exporters', () => {
    const ScopeSpans = ExportTraceServiceRequest.root.lookupType('opentelemetry.proto.trace.v1.ScopeSpans');
    const scope = ScopeSpans.encode(ScopeSpans.fromObject({ scope: { name: 'old-lib' }, spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'old' }] })).finish();
    // ResourceSpans { 1000: ScopeSpans } inside ExportTraceServiceRequest { 1: ResourceSpans }, written by hand
    const field1000 = Buffer.concat([Buffer.from([0xc2, 0x3e]), varint(scope.length), scope]);
    const body = Buffer.concat([Buffer.from([0x0a]), varint(field1000.length), field1000]);
    const [span] = normaliseTraceRequest(decodeTraceRequest(body, 'application/x-protobuf'), pricer).spans;
    assert.equal(span.name, 'old');
    assert.equal(span.attributes['otel.scope.name'], 'old-lib');
  });

  it('rejects a span whose id has the wrong length and keeps the rest', () => {
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(5, 1), spanId: Buffer.alloc(8, 2), name: 'bad' }, { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 3), name: 'good' }] }] }],
    });
    const result = normaliseTraceRequest(decodeTraceRequest(ExportTraceServiceRequest.encode(message).finish(), 'application/x-protobuf'), pricer);
    assert.equal(result.rejectedSpans, 1);
    assert.equal(result.errorMessage, 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 5');
    assert.deepEqual(result.spans.map((s) => s.name), ['good']);
  });

  it('reads an empty body as an empty request (proto3 encodes it so)', () => {
    assert.deepEqual(decodeTraceRequest(new Uint8Array(0), 'application/x-protobuf'), { resourceSpans: [] });
  });

  for (const [what, body] of [
    ['random bytes', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])],
    ['a JSON body sent as protobuf', bytes(otlpJson([{ name: 'x' }]))],
    ['a gzip body that was not inflated', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03])],
  ] as const) {
    it(`refuses ${what} with a 400 naming protobuf`, () => {
      assert.throws(
        () => decodeTraceRequest(body, 'application/x-protobuf'),
        (e: unknown) => e instanceof IngestError && e.status === 400 && /^body is not a valid OTLP protobuf ExportTraceServiceRequest \(.+\); was it sent as JSON or still compressed\?$/.test(e.message),
      );
    });
  }
});

describe('OTLP responses', () => {
  it('answers protobuf with an ExportTraceServiceResponse carrying partial success', () => {
    const { body, contentType } = encodeTraceResponse({ rejectedSpans: 2, errorMessage: 'spans[0].traceId: expected 16 bytes, got 5' }, 'protobuf');
    assert.equal(contentType, 'application/x-protobuf');
    const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body), { longs: Number });
    assert.deepEqual(decoded, { partialSuccess: { rejectedSpans: 2, errorMessage: 'spans[0].traceId: expected 16 bytes, got 5' } });
    // what the OpenTelemetry JS exporter reads back
    assert.deepEqual(JSON.parse(JSON.stringify(ProtobufTraceSerializer.deserializeResponse(body))), { partialSuccess: { rejectedSpans: 2, errorMessage: 'spans[0].traceId: expected 16 bytes, got 5' } });
  });

  it('answers JSON with {"partialSuccess": {}} when every span was kept', () => {
    const { body, contentType } = encodeTraceResponse({ rejectedSpans: 0, errorMessage: '' }, 'json');
    assert.equal(contentType, 'application/json');
    assert.deepEqual(JSON.parse(Buffer.from(body).toString()), { partialSuccess: {} });
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** The SDK adds telemetry.sdk.* resource attributes whose versions are not ours to pin. */
function pickSdkResource(resource: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(resource).filter(([k]) => k.startsWith('telemetry.sdk.')));
}

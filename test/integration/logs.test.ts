// POST /v1/logs: log records joined to their spans, sent by the real OpenTelemetry JS logs
// exporters (protobuf with gzip, and JSON) and by hand, against the real CLI collector.
import assert from 'node:assert/strict';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { gzipSync } from 'node:zlib';
import { startCollector, type RunningCollector } from '../support/collector';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

/** One GenAI chat span with no content of its own: the content comes as logs. */
function chatSpan(traceId: string, spanId: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'logs-test' } }] },
      scopeSpans: [{
        scope: { name: 'opentelemetry.instrumentation.openai_v2' },
        spans: [{
          traceId, spanId, name: 'chat gpt-4o-mini', kind: 3, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 800_000_000n),
          attributes: [
            { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
            { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
            { key: 'gen_ai.usage.input_tokens', value: { intValue: '21' } },
            { key: 'gen_ai.usage.output_tokens', value: { intValue: '7' } },
          ],
        }],
      }],
    }],
  };
}

/** GenAI message events as the OpenTelemetry openai-v2 instrumentation emits them, in a span's context. */
async function genAiLogRecords(traceId: string, spanId: string): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'logs-test' }), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('opentelemetry.instrumentation.openai_v2');
  const ctx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
  const t = Date.now();
  logger.emit({ eventName: 'gen_ai.system.message', body: { content: 'You are a weather bot.' }, attributes: { 'gen_ai.system': 'openai' }, context: ctx, timestamp: t });
  logger.emit({ eventName: 'gen_ai.user.message', body: { content: 'Weather in Paris?' }, attributes: { 'gen_ai.system': 'openai' }, context: ctx, timestamp: t + 1 });
  logger.emit({
    eventName: 'gen_ai.choice',
    body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Rainy, 12 °C.' } },
    attributes: { 'gen_ai.system': 'openai' }, context: ctx, timestamp: t + 700, severityNumber: SeverityNumber.INFO, severityText: 'INFO',
  });
  await provider.forceFlush();
  return memory.getFinishedLogRecords();
}

function exportWith(exporter: { export(records: ReadableLogRecord[], done: (r: ExportResult) => void): void }, records: ReadableLogRecord[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(records, resolve));
}

describe('OTLP logs joined to their spans', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  const headers = () => ({ Authorization: `Bearer ${c.token}` });

  before(async () => {
    c = await startCollector();
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
  });

  it('turns GenAI message log records (OTel protobuf exporter, gzip) into span events and the span\'s input and output', async () => {
    const traceId = hex(0xa1, 32);
    const spanId = hex(0xb1, 16);
    assert.equal((await c.request('POST', '/v1/traces', chatSpan(traceId, spanId))).status, 200);
    const exporter = new ProtoLogExporter({ url: `${c.url}/v1/logs`, headers: headers(), compression: CompressionAlgorithm.GZIP });
    const result = await exportWith(exporter, await genAiLogRecords(traceId, spanId));
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    await exporter.shutdown();

    const span = (await c.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
    assert.deepEqual(span.events.map((e: { name: string }) => e.name), ['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.choice']);
    assert.deepEqual(JSON.parse(span.input), [{ role: 'system', content: 'You are a weather bot.' }, { role: 'user', content: 'Weather in Paris?' }]);
    assert.deepEqual(JSON.parse(span.output), [{ role: 'assistant', content: 'Rainy, 12 °C.', finish_reason: 'stop' }]);
    const choice = span.events[2];
    assert.equal(choice.attributes['log.severity_text'], 'INFO');
    assert.equal(choice.attributes['gen_ai.system'], 'openai');
    assert.equal(span.input_tokens, 21, 'the span keeps its own fields');
    assert.equal(span.model, 'gpt-4o-mini');
  });

  it('takes the JSON exporter too, and a re-sent request adds nothing twice', async () => {
    const traceId = hex(0xa2, 32);
    const spanId = hex(0xb2, 16);
    await c.request('POST', '/v1/traces', chatSpan(traceId, spanId));
    const exporter = new JsonLogExporter({ url: `${c.url}/v1/logs`, headers: headers() });
    const records = await genAiLogRecords(traceId, spanId);
    assert.equal((await exportWith(exporter, records)).code, ExportResultCode.SUCCESS);
    assert.equal((await exportWith(exporter, records)).code, ExportResultCode.SUCCESS);
    await exporter.shutdown();
    const span = (await c.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
    assert.equal(span.events.length, 3);
    assert.match(span.output, /Rainy/);
  });

  it('reads gen_ai.client.inference.operation.details records (semconv 1.37) into input and output', async () => {
    const traceId = hex(0xa3, 32);
    const spanId = hex(0xb3, 16);
    await c.request('POST', '/v1/traces', chatSpan(traceId, spanId));
    const messages = (role: string, text: string) => ({ arrayValue: { values: [{ kvlistValue: { values: [
      { key: 'role', value: { stringValue: role } },
      { key: 'parts', value: { arrayValue: { values: [{ kvlistValue: { values: [{ key: 'type', value: { stringValue: 'text' } }, { key: 'content', value: { stringValue: text } }] } }] } } },
    ] } }] } });
    const body = {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{
        timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), eventName: 'gen_ai.client.inference.operation.details', traceId, spanId,
        attributes: [{ key: 'gen_ai.input.messages', value: messages('user', 'Plan my trip') }, { key: 'gen_ai.output.messages', value: messages('assistant', 'Day 1: Louvre') }],
      }] }] }],
    };
    const res = await c.request('POST', '/v1/logs', body);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { partialSuccess: {} });
    const span = (await c.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
    assert.deepEqual(JSON.parse(span.input), [{ role: 'user', content: 'Plan my trip' }]);
    assert.deepEqual(JSON.parse(span.output), [{ role: 'assistant', content: 'Day 1: Louvre' }]);
  });

  it('waits briefly for a span that is still on its way (logs are often exported first)', async () => {
    const traceId = hex(0xa4, 32);
    const spanId = hex(0xb4, 16);
    const exporter = new ProtoLogExporter({ url: `${c.url}/v1/logs`, headers: headers() });
    const exported = exportWith(exporter, await genAiLogRecords(traceId, spanId));
    await new Promise((r) => setTimeout(r, 400));
    await c.request('POST', '/v1/traces', chatSpan(traceId, spanId));
    assert.equal((await exported).code, ExportResultCode.SUCCESS);
    await exporter.shutdown();
    const span = (await c.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
    assert.equal(span.events.length, 3);
  });

  it('never acknowledges a record whose span has not arrived: 503 with Retry-After, kept once the span is there', async () => {
    const traceId = hex(0xa5, 32);
    const spanId = hex(0xb5, 16);
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ eventName: 'gen_ai.user.message', traceId, spanId, body: { stringValue: 'hello?' }, timeUnixNano: String(BigInt(Date.now()) * 1_000_000n) }] }] }] };
    const early = await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { ...headers(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(early.status, 503);
    assert.equal(early.headers.get('retry-after'), '2');
    assert.match(((await early.json()) as { error: string }).error, new RegExp(`1 log record names a span that has not arrived \\(trace ${traceId}, span ${spanId}\\)`));

    await c.request('POST', '/v1/traces', chatSpan(traceId, spanId));
    const retried = await c.request('POST', '/v1/logs', body);
    assert.equal(retried.status, 200);
    const span = (await c.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
    assert.deepEqual(JSON.parse(span.input), [{ role: 'user', content: 'hello?' }]);
  });

  it('answers records without a span as rejected (partial success) and keeps the rest', async () => {
    const traceId = hex(0xa6, 32);
    const spanId = hex(0xb6, 16);
    await c.request('POST', '/v1/traces', chatSpan(traceId, spanId));
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [
      { body: { stringValue: 'service started' }, severityText: 'INFO' },
      { body: { stringValue: 'cache miss for user 42' }, severityNumber: 'SEVERITY_NUMBER_WARN', traceId, spanId },
      { body: { stringValue: 'bad id' }, traceId: 'xyz', spanId },
    ] }] }] };
    const res = await c.request('POST', '/v1/logs', gzipSync(JSON.stringify(body)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal(res.body.partialSuccess.rejectedLogRecords, 2);
    assert.match(res.body.partialSuccess.errorMessage, /logRecords\[2\]\.traceId: expected 32 hex characters/);
    assert.match(res.body.partialSuccess.errorMessage, /1 log record without a trace_id and span_id/);
    const span = (await c.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
    assert.equal(span.events.length, 1);
    assert.deepEqual(span.events[0].attributes, { 'event.body': 'cache miss for user 42', 'log.severity_number': 13 });
    assert.equal(span.events[0].name, 'log');
  });

  it('keeps an SDK span\'s own usage counted when logs join it (its trace totals do not change)', async () => {
    const traceId = hex(0xa7, 32);
    const parent = hex(0xb7, 16);
    const sent = await c.request('POST', '/api/v1/spans', { spans: [
      { trace_id: traceId, span_id: parent, name: 'plan', model: 'gpt-4o-mini', input_tokens: 100, output_tokens: 10 },
      { trace_id: traceId, span_id: hex(0xb8, 16), parent_span_id: parent, name: 'act', model: 'gpt-4o-mini', input_tokens: 50, output_tokens: 5 },
    ] });
    assert.equal(sent.status, 200);
    const before = (await c.request('GET', `/api/v1/traces/${traceId}`)).body.trace;
    assert.equal(before.input_tokens, 150, 'both SDK spans count: neither is a wrapper');
    const res = await c.request('POST', '/v1/logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId, spanId: parent, eventName: 'gen_ai.user.message', body: { stringValue: 'plan it' } }] }] }] });
    assert.equal(res.status, 200);
    const after = (await c.request('GET', `/api/v1/traces/${traceId}`)).body;
    assert.equal(after.trace.input_tokens, 150);
    assert.equal(after.spans.find((s: { span_id: string }) => s.span_id === parent).events.length, 1);
  });

  it('refuses what it cannot read with a one-line reason', async () => {
    const wrongType = await c.request('POST', '/v1/logs', 'x', { 'content-type': 'text/plain' });
    assert.equal(wrongType.status, 415);
    const notLogs = await c.request('POST', '/v1/logs', { resourceSpans: [] });
    assert.equal(notLogs.status, 400);
    assert.match(notLogs.body.error, /no resourceLogs.*spans go to POST \/v1\/traces/);
    const badProto = await c.request('POST', '/v1/logs', new Uint8Array([0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' });
    assert.equal(badProto.status, 400);
    assert.match(badProto.body.error, /not a valid OTLP protobuf ExportLogsServiceRequest/);
    assert.equal((await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
  });
});

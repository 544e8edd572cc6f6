// The official OpenTelemetry JS exporters, configured in code, sending a GenAI-semconv trace to
// the real collector over each transport a user can pick: http/json, http/protobuf, gzip.
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startCollector, type RunningCollector } from '../../support/collector';
import { assertCost, clientTracing, readTrace } from './client-tracing';
import { assertWeatherTrace, emitWeatherTrace } from './weather-trace';

describe('OpenTelemetry JS OTLP exporters → collector', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  before(async () => {
    c = await startCollector();
  });
  after(async () => {
    await c?.stop();
  });

  const transports: Array<{ name: string; service: string; exporter: () => SpanExporter }> = [
    {
      name: 'http/json',
      service: 'weather-json',
      exporter: () => new JsonExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` } }),
    },
    {
      name: 'http/protobuf',
      service: 'weather-proto',
      exporter: () => new ProtoExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` } }),
    },
    {
      name: 'http/protobuf with gzip',
      service: 'weather-proto-gzip',
      exporter: () => new ProtoExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` }, compression: CompressionAlgorithm.GZIP }),
    },
    {
      name: 'http/json with gzip',
      service: 'weather-json-gzip',
      exporter: () => new JsonExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` }, compression: CompressionAlgorithm.GZIP }),
    },
  ];

  for (const transport of transports) {
    it(`stores kind, model, tokens, cost, parents, error and content sent over ${transport.name}`, async () => {
      const tracing = clientTracing(transport.exporter(), transport.service);
      const traceId = emitWeatherTrace(tracing.provider.getTracer('weather-app', '1.0.0'));
      await tracing.flush();
      assert.equal(tracing.exporter.exportedSpans, 3);
      assertWeatherTrace(await readTrace(c, traceId, 3), transport.service);
      await tracing.provider.shutdown();
    });
  }

  it('keeps every span of a run larger than one export batch (600 spans, batches of 512)', async () => {
    const tracing = clientTracing(new ProtoExporter({ url: `${c.url}/v1/traces`, headers: { Authorization: `Bearer ${c.token}` } }), 'big-run');
    const tracer = tracing.provider.getTracer('big-run');
    const root = tracer.startSpan('invoke_agent crawler', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    const inRoot = trace.setSpan(context.active(), root);
    for (let i = 0; i < 599; i++) {
      const step = tracer.startSpan(`chat step ${i}`, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10 } }, inRoot);
      step.end();
    }
    root.end();
    await tracing.flush();
    assert.ok(tracing.exporter.batches.length >= 2, `the exporter split the run into batches (${tracing.exporter.batches.join(', ')})`);
    const detail = await readTrace(c, root.spanContext().traceId, 600);
    assert.equal(detail.trace.span_count, 600);
    assert.equal(detail.trace.input_tokens, 59_900);
    assert.equal(detail.trace.output_tokens, 5_990);
    // 599 calls of 100 · $0.15/M + 10 · $0.60/M
    assertCost(detail.trace.total_cost_usd, 599 * 0.000021, 'the whole run');
    await tracing.provider.shutdown();
  });

  it('refuses an exporter without the token, and the exporter reports the refusal', async () => {
    const tracing = clientTracing(new JsonExporter({ url: `${c.url}/v1/traces` }), 'no-token');
    const traceId = emitWeatherTrace(tracing.provider.getTracer('weather-app'));
    await assert.rejects(tracing.provider.forceFlush(), 'the flush reports the failed export');
    assert.ok(tracing.exporter.results.length > 0, 'the exporter tried');
    assert.ok(
      tracing.exporter.results.every((r) => r.code !== 0),
      `every export without a token fails: ${JSON.stringify(tracing.exporter.results.map((r) => r.error?.message))}`,
    );
    assert.match(String(tracing.exporter.results[0].error?.message), /401|Unauthorized/i);
    const res = await c.request('GET', `/api/v1/traces/${traceId}`);
    assert.equal(res.status, 404, 'nothing of the refused trace is stored');
    await tracing.provider.shutdown().catch(() => undefined);
  });
});

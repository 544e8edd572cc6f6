// What every client compatibility test needs: a real OpenTelemetry tracer provider exporting to
// the collector, proof that each export was accepted, and reading a trace back over the HTTP API.
import assert from 'node:assert/strict';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { RunningCollector } from '../../support/collector';
import type { StoredSpan, TraceDetail } from '../../../extension/server/model';

/** Passes spans to the real exporter and remembers how each export ended. */
export class RecordingExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  /** every span handed to the exporter, as the client library made it */
  readonly spans: ReadableSpan[] = [];
  exportedSpans = 0;
  /** the size of each batch the client library handed over */
  readonly batches: number[] = [];
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    this.batches.push(spans.length);
    this.inner.export(spans, (result) => {
      this.results.push(result);
      if (result.code === ExportResultCode.SUCCESS) this.exportedSpans += spans.length;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  /** The trace id of the newest exported span that matches, as the client generated it. */
  traceIdOf(match: (span: ReadableSpan) => boolean): string {
    const span = [...this.spans].reverse().find(match);
    assert.ok(span, `no exported span matches; exported: ${JSON.stringify(this.spans.map((s) => s.name))}`);
    return span.spanContext().traceId;
  }

  /** The OTLP exporters only log failures; a test must see the collector's refusal instead. */
  assertAllAccepted(): void {
    assert.ok(this.results.length > 0, 'the exporter sent nothing');
    const failed = this.results.filter((r) => r.code !== ExportResultCode.SUCCESS);
    assert.deepEqual(failed.map((r) => String(r.error?.message ?? r.error)), [], 'every export is accepted by the collector');
  }
}

export interface ClientTracing {
  provider: BasicTracerProvider;
  exporter: RecordingExporter;
  /** forceFlush, then fail unless the collector accepted every export */
  flush(): Promise<void>;
}

/**
 * A provider as an application would set one up: a service name, one exporter, and a batch
 * processor, or the simple one (each span exported alone, as it ends: children before parents).
 */
export function clientTracing(exporter: SpanExporter, serviceName: string, processor: 'batch' | 'simple' = 'batch'): ClientTracing {
  const recording = new RecordingExporter(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [processor === 'batch' ? new BatchSpanProcessor(recording, { scheduledDelayMillis: 50 }) : new SimpleSpanProcessor(recording)],
  });
  return {
    provider,
    exporter: recording,
    async flush() {
      // forceFlush rejects when an export failed; assertAllAccepted names the failure instead.
      await provider.forceFlush().catch(() => undefined);
      recording.assertAllAccepted();
    },
  };
}

/**
 * Installs the AsyncLocalStorage context manager that `NodeTracerProvider.register()` would, so
 * client libraries nest their spans under the active one. Returns the undo, for after().
 */
export function useAsyncContext(): () => void {
  const manager = new AsyncLocalStorageContextManager().enable();
  assert.ok(context.setGlobalContextManager(manager), 'no other global context manager is installed');
  return () => context.disable();
}

/**
 * Reads a trace back until it holds `spanCount` spans: a 200 from the collector means stored,
 * but aggregates may settle a moment later, so poll briefly rather than sleep.
 */
export async function readTrace(c: RunningCollector, traceId: string, spanCount: number, timeoutMs = 5000): Promise<TraceDetail> {
  const deadline = Date.now() + timeoutMs;
  let last: { status: number; body: any } | undefined;
  while (Date.now() < deadline) {
    last = await c.request('GET', `/api/v1/traces/${traceId}`);
    if (last.status === 200 && last.body?.spans?.length >= spanCount && last.body?.trace?.span_count >= spanCount) return last.body as TraceDetail;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`trace ${traceId} did not reach ${spanCount} spans within ${timeoutMs} ms; last answer: ${last?.status} ${JSON.stringify(last?.body)?.slice(0, 2000)}`);
}

/** The one span of that name; the failure lists what the trace holds instead. */
export function spanNamed(detail: TraceDetail, name: string): StoredSpan {
  const found = detail.spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `exactly one span named ${JSON.stringify(name)} in ${JSON.stringify(detail.spans.map((s) => s.name))}`);
  return found[0];
}

/**
 * The attribute keys a client actually sent, per span: printed beside a failed assertion so a
 * normaliser gap can be reported with the real names.
 */
export function sentAttributes(detail: TraceDetail): string {
  return detail.spans.map((s) => `${s.name} [${s.kind}]: ${Object.keys(s.attributes).sort().join(', ')}`).join('\n');
}

/** Equality for floating-point money: micro-dollar rounding is the collector's business. */
export function assertCost(actual: number | null, expected: number, message: string): void {
  assert.ok(actual !== null, `${message}: cost is null, expected ${expected}`);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message}: cost ${actual}, expected ${expected}`);
}

/**
 * The text of the first message with that role in a span's stored input/output (a JSON message
 * list), or the whole text when the content is plain text.
 */
export function messageText(content: string | null, role: string): string {
  assert.ok(content !== null, `content is null, expected a ${role} message`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return content;
  }
  if (!Array.isArray(parsed)) return content;
  const message = parsed.find((m) => m && typeof m === 'object' && (m as { role?: unknown }).role === role) as { content?: unknown } | undefined;
  assert.ok(message, `no ${role} message in ${content.slice(0, 500)}`);
  return typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
}

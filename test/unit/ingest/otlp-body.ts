// Builds OTLP/JSON request bodies for tests from plain attribute maps, the way the OTLP/HTTP JSON
// mapping writes them (ints as decimal strings, ids as hex).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Span } from '../../../extension/server/model';
import { decodeTraceRequest, normaliseTraceRequest, type NormaliseResult } from '../../../extension/server/ingest';
import { createPricer, type Pricer } from '../../../extension/server/pricing';

export const T0_NS = 1757000000000000000n; // 2025-09-04T15:33:20Z
export const T0_MS = 1757000000000;
export const TRACE_ID = '0123456789abcdef0123456789abcdef';

export function anyValue(v: unknown): object {
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v !== null && typeof v === 'object') return { kvlistValue: { values: keyValues(v as Record<string, unknown>) } };
  return {};
}

export function keyValues(attributes: Record<string, unknown>): object[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export interface TestSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  /** ms after T0 */
  start?: number;
  durationMs?: number;
  attributes?: Record<string, unknown>;
  events?: Array<{ name: string; atMs?: number; attributes?: Record<string, unknown> }>;
  status?: { code: number | string; message?: string };
}

const ns = (msAfterT0: number): string => String(T0_NS + BigInt(Math.round(msAfterT0 * 1e6)));

export function otlpSpan(s: TestSpan, index = 0): Record<string, unknown> {
  const start = s.start ?? 0;
  const out: Record<string, unknown> = {
    traceId: s.traceId ?? TRACE_ID,
    spanId: s.spanId ?? (index + 1).toString(16).padStart(16, '0'),
    name: s.name ?? `span ${index}`,
    kind: s.kind ?? 1,
    startTimeUnixNano: ns(start),
    endTimeUnixNano: ns(start + (s.durationMs ?? 100)),
    attributes: keyValues(s.attributes ?? {}),
  };
  if (s.parentSpanId !== undefined) out.parentSpanId = s.parentSpanId;
  if (s.events) out.events = s.events.map((e) => ({ name: e.name, timeUnixNano: ns(start + (e.atMs ?? 0)), attributes: keyValues(e.attributes ?? {}) }));
  if (s.status) out.status = s.status;
  return out;
}

export function otlpJson(spans: TestSpan[], resource: Record<string, unknown> = { 'service.name': 'test-service' }): Record<string, unknown> {
  return { resourceSpans: [{ resource: { attributes: keyValues(resource) }, scopeSpans: [{ scope: { name: 'test', version: '1' }, spans: spans.map(otlpSpan) }] }] };
}

export function bytes(body: unknown): Uint8Array {
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

const defaultPricer = createPricer();

export function normaliseJson(body: unknown, pricer: Pricer = defaultPricer): NormaliseResult {
  return normaliseTraceRequest(decodeTraceRequest(bytes(body), 'application/json'), pricer);
}

/** One span with these attributes (and more span fields), normalised. */
export function oneSpan(attributes: Record<string, unknown>, more: TestSpan = {}, pricer?: Pricer): Span {
  const result = normaliseJson(otlpJson([{ ...more, attributes }]), pricer);
  if (result.spans.length !== 1) throw new Error(`expected one span, got ${result.spans.length}: ${result.errorMessage}`);
  return result.spans[0];
}

export function fixture(name: string): Uint8Array {
  return readFileSync(path.join(__dirname, '../../fixtures/otlp', name));
}

/** The spans of a fixture body, by span name (the fixtures use unique names). */
export function fixtureSpans(name: string, pricer?: Pricer): Map<string, Span> {
  const result = normaliseTraceRequest(decodeTraceRequest(fixture(name), 'application/json'), pricer ?? defaultPricer);
  if (result.rejectedSpans !== 0) throw new Error(`fixture ${name} had rejected spans: ${result.errorMessage}`);
  return new Map(result.spans.map((s) => [s.name, s]));
}

export function byName(spans: Map<string, Span>, name: string): Span {
  const span = spans.get(name);
  if (!span) throw new Error(`no span named ${JSON.stringify(name)} (have: ${[...spans.keys()].join(', ')})`);
  return span;
}

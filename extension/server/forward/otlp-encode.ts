// Our Span model back into an OTLP/JSON ExportTraceServiceRequest (the OTLP/HTTP spec's JSON
// mapping: hex ids, nanosecond times as decimal strings, AnyValue attributes), so any OTLP
// backend — Jaeger, Tempo, Langfuse, Phoenix, another StackLens — reads what StackLens read.
//
// Every attribute received is sent on as it was. What StackLens knows only as a Span field (the
// simple span form has no attributes for model, tokens or prompt) is added as the OTel GenAI /
// OpenInference attribute that carries it, but only when the span has no attribute of any
// convention for it already: the original instrumentation's words are never overwritten.
import type { AttributeValue, Attributes, Span, SpanKind } from '../model';
import {
  CODE_FILE_KEYS, CODE_FUNCTION_KEYS, CODE_LINE_KEYS, COST_KEYS, INPUT_TOKEN_KEYS, MODEL_REQUEST_KEYS, MODEL_RESPONSE_KEYS,
  OUTPUT_TOKEN_KEYS, PROVIDER_KEYS, SESSION_KEYS, TAG_KEYS, TOTAL_TOKEN_KEYS, CACHE_READ_KEYS, CACHE_WRITE_KEYS, REASONING_KEYS,
  USER_KEYS, spanKind,
} from '../ingest/conventions';
import { extractInput, extractOutput } from '../ingest/content';

export interface OtlpJsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number | string;
  arrayValue?: { values: OtlpJsonAnyValue[] };
  kvlistValue?: { values: OtlpJsonKeyValue[] };
}
export interface OtlpJsonKeyValue {
  key: string;
  value: OtlpJsonAnyValue;
}
export interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpJsonKeyValue[] }>;
  status: { code: number; message?: string };
}
export interface OtlpJsonRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpJsonKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version?: string }; spans: OtlpJsonSpan[] }>;
  }>;
}

const SCOPE_NAME = 'otel.scope.name';
const SCOPE_VERSION = 'otel.scope.version';
/** OTel SpanKind: a model call is a CLIENT span (GenAI semconv), everything else INTERNAL. */
const OTEL_KIND: Record<SpanKind, number> = { llm: 3, embedding: 3, retrieval: 1, tool: 1, agent: 1, eval: 1, internal: 1 };
const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export function spansToOtlp(spans: readonly Span[]): OtlpJsonRequest {
  const resources = new Map<string, { resource: Attributes; scopes: Map<string, { name: string; version: string; spans: OtlpJsonSpan[] }> }>();
  // spans of one request share their resource object: its key is computed once
  const keyOf = new Map<Attributes, string>();
  for (const span of spans) {
    let base = keyOf.get(span.resource);
    if (base === undefined) {
      base = JSON.stringify(span.resource);
      keyOf.set(span.resource, base);
    }
    const key = `${span.service_name ?? ''}\u0000${base}`;
    let entry = resources.get(key);
    if (!entry) {
      entry = { resource: resourceOf(span), scopes: new Map() };
      resources.set(key, entry);
    }
    const scopeName = typeof span.attributes[SCOPE_NAME] === 'string' ? (span.attributes[SCOPE_NAME] as string) : 'stacklens';
    const scopeVersion = typeof span.attributes[SCOPE_VERSION] === 'string' ? (span.attributes[SCOPE_VERSION] as string) : '';
    const scopeKey = `${scopeName}\u0000${scopeVersion}`;
    let scope = entry.scopes.get(scopeKey);
    if (!scope) {
      scope = { name: scopeName, version: scopeVersion, spans: [] };
      entry.scopes.set(scopeKey, scope);
    }
    scope.spans.push(spanToOtlp(span));
  }
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeSpans: [...r.scopes.values()].map((s) => ({ scope: s.version ? { name: s.name, version: s.version } : { name: s.name }, spans: s.spans })),
    })),
  };
}

function resourceOf(span: Span): Attributes {
  if (span.service_name === null || typeof span.resource['service.name'] === 'string') return span.resource;
  return { 'service.name': span.service_name, ...span.resource };
}

export function spanToOtlp(span: Span): OtlpJsonSpan {
  const out: OtlpJsonSpan = {
    traceId: span.trace_id,
    spanId: span.span_id,
    name: span.name,
    kind: OTEL_KIND[span.kind] ?? 1,
    startTimeUnixNano: msToNanos(span.start_time),
    endTimeUnixNano: msToNanos(span.end_time),
    attributes: keyValues(withSpanFields(span), new Set([SCOPE_NAME, SCOPE_VERSION])),
    events: span.events.map((e) => ({ timeUnixNano: msToNanos(e.time), name: e.name, attributes: keyValues(e.attributes) })),
    status: span.status_message ? { code: STATUS_CODE[span.status], message: span.status_message } : { code: STATUS_CODE[span.status] },
  };
  if (span.parent_span_id) out.parentSpanId = span.parent_span_id;
  return out;
}

/** The span's attributes plus what only its fields say, in the attribute the readers know. */
function withSpanFields(span: Span): Attributes {
  const a = span.attributes;
  const add: Attributes = {};
  const missing = (keys: readonly string[]) => !keys.some((k) => a[k] !== undefined && a[k] !== null && a[k] !== '');
  const put = (keys: readonly string[], key: string, value: AttributeValue | null) => {
    if (value !== null && missing(keys)) add[key] = value;
  };
  if (span.operation !== null && a['gen_ai.operation.name'] === undefined) add['gen_ai.operation.name'] = span.operation;
  put(MODEL_REQUEST_KEYS, 'gen_ai.request.model', span.request_model);
  put(MODEL_RESPONSE_KEYS, 'gen_ai.response.model', span.model);
  put(PROVIDER_KEYS, 'gen_ai.provider.name', span.provider);
  put(INPUT_TOKEN_KEYS, 'gen_ai.usage.input_tokens', span.input_tokens);
  put(OUTPUT_TOKEN_KEYS, 'gen_ai.usage.output_tokens', span.output_tokens);
  // the total is only worth saying when it is not simply input + output
  if (span.total_tokens !== null && span.total_tokens !== (span.input_tokens ?? 0) + (span.output_tokens ?? 0)) put(TOTAL_TOKEN_KEYS, 'gen_ai.usage.total_tokens', span.total_tokens);
  put(CACHE_READ_KEYS, 'gen_ai.usage.cache_read.input_tokens', span.cache_read_tokens);
  put(CACHE_WRITE_KEYS, 'gen_ai.usage.cache_creation.input_tokens', span.cache_write_tokens);
  put(REASONING_KEYS, 'gen_ai.usage.reasoning.output_tokens', span.reasoning_tokens);
  // a computed cost is StackLens's estimate from its price table: only a reported one is the sender's word
  if (span.cost_source === 'reported') put(COST_KEYS, 'stacklens.cost_usd', span.cost_usd);
  put(CODE_FILE_KEYS, 'code.file.path', span.code_file);
  put(CODE_LINE_KEYS, 'code.line.number', span.code_line);
  put(CODE_FUNCTION_KEYS, 'code.function.name', span.code_function);
  put(SESSION_KEYS, 'session.id', span.session_id);
  put(USER_KEYS, 'user.id', span.user_id);
  if (span.tags.length > 0) put(TAG_KEYS, 'tag.tags', span.tags);
  // usage that is the span's own call (SDK spans) must not be taken for a wrapper's roll-up upstream
  if (span.own_usage && a['stacklens.usage_scope'] === undefined) add['stacklens.usage_scope'] = 'self';
  if (span.input !== null && extractInput(a, span.events) === null) Object.assign(add, content('input', span.input));
  if (span.output !== null && extractOutput(a, span.events) === null) Object.assign(add, content('output', span.output));
  if (Object.keys(add).length === 0 && spanKind(a, hasUsage(span), span.model !== null) === span.kind) return a;
  const merged = { ...a, ...add };
  // the receiver must read the same kind: say it when the attributes alone would not
  if (spanKind(merged, hasUsage(span), span.model !== null) !== span.kind) merged['stacklens.kind'] = span.kind;
  return merged;
}

function hasUsage(span: Span): boolean {
  return span.input_tokens !== null || span.output_tokens !== null || span.total_tokens !== null || span.cache_read_tokens !== null || span.cache_write_tokens !== null;
}

/** OpenInference's input.value / output.value: read by Phoenix, Langfuse and StackLens alike. */
function content(side: 'input' | 'output', text: string): Attributes {
  const t = text.trimStart();
  const json = (t.startsWith('[') || t.startsWith('{')) && isJson(text);
  return json ? { [`${side}.value`]: text, [`${side}.mime_type`]: 'application/json' } : { [`${side}.value`]: text };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Epoch ms (fractional) as decimal nanoseconds. The shortest decimal that names the double is
 * used when it has at most 6 fraction digits: a time received as ...123456000 ns became
 * ...123.456 ms and goes out as ...123456000 again, not as the double's binary expansion
 * (...123456054). Otherwise whole ms and the rounded remainder are taken apart.
 */
export function msToNanos(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  const decimal = /^(\d+)(?:\.(\d{1,6}))?$/.exec(String(ms));
  if (decimal) return String(BigInt(decimal[1]) * 1_000_000n + BigInt((decimal[2] ?? '').padEnd(6, '0')));
  let whole = Math.floor(ms);
  let rest = Math.round((ms - whole) * 1e6);
  if (rest >= 1e6) {
    whole += 1;
    rest -= 1e6;
  }
  return rest === 0 ? `${whole}000000` : `${whole}${String(rest).padStart(6, '0')}`;
}

export function keyValues(attributes: Attributes, skip?: Set<string>): OtlpJsonKeyValue[] {
  const out: OtlpJsonKeyValue[] = [];
  for (const key in attributes) {
    if (skip?.has(key)) continue;
    out.push({ key, value: anyValue(attributes[key]) });
  }
  return out;
}

export function anyValue(v: AttributeValue): OtlpJsonAnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: Number.isFinite(v) ? v : String(v) };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v !== null && typeof v === 'object') return { kvlistValue: { values: keyValues(v) } };
  return {};
}

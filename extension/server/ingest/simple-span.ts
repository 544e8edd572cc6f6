// The simple span form of POST /api/v1/spans (docs/simple-span-format.md): seed 001's trace() /
// record_llm() fields in snake_case plus identity and timing. Validation is all-or-nothing per
// request: the first invalid field anywhere throws an IngestError naming it
// (`spans[3].input_tokens: expected a non-negative integer, got "ten"`), so a client can fix and
// resend the whole batch. Fields the format does not define are kept as attributes.
import { randomBytes } from 'node:crypto';
import type { Attributes, Span, SpanEvent, SpanKind, SpanStatus } from '../model';
import { SPAN_KINDS } from '../model';
import type { Pricer } from '../pricing';
import { IngestError, describeType } from './errors';
import { canonicalProvider } from './provider';

export interface SimpleSpansResult {
  spans: Span[];
  /** true when the body was one span object, false for {"spans": [...]} */
  single: boolean;
}

type Obj = Record<string, unknown>;

const KNOWN_FIELDS = new Set([
  'name', 'trace_id', 'span_id', 'parent_span_id', 'kind', 'start_time', 'end_time', 'duration_ms', 'model', 'provider',
  'input_tokens', 'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd',
  'temperature', 'max_tokens', 'prompt', 'completion', 'is_streaming', 'finish_reason', 'attributes', 'tags', 'status',
  'status_message', 'code_file', 'code_line', 'code_function', 'session_id', 'user_id', 'service_name', 'events',
]);

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Reads one span's fields; `at` prefixes every error with the span's place in the body. */
class SpanFields {
  constructor(private readonly o: Obj, private readonly at: string) {}

  fail(field: string, expected: string): never {
    throw new IngestError(`${this.at}${field}: expected ${expected}, got ${describeType(this.o[field])}`);
  }

  has(field: string): boolean {
    return this.o[field] !== undefined && this.o[field] !== null;
  }

  string(field: string): string | null {
    if (!this.has(field)) return null;
    const v = this.o[field];
    return typeof v === 'string' ? v : this.fail(field, 'a string');
  }

  count(field: string): number | null {
    if (!this.has(field)) return null;
    const v = this.o[field];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : this.fail(field, 'a non-negative integer');
  }

  number(field: string, nonNegative = false): number | null {
    if (!this.has(field)) return null;
    const v = this.o[field];
    return typeof v === 'number' && Number.isFinite(v) && (!nonNegative || v >= 0) ? v : this.fail(field, nonNegative ? 'a non-negative number' : 'a number');
  }

  time(field: string): number | null {
    if (!this.has(field)) return null;
    const v = this.o[field];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    if (typeof v === 'string') {
      const ms = Date.parse(v);
      if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}/.test(v)) return ms;
    }
    return this.fail(field, 'epoch milliseconds or an ISO 8601 date-time string');
  }

  id(field: string, bytes: 16 | 8): string | null {
    if (!this.has(field)) return null;
    let v = this.o[field];
    if (typeof v === 'string' && bytes === 16 && v.length === 36 && /^[0-9a-fA-F-]+$/.test(v)) v = v.replace(/-/g, '');
    if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(v)) {
      return this.fail(field, `${bytes * 2} hex characters${bytes === 16 ? ' (or a UUID)' : ''}`);
    }
    if (/^0+$/.test(v)) throw new IngestError(`${this.at}${field}: is all zeros, which is not a valid id`);
    return v.toLowerCase();
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T | null {
    if (!this.has(field)) return null;
    const v = this.o[field];
    return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(field, `one of ${allowed.join(', ')}`);
  }

  strings(field: string): string[] {
    if (!this.has(field)) return [];
    const v = this.o[field];
    if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) return this.fail(field, 'an array of strings');
    return v as string[];
  }

  object(field: string): Obj | null {
    if (!this.has(field)) return null;
    const v = this.o[field];
    return isObj(v) ? v : this.fail(field, 'an object');
  }

  events(startTime: number): SpanEvent[] {
    if (!this.has('events')) return [];
    const list = this.o.events;
    if (!Array.isArray(list)) return this.fail('events', 'an array of {name, time?, attributes?}');
    return list.map((e, i) => {
      if (!isObj(e)) throw new IngestError(`${this.at}events[${i}]: expected an object {name, time?, attributes?}, got ${describeType(e)}`);
      const fields = new SpanFields(e, `${this.at}events[${i}].`);
      const name = fields.string('name');
      if (name === null || name === '') throw new IngestError(`${this.at}events[${i}].name: required: a non-empty string`);
      return { name, time: fields.time('time') ?? startTime, attributes: (fields.object('attributes') ?? {}) as Attributes };
    });
  }
}

function newId(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function parseOne(o: unknown, at: string, pricer: Pricer, now: number): { span: Span; explicitTrace: boolean } {
  if (!isObj(o)) throw new IngestError(`${at ? at.slice(0, -1) : 'body'}: expected a span object, got ${describeType(o)}`);
  const f = new SpanFields(o, at);
  const name = f.string('name');
  if (name === null || name.trim() === '') throw new IngestError(`${at}name: required: a non-empty string naming the operation`);

  const traceId = f.id('trace_id', 16);
  const spanId = f.id('span_id', 8) ?? newId(8);
  const parentSpanId = f.id('parent_span_id', 8);

  const duration = f.number('duration_ms', true);
  let start = f.time('start_time');
  let end = f.time('end_time');
  if (start !== null && end !== null && end < start) {
    throw new IngestError(`${at}end_time: must not precede start_time (end ${new Date(end).toISOString()} < start ${new Date(start).toISOString()})`);
  }
  if (start === null) start = end !== null ? end - (duration ?? 0) : now - (duration ?? 0);
  if (end === null) end = start + (duration ?? 0);

  const model = f.string('model');
  const providerName = f.string('provider');
  const provider = providerName === null || providerName === '' ? null : canonicalProvider(providerName);
  const input = f.count('input_tokens');
  const output = f.count('output_tokens');
  const total = f.count('total_tokens') ?? (input !== null || output !== null ? (input ?? 0) + (output ?? 0) : null);
  const cacheRead = f.count('cache_read_tokens');
  const cacheWrite = f.count('cache_write_tokens');
  const reasoning = f.count('reasoning_tokens');
  const reportedCost = f.number('cost_usd', true);
  const kind: SpanKind = f.oneOf('kind', SPAN_KINDS) ?? (model !== null ? 'llm' : 'internal');
  const status: SpanStatus = f.oneOf('status', ['ok', 'error'] as const) ?? 'ok';

  // Object.assign / spread define keys as own data properties, so a `__proto__` key stays a key.
  const attributes: Attributes = { ...((f.object('attributes') ?? {}) as Attributes) };
  for (const key of Object.keys(o)) if (!KNOWN_FIELDS.has(key)) Object.defineProperty(attributes, key, { value: o[key], enumerable: true, writable: true, configurable: true });
  const temperature = f.number('temperature');
  if (temperature !== null) attributes['gen_ai.request.temperature'] = temperature;
  const maxTokens = f.number('max_tokens', true);
  if (maxTokens !== null) attributes['gen_ai.request.max_tokens'] = maxTokens;
  if (f.has('is_streaming')) {
    if (typeof o.is_streaming !== 'boolean') f.fail('is_streaming', 'true or false');
    attributes['stacklens.is_streaming'] = o.is_streaming as boolean;
  }
  const finishReason = f.string('finish_reason');
  if (finishReason !== null) attributes['gen_ai.response.finish_reasons'] = [finishReason];

  const codeLine = f.count('code_line');
  const tokens = { model, provider, input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite };
  const price = reportedCost !== null ? { cost_usd: reportedCost, cost_source: 'reported' as const } : pricer.price(tokens, new Date(start));

  const span: Span = {
    trace_id: traceId ?? newId(16),
    span_id: spanId,
    parent_span_id: parentSpanId,
    name,
    kind,
    start_time: start,
    end_time: end,
    duration_ms: end - start,
    status,
    status_message: f.string('status_message'),
    service_name: f.string('service_name'),
    operation: null,
    model,
    request_model: model,
    provider,
    input_tokens: input,
    output_tokens: output,
    total_tokens: total,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: reasoning,
    cost_usd: price.cost_usd,
    cost_source: price.cost_source,
    // the SDKs record each model call on its own span: never a roll-up of the children's usage
    own_usage: true,
    input: f.string('prompt'),
    output: f.string('completion'),
    attributes,
    resource: {},
    tags: [...new Set(f.strings('tags'))],
    events: f.events(start),
    code_file: f.string('code_file'),
    code_line: codeLine === 0 ? null : codeLine,
    code_function: f.string('code_function'),
    session_id: f.string('session_id'),
    user_id: f.string('user_id'),
  };
  return { span, explicitTrace: traceId !== null };
}

export function parseSimpleSpans(body: unknown, pricer: Pricer): SimpleSpansResult {
  const now = Date.now();
  if (isObj(body) && 'spans' in body) {
    const list = body.spans;
    if (!Array.isArray(list)) throw new IngestError(`spans: expected an array of span objects, got ${describeType(list)}`);
    if (list.length === 0) throw new IngestError('spans: the list is empty; send at least one span');
    const parsed = list.map((s, i) => parseOne(s, `spans[${i}].`, pricer, now));
    inheritTraceIds(parsed);
    return { spans: parsed.map((p) => p.span), single: false };
  }
  if (!isObj(body)) throw new IngestError(`body: expected one span object or {"spans": [...]}, got ${describeType(body)}`);
  return { spans: [parseOne(body, '', pricer, now).span], single: true };
}

/**
 * A span sent without trace_id whose parent is in the same batch belongs to its parent's trace,
 * so a batch of related spans needs ids only where the sender has them.
 */
function inheritTraceIds(parsed: Array<{ span: Span; explicitTrace: boolean }>): void {
  const bySpanId = new Map(parsed.map((p) => [p.span.span_id, p]));
  const resolving = new Set<string>();
  const traceOf = (p: { span: Span; explicitTrace: boolean }): string => {
    if (p.explicitTrace || p.span.parent_span_id === null) return p.span.trace_id;
    const parent = bySpanId.get(p.span.parent_span_id);
    if (!parent || resolving.has(p.span.span_id)) return p.span.trace_id;
    resolving.add(p.span.span_id);
    p.span.trace_id = traceOf(parent);
    p.explicitTrace = true;
    resolving.delete(p.span.span_id);
    return p.span.trace_id;
  };
  for (const p of parsed) traceOf(p);
}

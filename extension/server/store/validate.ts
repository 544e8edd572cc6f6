// The store's own check of what it is asked to keep. The collector normalises first; this guards
// the journal against a span that would break replay or aggregates, and names what is wrong.
import { SPAN_KINDS, type CostSource, type Score, type Span } from '../model';
import type { NewScore } from './api';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const STATUSES = ['ok', 'error', 'unset'];
const COST_SOURCES = ['reported', 'computed', 'unpriced'];
const SCORE_SOURCES = ['sdk', 'api', 'otel', 'eval', 'human'];

/** Thrown by ingest() when some spans were refused; the valid ones were stored all the same. */
export class StoreInputError extends Error {
  override name = 'StoreInputError';
  constructor(
    message: string,
    /** how many spans of the batch were stored */
    readonly accepted: number,
    /** one line per refused span, e.g. `spans[3].start_time: expected ...` */
    readonly problems: string[],
  ) {
    super(message);
  }
}

class Problem extends Error {}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? (Array.isArray(v) ? 'an array' : 'an object') : String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function fail(field: string, expected: string, got: unknown): never {
  throw new Problem(`${field}: expected ${expected}, got ${show(got)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function id(v: unknown, field: string, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) fail(field, what, v);
  return v;
}

function str(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(field, 'a string or null', v);
  return v;
}

function finiteMs(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'a finite number of milliseconds', v);
  return v;
}

/** 9999-12-31T23:59:59.999Z: later "milliseconds" are nanoseconds or microseconds sent by mistake. */
const LAST_EPOCH_MS = 253_402_300_799_999;

/** A moment: dates are printed and grouped by day, which JavaScript cannot do past year 275760. */
function moment(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > LAST_EPOCH_MS) {
    fail(field, `epoch milliseconds from 0 to ${LAST_EPOCH_MS} (years 1970–9999; nanoseconds sent as milliseconds?)`, v);
  }
  return v;
}

/** Token counts and costs: so large that no sum of them can overflow to Infinity in a total. */
const MAX_COUNT = 1e15;

function count(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_COUNT) fail(field, 'a non-negative number up to 1e15, or null', v);
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly string[], fallback?: T): T {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v)) fail(field, `one of ${allowed.join(', ')}`, v);
  return v as T;
}

function checkSpan(raw: unknown, at: string): Span {
  if (!isPlainObject(raw)) fail(at, 'a span object', raw);
  const f = (name: string) => `${at}.${name}`;
  const start = moment(raw.start_time, f('start_time'));
  const end = moment(raw.end_time, f('end_time'));
  const duration = raw.duration_ms === undefined ? end - start : finiteMs(raw.duration_ms, f('duration_ms'));
  const obj = (name: string) => {
    const v = raw[name];
    if (v === undefined) return {};
    if (!isPlainObject(v)) fail(f(name), 'an object', v);
    return v as Span['attributes'];
  };
  const tags = raw.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) fail(f('tags'), 'an array of strings', tags);
  const events = raw.events ?? [];
  if (!Array.isArray(events)) fail(f('events'), 'an array', events);
  events.forEach((e, i) => {
    if (!isPlainObject(e) || typeof e.name !== 'string') fail(`${f('events')}[${i}]`, 'an event with a name', e);
    moment(e.time, `${f('events')}[${i}].time`);
    if (e.attributes !== undefined && !isPlainObject(e.attributes)) fail(`${f('events')}[${i}].attributes`, 'an object', e.attributes);
  });
  const codeLine = count(raw.code_line, f('code_line'));
  if (codeLine !== null && !Number.isInteger(codeLine)) fail(f('code_line'), 'an integer line number', codeLine);
  if (typeof raw.name !== 'string') fail(f('name'), 'a string', raw.name);
  return {
    trace_id: id(raw.trace_id, f('trace_id'), TRACE_ID, '32 lower-case hex digits'),
    span_id: id(raw.span_id, f('span_id'), SPAN_ID, '16 lower-case hex digits'),
    parent_span_id: raw.parent_span_id == null ? null : id(raw.parent_span_id, f('parent_span_id'), SPAN_ID, '16 lower-case hex digits or null'),
    name: raw.name,
    kind: oneOf(raw.kind, f('kind'), SPAN_KINDS),
    start_time: start,
    end_time: end,
    duration_ms: duration,
    status: oneOf(raw.status, f('status'), STATUSES, 'unset'),
    status_message: str(raw.status_message, f('status_message')),
    service_name: str(raw.service_name, f('service_name')),
    operation: str(raw.operation, f('operation')),
    model: str(raw.model, f('model')),
    request_model: str(raw.request_model, f('request_model')),
    provider: str(raw.provider, f('provider')),
    input_tokens: count(raw.input_tokens, f('input_tokens')),
    output_tokens: count(raw.output_tokens, f('output_tokens')),
    total_tokens: count(raw.total_tokens, f('total_tokens')),
    cache_read_tokens: count(raw.cache_read_tokens, f('cache_read_tokens')),
    cache_write_tokens: count(raw.cache_write_tokens, f('cache_write_tokens')),
    reasoning_tokens: count(raw.reasoning_tokens, f('reasoning_tokens')),
    cost_usd: count(raw.cost_usd, f('cost_usd')),
    cost_source: raw.cost_source == null ? null : oneOf<CostSource>(raw.cost_source, f('cost_source'), COST_SOURCES),
    ...(raw.own_usage === true ? { own_usage: true } : {}),
    input: str(raw.input, f('input')),
    output: str(raw.output, f('output')),
    attributes: obj('attributes'),
    resource: obj('resource'),
    tags: tags as string[],
    events: events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes ?? {} })),
    code_file: str(raw.code_file, f('code_file')),
    code_line: codeLine,
    code_function: str(raw.code_function, f('code_function')),
    session_id: str(raw.session_id, f('session_id')),
    user_id: str(raw.user_id, f('user_id')),
  };
}

/** Splits a batch into the spans to store and one line per refused span. */
export function checkSpans(batch: unknown[]): { spans: Span[]; problems: string[] } {
  const spans: Span[] = [];
  const problems: string[] = [];
  batch.forEach((raw, i) => {
    try {
      spans.push(checkSpan(raw, `spans[${i}]`));
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      problems.push(err.message);
    }
  });
  return { spans, problems };
}

export function checkScore(raw: NewScore, makeId: () => string, now: number): Score {
  try {
    if (!isPlainObject(raw)) fail('score', 'an object', raw);
    if (typeof raw.trace_id !== 'string' || raw.trace_id === '') fail('score.trace_id', 'a trace id', raw.trace_id);
    if (typeof raw.name !== 'string' || raw.name.trim() === '') fail('score.name', 'a non-empty string', raw.name);
    if (typeof raw.value !== 'number' || !Number.isFinite(raw.value)) fail('score.value', 'a finite number', raw.value);
    const createdAt = raw.created_at === undefined ? now : moment(raw.created_at, 'score.created_at');
    const scoreId = raw.score_id === undefined ? makeId() : str(raw.score_id, 'score.score_id');
    if (!scoreId) fail('score.score_id', 'a non-empty string', raw.score_id);
    return {
      score_id: scoreId,
      trace_id: raw.trace_id,
      span_id: str(raw.span_id, 'score.span_id'),
      name: raw.name,
      value: raw.value,
      label: str(raw.label, 'score.label'),
      reason: str(raw.reason, 'score.reason'),
      source: oneOf(raw.source, 'score.source', SCORE_SOURCES),
      created_at: createdAt,
    };
  } catch (err) {
    if (err instanceof Problem) throw new StoreInputError(`score refused: ${err.message}`, 0, [err.message]);
    throw err;
  }
}

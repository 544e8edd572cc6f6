// The `stacklens` header of a trace file, checked field by field: a wrong value is named by its
// path (`stacklens.scores[2].value: expected a finite number, got "high"`).
import type { Score, TraceSummary } from '../model';
import { TRACE_FILE_FORMAT, TraceFileError } from './format';

/** A trace as the header lists it: at least id, name and span count; the rest of the summary when the exporter wrote it. */
export type ListedTrace = Partial<TraceSummary> & Pick<TraceSummary, 'trace_id' | 'name' | 'span_count'>;

export interface CheckedHeader {
  traces: ListedTrace[];
  scores: Score[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)).slice(0, 60));
const SOURCES: Score['source'][] = ['sdk', 'api', 'otel', 'eval', 'human'];
const TRACE_ID = /^[0-9a-f]{32}$/;

function fail(path: string, expected: string, got: unknown): never {
  throw new TraceFileError(`${path}: expected ${expected}, got ${show(got)}`);
}

export function checkHeader(json: unknown): CheckedHeader {
  if (!isObj(json)) fail('the file', 'a JSON object {"stacklens": {...}, "resourceSpans": [...]}', json);
  const h = json.stacklens;
  if (h === undefined) throw new TraceFileError('stacklens: missing: this is not a .stacklens.json trace file (a plain OTLP request goes to POST /v1/traces)');
  if (!isObj(h)) fail('stacklens', 'an object', h);
  if (h.format !== TRACE_FILE_FORMAT) {
    const newer = typeof h.format === 'number' && h.format > TRACE_FILE_FORMAT ? ' (written by a newer StackLens: update this one to read it)' : '';
    throw new TraceFileError(`stacklens.format: expected ${TRACE_FILE_FORMAT}, got ${show(h.format)}${newer}`);
  }
  for (const key of ['exported_at', 'exporter'] as const) if (h[key] !== undefined && typeof h[key] !== 'string') fail(`stacklens.${key}`, 'a string', h[key]);
  if (!Array.isArray(h.traces)) fail('stacklens.traces', 'an array of {trace_id, name, span_count}', h.traces);
  const seen = new Set<string>();
  const traces = h.traces.map((t, i) => {
    const listed = checkTrace(t, `stacklens.traces[${i}]`);
    if (seen.has(listed.trace_id)) throw new TraceFileError(`stacklens.traces[${i}].trace_id: ${listed.trace_id} is listed twice`);
    seen.add(listed.trace_id);
    return listed;
  });
  const scores = h.scores === undefined ? [] : Array.isArray(h.scores) ? h.scores.map((s, i) => checkScore(s, `stacklens.scores[${i}]`)) : fail('stacklens.scores', 'an array', h.scores);
  return { traces, scores };
}

const SUMMARY_NUMBERS = ['start_time', 'end_time', 'duration_ms', 'llm_call_count', 'error_count', 'total_cost_usd', 'unpriced_call_count', 'input_tokens', 'output_tokens'] as const;

function checkTrace(t: unknown, path: string): ListedTrace {
  if (!isObj(t)) fail(path, 'an object {trace_id, name, span_count}', t);
  if (typeof t.trace_id !== 'string' || !TRACE_ID.test(t.trace_id)) fail(`${path}.trace_id`, '32 lower-case hex characters', t.trace_id);
  if (typeof t.name !== 'string') fail(`${path}.name`, 'a string', t.name);
  if (!Number.isInteger(t.span_count) || (t.span_count as number) < 0) fail(`${path}.span_count`, 'a whole number', t.span_count);
  for (const key of SUMMARY_NUMBERS) if (t[key] !== undefined && !Number.isFinite(t[key])) fail(`${path}.${key}`, 'a number', t[key]);
  if (t.status !== undefined && !['ok', 'error', 'unset'].includes(t.status as string)) fail(`${path}.status`, 'ok, error or unset', t.status);
  for (const key of ['tags', 'models'] as const) {
    if (t[key] !== undefined && !(Array.isArray(t[key]) && (t[key] as unknown[]).every((v) => typeof v === 'string'))) fail(`${path}.${key}`, 'an array of strings', t[key]);
  }
  for (const key of ['service_name', 'session_id', 'user_id'] as const) {
    if (t[key] !== undefined && t[key] !== null && typeof t[key] !== 'string') fail(`${path}.${key}`, 'a string or null', t[key]);
  }
  return t as unknown as ListedTrace;
}

function checkScore(s: unknown, path: string): Score {
  if (!isObj(s)) fail(path, 'an object {score_id, trace_id, span_id, name, value, ...}', s);
  if (typeof s.score_id !== 'string' || s.score_id === '') fail(`${path}.score_id`, 'a non-empty string', s.score_id);
  if (typeof s.trace_id !== 'string' || !TRACE_ID.test(s.trace_id)) fail(`${path}.trace_id`, '32 lower-case hex characters', s.trace_id);
  const spanId = s.span_id ?? null;
  if (spanId !== null && (typeof spanId !== 'string' || !/^[0-9a-f]{16}$/.test(spanId))) fail(`${path}.span_id`, '16 lower-case hex characters or null', spanId);
  if (typeof s.name !== 'string' || s.name.trim() === '') fail(`${path}.name`, 'a non-empty string', s.name);
  if (typeof s.value !== 'number' || !Number.isFinite(s.value)) fail(`${path}.value`, 'a finite number', s.value);
  for (const key of ['label', 'reason'] as const) if (s[key] !== undefined && s[key] !== null && typeof s[key] !== 'string') fail(`${path}.${key}`, 'a string or null', s[key]);
  const source = s.source ?? 'api';
  if (!SOURCES.includes(source as Score['source'])) fail(`${path}.source`, SOURCES.join(', '), source);
  const createdAt = s.created_at;
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) fail(`${path}.created_at`, 'epoch milliseconds', createdAt);
  // built field by field: a score keeps exactly the model's fields, in the store's order
  return {
    score_id: s.score_id as string,
    trace_id: s.trace_id as string,
    span_id: spanId as string | null,
    name: s.name as string,
    value: s.value as number,
    label: (s.label as string | null | undefined) ?? null,
    reason: (s.reason as string | null | undefined) ?? null,
    source: source as Score['source'],
    created_at: createdAt,
  };
}

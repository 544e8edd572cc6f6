// Reading traces: the newest-first list with its filters (each served by an index), one trace with
// its spans (content read back from the journal) and scores.
import { OWN_USAGE } from './span-facts';
import type { Score, SpanKind, SpanStatus, StoredSpan, TraceDetail, TraceFilter, TraceSummary } from '../model';
import { readContent, type ContentColumns } from './content';
import type { Db, Param, Row } from './database';
import type { JournalReader } from './journal';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export class QueryInputError extends Error {
  override name = 'QueryInputError';
}

function epoch(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new QueryInputError(`${field}: expected epoch milliseconds, got ${JSON.stringify(v)}`);
  return v;
}

function text(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new QueryInputError(`${field}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

export function listTraces(db: Db, filter: TraceFilter = {}): TraceSummary[] {
  const limitIn = filter.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limitIn) || limitIn < 1) throw new QueryInputError(`limit: expected a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(filter.limit)}`);
  const limit = Math.min(limitIn, MAX_LIMIT);
  const model = text(filter.model, 'model');
  const tag = text(filter.tag, 'tag');
  const q = text(filter.q, 'q')?.trim().toLowerCase();
  const status = text(filter.status, 'status');
  if (status !== undefined && !['ok', 'error', 'unset'].includes(status)) throw new QueryInputError(`status: expected ok, error or unset, got ${JSON.stringify(status)}`);

  // A model or tag filter walks its own (key, start_time) index newest first; otherwise traces'.
  let from = 'traces t';
  let time = 't.start_time';
  const where: string[] = [];
  const params: Param[] = [];
  if (model !== undefined) {
    from = 'trace_models d JOIN traces t ON t.trace_id = d.trace_id';
    time = 'd.start_time';
    where.push('d.model = ?');
    params.push(model);
    if (tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM tags g WHERE g.trace_id = t.trace_id AND g.tag = ?)');
      params.push(tag);
    }
  } else if (tag !== undefined) {
    from = 'tags d JOIN traces t ON t.trace_id = d.trace_id';
    time = 'd.start_time';
    where.push('d.tag = ?');
    params.push(tag);
  }
  const since = epoch(filter.since, 'since');
  const until = epoch(filter.until, 'until');
  const before = epoch(filter.before, 'before');
  const bound = (op: string, value: number | undefined) => {
    if (value === undefined) return;
    where.push(`${time} ${op} ?`);
    params.push(value);
  };
  bound('>=', since);
  bound('<', until);
  bound('<', before);
  // "error" finds every trace where something failed, the ones whose root recovered included;
  // "ok" means the trace did not end in error (most instrumentations leave successes unset)
  if (status === 'error') where.push(`(t.status = 'error' OR t.error_count > 0)`);
  else if (status === 'ok') where.push(`t.status <> 'error'`);
  else if (status === 'unset') where.push(`t.status = 'unset'`);
  if (q) {
    if (/^[0-9a-f]{16}$/.test(q)) {
      where.push('(instr(t.search, ?) > 0 OR t.trace_id IN (SELECT trace_id FROM spans WHERE span_id = ?))');
      params.push(q, q);
    } else {
      where.push('instr(t.search, ?) > 0');
      params.push(q);
    }
  }
  // Ids first: the filters are answered from covering indexes, and only `limit` rows are read whole.
  const sql = `SELECT t.trace_id FROM ${from} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${time} DESC LIMIT ?`;
  const ids = db.values(sql, [...params, limit]).map((r) => r[0] as string);
  if (ids.length === 0) return [];
  const rows = new Map(db.all(`SELECT * FROM traces WHERE trace_id IN (${ids.map(() => '?').join(', ')})`, ids).map((r) => [r.trace_id as string, r]));
  return ids.map((id) => toSummary(rows.get(id)!));
}

export function hasTrace(db: Db, traceId: string): boolean {
  return db.get('SELECT 1 AS x FROM traces WHERE trace_id = ?', [traceId]) !== undefined;
}

export function getTrace(db: Db, reader: JournalReader, traceId: string, warn: (message: string) => void): TraceDetail | null {
  const trace = db.get('SELECT * FROM traces WHERE trace_id = ?', [traceId]);
  if (!trace) return null;
  const spans = db.all('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_time, span_id', [traceId]).map((row) => toSpan(row, reader, warn));
  const scores = db.all('SELECT * FROM scores WHERE trace_id = ? ORDER BY created_at, score_id', [traceId]).map(toScore);
  return { trace: toSummary(trace), spans, scores };
}

export function toSummary(r: Row): TraceSummary {
  return {
    trace_id: r.trace_id as string,
    name: r.name as string,
    start_time: r.start_time as number,
    end_time: r.end_time as number,
    duration_ms: r.duration_ms as number,
    span_count: r.span_count as number,
    llm_call_count: r.llm_call_count as number,
    error_count: r.error_count as number,
    total_cost_usd: r.total_cost_usd as number,
    unpriced_call_count: r.unpriced_call_count as number,
    input_tokens: r.input_tokens as number,
    output_tokens: r.output_tokens as number,
    status: r.status as SpanStatus,
    tags: JSON.parse(r.tags as string) as string[],
    models: JSON.parse(r.models as string) as string[],
    service_name: r.service_name as string | null,
    session_id: r.session_id as string | null,
    user_id: r.user_id as string | null,
  };
}

export function toScore(r: Row): Score {
  return {
    score_id: r.score_id as string,
    trace_id: r.trace_id as string,
    span_id: r.span_id as string | null,
    name: r.name as string,
    value: r.value as number,
    label: r.label as string | null,
    reason: r.reason as string | null,
    source: r.source as Score['source'],
    created_at: r.created_at as number,
  };
}

function toSpan(r: Row, reader: JournalReader, warn: (message: string) => void): StoredSpan {
  const n = (k: string) => r[k] as number | null;
  const s = (k: string) => r[k] as string | null;
  const content = readContent(reader, r as unknown as ContentColumns, (why) => warn(`span ${r.span_id as string} of trace ${r.trace_id as string}: ${why}`));
  return {
    trace_id: r.trace_id as string,
    span_id: r.span_id as string,
    parent_span_id: s('parent_span_id'),
    name: r.name as string,
    kind: r.kind as SpanKind,
    start_time: r.start_time as number,
    end_time: r.end_time as number,
    duration_ms: r.duration_ms as number,
    status: r.status as SpanStatus,
    status_message: s('status_message'),
    service_name: s('service_name'),
    operation: s('operation'),
    model: s('model'),
    request_model: s('request_model'),
    provider: s('provider'),
    input_tokens: n('input_tokens'),
    output_tokens: n('output_tokens'),
    total_tokens: n('total_tokens'),
    cache_read_tokens: n('cache_read_tokens'),
    cache_write_tokens: n('cache_write_tokens'),
    reasoning_tokens: n('reasoning_tokens'),
    cost_usd: n('cost_usd'),
    cost_source: s('cost_source') as StoredSpan['cost_source'],
    ...(r.has_usage === OWN_USAGE ? { own_usage: true } : {}),
    input: content.input,
    output: content.output,
    attributes: content.attributes,
    resource: content.resource,
    tags: JSON.parse(r.tags as string) as string[],
    events: content.events,
    code_file: s('code_file'),
    code_line: n('code_line'),
    code_function: s('code_function'),
    session_id: s('session_id'),
    user_id: s('user_id'),
    usage_counted: r.usage_counted === 1,
  };
}

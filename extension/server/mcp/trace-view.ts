// Traces as a coding agent reads them through MCP: what failed first and where in the code, then
// the span tree, with content cut to a preview (an agent's context is small and a trace can hold
// megabytes of prompts) and a flag saying so, so it knows to ask get_span for all of it.
import type { Score, StoredSpan, TraceDetail, TraceSummary } from '../model';

export interface TraceViewOptions {
  /** characters of each input/output shown (default 600) */
  maxChars: number;
  /** spans listed (errors are always listed) (default 200) */
  maxSpans: number;
  fullContent: boolean;
}

export const DEFAULT_VIEW: TraceViewOptions = { maxChars: 600, maxSpans: 200, fullContent: false };

const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function summaryView(t: TraceSummary, firstError?: string | null): Record<string, unknown> {
  const view: Record<string, unknown> = {
    trace_id: t.trace_id,
    name: t.name,
    started: iso(t.start_time),
    duration_ms: round(t.duration_ms),
    status: t.status,
    error_count: t.error_count,
    span_count: t.span_count,
    llm_call_count: t.llm_call_count,
    total_cost_usd: t.total_cost_usd,
    input_tokens: t.input_tokens,
    output_tokens: t.output_tokens,
    models: t.models,
    tags: t.tags,
    service: t.service_name,
  };
  if (t.unpriced_call_count > 0) view.unpriced_call_count = t.unpriced_call_count;
  if (firstError) view.first_error = firstError;
  return view;
}

/** The first error of a trace, as one line: "span name: message (file:line)". */
export function firstErrorLine(detail: TraceDetail): string | null {
  const failed = detail.spans.filter((s) => s.status === 'error').sort((a, b) => a.start_time - b.start_time);
  // the deepest failure is usually the cause; its ancestors fail because it did
  const cause = failed.find((s) => !failed.some((o) => o.parent_span_id === s.span_id)) ?? failed[0];
  if (!cause) return null;
  return `${cause.name}: ${errorMessage(cause) ?? 'failed (no message)'}${location(cause) ? ` (${location(cause)})` : ''}`;
}

function errorMessage(s: StoredSpan): string | null {
  if (s.status_message) return s.status_message;
  const exception = s.events.find((e) => e.name === 'exception');
  const type = exception?.attributes['exception.type'];
  const message = exception?.attributes['exception.message'];
  if (typeof message === 'string') return typeof type === 'string' ? `${type}: ${message}` : message;
  return typeof type === 'string' ? type : null;
}

function location(s: StoredSpan): string | null {
  if (!s.code_file) return null;
  return `${s.code_file}${s.code_line ? `:${s.code_line}` : ''}${s.code_function ? ` in ${s.code_function}` : ''}`;
}

export function cut(text: string | null, options: TraceViewOptions): { text: string | null; truncated: boolean } {
  if (text === null || options.fullContent || text.length <= options.maxChars) return { text, truncated: false };
  return { text: `${text.slice(0, options.maxChars)}… [${text.length - options.maxChars} more characters]`, truncated: true };
}

/** Spans in tree order (parents before children, siblings by start), with their depth. */
export function treeOrder(spans: StoredSpan[]): Array<{ span: StoredSpan; depth: number }> {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, StoredSpan[]>();
  const roots: StoredSpan[] = [];
  for (const s of spans) {
    if (s.parent_span_id && ids.has(s.parent_span_id) && s.parent_span_id !== s.span_id) {
      const list = children.get(s.parent_span_id) ?? [];
      list.push(s);
      children.set(s.parent_span_id, list);
    } else roots.push(s);
  }
  const byStart = (a: StoredSpan, b: StoredSpan) => a.start_time - b.start_time;
  const out: Array<{ span: StoredSpan; depth: number }> = [];
  const seen = new Set<string>();
  const stack = roots.sort(byStart).reverse().map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next.span.span_id)) continue; // a parent loop in bad data
    seen.add(next.span.span_id);
    out.push(next);
    const kids = (children.get(next.span.span_id) ?? []).sort(byStart);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: next.depth + 1 });
  }
  return out;
}

function spanLine(s: StoredSpan, depth: number, traceStart: number): string {
  const parts = [`${'  '.repeat(depth)}${s.name} [${s.kind}]`, `+${round(s.start_time - traceStart)}ms`, `${round(s.duration_ms)}ms`];
  if (s.model) parts.push(s.model);
  if (s.input_tokens !== null || s.output_tokens !== null) parts.push(`${s.input_tokens ?? 0}→${s.output_tokens ?? 0} tok`);
  if (s.cost_usd !== null) parts.push(`$${s.cost_usd.toFixed(6)}`);
  if (s.status === 'error') parts.push(`ERROR: ${errorMessage(s) ?? 'failed'}`);
  return `${parts.join(' · ')}  (${s.span_id})`;
}

export function spanView(s: StoredSpan, depth: number, traceStart: number, options: TraceViewOptions): Record<string, unknown> {
  const input = cut(s.input, options);
  const output = cut(s.output, options);
  const view: Record<string, unknown> = {
    span_id: s.span_id,
    parent_span_id: s.parent_span_id,
    depth,
    name: s.name,
    kind: s.kind,
    status: s.status,
    offset_ms: round(s.start_time - traceStart),
    duration_ms: round(s.duration_ms),
  };
  if (s.status === 'error') view.error = errorMessage(s) ?? 'failed (no message)';
  if (s.model) view.model = s.model;
  if (s.provider) view.provider = s.provider;
  if (s.input_tokens !== null) view.input_tokens = s.input_tokens;
  if (s.output_tokens !== null) view.output_tokens = s.output_tokens;
  if (s.cost_usd !== null) view.cost_usd = s.cost_usd;
  if (s.code_file) view.code = location(s);
  if (input.text !== null) view.input = input.text;
  if (input.truncated) view.input_truncated = true;
  if (output.text !== null) view.output = output.text;
  if (output.truncated) view.output_truncated = true;
  if (s.events.length > 0) view.events = s.events.map((e) => e.name);
  if (s.tags.length > 0) view.tags = s.tags;
  return view;
}

export function traceView(detail: TraceDetail, options: TraceViewOptions = DEFAULT_VIEW): Record<string, unknown> {
  const start = detail.trace.start_time;
  const ordered = treeOrder(detail.spans);
  const errors = ordered.filter((o) => o.span.status === 'error');
  const listed = ordered.slice(0, options.maxSpans);
  const anyTruncated = { value: false };
  const spans = listed.map((o) => {
    const v = spanView(o.span, o.depth, start, options);
    if (v.input_truncated || v.output_truncated) anyTruncated.value = true;
    return v;
  });
  const view: Record<string, unknown> = {
    trace: summaryView(detail.trace, firstErrorLine(detail)),
    errors: errors.slice(0, 50).map((o) => ({
      span_id: o.span.span_id,
      name: o.span.name,
      kind: o.span.kind,
      message: errorMessage(o.span) ?? 'failed (no message)',
      code: location(o.span),
      path: ancestry(o.span, detail.spans),
      stacktrace: stacktrace(o.span, options),
    })),
    outline: listed.map((o) => spanLine(o.span, o.depth, start)).join('\n'),
    spans,
    scores: detail.scores.map(scoreView),
  };
  const notes: string[] = [];
  if (ordered.length > listed.length) notes.push(`${ordered.length - listed.length} more spans not listed: raise max_spans, or read one with get_span`);
  if (anyTruncated.value) notes.push(`inputs/outputs cut to ${options.maxChars} characters (…_truncated: true): call get_span for one span's full content, or get_trace with full_content: true`);
  if (notes.length > 0) view.notes = notes;
  return view;
}

function ancestry(span: StoredSpan, spans: StoredSpan[]): string {
  const byId = new Map(spans.map((s) => [s.span_id, s]));
  const names = [span.name];
  let parent = span.parent_span_id ? byId.get(span.parent_span_id) : undefined;
  for (let i = 0; parent && i < 50; i++) {
    names.unshift(parent.name);
    parent = parent.parent_span_id ? byId.get(parent.parent_span_id) : undefined;
  }
  return names.join(' > ');
}

function stacktrace(span: StoredSpan, options: TraceViewOptions): string | undefined {
  const trace = span.events.find((e) => e.name === 'exception')?.attributes['exception.stacktrace'];
  if (typeof trace !== 'string') return undefined;
  return cut(trace, { ...options, maxChars: Math.max(options.maxChars, 2000) }).text ?? undefined;
}

export function scoreView(s: Score): Record<string, unknown> {
  return { name: s.name, value: s.value, label: s.label, reason: s.reason, span_id: s.span_id, source: s.source };
}

// The facts of a postmortem, read from one trace: the failing chain (root → deepest error), the
// root-cause span, retries, the critical path and the most expensive spans. Pure functions over a
// TraceDetail: nothing is asked of a model, so the analysis stands without one.
import type { SpanKind, SpanStatus, StoredSpan, TraceDetail } from '../model';

export interface SpanRef {
  span_id: string;
  name: string;
  kind: SpanKind;
  status: SpanStatus;
  /** the status message, else the exception's message, else error.type; null for a span that did not fail */
  error: string | null;
  start_time: number;
  end_time: number;
  duration_ms: number;
  model: string | null;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
}

export interface Retry {
  name: string;
  parent_span_id: string | null;
  parent_name: string | null;
  attempts: number;
  /** attempts that ended in error */
  failures: number;
  /** the last attempt did not fail */
  recovered: boolean;
  span_ids: string[];
  errors: string[];
}

export interface ExpensiveSpan extends SpanRef {
  /** part of the trace's total cost, 0..1 */
  share: number;
}

export interface TraceFacts {
  chain: SpanRef[];
  root_cause: SpanRef | null;
  retries: Retry[];
  critical_path: SpanRef[];
  expensive: ExpensiveSpan[];
}

const MAX_DEPTH = 10_000;

function attributeText(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : null;
}

/** Why a span failed, in the words it reported. */
export function errorOf(span: StoredSpan): string | null {
  if (span.status !== 'error') return null;
  if (span.status_message) return span.status_message;
  const exception = span.events.find((e) => e.name === 'exception');
  if (exception) {
    const type = attributeText(exception.attributes['exception.type']);
    const message = attributeText(exception.attributes['exception.message']);
    if (type || message) return [type, message].filter(Boolean).join(': ');
  }
  return attributeText(span.attributes['error.type']) ?? 'failed without a message';
}

export function spanRef(span: StoredSpan): SpanRef {
  return {
    span_id: span.span_id,
    name: span.name,
    kind: span.kind,
    status: span.status,
    error: errorOf(span),
    start_time: span.start_time,
    end_time: span.end_time,
    duration_ms: span.duration_ms,
    model: span.model,
    cost_usd: span.cost_usd,
    input_tokens: span.input_tokens,
    output_tokens: span.output_tokens,
  };
}

const byStart = (a: StoredSpan, b: StoredSpan) => a.start_time - b.start_time || (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0);

/** The span tree of a trace; a span whose parent never arrived counts as a root. */
export class SpanTree {
  readonly byId = new Map<string, StoredSpan>();
  readonly children = new Map<string, StoredSpan[]>();
  readonly roots: StoredSpan[] = [];

  constructor(spans: StoredSpan[]) {
    for (const s of spans) this.byId.set(s.span_id, s);
    for (const s of [...spans].sort(byStart)) {
      const parent = s.parent_span_id !== null && s.parent_span_id !== s.span_id ? this.byId.get(s.parent_span_id) : undefined;
      if (!parent) this.roots.push(s);
      else {
        const list = this.children.get(parent.span_id) ?? [];
        list.push(s);
        this.children.set(parent.span_id, list);
      }
    }
  }

  parentOf(span: StoredSpan): StoredSpan | undefined {
    return span.parent_span_id === null || span.parent_span_id === span.span_id ? undefined : this.byId.get(span.parent_span_id);
  }

  /** root first, the span last; a parent cycle in bad data ends the walk */
  pathTo(span: StoredSpan): StoredSpan[] {
    const path = [span];
    const seen = new Set([span.span_id]);
    for (let p = this.parentOf(span); p && !seen.has(p.span_id) && path.length < MAX_DEPTH; p = this.parentOf(p)) {
      seen.add(p.span_id);
      path.unshift(p);
    }
    return path;
  }
}

/** The deepest failed span; among equally deep ones, the earliest. */
export function rootCause(tree: SpanTree, spans: StoredSpan[]): StoredSpan | null {
  let best: { span: StoredSpan; depth: number } | null = null;
  for (const s of spans) {
    if (s.status !== 'error') continue;
    const depth = tree.pathTo(s).length;
    if (!best || depth > best.depth || (depth === best.depth && byStart(s, best.span) < 0)) best = { span: s, depth };
  }
  return best?.span ?? null;
}

/** Siblings of the same name under the same parent where an attempt failed and another followed. */
export function retries(tree: SpanTree, spans: StoredSpan[]): Retry[] {
  const groups = new Map<string, StoredSpan[]>();
  for (const s of [...spans].sort(byStart)) {
    const parent = tree.parentOf(s);
    const key = `${parent?.span_id ?? ''}\u0000${s.name}`;
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  const out: Retry[] = [];
  for (const attempts of groups.values()) {
    if (attempts.length < 2) continue;
    if (!attempts.slice(0, -1).some((a) => a.status === 'error')) continue; // repeated work, not a retry
    const parent = tree.parentOf(attempts[0]);
    const failed = attempts.filter((a) => a.status === 'error');
    out.push({
      name: attempts[0].name,
      parent_span_id: parent?.span_id ?? null,
      parent_name: parent?.name ?? null,
      attempts: attempts.length,
      failures: failed.length,
      recovered: attempts[attempts.length - 1].status !== 'error',
      span_ids: attempts.map((a) => a.span_id),
      errors: failed.map((a) => errorOf(a)!),
    });
  }
  return out.sort((a, b) => b.failures - a.failures || b.attempts - a.attempts || a.name.localeCompare(b.name));
}

/** From the root that ends last, down through the child that ends last at every level. */
export function criticalPath(tree: SpanTree): StoredSpan[] {
  const latest = (list: StoredSpan[]) => list.reduce((best, s) => (s.end_time > best.end_time || (s.end_time === best.end_time && s.duration_ms > best.duration_ms) ? s : best));
  if (tree.roots.length === 0) return [];
  const path = [latest(tree.roots)];
  const seen = new Set([path[0].span_id]);
  for (;;) {
    const kids = tree.children.get(path[path.length - 1].span_id);
    if (!kids?.length || path.length >= MAX_DEPTH) return path;
    const next = latest(kids);
    if (seen.has(next.span_id)) return path;
    seen.add(next.span_id);
    path.push(next);
  }
}

/** Counted spans with a cost, dearest first (wrappers that repeat a child's usage are left out). */
export function expensiveSpans(spans: StoredSpan[], totalCostUsd: number, top = 5): ExpensiveSpan[] {
  return spans
    .filter((s) => s.usage_counted && s.cost_usd !== null && s.cost_usd > 0)
    .sort((a, b) => b.cost_usd! - a.cost_usd! || byStart(a, b))
    .slice(0, top)
    .map((s) => ({ ...spanRef(s), share: totalCostUsd > 0 ? s.cost_usd! / totalCostUsd : 0 }));
}

export function traceFacts(detail: TraceDetail, top = 5): TraceFacts {
  const tree = new SpanTree(detail.spans);
  const cause = rootCause(tree, detail.spans);
  return {
    chain: cause ? tree.pathTo(cause).map(spanRef) : [],
    root_cause: cause ? spanRef(cause) : null,
    retries: retries(tree, detail.spans),
    critical_path: criticalPath(tree).map(spanRef),
    expensive: expensiveSpans(detail.spans, detail.trace.total_cost_usd, top),
  };
}

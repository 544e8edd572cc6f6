// The data behind the Traces tree, apart from VS Code: the loaded pages of traces (newest first,
// more on demand with `before`) and the span hierarchy of one trace.
import type { StoredSpan, TraceDetail, TraceSummary } from '../server/model';

export const PAGE_SIZE = 200;

export interface TraceList {
  traces: TraceSummary[];
  /** the last page came back full: there may be older traces */
  hasMore: boolean;
}

/**
 * After a change, only the newest page is fetched again. It replaces what it covers (traces
 * as new as its oldest one); older traces the user had paged in stay, minus any that moved into
 * the new page.
 */
export function mergeNewestPage(current: TraceList, page: TraceSummary[], pageSize = PAGE_SIZE): TraceList {
  if (current.traces.length <= pageSize || page.length < pageSize) {
    // Everything loaded fits in the page just fetched, or the page is the whole list.
    return { traces: page, hasMore: page.length >= pageSize && (current.hasMore || current.traces.length <= pageSize) };
  }
  const oldestInPage = page[page.length - 1].start_time;
  const inPage = new Set(page.map((t) => t.trace_id));
  const older = current.traces.filter((t) => t.start_time < oldestInPage && !inPage.has(t.trace_id));
  return { traces: [...page, ...older], hasMore: current.hasMore };
}

/** Appends a page fetched with `before` = the oldest loaded start time. */
export function appendOlderPage(current: TraceList, page: TraceSummary[], pageSize = PAGE_SIZE): TraceList {
  const known = new Set(current.traces.map((t) => t.trace_id));
  return { traces: [...current.traces, ...page.filter((t) => !known.has(t.trace_id))], hasMore: page.length >= pageSize };
}

export function oldestStart(list: TraceList): number | undefined {
  return list.traces.length > 0 ? list.traces[list.traces.length - 1].start_time : undefined;
}

/**
 * The `before` of the next older page. A hair past the oldest loaded start, so that traces
 * starting at that very instant (a batch posted at once, an import) come along; the ones
 * already loaded are dropped again by appendOlderPage.
 */
export function nextPageBefore(list: TraceList): number | undefined {
  const oldest = oldestStart(list);
  return oldest === undefined ? undefined : oldest + 0.001;
}

export interface SpanTree {
  span: StoredSpan;
  children: SpanTree[];
}

/** Spans nested by parent, in start order. A span whose parent has not arrived is a root. */
export function spanForest(spans: readonly StoredSpan[]): SpanTree[] {
  const nodes = new Map<string, SpanTree>();
  for (const span of spans) nodes.set(span.span_id, { span, children: [] });
  const roots: SpanTree[] = [];
  for (const node of nodes.values()) {
    const parentId = node.span.parent_span_id;
    const parent = parentId && parentId !== node.span.span_id ? nodes.get(parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  breakCycles(nodes, roots);
  const byStart = (a: SpanTree, b: SpanTree) => a.span.start_time - b.span.start_time;
  // Iterative sort: a trace of 10,000 nested spans must not blow the stack.
  const stack = [roots];
  while (stack.length > 0) {
    const level = stack.pop()!;
    level.sort(byStart);
    for (const n of level) if (n.children.length > 0) stack.push(n.children);
  }
  return roots;
}

/** Spans whose parent links form a loop reach no root: cut each loop once and make it a root. */
function breakCycles(nodes: Map<string, SpanTree>, roots: SpanTree[]): void {
  const reached = new Set<SpanTree>();
  const mark = (from: SpanTree) => {
    const stack = [from];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (reached.has(n)) continue;
      reached.add(n);
      stack.push(...n.children);
    }
  };
  roots.forEach(mark);
  if (reached.size === nodes.size) return;
  for (const node of nodes.values()) {
    if (reached.has(node)) continue;
    const parent = nodes.get(node.span.parent_span_id ?? '');
    if (parent) parent.children = parent.children.filter((c) => c !== node);
    roots.push(node);
    mark(node);
  }
}

/**
 * What a trace row expands to. The trace row already stands for its root span, so a single root
 * is skipped and its children shown; several roots (parents missing) are all shown.
 */
export function traceChildren(detail: TraceDetail): SpanTree[] {
  const roots = spanForest(detail.spans);
  return roots.length === 1 ? roots[0].children : roots;
}

/** The root span of a trace (the one the trace row stands for), when there is exactly one. */
export function rootSpan(detail: TraceDetail): StoredSpan | null {
  const roots = spanForest(detail.spans);
  return roots.length === 1 ? roots[0].span : null;
}

// Waterfall geometry, computed once per trace (O(n log n)) so scrolling and collapsing never
// touch the spans again. Rows are the spans in tree pre-order (children by start time), which
// makes every subtree a contiguous range [i, subtreeEnd[i]): collapsing is a skip, not a search.
import type { StoredSpan } from '../../extension/server/model';

export interface WaterfallLayout {
  /** spans in tree pre-order */
  spans: StoredSpan[];
  /** row index by span id */
  indexById: Map<string, number>;
  depth: Int32Array;
  /** pre-order index of the parent, -1 for a root (or a span whose parent has not arrived) */
  parent: Int32Array;
  /** exclusive end of the row's subtree in pre-order */
  subtreeEnd: Int32Array;
  /** bar position as fractions of the trace duration, both within [0, 1] */
  left: Float64Array;
  width: Float64Array;
  traceStart: number;
  traceEnd: number;
  /** never 0, so fractions stay finite for a trace of zero-length spans */
  traceDuration: number;
}

/** Bar position of a span as fractions of the trace: (start - traceStart) / traceDuration. */
export function barGeometry(start: number, end: number, traceStart: number, traceDuration: number): { left: number; width: number } {
  const clamp = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
  const left = clamp((start - traceStart) / traceDuration);
  const width = Math.min(1 - left, clamp((Math.max(end, start) - start) / traceDuration));
  return { left, width };
}

export function buildLayout(input: readonly StoredSpan[]): WaterfallLayout {
  const n = input.length;
  // A duplicate span id (a sender bug) would make the tree ambiguous: the first one is shown.
  const inputIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) if (!inputIndex.has(input[i].span_id)) inputIndex.set(input[i].span_id, i);

  // One sort for the whole trace: children lists filled in this order come out sorted too.
  const sorted = Array.from(inputIndex.values());
  sorted.sort((a, b) => {
    const x = input[a];
    const y = input[b];
    return x.start_time - y.start_time || x.end_time - y.end_time || (x.span_id < y.span_id ? -1 : x.span_id > y.span_id ? 1 : 0);
  });

  // A span whose parent is missing (not arrived yet, or dropped) is shown as a root rather than
  // lost; a self-parent counts as missing.
  const parentOf = new Int32Array(n).fill(-1);
  const childCount = new Int32Array(n + 1);
  for (const i of sorted) {
    const p = input[i].parent_span_id;
    const pi = p && p !== input[i].span_id ? inputIndex.get(p) : undefined;
    if (pi !== undefined) {
      parentOf[i] = pi;
      childCount[pi]++;
    }
  }
  const firstChild = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) firstChild[i + 1] = firstChild[i] + childCount[i];
  const children = new Int32Array(firstChild[n]);
  const fill = firstChild.slice(0, n);
  for (const i of sorted) if (parentOf[i] >= 0) children[fill[parentOf[i]]++] = i;

  const count = sorted.length;
  const spans: StoredSpan[] = [];
  const depth = new Int32Array(count);
  const parent = new Int32Array(count);
  const subtreeEnd = new Int32Array(count);
  const indexById = new Map<string, number>();
  const visited = new Uint8Array(n);

  // Iterative DFS (a 100,000-deep chain must not overflow the call stack). An entry >= 0 enters
  // that input span; an entry < 0 closes row ~entry's subtree.
  const stack = new Int32Array(2 * count + 2);
  const stackParentRow = new Int32Array(2 * count + 2);
  const visit = (root: number): void => {
    let top = 0;
    stack[top] = root;
    stackParentRow[top++] = -1;
    while (top > 0) {
      const entry = stack[--top];
      const parentRow = stackParentRow[top];
      if (entry < 0) {
        subtreeEnd[~entry] = spans.length;
        continue;
      }
      if (visited[entry]) continue;
      visited[entry] = 1;
      const row = spans.length;
      spans.push(input[entry]);
      indexById.set(input[entry].span_id, row);
      depth[row] = parentRow < 0 ? 0 : depth[parentRow] + 1;
      parent[row] = parentRow;
      stack[top++] = ~row;
      for (let k = firstChild[entry + 1] - 1; k >= firstChild[entry]; k--) {
        if (visited[children[k]]) continue;
        stack[top] = children[k];
        stackParentRow[top++] = row;
      }
    }
  };
  for (const i of sorted) if (parentOf[i] < 0) visit(i);
  // Spans in a parent cycle are reachable from no root: break the cycle at its earliest span.
  if (spans.length < count) for (const i of sorted) if (!visited[i]) visit(i);

  let traceStart = Infinity;
  let traceEnd = -Infinity;
  for (const s of spans) {
    if (s.start_time < traceStart) traceStart = s.start_time;
    const end = Math.max(s.end_time, s.start_time);
    if (end > traceEnd) traceEnd = end;
  }
  if (!Number.isFinite(traceStart)) traceStart = traceEnd = 0;
  const traceDuration = traceEnd - traceStart > 0 ? traceEnd - traceStart : 1;

  const left = new Float64Array(count);
  const width = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const g = barGeometry(spans[i].start_time, spans[i].end_time, traceStart, traceDuration);
    left[i] = g.left;
    width[i] = g.width;
  }
  return { spans, indexById, depth, parent, subtreeEnd, left, width, traceStart, traceEnd, traceDuration };
}

/** Row indices shown when the spans with these ids are collapsed (their descendants hidden). O(n). */
export function visibleRows(layout: WaterfallLayout, collapsed: ReadonlySet<string>): Int32Array {
  const n = layout.spans.length;
  if (collapsed.size === 0) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; ) {
    out[k++] = i;
    i = collapsed.has(layout.spans[i].span_id) ? layout.subtreeEnd[i] : i + 1;
  }
  return out.subarray(0, k);
}

/** Position of a row index among the visible rows (ascending), or -1 when it is hidden. */
export function rowPosition(visible: Int32Array, index: number): number {
  let lo = 0;
  let hi = visible.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (visible[mid] === index) return mid;
    if (visible[mid] < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function hasChildren(layout: WaterfallLayout, i: number): boolean {
  return layout.subtreeEnd[i] > i + 1;
}

/** Ids of the collapsed ancestors of a row: expanding them makes the row visible. */
export function collapsedAncestors(layout: WaterfallLayout, i: number, collapsed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let p = layout.parent[i]; p >= 0; p = layout.parent[p]) {
    const id = layout.spans[p].span_id;
    if (collapsed.has(id)) out.push(id);
  }
  return out;
}

/** First and last (exclusive) row of the window to render, with overscan rows on each side. */
export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 8): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rowCount, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** The scrollTop that brings a row into view, or null when it already is. */
export function scrollToReveal(row: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return Math.max(0, top + rowHeight - viewportHeight);
  return null;
}

import assert from 'node:assert/strict';
import type { StoredSpan } from '../../../extension/server/model';
import { barGeometry, buildLayout, collapsedAncestors, rowPosition, rowWindow, scrollToReveal, visibleRows } from '../../../webview/layout/waterfall';
import { makeSpan } from '../../webview/support/traces';

const T = 'a'.repeat(32);
const sp = (id: string, parent: string | null, start: number, dur: number): StoredSpan => makeSpan(T, id, parent, `span ${id}`, 'internal', start, dur);
const order = (spans: StoredSpan[]): string[] => buildLayout(spans).spans.map((s) => s.span_id);

describe('waterfall layout', () => {
  it('places a bar at (start - traceStart) / traceDuration with a proportional width', () => {
    assert.deepEqual(barGeometry(1250, 1500, 1000, 1000), { left: 0.25, width: 0.25 });
    const l = buildLayout([sp('r', null, 1000, 1000), sp('c', 'r', 1250, 250)]);
    assert.equal(l.traceStart, 1000);
    assert.equal(l.traceDuration, 1000);
    assert.equal(l.left[1], 0.25);
    assert.equal(l.width[1], 0.25);
  });

  it('clamps bars inside the trace and keeps zero-length traces finite', () => {
    assert.deepEqual(barGeometry(900, 2500, 1000, 1000), { left: 0, width: 1 });
    assert.deepEqual(barGeometry(1500, 1400, 1000, 1000), { left: 0.5, width: 0 }, 'an end before the start is a zero-width bar');
    const l = buildLayout([sp('r', null, 5, 0), sp('c', 'r', 5, 0)]);
    assert.equal(l.traceDuration, 1);
    assert.ok([...l.left, ...l.width].every(Number.isFinite));
  });

  it('orders rows depth-first with siblings by start time, whatever order spans arrive in', () => {
    const spans = [sp('c2', 'r', 30, 5), sp('g1', 'c1', 12, 2), sp('r', null, 0, 100), sp('c1', 'r', 10, 5)];
    assert.deepEqual(order(spans), ['r', 'c1', 'g1', 'c2']);
    const l = buildLayout(spans);
    assert.deepEqual([...l.depth], [0, 1, 2, 1]);
    assert.deepEqual([...l.parent], [-1, 0, 1, 0]);
    assert.deepEqual([...l.subtreeEnd], [4, 3, 3, 4]);
  });

  it('shows a span whose parent has not arrived as a root instead of dropping it', () => {
    const l = buildLayout([sp('r', null, 0, 10), sp('orphan', 'ffffffffffffffff', 5, 1)]);
    assert.deepEqual(l.spans.map((s) => s.span_id), ['r', 'orphan']);
    assert.equal(l.depth[1], 0);
  });

  it('keeps every span of a parent cycle, breaking the cycle at its earliest span', () => {
    const l = buildLayout([sp('a', 'b', 0, 10), sp('b', 'a', 1, 5), sp('s', 's', 2, 1)]);
    assert.deepEqual(l.spans.map((s) => s.span_id), ['s', 'a', 'b']);
    assert.deepEqual([...l.depth], [0, 0, 1]);
  });

  it('lays out a 30,000-deep chain without overflowing the stack', () => {
    const spans: StoredSpan[] = [];
    for (let i = 0; i < 30_000; i++) spans.push(sp(`s${i}`, i ? `s${i - 1}` : null, i, 30_000 - i));
    const l = buildLayout(spans);
    assert.equal(l.depth[29_999], 29_999);
  });
});

describe('collapse and the visible rows', () => {
  const spans = [sp('r', null, 0, 100), sp('a', 'r', 1, 50), sp('a1', 'a', 2, 5), sp('a2', 'a', 3, 5), sp('b', 'r', 60, 10), sp('b1', 'b', 61, 2)];
  const l = buildLayout(spans);
  const ids = (rows: Int32Array): string[] => [...rows].map((i) => l.spans[i].span_id);

  it('shows every row when nothing is collapsed', () => {
    assert.deepEqual(ids(visibleRows(l, new Set())), ['r', 'a', 'a1', 'a2', 'b', 'b1']);
  });

  it('hides the descendants of a collapsed span but keeps the span itself', () => {
    assert.deepEqual(ids(visibleRows(l, new Set(['a']))), ['r', 'a', 'b', 'b1']);
    assert.deepEqual(ids(visibleRows(l, new Set(['a', 'b']))), ['r', 'a', 'b']);
    assert.deepEqual(ids(visibleRows(l, new Set(['r', 'a']))), ['r']);
  });

  it('finds the collapsed ancestors that hide a row', () => {
    assert.deepEqual(collapsedAncestors(l, l.indexById.get('a2')!, new Set(['r', 'a', 'b'])), ['a', 'r']);
  });

  it('finds a row among the visible rows, or -1 when it is hidden', () => {
    const rows = visibleRows(l, new Set(['a']));
    assert.equal(rowPosition(rows, l.indexById.get('b')!), 2);
    assert.equal(rowPosition(rows, l.indexById.get('a1')!), -1);
  });
});

describe('virtualised row window', () => {
  it('renders only the rows in view plus the overscan', () => {
    assert.deepEqual(rowWindow(0, 240, 24, 10_000, 5), { first: 0, last: 15 });
    assert.deepEqual(rowWindow(24_000, 240, 24, 10_000, 5), { first: 995, last: 1015 });
    assert.deepEqual(rowWindow(239_900, 240, 24, 10_000, 5), { first: 9990, last: 10_000 });
  });

  it('scrolls just enough to reveal a row above or below the viewport', () => {
    assert.equal(scrollToReveal(10, 0, 240, 24), 24);
    assert.equal(scrollToReveal(2, 240, 240, 24), 48);
    assert.equal(scrollToReveal(5, 0, 240, 24), null);
  });
});

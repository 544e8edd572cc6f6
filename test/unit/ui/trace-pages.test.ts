import assert from 'node:assert/strict';
import { appendOlderPage, mergeNewestPage, nextPageBefore, oldestStart, rootSpan, spanForest, traceChildren } from '../../../extension/ui/trace-pages';
import { detail, span, summary } from './samples';

/** n traces, newest first, starting at `newest` and one ms apart */
const traces = (n: number, newest: number) => Array.from({ length: n }, (_, i) => summary({ start_time: newest - i }));

describe('paging the Traces view', () => {
  it('replaces a single page with the newest one after a change', () => {
    const first = traces(3, 100);
    const next = [summary({ start_time: 101 }), ...first];
    assert.deepEqual(mergeNewestPage({ traces: first, hasMore: false }, next, 5), { traces: next, hasMore: false });
  });

  it('keeps older pages the user loaded and drops what moved into the new newest page', () => {
    const all = traces(10, 1000); // 1000..991
    let list = { traces: all.slice(0, 4), hasMore: true };
    list = appendOlderPage(list, all.slice(4, 8), 4);
    assert.equal(list.traces.length, 8);
    assert.equal(oldestStart(list), 993);
    const fresh = [summary({ start_time: 1002 }), summary({ start_time: 1001 }), all[0], all[1]]; // two new traces arrived
    const merged = mergeNewestPage(list, fresh, 4);
    assert.deepEqual(merged.traces.map((t) => t.start_time), [1002, 1001, 1000, 999, 998, 997, 996, 995, 994, 993]);
    assert.equal(merged.hasMore, true);
  });

  it('asks for the next page so that traces starting at the oldest loaded instant are not skipped', () => {
    const same = [summary({ trace_id: 'a'.repeat(32), start_time: 500 }), summary({ trace_id: 'b'.repeat(32), start_time: 500 }), summary({ trace_id: 'c'.repeat(32), start_time: 500 })];
    let list = { traces: same.slice(0, 2), hasMore: true };
    const before = nextPageBefore(list)!;
    const olderPage = same.filter((t) => t.start_time < before); // what the store answers for `before`
    list = appendOlderPage(list, olderPage, 2);
    assert.deepEqual(list.traces.map((t) => t.trace_id[0]), ['a', 'b', 'c']);
  });

  it('stops offering more when an older page comes back short', () => {
    const list = appendOlderPage({ traces: traces(4, 100), hasMore: true }, traces(2, 90), 4);
    assert.equal(list.hasMore, false);
    assert.equal(list.traces.length, 6);
  });

  it('does not list a trace twice when an older page overlaps', () => {
    const page = traces(4, 100);
    const list = appendOlderPage({ traces: page, hasMore: true }, [page[3], summary({ start_time: 50 })], 4);
    assert.equal(list.traces.length, 5);
  });
});

describe('the span hierarchy of a trace', () => {
  it('nests spans under their parents in start order', () => {
    const root = span({ name: 'agent', start_time: 0 });
    const b = span({ name: 'b', parent_span_id: root.span_id, start_time: 20 });
    const a = span({ name: 'a', parent_span_id: root.span_id, start_time: 10 });
    const leaf = span({ name: 'leaf', parent_span_id: a.span_id, start_time: 11 });
    const forest = spanForest([leaf, b, root, a]);
    assert.equal(forest.length, 1);
    assert.deepEqual(forest[0].children.map((c) => c.span.name), ['a', 'b']);
    assert.deepEqual(forest[0].children[0].children.map((c) => c.span.name), ['leaf']);
  });

  it('shows the children of a single root under the trace row, and every root when parents are missing', () => {
    const root = span({ name: 'agent' });
    const child = span({ name: 'llm', parent_span_id: root.span_id });
    const t = summary();
    assert.deepEqual(traceChildren(detail(t, [root, child])).map((n) => n.span.name), ['llm']);
    assert.equal(rootSpan(detail(t, [root, child]))?.name, 'agent');
    const orphan = span({ name: 'orphan', parent_span_id: 'ffffffffffffffff' });
    assert.deepEqual(traceChildren(detail(t, [root, child, orphan])).map((n) => n.span.name).sort(), ['agent', 'orphan']);
  });

  it('survives parent links that form a loop', () => {
    const a = span({ name: 'a', span_id: 'aaaaaaaaaaaaaaaa', parent_span_id: 'bbbbbbbbbbbbbbbb' });
    const b = span({ name: 'b', span_id: 'bbbbbbbbbbbbbbbb', parent_span_id: 'aaaaaaaaaaaaaaaa' });
    const forest = spanForest([a, b]);
    const names: string[] = [];
    const walk = (nodes: typeof forest) => nodes.forEach((n) => (names.push(n.span.name), walk(n.children)));
    walk(forest);
    assert.deepEqual(names.sort(), ['a', 'b']);
  });

  it('builds a 10,000-deep chain without overflowing the stack', () => {
    const spans = [span({ span_id: 'x'.padStart(16, '0') })];
    for (let i = 1; i < 10_000; i++) spans.push(span({ span_id: String(i).padStart(16, '0'), parent_span_id: spans[i - 1].span_id }));
    const forest = spanForest(spans);
    assert.equal(forest.length, 1);
  });
});

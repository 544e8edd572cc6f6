import assert from 'node:assert/strict';
import { changedTraceIds, POLL_LIMIT } from '../../../extension/client/change-poller';
import { summary } from './samples';

describe('changes seen by a window that shares another window\'s collector', () => {
  it('reports new traces and traces that got spans, not unchanged ones', () => {
    const a = summary({ span_count: 1 });
    const b = summary();
    const { seen } = changedTraceIds(new Map(), [a, b]);
    const c = summary();
    const grown = { ...a, span_count: 2, end_time: a.end_time + 50 };
    const { ids } = changedTraceIds(seen, [c, grown, b]);
    assert.deepEqual(ids.sort(), [c.trace_id, a.trace_id].sort());
  });

  it('reports a deleted trace, but not one that only fell off a full listing', () => {
    const list = Array.from({ length: POLL_LIMIT }, () => summary());
    const { seen } = changedTraceIds(new Map(), list);
    const newer = summary();
    const pushed = changedTraceIds(seen, [newer, ...list.slice(0, -1)]);
    assert.deepEqual(pushed.ids, [newer.trace_id]);
    const { seen: small } = changedTraceIds(new Map(), list.slice(0, 3));
    assert.deepEqual(changedTraceIds(small, list.slice(0, 2)).ids, [list[2].trace_id]);
  });
});

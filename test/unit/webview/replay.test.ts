import assert from 'node:assert/strict';
import { REPLAY_SPEEDS, isAhead, replayIntervalMs, replayOrder, stepPlayhead } from '../../../webview/layout/replay';
import { buildLayout } from '../../../webview/layout/waterfall';
import { makeSpan } from '../../webview/support/traces';

const T = 'b'.repeat(32);

describe('replay order', () => {
  // tree order: r, a, a1, b — start order: r, b, a, a1
  const l = buildLayout([
    makeSpan(T, 'r', null, 'root', 'agent', 0, 100),
    makeSpan(T, 'a', 'r', 'a', 'llm', 20, 10),
    makeSpan(T, 'a1', 'a', 'a1', 'tool', 25, 2),
    makeSpan(T, 'b', 'r', 'b', 'tool', 10, 50),
  ]);
  const o = replayOrder(l);
  const names = [...o.rows].map((i) => l.spans[i].span_id);

  it('plays spans in the order they started, not in tree order', () => {
    assert.deepEqual(names, ['r', 'b', 'a', 'a1']);
  });

  it('gives every row its position in the replay', () => {
    for (let k = 0; k < o.rows.length; k++) assert.equal(o.rank[o.rows[k]], k);
  });

  it('plays a parent before a child that starts at the same instant', () => {
    const tie = buildLayout([makeSpan(T, 'z', null, 'parent', 'agent', 5, 10), makeSpan(T, 'y', 'z', 'child', 'llm', 5, 10)]);
    assert.deepEqual([...replayOrder(tie).rows].map((i) => tie.spans[i].span_id), ['z', 'y']);
  });

  it('dims only the spans after the playhead, and none when not replaying', () => {
    assert.equal(isAhead(3, 2), true);
    assert.equal(isAhead(2, 2), false);
    assert.equal(isAhead(3, null), false);
  });
});

describe('replay stepping', () => {
  it('starts at the first span going forward and at the last going back', () => {
    assert.equal(stepPlayhead(null, 1, 5), 0);
    assert.equal(stepPlayhead(null, -1, 5), 4);
  });

  it('stops at both ends', () => {
    assert.equal(stepPlayhead(4, 1, 5), 4);
    assert.equal(stepPlayhead(0, -1, 5), 0);
    assert.equal(stepPlayhead(2, 1, 5), 3);
  });

  it('has nothing to play in an empty trace', () => {
    assert.equal(stepPlayhead(null, 1, 0), null);
  });

  it('steps once a second at 1× and faster at higher speeds', () => {
    assert.deepEqual([...REPLAY_SPEEDS], [0.5, 1, 2, 4, 10]);
    assert.equal(replayIntervalMs(1), 1000);
    assert.equal(replayIntervalMs(0.5), 2000);
    assert.equal(replayIntervalMs(4), 250);
  });
});

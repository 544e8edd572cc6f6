import assert from 'node:assert/strict';
import { niceStep, tickBudget, timeTicks } from '../../../webview/layout/ticks';

describe('time axis ticks', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    assert.equal(niceStep(1000, 4), 500);
    assert.equal(niceStep(4820, 5), 1000);
    assert.equal(niceStep(0.9, 3), 0.5);
    assert.equal(niceStep(413_000, 4), 200_000);
  });

  it('labels ticks from 0 to the trace duration, never past it', () => {
    const ticks = timeTicks(4820, 5);
    assert.deepEqual(ticks.map((t) => t.label), ['0', '1 s', '2 s', '3 s', '4 s']);
    assert.deepEqual(ticks.map((t) => t.fraction), [0, 1000 / 4820, 2000 / 4820, 3000 / 4820, 4000 / 4820]);
  });

  it('keeps labels exact for fractional steps (no 0.30000000000000004 ms)', () => {
    assert.deepEqual(timeTicks(0.6, 6).map((t) => t.label), ['0', '0.1 ms', '0.2 ms', '0.3 ms', '0.4 ms', '0.5 ms', '0.6 ms']);
  });

  it('draws one tick at 0 for a zero-length trace', () => {
    assert.deepEqual(timeTicks(0, 5), [{ offsetMs: 0, fraction: 0, label: '0 ms' }]);
  });

  it('fits about one label per 90 px of axis', () => {
    assert.equal(tickBudget(450), 5);
    assert.equal(tickBudget(10), 2);
  });
});

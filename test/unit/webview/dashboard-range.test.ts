import assert from 'node:assert/strict';
import { localDay, localDayStart, rangeBounds } from '../../../webview/dashboard/range';

const NOW = new Date(2026, 10, 20, 15, 30).getTime(); // 20 Nov 2026, 15:30 local

describe('dashboard date range', () => {
  it('reads presets as the last 24 hours, 7 or 30 days up to now', () => {
    assert.deepEqual(rangeBounds({ preset: '24h' }, NOW), { since: NOW - 86_400_000, until: null, label: 'Last 24 hours' });
    assert.deepEqual(rangeBounds({ preset: '7d' }, NOW), { since: NOW - 7 * 86_400_000, until: null, label: 'Last 7 days' });
    assert.deepEqual(rangeBounds({ preset: '30d' }, NOW), { since: NOW - 30 * 86_400_000, until: null, label: 'Last 30 days' });
  });

  it('reads a custom range as whole local days, the last day included', () => {
    const r = rangeBounds({ preset: 'custom', from: '2026-11-01', to: '2026-11-03' }, NOW);
    assert.deepEqual(r, { since: new Date(2026, 10, 1).getTime(), until: new Date(2026, 10, 4).getTime(), label: '2026-11-01 – 2026-11-03' });
    const one = rangeBounds({ preset: 'custom', from: '2026-11-20', to: '2026-11-20' }, NOW);
    assert.deepEqual(one, { since: new Date(2026, 10, 20).getTime(), until: new Date(2026, 10, 21).getTime(), label: '2026-11-20' });
  });

  it('names what is wrong with a custom range', () => {
    assert.deepEqual(rangeBounds({ preset: 'custom', from: '2026-11-01' }, NOW), { error: 'Pick the first and the last day of the range.' });
    assert.deepEqual(rangeBounds({ preset: 'custom', from: '2026-02-31', to: '2026-03-01' }, NOW), { error: '"2026-02-31" is not a date.' });
    assert.deepEqual(rangeBounds({ preset: 'custom', from: '2026-11-05', to: '2026-11-01' }, NOW), { error: 'The last day comes before the first day.' });
    assert.deepEqual(rangeBounds({ preset: 'custom', from: '2026-12-01', to: '2026-12-02' }, NOW), { error: 'The range starts in the future: there is nothing to show yet.' });
  });

  it('converts between local days and instants', () => {
    assert.equal(localDay(NOW), '2026-11-20');
    assert.equal(localDayStart('2026-11-20'), new Date(2026, 10, 20).getTime());
    assert.equal(localDayStart('20/11/2026'), null);
  });
});

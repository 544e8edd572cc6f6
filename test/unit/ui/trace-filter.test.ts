import assert from 'node:assert/strict';
import { describeFilter, isFiltered, parseDateRange, RANGE_PRESETS, startOfDay, toTraceFilter } from '../../../extension/ui/trace-filter';

describe('the Traces view filter', () => {
  const now = new Date(2025, 4, 20, 15, 30).getTime();

  it('reads as one line in the view description', () => {
    const last24h = RANGE_PRESETS.find((r) => r.label === 'last 24 hours')!;
    assert.equal(describeFilter({ model: 'gpt-4o', status: 'error', range: last24h, tag: 'prod', q: 'refund' }), 'gpt-4o · errors only · last 24 hours · #prod · "refund"');
    assert.equal(describeFilter({}), '');
    assert.equal(isFiltered({}), false);
    assert.equal(isFiltered({ q: 'x' }), true);
  });

  it('becomes a store query, with a relative range resolved at query time', () => {
    const lastHour = RANGE_PRESETS.find((r) => r.label === 'last hour')!;
    assert.deepEqual(toTraceFilter({ model: 'gpt-4o', status: 'error', range: lastHour }, now, 200), { limit: 200, model: 'gpt-4o', status: 'error', since: now - 3600_000 });
    assert.equal(toTraceFilter({ range: lastHour }, now + 60_000, 200).since, now - 3600_000 + 60_000);
    assert.deepEqual(toTraceFilter({ tag: 'prod', q: 'refund' }, now, 50, 12345), { limit: 50, tag: 'prod', q: 'refund', before: 12345 });
  });

  it('starts "today" at local midnight', () => {
    const today = RANGE_PRESETS.find((r) => r.kind === 'today')!;
    assert.equal(toTraceFilter({ range: today }, now, 10).since, new Date(2025, 4, 20).getTime());
    assert.equal(startOfDay(now), new Date(2025, 4, 20).getTime());
  });

  it('parses a typed range with both days included', () => {
    const range = parseDateRange('2025-05-01..2025-05-03');
    assert.ok(typeof range !== 'string');
    assert.deepEqual(toTraceFilter({ range }, now, 10), { limit: 10, since: new Date(2025, 4, 1).getTime(), until: new Date(2025, 4, 4).getTime() });
    assert.equal(range.label, '2025-05-01 to 2025-05-03');
  });

  it('parses one day and open-ended ranges', () => {
    const day = parseDateRange('2025-05-01');
    assert.ok(typeof day !== 'string' && day.kind === 'absolute');
    assert.equal(day.until! - day.since!, 24 * 3600_000);
    const from = parseDateRange('2025-05-01..');
    assert.ok(typeof from !== 'string' && from.kind === 'absolute' && from.until === null && from.label === '2025-05-01 to now');
  });

  it('names what is wrong with a bad range', () => {
    assert.match(parseDateRange('') as string, /empty/);
    assert.match(parseDateRange('yesterday') as string, /"yesterday" is not a day/);
    assert.match(parseDateRange('2025-02-30') as string, /"2025-02-30" is not a day/);
    assert.match(parseDateRange('2025-05-03..2025-05-01') as string, /ends before it starts/);
    assert.match(parseDateRange('..') as string, /no day/);
  });
});

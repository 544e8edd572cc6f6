import assert from 'node:assert/strict';
import type { Stats } from '../../../extension/server/model';
import { OTHER, labelEvery, modelColours, stackedSeries, utcDays, valueTicks } from '../../../webview/dashboard/charts';

type Row = Stats['by_model_by_day'][number];
const row = (day: string, model: string, cost: number, tokens = 0): Row => ({ day, model, calls: 1, input_tokens: tokens, output_tokens: 0, cost_usd: cost });

describe('dashboard chart layout', () => {
  it('lists the UTC days of a range, first and last included', () => {
    const since = Date.UTC(2026, 10, 1, 12);
    assert.deepEqual(utcDays(since, Date.UTC(2026, 10, 3, 8)), ['2026-11-01', '2026-11-02', '2026-11-03']);
    assert.deepEqual(utcDays(since, Date.UTC(2026, 10, 2)), ['2026-11-01'], 'an exclusive end at midnight does not add the next day');
    assert.equal(utcDays(0, Date.UTC(2026, 0, 1)).length, 366, 'a very long range is drawn from its last 366 days');
  });

  it('stacks each day by model, the biggest model at the bottom, and leaves days without calls empty', () => {
    const rows = [row('2026-11-01', 'gpt-4o', 0.3), row('2026-11-01', 'claude', 0.1), row('2026-11-03', 'claude', 0.5), row('2026-11-03', 'gpt-4o', 0.2)];
    const s = stackedSeries(rows, ['2026-11-01', '2026-11-02', '2026-11-03'], 'cost');
    assert.deepEqual(s.models, ['claude', 'gpt-4o'], 'claude cost 0.6 in all, gpt-4o 0.5');
    assert.deepEqual(s.bars.map((b) => b.segments.map((g) => [g.model, g.y0, g.y1])), [
      [['claude', 0, 0.1], ['gpt-4o', 0.1, 0.1 + 0.3]],
      [],
      [['claude', 0, 0.5], ['gpt-4o', 0.5, 0.7]],
    ]);
    assert.equal(s.max, 0.7);
  });

  it('stacks tokens in and out when the measure is tokens, and skips models without any', () => {
    const s = stackedSeries([row('2026-11-01', 'gpt-4o', 0.3, 1200), row('2026-11-01', 'embed', 0, 0)], ['2026-11-01'], 'tokens');
    assert.deepEqual(s.models, ['gpt-4o']);
    assert.equal(s.bars[0].total, 1200);
  });

  it('folds the smallest models into "other models" beyond six series', () => {
    const rows = Array.from({ length: 8 }, (_, i) => row('2026-11-01', `m${i}`, 8 - i));
    const s = stackedSeries(rows, ['2026-11-01'], 'cost');
    assert.deepEqual(s.models, ['m0', 'm1', 'm2', 'm3', 'm4', OTHER]);
    assert.equal(s.bars[0].segments.at(-1)!.value, 3 + 2 + 1);
    assert.equal(s.bars[0].total, 36);
  });

  it('puts value ticks at round steps up to a round top above the tallest bar', () => {
    assert.deepEqual(valueTicks(0.7), [0, 0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(valueTicks(1234), [0, 500, 1000, 1500]);
    assert.deepEqual(valueTicks(0), [0]);
  });

  it('gives a model the same colour in every chart, from one ranking', () => {
    const colours = modelColours(['gpt-4o', 'claude']);
    assert.equal(colours.get('gpt-4o'), 'var(--vscode-charts-blue)');
    assert.equal(colours.get('claude'), 'var(--vscode-charts-purple)');
    assert.equal(colours.get(OTHER), 'var(--vscode-descriptionForeground)');
  });

  it('labels every day when they fit, fewer when they would overlap', () => {
    assert.equal(labelEvery(7, 700), 1);
    assert.equal(labelEvery(31, 600), 3);
  });
});

import assert from 'node:assert/strict';
import type { StoredSpan } from '../../../extension/server/model';
import { costBreakdown } from '../../../webview/layout/costs';
import { formatCost, formatDuration, formatPercent, spanCostText } from '../../../webview/layout/format';
import { makeSpan } from '../../webview/support/traces';

const call = (id: string, model: string | null, cost: number | null, extra: Partial<StoredSpan> = {}): StoredSpan =>
  makeSpan('c'.repeat(32), id, null, id, 'llm', 0, 1, { model, input_tokens: 100, output_tokens: 10, cost_usd: cost, cost_source: cost === null ? 'unpriced' : 'computed', ...extra });

describe('cost by model', () => {
  it('sums calls, tokens and cost per model, most expensive first, with each share of the total', () => {
    const rows = costBreakdown([call('1', 'haiku', 0.001), call('2', 'sonnet', 0.006), call('3', 'haiku', 0.002), makeSpan('c'.repeat(32), '4', null, 'tool', 'tool', 0, 1)]);
    assert.deepEqual(
      rows.map((r) => [r.model, r.calls, r.input_tokens, r.output_tokens, +r.cost_usd.toFixed(6), +r.pct.toFixed(4)]),
      [
        ['sonnet', 1, 100, 10, 0.006, 0.6667],
        ['haiku', 2, 200, 20, 0.003, 0.3333],
      ],
    );
  });

  it('skips wrapper spans whose usage repeats a child (usage_counted false)', () => {
    const rows = costBreakdown([call('w', 'sonnet', 0.006, { usage_counted: false }), call('c', 'sonnet', 0.006)]);
    assert.equal(rows[0].calls, 1);
    assert.equal(rows[0].cost_usd, 0.006);
  });

  it('counts unpriced calls apart instead of pricing them at $0', () => {
    const rows = costBreakdown([call('1', 'local-llama', null), call('2', 'local-llama', null), call('3', 'haiku', 0.001)]);
    const llama = rows.find((r) => r.model === 'local-llama')!;
    assert.equal(llama.unpriced_calls, 2);
    assert.equal(llama.pct, 0);
    assert.equal(rows[0].model, 'haiku');
  });

  it('groups calls without a model name under one row', () => {
    assert.equal(costBreakdown([call('1', null, 0.001)])[0].model, '(unknown model)');
  });
});

describe('panel number formats', () => {
  it('shows an unpriced span as unpriced, never $0', () => {
    assert.equal(spanCostText(null, 'unpriced'), 'unpriced');
    assert.equal(spanCostText(0, 'reported'), '$0.00');
    assert.equal(spanCostText(null, null), '—');
  });

  it('keeps significant digits of tiny costs', () => {
    assert.equal(formatCost(0.000042), '$0.000042');
    assert.equal(formatCost(0.0102), '$0.0102');
    assert.equal(formatCost(0.05), '$0.05');
    assert.equal(formatCost(123.456), '$123.46');
    assert.equal(formatCost(0.0000001), '<$0.000001');
  });

  it('reads durations at the right unit', () => {
    assert.deepEqual([0.25, 12.34, 999, 1180, 4820, 61_000, 3_725_000].map(formatDuration), ['0.25 ms', '12 ms', '999 ms', '1.18 s', '4.82 s', '1m 01s', '1h 02m']);
  });

  it('shows a tiny but non-zero share as <0.1%', () => {
    assert.deepEqual([0, 0.00003, 0.05, 0.8512].map(formatPercent), ['0%', '<0.1%', '5.0%', '85%']);
  });
});

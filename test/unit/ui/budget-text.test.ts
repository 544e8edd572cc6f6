import assert from 'node:assert/strict';
import type { BudgetStatus } from '../../../extension/server/budget';
import { budgetNotices, budgetUsd, budgetView } from '../../../extension/ui/budget-text';

function budget(fields: Partial<BudgetStatus> = {}): BudgetStatus {
  return {
    month: '2026-11', since: 0, until: 1, spent_usd: 842.1, calls: 5120, unpriced_calls: 0,
    limit_usd: 1000, pct_used: 84.21, warn_at_pct: 80, warn: true, hard_limit: false, exceeded: false,
    by_model: [{ model: 'gpt-4o', calls: 4000, spent_usd: 700 }, { model: 'gpt-4o-mini', calls: 1120, spent_usd: 142.1 }],
    by_tag: [], tags: [],
    ...fields,
  };
}

describe('the budget status bar text', () => {
  it('reads $842 / $1,000 with the warning colour past the threshold', () => {
    const view = budgetView(budget())!;
    assert.equal(view.text, '$(warning) $842 / $1,000');
    assert.equal(view.severity, 'warning');
    assert.equal(view.tooltip[0], 'Budget for 2026-11: $842 of $1,000 (84%), warning at 80%');
    assert.ok(view.tooltip.includes('gpt-4o: $700 in 4k calls'));
    assert.ok(view.tooltip.some((l) => /No hard limit/.test(l)));
  });

  it('stays plain under the threshold and turns to the error colour once the budget is reached', () => {
    assert.deepEqual([budgetView(budget({ spent_usd: 120, pct_used: 12, warn: false }))!.text, budgetView(budget({ spent_usd: 120, pct_used: 12, warn: false }))!.severity], ['$(credit-card) $120 / $1,000', 'normal']);
    const over = budgetView(budget({ spent_usd: 1012.4, pct_used: 101.24, exceeded: true, hard_limit: true }))!;
    assert.equal(over.text, '$(error) $1,012 / $1,000');
    assert.equal(over.severity, 'error');
    assert.ok(over.tooltip.some((l) => /Hard limit: once a budget is reached, the StackLens SDK refuses new calls/.test(l)));
  });

  it('marks spend as a lower bound when calls could not be priced', () => {
    const view = budgetView(budget({ spent_usd: 12.4, limit_usd: 50, pct_used: 24.8, warn: false, unpriced_calls: 3 }))!;
    assert.equal(view.text, '$(credit-card) $12.40+ / $50');
    assert.ok(view.tooltip.includes('3 call(s) have no known price: spend is a lower bound'));
  });

  it('hides without any budget, and speaks for the fullest tag when only tags have budgets', () => {
    assert.equal(budgetView(budget({ limit_usd: null, pct_used: null, warn: false })), null);
    const tags = budgetView(budget({
      limit_usd: null, pct_used: null, warn: false,
      tags: [
        { tag: 'search', spent_usd: 10, limit_usd: 100, pct_used: 10, warn: false, exceeded: false },
        { tag: 'support', spent_usd: 500, limit_usd: 300, pct_used: 166.7, warn: true, exceeded: true },
      ],
    }))!;
    assert.equal(tags.text, '$(error) support $500 / $300');
    assert.ok(tags.tooltip.includes('Tag support: $500 of $300 (167%) — reached'));
  });

  it('formats amounts: whole dollars from $100, cents below', () => {
    assert.deepEqual([budgetUsd(1000), budgetUsd(842.6), budgetUsd(50), budgetUsd(12.4), budgetUsd(0.42), budgetUsd(0)], ['$1,000', '$843', '$50', '$12.40', '$0.42', '$0']);
  });
});

describe('budget notices', () => {
  it('announces a crossed threshold once per month, and the limit again when it is reached', () => {
    const first = budgetNotices(budget(), null);
    assert.deepEqual(first.notices.map((n) => [n.key, n.level]), [['month:warn', 'warning']]);
    assert.equal(first.notices[0].message, "StackLens: 84% of this month's $1,000 budget is spent ($842).");
    assert.deepEqual(budgetNotices(budget(), first.memory).notices, [], 'a refresh says nothing new');
    const over = budgetNotices(budget({ spent_usd: 1001, pct_used: 100.1, exceeded: true, hard_limit: true }), first.memory);
    assert.deepEqual(over.notices.map((n) => n.key), ['month:exceeded']);
    assert.match(over.notices[0].message, /budget is used up \(\$1,001 spent\)\. The StackLens SDK now refuses new calls/);
    assert.deepEqual(budgetNotices(budget({ exceeded: true }), over.memory).notices, []);
  });

  it('starts over in a new month', () => {
    const { memory } = budgetNotices(budget(), null);
    assert.deepEqual(budgetNotices(budget({ month: '2026-12' }), memory).notices.map((n) => n.key), ['month:warn']);
  });

  it('does not warn after the fact about a budget it already announced as reached', () => {
    const { notices, memory } = budgetNotices(budget({ exceeded: true }), null);
    assert.deepEqual(notices.map((n) => n.key), ['month:exceeded']);
    assert.deepEqual(budgetNotices(budget({ exceeded: false }), memory).notices, []);
  });

  it('announces per-tag budgets on their own', () => {
    const s = budget({ warn: false, pct_used: 10, tags: [{ tag: 'support', spent_usd: 290, limit_usd: 300, pct_used: 96.7, warn: true, exceeded: false }] });
    const { notices } = budgetNotices(s, null);
    assert.deepEqual(notices.map((n) => n.key), ['tag:support:warn']);
    assert.equal(notices[0].message, 'StackLens: 97% of the $300 budget of tag "support" is spent ($290).');
  });
});

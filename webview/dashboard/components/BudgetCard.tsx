// This month's spend against the budget (the calendar month, UTC, whatever range is picked), and
// the per-tag budgets; without a budget, the way to set one.
import type { JSX } from 'preact';
import type { BudgetStatus } from '../../../extension/server/budget';
import { formatCost, formatCount } from '../../layout/format';
import { postToHost } from '../host';

function Meter({ pct, warnAt, tone }: { pct: number; warnAt: number; tone: string }): JSX.Element {
  return (
    <div class={`meter is-${tone}`} role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
      <span class="meter-fill" style={{ width: `${Math.min(100, pct)}%` }} />
      <span class="meter-warn" style={{ left: `${warnAt}%` }} title={`warning at ${warnAt}%`} />
    </div>
  );
}

const tone = (warn: boolean, exceeded: boolean) => (exceeded ? 'exceeded' : warn ? 'warn' : 'ok');
const pctText = (p: number) => `${p >= 10 ? Math.round(p) : p.toFixed(1)}%`;

export function BudgetCard({ budget }: { budget: BudgetStatus }): JSX.Element {
  const lowerBound = budget.unpriced_calls > 0 ? ' +' : '';
  return (
    <section class="card budget" data-card="budget" aria-label="Budget">
      <header class="card-head">
        <h2>Budget · {budget.month}</h2>
        <span class="muted">{budget.hard_limit ? 'hard limit: the SDK refuses calls once reached' : 'no hard limit'}</span>
      </header>
      {budget.limit_usd === null ? (
        <p class="budget-none">
          <strong class="budget-spent">{formatCost(budget.spent_usd)}{lowerBound}</strong> spent this month, no monthly budget set.{' '}
          <button type="button" class="link" data-action="budget-settings" onClick={() => postToHost({ type: 'openBudgetSettings' })}>
            Set a budget
          </button>
        </p>
      ) : (
        <div class="budget-row" data-budget="month">
          <div class="budget-figures">
            <strong class="budget-spent">{`${formatCost(budget.spent_usd)}${lowerBound} / ${formatCost(budget.limit_usd)}`}</strong>
            <span class={`budget-pct is-${tone(budget.warn, budget.exceeded)}`}>{pctText(budget.pct_used ?? 0)}</span>
          </div>
          <Meter pct={budget.pct_used ?? 0} warnAt={budget.warn_at_pct} tone={tone(budget.warn, budget.exceeded)} />
        </div>
      )}
      {budget.tags.map((t) => (
        <div key={t.tag} class="budget-row is-tag" data-budget-tag={t.tag}>
          <div class="budget-figures">
            <span class="tag">{t.tag}</span>
            <span>{`${formatCost(t.spent_usd)} / ${formatCost(t.limit_usd)}`}</span>
            <span class={`budget-pct is-${tone(t.warn, t.exceeded)}`}>{pctText(t.pct_used)}</span>
          </div>
          <Meter pct={t.pct_used} warnAt={budget.warn_at_pct} tone={tone(t.warn, t.exceeded)} />
        </div>
      ))}
      {budget.unpriced_calls > 0 && <p class="muted note">{formatCount(budget.unpriced_calls)} call(s) have no known price: spend is a lower bound.</p>}
    </section>
  );
}

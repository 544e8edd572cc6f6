// What the budget status bar item says (`$842 / $1,000`), and which notices a budget crossing
// deserves. Pure: the adapter (budget-status-bar.ts) renders it and keeps the notice memory.
import type { BudgetStatus } from '../server/budget';
import { formatCount, formatUsd } from './format';

export interface BudgetView {
  text: string;
  /** plain lines; the adapter renders them */
  tooltip: string[];
  severity: 'normal' | 'warning' | 'error';
}

/** `$842`, `$1,000`, `$12.40`, `$0.42`: whole dollars from $100, cents below, small amounts readable. */
export function budgetUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '–';
  if (usd >= 100) return `$${Math.round(usd).toLocaleString('en-US')}`;
  if (usd >= 0.01) return Number.isInteger(usd) ? `$${usd}` : `$${usd.toFixed(2)}`;
  return formatUsd(usd);
}

const pct = (p: number) => `${p >= 10 ? Math.round(p) : Math.round(p * 10) / 10}%`;

/** Null when nothing is budgeted: the item hides (the collector item shows today's cost already). */
export function budgetView(s: BudgetStatus): BudgetView | null {
  if (s.limit_usd === null && s.tags.length === 0) return null;
  const lowerBound = s.unpriced_calls > 0 ? '+' : '';
  const tooltip: string[] = [];
  if (s.limit_usd !== null) {
    tooltip.push(`Budget for ${s.month}: ${budgetUsd(s.spent_usd)}${lowerBound} of ${budgetUsd(s.limit_usd)} (${pct(s.pct_used ?? 0)}), warning at ${s.warn_at_pct}%`);
  } else {
    tooltip.push(`Spend in ${s.month}: ${budgetUsd(s.spent_usd)}${lowerBound} (no monthly limit)`);
  }
  if (s.unpriced_calls > 0) tooltip.push(`${formatCount(s.unpriced_calls)} call(s) have no known price: spend is a lower bound`);
  for (const t of s.tags) {
    const state = t.exceeded ? ' — reached' : t.warn ? ' — near its limit' : '';
    tooltip.push(`Tag ${t.tag}: ${budgetUsd(t.spent_usd)} of ${budgetUsd(t.limit_usd)} (${pct(t.pct_used)})${state}`);
  }
  for (const m of s.by_model.slice(0, 3)) tooltip.push(`${m.model}: ${budgetUsd(m.spent_usd)} in ${formatCount(m.calls)} call${m.calls === 1 ? '' : 's'}`);
  tooltip.push(
    s.hard_limit
      ? 'Hard limit: once a budget is reached, the StackLens SDK refuses new calls before they are sent'
      : 'No hard limit: calls go on when a budget is reached (stacklens.budget.hardLimit)',
  );
  tooltip.push('Click to open the usage dashboard');

  const exceeded = s.exceeded || s.tags.some((t) => t.exceeded);
  const warn = s.warn || s.tags.some((t) => t.warn);
  const severity = exceeded ? 'error' : warn ? 'warning' : 'normal';
  const icon = exceeded ? '$(error)' : warn ? '$(warning)' : '$(credit-card)';
  if (s.limit_usd !== null) return { text: `${icon} ${budgetUsd(s.spent_usd)}${lowerBound} / ${budgetUsd(s.limit_usd)}`, tooltip, severity };
  // only per-tag budgets: the tag closest to (or furthest over) its limit speaks for them
  const worst = [...s.tags].sort((a, b) => b.pct_used - a.pct_used)[0];
  return { text: `${icon} ${worst.tag} ${budgetUsd(worst.spent_usd)} / ${budgetUsd(worst.limit_usd)}`, tooltip, severity };
}

/** The crossings already announced, per month, so each is said once (kept across reloads). */
export interface NoticeMemory {
  month: string;
  said: string[];
}

export interface BudgetNotice {
  key: string;
  level: 'warning' | 'error';
  message: string;
}

/** Notices for thresholds this status has crossed that `memory` has not announced this month yet. */
export function budgetNotices(s: BudgetStatus, memory: NoticeMemory | null): { notices: BudgetNotice[]; memory: NoticeMemory } {
  const said = memory?.month === s.month ? memory.said : [];
  const notices: BudgetNotice[] = [];
  const consequence = s.hard_limit ? 'The StackLens SDK now refuses new calls of wrapped clients (hard limit).' : 'Calls go on: there is no hard limit.';
  if (s.limit_usd !== null) {
    const limit = budgetUsd(s.limit_usd);
    if (s.exceeded) {
      notices.push({ key: 'month:exceeded', level: 'error', message: `StackLens: this month's ${limit} budget is used up (${budgetUsd(s.spent_usd)} spent). ${consequence}` });
    } else if (s.warn) {
      notices.push({ key: 'month:warn', level: 'warning', message: `StackLens: ${pct(s.pct_used ?? 0)} of this month's ${limit} budget is spent (${budgetUsd(s.spent_usd)}).` });
    }
  }
  for (const t of s.tags) {
    const limit = budgetUsd(t.limit_usd);
    if (t.exceeded) {
      notices.push({ key: `tag:${t.tag}:exceeded`, level: 'error', message: `StackLens: the ${limit} budget of tag "${t.tag}" is used up (${budgetUsd(t.spent_usd)} spent). ${consequence}` });
    } else if (t.warn) {
      notices.push({ key: `tag:${t.tag}:warn`, level: 'warning', message: `StackLens: ${pct(t.pct_used)} of the ${limit} budget of tag "${t.tag}" is spent (${budgetUsd(t.spent_usd)}).` });
    }
  }
  // an exceeded budget has also crossed its warning: remember both, so a later refresh stays quiet
  const fresh = notices.filter((n) => !said.includes(n.key));
  const implied = notices.flatMap((n) => (n.key.endsWith(':exceeded') ? [n.key, n.key.replace(/:exceeded$/, ':warn')] : [n.key]));
  return { notices: fresh, memory: { month: s.month, said: [...new Set([...said, ...implied])] } };
}

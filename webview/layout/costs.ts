// Per-model cost of one trace (seed 004's cost_breakdown()): only spans whose usage counts
// towards the trace (usage_counted), so a wrapper span repeating its child's usage is not
// counted twice.
import type { StoredSpan } from '../../extension/server/model';

export interface ModelCost {
  model: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** calls of this model with tokens but no known price: cost_usd is then a lower bound */
  unpriced_calls: number;
  /** share of the trace's priced cost, within [0, 1] */
  pct: number;
}

const isModelCall = (s: StoredSpan): boolean =>
  s.usage_counted &&
  (s.cost_source !== null || s.cost_usd !== null || s.input_tokens !== null || s.output_tokens !== null);

/** Sorted by spend, then by calls, then by name; a call with no model name is grouped as "(unknown model)". */
export function costBreakdown(spans: readonly StoredSpan[]): ModelCost[] {
  const byModel = new Map<string, ModelCost>();
  for (const s of spans) {
    if (!isModelCall(s)) continue;
    const model = s.model ?? s.request_model ?? '(unknown model)';
    let row = byModel.get(model);
    if (!row) byModel.set(model, (row = { model, calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0, unpriced_calls: 0, pct: 0 }));
    row.calls++;
    row.input_tokens += s.input_tokens ?? 0;
    row.output_tokens += s.output_tokens ?? 0;
    if (s.cost_source === 'unpriced') row.unpriced_calls++;
    else if (s.cost_usd !== null) row.cost_usd += s.cost_usd;
  }
  const rows = [...byModel.values()];
  const total = rows.reduce((sum, r) => sum + r.cost_usd, 0);
  for (const r of rows) r.pct = total > 0 ? r.cost_usd / total : 0;
  rows.sort((a, b) => b.cost_usd - a.cost_usd || b.calls - a.calls || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return rows;
}

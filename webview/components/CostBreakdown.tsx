// Per-model spend of the trace, most expensive first (seed 004's cost_breakdown()).
import type { JSX } from 'preact';
import type { ModelCost } from '../layout/costs';
import { formatCost, formatCount, formatPercent } from '../layout/format';

function costText(row: ModelCost): string {
  if (row.unpriced_calls === row.calls) return 'unpriced';
  return `${row.unpriced_calls > 0 ? '≥ ' : ''}${formatCost(row.cost_usd)}`;
}

export function CostBreakdown({ rows }: { rows: ModelCost[] }): JSX.Element {
  if (rows.length === 0) return <div class="detail"><p class="muted">No model calls in this trace.</p></div>;
  return (
    <div class="detail">
      <table class="costs" aria-label="Cost by model">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" class="num">Calls</th>
            <th scope="col" class="num">Tokens in / out</th>
            <th scope="col" class="num">Cost</th>
            <th scope="col" class="share">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.model} data-model={r.model}>
              <td class="model" title={r.model}>{r.model}</td>
              <td class="num">{formatCount(r.calls)}</td>
              <td class="num">{`${formatCount(r.input_tokens)} / ${formatCount(r.output_tokens)}`}</td>
              <td class={`num${r.unpriced_calls === r.calls ? ' is-unpriced' : ''}`}>{costText(r)}</td>
              <td class="share">
                <span class="share-bar"><span style={{ width: `${r.pct * 100}%` }} /></span>
                <span class="share-text">{r.unpriced_calls === r.calls ? '—' : formatPercent(r.pct)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted note">Counts only calls whose usage is not repeated by a child span. Unpriced calls have tokens but no known price; their cost is not included.</p>
    </div>
  );
}

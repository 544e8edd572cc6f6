// The Usage view's two tables: latency percentiles overall and per model, and cost by tag.
import type { JSX } from 'preact';
import { formatCost, formatCount, formatDuration } from '../../layout/format';
import type { UsageReport } from '../../protocol';

export function Latency({ r }: { r: UsageReport }): JSX.Element {
  const rows = [{ model: 'All models', calls: r.stats.totals.calls, latency_ms: r.stats.latency_ms, all: true }, ...r.stats.by_model.map((b) => ({ ...b, all: false }))];
  return (
    <section class="card" data-card="latency" aria-label="Latency percentiles">
      <header class="card-head">
        <h2>Latency percentiles</h2>
        <span class="muted">{r.stats.latency_exact ? 'per model call' : 'per model call · each within 1% (from histograms: many calls)'}</span>
      </header>
      <table class="grid latency">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" class="num">Calls</th>
            <th scope="col" class="num">p50</th>
            <th scope="col" class="num">p90</th>
            <th scope="col" class="num">p95</th>
            <th scope="col" class="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.model} class={row.all ? 'is-total' : ''} data-latency-model={row.model}>
              <td class="model" title={row.model}>{row.model}</td>
              <td class="num">{formatCount(row.calls)}</td>
              {(['p50', 'p90', 'p95', 'p99'] as const).map((p) => (
                <td key={p} class="num" data-p={p}>{row.calls ? formatDuration(row.latency_ms[p]) : '—'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function ByTag({ r }: { r: UsageReport }): JSX.Element {
  const tags = r.stats.by_tag;
  const max = Math.max(...tags.map((t) => t.cost_usd), 0);
  return (
    <section class="card" data-card="tags" aria-label="Cost by tag">
      <header class="card-head">
        <h2>Cost by tag</h2>
        <span class="muted">a call counts for every tag of its trace</span>
      </header>
      {tags.length === 0 ? (
        <p class="muted">No tagged traces in this range. Tag them with span.addTag('feature') in the SDK.</p>
      ) : (
        <table class="grid tags-table">
          <tbody>
            {tags.map((t) => (
              <tr key={t.tag} data-tag={t.tag}>
                <td class="tag-name"><span class="tag">{t.tag}</span></td>
                <td class="bar-cell">
                  <span class="hbar"><span style={{ width: `${max > 0 ? (t.cost_usd / max) * 100 : 0}%` }} /></span>
                </td>
                <td class="num strong">{formatCost(t.cost_usd)}</td>
                <td class="num muted">{`${formatCount(t.calls)} call${t.calls === 1 ? '' : 's'}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// The Usage view: headline numbers, the budget, cost or tokens by model by day, latency
// percentiles per model, cost by tag, and the most expensive and slowest traces.
import type { JSX } from 'preact';
import { PanelMessage } from '../../components/PanelMessage';
import { formatCost, formatCount, formatDuration, formatPercent } from '../../layout/format';
import type { UsageReport } from '../../protocol';
import { modelColours, stackedSeries, utcDays, type Metric } from '../charts';
import { metric, usage } from '../store';
import { BudgetCard } from './BudgetCard';
import { Legend, StackedBars } from './StackedBars';
import { TraceList } from './TraceList';
import { ByTag, Latency } from './UsageTables';

function Kpi({ id, label, value, note, tone }: { id: string; label: string; value: string; note?: string; tone?: 'error' }): JSX.Element {
  return (
    <div class={`kpi${tone ? ` is-${tone}` : ''}`} data-kpi={id}>
      <div class="kpi-label">{label}</div>
      <div class="kpi-value">{value}</div>
      {note && <div class="kpi-note">{note}</div>}
    </div>
  );
}

function Kpis({ r }: { r: UsageReport }): JSX.Element {
  const t = r.stats.totals;
  const l = r.stats.latency_ms;
  return (
    <div class="kpis" role="group" aria-label="Totals">
      <Kpi id="cost" label="Cost" value={formatCost(t.cost_usd)} note={`${formatCount(r.stats.by_model.length)} model${r.stats.by_model.length === 1 ? '' : 's'}`} />
      <Kpi id="calls" label="Model calls" value={formatCount(t.calls)} note={`in ${formatCount(t.traces)} trace${t.traces === 1 ? '' : 's'}`} />
      <Kpi id="tokens" label="Tokens in / out" value={`${formatCount(t.input_tokens)} / ${formatCount(t.output_tokens)}`} note={`${formatCount(t.total_tokens)} total`} />
      <Kpi id="latency" label="Latency p50 / p95" value={t.calls ? `${formatDuration(l.p50)} / ${formatDuration(l.p95)}` : '—'} note={t.calls ? `p99 ${formatDuration(l.p99)}` : undefined} />
      <Kpi id="errors" label="Failed calls" value={formatCount(t.errors)} note={t.calls ? formatPercent(t.errors / t.calls) : undefined} tone={t.errors > 0 ? 'error' : undefined} />
    </div>
  );
}

function ByDay({ r }: { r: UsageReport }): JSX.Element {
  const m = metric.value;
  const colours = modelColours(r.stats.by_model.map((b) => b.model));
  const series = stackedSeries(r.stats.by_model_by_day, utcDays(r.since, r.until), m);
  const totals = new Map<string, number>();
  for (const bar of series.bars) for (const s of bar.segments) totals.set(s.model, (totals.get(s.model) ?? 0) + s.value);
  const title = m === 'cost' ? 'Cost by model by day' : 'Tokens by model by day';
  const pick = (next: Metric) => () => (metric.value = next);
  return (
    <section class="card chart-card" data-card="by-day" aria-label={title}>
      <header class="card-head">
        <h2>{title}</h2>
        <span class="muted">UTC days</span>
        <span class="spacer" />
        <div class="segmented" role="group" aria-label="Measure">
          <button type="button" aria-pressed={m === 'cost'} data-metric="cost" onClick={pick('cost')}>
            cost
          </button>
          <button type="button" aria-pressed={m === 'tokens'} data-metric="tokens" onClick={pick('tokens')}>
            tokens
          </button>
        </div>
      </header>
      {series.models.length === 0 ? (
        <p class="muted chart-empty">{m === 'cost' ? 'No priced model calls in this range.' : 'No tokens recorded in this range.'}</p>
      ) : (
        <>
          <StackedBars series={series} metric={m} colours={colours} label={title} />
          <Legend models={series.models} colours={colours} totals={totals} metric={m} />
        </>
      )}
    </section>
  );
}

function Report({ r, stale }: { r: UsageReport; stale: boolean }): JSX.Element {
  const empty = r.stats.totals.calls === 0 && r.stats.totals.traces === 0;
  return (
    <div class={`usage${stale ? ' is-stale' : ''}`} aria-busy={stale}>
      <Kpis r={r} />
      {r.budget && <BudgetCard budget={r.budget} />}
      {empty ? (
        <PanelMessage title="No model calls in this range" body="Run your program from a VS Code terminal (or the demo) and its calls appear here; or pick a longer range." />
      ) : (
        <>
          <ByDay r={r} />
          <div class="cards-2">
            <Latency r={r} />
            <ByTag r={r} />
          </div>
          <div class="cards-2">
            <TraceList id="expensive" title="Most expensive traces" rows={r.expensive} by="cost" />
            <TraceList id="slowest" title="Slowest traces" rows={r.slowest} by="duration" />
          </div>
        </>
      )}
    </div>
  );
}

export function UsageView(): JSX.Element {
  const s = usage.value;
  if (s.kind === 'error') return <PanelMessage tone="error" title="The usage could not be shown" body={s.message} />;
  if (s.kind === 'ready') return <Report r={s.report} stale={false} />;
  if (s.kind === 'loading' && s.previous) return <Report r={s.previous} stale={true} />;
  return <PanelMessage tone="loading" title="Loading usage…" body="Reading the store for this range." />;
}

// The trace's headline numbers. Cost is a lower bound ("≥") when some calls had no known price.
import type { JSX } from 'preact';
import type { TraceSummary } from '../../extension/server/model';
import { formatCost, formatCount, formatDuration } from '../layout/format';

function Kpi({ label, value, note, tone, id }: { label: string; value: string; note?: string; tone?: 'error'; id: string }): JSX.Element {
  return (
    <div class={`kpi${tone ? ` is-${tone}` : ''}`} data-kpi={id}>
      <div class="kpi-label">{label}</div>
      <div class="kpi-value">{value}</div>
      {note && <div class="kpi-note">{note}</div>}
    </div>
  );
}

export function KpiRow({ trace }: { trace: TraceSummary }): JSX.Element {
  const unpriced = trace.unpriced_call_count;
  const cost = unpriced > 0 && trace.total_cost_usd === 0 ? 'unpriced' : `${unpriced > 0 ? '≥ ' : ''}${formatCost(trace.total_cost_usd)}`;
  const costNote = unpriced > 0 ? `${unpriced} unpriced call${unpriced === 1 ? '' : 's'}` : `${trace.llm_call_count} LLM call${trace.llm_call_count === 1 ? '' : 's'}`;
  return (
    <div class="kpis" role="group" aria-label="Trace summary">
      <Kpi id="duration" label="Duration" value={formatDuration(trace.duration_ms)} />
      <Kpi id="cost" label="Total cost" value={cost} note={costNote} />
      <Kpi id="spans" label="Spans" value={formatCount(trace.span_count)} />
      <Kpi id="tokens" label="Tokens in / out" value={`${formatCount(trace.input_tokens)} / ${formatCount(trace.output_tokens)}`} />
      <Kpi id="errors" label="Errors" value={formatCount(trace.error_count)} tone={trace.error_count > 0 ? 'error' : undefined} />
    </div>
  );
}

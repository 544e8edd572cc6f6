// Plain-text rendering of trace summaries for the terminal.
import type { TraceSummary } from './model';

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatCost(usd: number, unpricedCalls = 0): string {
  const text = usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(3)}`;
  if (unpricedCalls === 0) return text;
  return usd === 0 ? 'unpriced' : `≥${text}`;
}

export function formatTraceTable(traces: TraceSummary[]): string {
  if (traces.length === 0) return 'No traces yet. Send spans to the collector (see `stacklens serve`), then try again.';
  const rows = traces.map((t) => [
    new Date(t.start_time).toISOString().replace('T', ' ').slice(0, 19),
    t.trace_id,
    t.name,
    t.status === 'error' ? 'ERROR' : t.status,
    formatDuration(t.duration_ms),
    String(t.span_count),
    formatCost(t.total_cost_usd, t.unpriced_call_count),
    `${t.input_tokens}/${t.output_tokens}`,
    t.models.join(','),
  ]);
  const header = ['started (UTC)', 'trace id', 'name', 'status', 'duration', 'spans', 'cost', 'tokens in/out', 'models'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

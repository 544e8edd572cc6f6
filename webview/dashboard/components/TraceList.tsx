// The most expensive or the slowest traces of the range; a click opens the trace panel.
import type { JSX } from 'preact';
import { formatCost, formatDuration } from '../../layout/format';
import type { TraceRow } from '../../protocol';
import { postToHost } from '../host';

function when(t: number): string {
  const d = new Date(t);
  return d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function TraceList({ title, rows, by, id }: { title: string; rows: TraceRow[]; by: 'cost' | 'duration'; id: string }): JSX.Element {
  return (
    <section class="card" data-card={id} aria-label={title}>
      <header class="card-head">
        <h2>{title}</h2>
      </header>
      {rows.length === 0 ? (
        <p class="muted">{by === 'cost' ? 'No priced calls in this range.' : 'No traces in this range.'}</p>
      ) : (
        <table class="grid traces">
          <thead>
            <tr>
              <th scope="col">Trace</th>
              <th scope="col">Started</th>
              <th scope="col" class="num">{by === 'cost' ? 'Duration' : 'Cost'}</th>
              <th scope="col" class="num">{by === 'cost' ? 'Cost' : 'Duration'}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.trace_id} data-trace-id={r.trace_id}>
                <td class="trace-name">
                  <button type="button" class="link" title={`Open trace ${r.trace_id}`} onClick={() => postToHost({ type: 'openTrace', traceId: r.trace_id })}>
                    {r.status === 'error' && <span class="err-icon" aria-label="error">!</span>}
                    <span class="trace-label">{r.name || r.trace_id.slice(0, 8)}</span>
                  </button>
                </td>
                <td class="muted when">{when(r.start_time)}</td>
                <td class="num">{by === 'cost' ? formatDuration(r.duration_ms) : formatCost(r.total_cost_usd)}</td>
                <td class="num strong">{by === 'cost' ? `${r.unpriced_call_count > 0 ? '≥ ' : ''}${formatCost(r.total_cost_usd)}` : formatDuration(r.duration_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

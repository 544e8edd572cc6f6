// The time axis above the waterfall lanes, and the matching grid lines behind the bars.
import type { JSX } from 'preact';
import type { Tick } from '../layout/ticks';

export function TimeAxis({ ticks }: { ticks: Tick[] }): JSX.Element {
  return (
    <div class="wf-axis" aria-hidden="true">
      {ticks.map((t) => (
        <span key={t.offsetMs} class={`wf-tick${t.fraction > 0.94 ? ' is-last' : ''}`} style={{ left: `${t.fraction * 100}%` }}>
          {t.label}
        </span>
      ))}
    </div>
  );
}

export function GridLines({ ticks }: { ticks: Tick[] }): JSX.Element {
  return (
    <div class="wf-grid" aria-hidden="true">
      {ticks.map((t) => t.fraction > 0 && <span key={t.offsetMs} class="wf-gridline" style={{ left: `${t.fraction * 100}%` }} />)}
    </div>
  );
}

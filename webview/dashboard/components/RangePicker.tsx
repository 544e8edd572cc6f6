// The date range: presets (24 hours, 7 days, 30 days, up to now) or custom whole days.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { localDay, PRESETS } from '../range';
import { range, rangeProblem, setRange } from '../store';

export function RangePicker(): JSX.Element {
  const choice = range.value;
  const today = localDay(Date.now());
  const [from, setFrom] = useState(choice.from ?? localDay(Date.now() - 6 * 86_400_000));
  const [to, setTo] = useState(choice.to ?? today);
  const custom = choice.preset === 'custom';
  return (
    <div class="range" role="group" aria-label="Date range">
      <div class="segmented">
        {PRESETS.map((p) => (
          <button key={p.preset} type="button" aria-pressed={choice.preset === p.preset} data-range={p.preset} onClick={() => setRange({ preset: p.preset })}>
            {p.preset}
          </button>
        ))}
        <button type="button" aria-pressed={custom} data-range="custom" onClick={() => setRange({ preset: 'custom', from, to })}>
          custom
        </button>
      </div>
      {custom && (
        <form
          class="range-custom"
          onSubmit={(e) => {
            e.preventDefault();
            setRange({ preset: 'custom', from, to });
          }}
        >
          <label>
            <span class="sr-only">First day</span>
            <input type="date" value={from} max={today} data-range-from onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <span class="muted">to</span>
          <label>
            <span class="sr-only">Last day</span>
            <input type="date" value={to} max={today} data-range-to onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="range-apply" data-action="apply-range">
            Apply
          </button>
        </form>
      )}
      {rangeProblem.value && (
        <span class="range-problem" role="alert">
          {rangeProblem.value}
        </span>
      )}
    </div>
  );
}

// Time-axis ticks: a "nice" step (1, 2 or 5 × 10^k ms) so labels read 0, 250 ms, 500 ms…
import { formatDuration } from './format';

export interface Tick {
  /** milliseconds from the trace start */
  offsetMs: number;
  /** position on the axis, within [0, 1] */
  fraction: number;
  label: string;
}

export function niceStep(durationMs: number, maxTicks: number): number {
  const raw = durationMs / Math.max(1, maxTicks);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

/** Ticks from 0 to the trace duration, at most maxTicks + 1 of them (0 included). */
export function timeTicks(durationMs: number, maxTicks: number): Tick[] {
  if (!(durationMs > 0) || !Number.isFinite(durationMs)) return [{ offsetMs: 0, fraction: 0, label: '0 ms' }];
  const step = niceStep(durationMs, maxTicks);
  const ticks: Tick[] = [];
  for (let k = 0; k * step <= durationMs * (1 + 1e-9); k++) {
    // k * step, not repeated addition: 0.1 + 0.2 drift would print as 0.30000000000000004 ms
    const offsetMs = k * step;
    ticks.push({ offsetMs, fraction: Math.min(1, offsetMs / durationMs), label: k === 0 ? '0' : formatDuration(offsetMs) });
  }
  return ticks;
}

/** How many ticks fit: one label per ~90 px of axis, at least 2. */
export function tickBudget(axisWidthPx: number): number {
  return Math.max(2, Math.floor(axisWidthPx / 90));
}

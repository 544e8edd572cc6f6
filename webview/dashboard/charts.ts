// Chart layout for the dashboard, in data units: the SVG components only scale what these
// functions return. Pure, so the stacking, ordering and axis rules are tested in node.
import type { Stats } from '../../extension/server/model';
import { niceStep } from '../layout/ticks';

export type Metric = 'cost' | 'tokens';
/** models beyond this many are summed as "other", so the legend stays readable */
export const MAX_SERIES = 6;
export const OTHER = 'other models';

export interface Segment {
  model: string;
  value: number;
  /** cumulative bottom and top of the segment, in data units */
  y0: number;
  y1: number;
}

export interface StackedBar {
  day: string;
  total: number;
  segments: Segment[];
}

export interface StackedSeries {
  /** biggest first; OTHER last when models were folded into it */
  models: string[];
  bars: StackedBar[];
  max: number;
}

/** UTC days (YYYY-MM-DD, the days of Stats.by_model_by_day) from the one holding `since` to the one holding `until - 1`. */
export function utcDays(since: number, until: number): string[] {
  const days: string[] = [];
  const first = Math.floor(since / 86_400_000);
  const last = Math.floor((Math.max(until, since + 1) - 1) / 86_400_000);
  // a range longer than a year is drawn from its last 366 days
  for (let d = Math.max(first, last - 365); d <= last; d++) days.push(new Date(d * 86_400_000).toISOString().slice(0, 10));
  return days;
}

const valueOf = (row: Stats['by_model_by_day'][number], metric: Metric) => (metric === 'cost' ? row.cost_usd : row.input_tokens + row.output_tokens);

/** Stacked bars per day, one segment per model (biggest model at the bottom), days without calls empty. */
export function stackedSeries(rows: Stats['by_model_by_day'], days: string[], metric: Metric, maxSeries = MAX_SERIES): StackedSeries {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.model, (totals.get(r.model) ?? 0) + valueOf(r, metric));
  const ranked = [...totals.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([m]) => m);
  const folded = ranked.length > maxSeries;
  const shown = folded ? ranked.slice(0, maxSeries - 1) : ranked;
  const models = folded ? [...shown, OTHER] : shown;
  const seriesOf = (model: string) => (shown.includes(model) ? model : OTHER);

  const cells = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const v = valueOf(r, metric);
    if (!(v > 0)) continue;
    const day = cells.get(r.day) ?? new Map<string, number>();
    cells.set(r.day, day);
    const series = seriesOf(r.model);
    day.set(series, (day.get(series) ?? 0) + v);
  }
  let max = 0;
  const bars = days.map((day) => {
    const cell = cells.get(day);
    let y = 0;
    const segments: Segment[] = [];
    for (const model of models) {
      const value = cell?.get(model) ?? 0;
      if (value <= 0) continue;
      segments.push({ model, value, y0: y, y1: y + value });
      y += value;
    }
    max = Math.max(max, y);
    return { day, total: y, segments };
  });
  return { models, bars, max };
}

/** Value-axis ticks from 0 to a round top at or above `max` (1, 2 or 5 × 10^k steps). */
export function valueTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0];
  const step = niceStep(max, count);
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; k * step <= top * (1 + 1e-9); k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Series colours: the theme's chart colours, in a fixed order. */
export const SERIES_COLOURS = ['--vscode-charts-blue', '--vscode-charts-purple', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-yellow', '--vscode-charts-red'];

/**
 * A colour per model from one ranking (Stats.by_model, by cost), so a model has the same colour
 * in the cost chart, the tokens chart and the tables. "other models" is drawn muted.
 */
export function modelColours(models: string[]): Map<string, string> {
  const colours = new Map<string, string>([[OTHER, 'var(--vscode-descriptionForeground)']]);
  models.forEach((m, i) => colours.set(m, `var(${SERIES_COLOURS[i % SERIES_COLOURS.length]})`));
  return colours;
}

/** "Nov 3" for a UTC day: the x-axis label. */
export function dayLabel(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Which x labels to print so they do not overlap: every nth day, the last one always. */
export function labelEvery(days: number, widthPx: number, labelPx = 48): number {
  const fit = Math.max(1, Math.floor(widthPx / labelPx));
  return Math.max(1, Math.ceil(days / fit));
}

// Cost or tokens by model by day as stacked bars, in plain SVG: the layout comes from charts.ts in
// data units, this only scales it to the width it is given. Each segment has a <title> for hover.
import type { JSX } from 'preact';
import { useSize } from '../../components/useSize';
import { formatCost, formatCount } from '../../layout/format';
import { dayLabel, labelEvery, valueTicks, type Metric, type StackedSeries } from '../charts';

const HEIGHT = 220;
const PAD = { top: 10, right: 8, bottom: 24, left: 58 };

export const metricValue = (metric: Metric, v: number): string => (metric === 'cost' ? formatCost(v) : formatCount(Math.round(v)));

export function StackedBars({ series, metric, colours, label }: { series: StackedSeries; metric: Metric; colours: Map<string, string>; label: string }): JSX.Element {
  const [ref, size] = useSize<HTMLDivElement>();
  const width = Math.max(size.width, 240);
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const ticks = valueTicks(series.max);
  const top = ticks[ticks.length - 1] || 1;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const slot = plotW / Math.max(1, series.bars.length);
  const barW = Math.max(2, Math.min(48, slot * 0.68));
  const every = labelEvery(series.bars.length, plotW);
  const tickText = (v: number) => (metric === 'cost' ? (v === 0 ? '$0' : formatCost(v)) : formatCount(v));
  return (
    <div class="chart" ref={ref}>
      {size.width > 0 && (
        <svg width={width} height={HEIGHT} role="img" aria-label={label} data-chart={metric}>
          {ticks.map((t) => (
            <g key={t} class="chart-grid">
              <line x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
              <text x={PAD.left - 6} y={y(t)} dy="0.32em" text-anchor="end">
                {tickText(t)}
              </text>
            </g>
          ))}
          {series.bars.map((bar, i) => {
            const x = PAD.left + i * slot + (slot - barW) / 2;
            const showLabel = (series.bars.length - 1 - i) % every === 0;
            return (
              <g key={bar.day} class="chart-bar" data-day={bar.day}>
                {bar.segments.map((s) => (
                  <rect key={s.model} x={x} width={barW} y={y(s.y1)} height={Math.max(0.5, y(s.y0) - y(s.y1))} data-model={s.model} style={{ fill: colours.get(s.model) ?? 'var(--vscode-charts-blue)' }}>
                    <title>{`${s.model} · ${dayLabel(bar.day)}: ${metricValue(metric, s.value)}`}</title>
                  </rect>
                ))}
                {showLabel && (
                  <text class="chart-x" x={x + barW / 2} y={HEIGHT - 6} text-anchor="middle">
                    {dayLabel(bar.day)}
                  </text>
                )}
              </g>
            );
          })}
          <line class="chart-axis" x1={PAD.left} x2={width - PAD.right} y1={y(0)} y2={y(0)} />
        </svg>
      )}
    </div>
  );
}

export function Legend({ models, colours, totals, metric }: { models: string[]; colours: Map<string, string>; totals: Map<string, number>; metric: Metric }): JSX.Element {
  return (
    <ul class="chart-legend" aria-label="Models">
      {models.map((m) => (
        <li key={m} data-legend={m}>
          <span class="swatch" style={{ background: colours.get(m) }} />
          <span class="legend-model">{m}</span>
          <span class="muted">{metricValue(metric, totals.get(m) ?? 0)}</span>
        </li>
      ))}
    </ul>
  );
}

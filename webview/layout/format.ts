// How numbers read in the panel. One place, so the KPI row, the waterfall and the detail pane
// never disagree about what "1.2 s" or "$0.0034" means.

/** 0.42 ms, 12 ms, 1.25 s, 2m 05s, 1h 02m */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1) return `${sign}${trim(a.toFixed(2))} ms`;
  if (a < 1000) return `${sign}${trim(a < 10 ? a.toFixed(1) : a.toFixed(0))} ms`;
  if (a < 60_000) return `${sign}${trim((a / 1000).toFixed(a < 10_000 ? 2 : 1))} s`;
  if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    const s = Math.floor((a % 60_000) / 1000);
    return `${sign}${m}m ${String(s).padStart(2, '0')}s`;
  }
  const h = Math.floor(a / 3_600_000);
  const m = Math.floor((a % 3_600_000) / 60_000);
  return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
}

function trim(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Dollar amounts keep enough digits that a $0.00004 call is not shown as $0.00. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0.00';
  const a = Math.abs(usd);
  if (a >= 100) return `$${usd.toFixed(2)}`;
  if (a >= 0.01) return `$${usd.toFixed(4).replace(/0{1,2}$/, '')}`;
  if (a < 1e-6) return usd > 0 ? '<$0.000001' : '−<$0.000001';
  return `$${usd.toPrecision(2)}`;
}

/** The cost of a span as the product promises: a model without a price is "unpriced", never $0. */
export function spanCostText(cost: number | null, source: string | null): string {
  if (source === 'unpriced') return 'unpriced';
  if (cost === null) return '—';
  return formatCost(cost);
}

/** 950, 12.3k, 4.5M */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a < 10_000) return n.toLocaleString('en-US');
  if (a < 1_000_000) return `${trim((n / 1000).toFixed(1))}k`;
  return `${trim((n / 1_000_000).toFixed(2))}M`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const p = fraction * 100;
  if (p > 0 && p < 0.1) return '<0.1%';
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** "+12.5 ms" — an offset from the trace start (or a span start for its events). */
export function formatOffset(ms: number): string {
  return `+${formatDuration(Math.max(0, ms))}`;
}

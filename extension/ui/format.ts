// How numbers read in the tree, the lenses and the status bar. Pure, so their rules are tested
// in plain node. A cost that could not be priced reads "unpriced", never "$0" (DESIGN.md "Cost").
import type { CallSite, StoredSpan, TraceSummary } from '../server/model';

export const SEPARATOR = ' · ';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 10) return `${trimZero(s.toFixed(2))}s`;
  if (s < 60) return `${trimZero(s.toFixed(1))}s`;
  const totalSeconds = Math.round(s);
  const m = Math.floor(totalSeconds / 60);
  if (m < 60) return `${m}m ${pad(totalSeconds % 60)}s`;
  return `${Math.floor(m / 60)}h ${pad(m % 60)}m`;
}

/** Dollars: two decimals from $1, two significant digits below (so $0.034 and $0.0012 stay readable). */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  // A small model's call costs a few millionths of a dollar: still worth two digits.
  if (usd < 0.000001) return '<$0.000001';
  return `$${usd.toPrecision(2)}`;
}

/**
 * The cost of a set of calls of which `unpriced` could not be priced: "unpriced" when none could,
 * "$0.034 + unpriced" when some could not (the sum is then a lower bound).
 */
export function formatCost(usd: number, unpriced: number): string {
  if (unpriced > 0) return usd > 0 ? `${formatUsd(usd)} + unpriced` : 'unpriced';
  return formatUsd(usd);
}

export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${trimZero((n / 1000).toFixed(1))}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${trimZero((n / 1_000_000).toFixed(1))}M`;
}

export function formatTokens(input: number | null, output: number | null): string | null {
  if (input === null && output === null) return null;
  return `${formatCount((input ?? 0) + (output ?? 0))} tok`;
}

export function formatAgo(then: number, now: number): string {
  const s = Math.max(0, (now - then) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${Math.floor(s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)}d ago`;
  return new Date(then).toISOString().slice(0, 10);
}

/** Local wall-clock time of a run, with the date when it is not today. */
export function formatTime(then: number, now: number): string {
  const d = new Date(then);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** A trace row's description: duration · cost · tokens. */
export function traceDescription(t: TraceSummary): string {
  const parts = [formatDuration(t.duration_ms)];
  if (t.total_cost_usd > 0 || t.unpriced_call_count > 0) parts.push(formatCost(t.total_cost_usd, t.unpriced_call_count));
  const tokens = t.input_tokens + t.output_tokens > 0 ? formatTokens(t.input_tokens, t.output_tokens) : null;
  if (tokens) parts.push(tokens);
  return parts.join(SEPARATOR);
}

/** A span row's description: model · duration · cost · tokens. */
export function spanDescription(s: StoredSpan): string {
  const parts: string[] = [];
  if (s.model) parts.push(s.model);
  parts.push(formatDuration(s.duration_ms));
  const cost = spanCost(s);
  if (cost) parts.push(cost);
  const tokens = formatTokens(s.input_tokens, s.output_tokens);
  if (tokens) parts.push(tokens);
  return parts.join(SEPARATOR);
}

export function spanCost(s: Pick<StoredSpan, 'cost_usd' | 'cost_source'>): string | null {
  if (s.cost_source === 'unpriced') return 'unpriced';
  if (s.cost_usd === null) return null;
  return formatUsd(s.cost_usd);
}

/** What a CodeLens says about a call site (or a name seen in traces). */
export interface LensFigures {
  runs: number;
  p50_ms: number;
  total_cost_usd: number;
  /** runs whose model usage could not be priced; undefined when the source does not say */
  unpriced_runs?: number;
  avg_score: number | null;
  last_run: number;
  /** eval verdicts at this call site, this week against last week */
  evals?: EvalTrend;
}

/** Pass rates of the eval verdicts of a call site in two windows: the last 7 days and the 7 before. */
export interface EvalTrend {
  /** verdicts of the last 7 days (pass and fail labels), and the share that passed */
  runs: number;
  pass_rate: number | null;
  last_week_runs: number;
  last_week_pass_rate: number | null;
}

/** `pass 92% ↑ from 80%`: the share of eval verdicts that passed this week, against last week. */
export function passTrendText(t: EvalTrend): string | null {
  if (t.pass_rate === null) return null;
  const now = Math.round(t.pass_rate * 100);
  const text = `pass ${now}%`;
  if (t.last_week_pass_rate === null) return text;
  const before = Math.round(t.last_week_pass_rate * 100);
  if (now === before) return `${text} = last week`;
  return `${text} ${now > before ? '↑' : '↓'} from ${before}%`;
}

/** `12 runs · p50 1.2s · $0.034 · score 0.87 · pass 92% ↑ from 80% · 2m ago` */
export function lensTitle(f: LensFigures, now: number): string {
  const parts = [`${f.runs} ${f.runs === 1 ? 'run' : 'runs'}`, `p50 ${formatDuration(f.p50_ms)}`];
  const unpriced = f.unpriced_runs ?? 0;
  // Zero with nothing unpriced is a site without model usage (a tool, a retrieval): no cost to show.
  if (f.total_cost_usd > 0 || unpriced > 0) parts.push(formatCost(f.total_cost_usd, unpriced));
  if (f.avg_score !== null) parts.push(`score ${trimZero(f.avg_score.toFixed(2))}`);
  const trend = f.evals ? passTrendText(f.evals) : null;
  if (trend) parts.push(trend);
  parts.push(formatAgo(f.last_run, now));
  return parts.join(SEPARATOR);
}

export function callSiteFigures(site: CallSite & { unpriced_runs?: number }): LensFigures {
  return {
    runs: site.runs,
    p50_ms: site.p50_ms,
    total_cost_usd: site.total_cost_usd,
    unpriced_runs: site.unpriced_runs,
    avg_score: site.score_count > 0 ? site.avg_score : null,
    last_run: site.last_run,
  };
}

/**
 * Untrusted text (span names, status messages, models, tags) for places that render `$(icon)`
 * syntax, such as Quick Pick rows: a zero-width space keeps it from becoming an icon.
 */
export function noIcons(text: string): string {
  return text.replace(/\$\(/g, '$\u200b(');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function trimZero(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

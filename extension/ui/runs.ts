// The latest runs behind a CodeLens, as rows of the Quick Pick a lens click opens.
import type { StoredSpan, TraceDetail } from '../server/model';
import { formatDuration, formatTime, noIcons, spanCost, SEPARATOR } from './format';
import { spanMatchesTarget, type LensTarget } from './lens-index';

export interface Run {
  traceId: string;
  traceName: string;
  span: StoredSpan;
}

/** Runs of the lens's target found in the given traces, newest first, at most `max`. */
export function latestRuns(details: readonly (TraceDetail | null)[], target: LensTarget, max = 30): Run[] {
  const runs: Run[] = [];
  for (const d of details) {
    if (!d) continue;
    for (const span of d.spans) {
      if (spanMatchesTarget(span, target)) runs.push({ traceId: d.trace.trace_id, traceName: d.trace.name, span });
    }
  }
  return runs.sort((a, b) => b.span.start_time - a.span.start_time).slice(0, max);
}

export interface RunRow {
  label: string;
  description: string;
  detail: string;
}

/** `$(pass) 14:02:11` · `1.2s · $0.003 · ok` · trace name (and the error when it failed) */
export function runRow(run: Run, now: number): RunRow {
  const s = run.span;
  const failed = s.status === 'error';
  const parts = [formatDuration(s.duration_ms)];
  const cost = spanCost(s);
  if (cost) parts.push(cost);
  parts.push(failed ? 'error' : s.status);
  const where = run.traceName && run.traceName !== s.name ? `in trace ${run.traceName}` : '';
  const error = failed && s.status_message ? s.status_message : '';
  return {
    label: `${failed ? '$(error)' : '$(pass)'} ${formatTime(s.start_time, now)}`,
    description: parts.join(SEPARATOR),
    detail: noIcons([where, error].filter(Boolean).join(' — ') || `trace ${run.traceId}`),
  };
}

// What the CodeLenses of one document say, computed from data already in memory: the call sites
// of the store (spans with a code location) and a name index of recent spans without one. Pure:
// provideCodeLenses calls it on every keystroke-triggered request, so it does no I/O.
import type { CallSite, StoredSpan, TraceDetail, TraceSummary } from '../server/model';
import type { CallSiteScores } from '../server/rpc';
import type { EvalTrend, LensFigures } from './format';
import { findNamedCalls } from './named-calls';
import { matchesDocument } from './source-paths';

export interface LensTarget {
  /** the span name the runs carry */
  name: string;
  /** set for call-site lenses: the recorded code file and line of the runs */
  codeFiles: string[];
  codeLine: number | null;
  lastTraceId: string;
  lastSpanId: string | null;
}

export interface DocumentLens {
  /** 0-based line */
  line: number;
  source: 'callsite' | 'name';
  figures: LensFigures;
  target: LensTarget;
}

export interface NameEntry extends LensFigures {
  name: string;
  last_trace_id: string;
  last_span_id: string | null;
}

/** One run of a named span, the unit the name index is built from. */
interface NamedRun {
  name: string;
  duration_ms: number;
  cost_usd: number;
  unpriced: boolean;
  start: number;
  trace_id: string;
  span_id: string | null;
}

/**
 * Runs by name of spans without a code location. Traces with a detail contribute their located-
 * less spans; traces without one (not fetched) contribute their root name as one run.
 */
export function buildNameIndex(traces: readonly TraceSummary[], details: readonly TraceDetail[]): Map<string, NameEntry> {
  const runs: NamedRun[] = [];
  const detailed = new Set<string>();
  for (const d of details) {
    detailed.add(d.trace.trace_id);
    for (const s of d.spans) {
      if (s.code_file) continue;
      runs.push({
        name: s.name, duration_ms: s.duration_ms, cost_usd: s.cost_usd ?? 0, unpriced: s.cost_source === 'unpriced',
        start: s.start_time, trace_id: s.trace_id, span_id: s.span_id,
      });
    }
  }
  for (const t of traces) {
    if (detailed.has(t.trace_id)) continue;
    runs.push({
      name: t.name, duration_ms: t.duration_ms, cost_usd: t.total_cost_usd, unpriced: t.unpriced_call_count > 0,
      start: t.start_time, trace_id: t.trace_id, span_id: null,
    });
  }
  const byName = new Map<string, NamedRun[]>();
  for (const r of runs) {
    const list = byName.get(r.name);
    if (list) list.push(r);
    else byName.set(r.name, [r]);
  }
  const index = new Map<string, NameEntry>();
  for (const [name, list] of byName) {
    const last = list.reduce((a, b) => (b.start > a.start ? b : a));
    index.set(name, {
      name,
      runs: list.length,
      p50_ms: median(list.map((r) => r.duration_ms)),
      total_cost_usd: list.reduce((sum, r) => sum + r.cost_usd, 0),
      unpriced_runs: list.filter((r) => r.unpriced).length,
      avg_score: null,
      last_run: last.start,
      last_trace_id: last.trace_id,
      last_span_id: last.span_id,
    });
  }
  return index;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface LensDocument {
  path: string;
  text: string;
  lineCount: number;
}

const siteKey = (file: string, line: number) => `${file}\0${line}`;

/** Eval pass rates per call site (file, line), this week (`thisWeek`) against the week before. */
export function evalTrends(thisWeek: readonly CallSiteScores[], lastWeek: readonly CallSiteScores[]): Map<string, EvalTrend> {
  const trends = new Map<string, EvalTrend>();
  const at = (s: CallSiteScores) => {
    const key = siteKey(s.code_file, s.code_line);
    let t = trends.get(key);
    if (!t) trends.set(key, (t = { runs: 0, pass_rate: null, last_week_runs: 0, last_week_pass_rate: null }));
    return t;
  };
  for (const s of thisWeek) Object.assign(at(s), { runs: s.runs, pass_rate: s.pass_rate });
  for (const s of lastWeek) Object.assign(at(s), { last_week_runs: s.runs, last_week_pass_rate: s.pass_rate });
  return trends;
}

/** Two sites' trends as one (the same line under two recorded paths), weighted by verdicts. */
function mergeTrends(a: EvalTrend | undefined, b: EvalTrend | undefined): EvalTrend | undefined {
  if (!a || !b) return a ?? b;
  const rate = (x: number | null, nx: number, y: number | null, ny: number) =>
    x === null ? y : y === null ? x : nx + ny > 0 ? (x * nx + y * ny) / (nx + ny) : x;
  return {
    runs: a.runs + b.runs,
    pass_rate: rate(a.pass_rate, a.runs, b.pass_rate, b.runs),
    last_week_runs: a.last_week_runs + b.last_week_runs,
    last_week_pass_rate: rate(a.last_week_pass_rate, a.last_week_runs, b.last_week_pass_rate, b.last_week_runs),
  };
}

export function lensesForDocument(
  doc: LensDocument,
  sites: readonly (CallSite & { unpriced_runs?: number })[],
  names: ReadonlyMap<string, NameEntry>,
  folders: readonly string[],
  trends: ReadonlyMap<string, EvalTrend> = new Map(),
): DocumentLens[] {
  const lenses: DocumentLens[] = [];
  // The same line may come from several recorded paths (host and container): one lens per name.
  const merged = new Map<string, { lens: DocumentLens; scoreCount: number }>();
  for (const site of sites) {
    if (!matchesDocument(site.code_file, doc.path, folders)) continue;
    const line = Math.min(Math.max(site.code_line - 1, 0), Math.max(doc.lineCount - 1, 0));
    const key = `${line}\0${site.name}`;
    const figures: LensFigures = {
      runs: site.runs,
      p50_ms: site.p50_ms,
      total_cost_usd: site.total_cost_usd,
      unpriced_runs: site.unpriced_runs,
      avg_score: site.score_count > 0 ? site.avg_score : null,
      last_run: site.last_run,
    };
    const trend = trends.get(siteKey(site.code_file, site.code_line));
    if (trend) figures.evals = trend;
    const target: LensTarget = {
      name: site.name, codeFiles: [site.code_file], codeLine: site.code_line,
      lastTraceId: site.last_trace_id, lastSpanId: site.last_span_id,
    };
    const existing = merged.get(key);
    if (existing) {
      mergeInto(existing, figures, target, site.score_count);
    } else {
      const lens: DocumentLens = { line, source: 'callsite', figures, target };
      merged.set(key, { lens, scoreCount: site.score_count });
      lenses.push(lens);
    }
  }
  // Names that have a code location somewhere get their lens there, not by name.
  const located = new Set(sites.map((s) => s.name));
  const candidates = new Set([...names.keys()].filter((n) => !located.has(n)));
  const taken = new Set(lenses.map((l) => l.line));
  for (const call of findNamedCalls(doc.text, candidates)) {
    if (taken.has(call.line)) continue;
    const entry = names.get(call.name)!;
    lenses.push({
      line: call.line,
      source: 'name',
      figures: entry,
      target: { name: entry.name, codeFiles: [], codeLine: null, lastTraceId: entry.last_trace_id, lastSpanId: entry.last_span_id },
    });
  }
  return lenses.sort((a, b) => a.line - b.line);
}

function mergeInto(into: { lens: DocumentLens; scoreCount: number }, f: LensFigures, target: LensTarget, scoreCount: number): void {
  const { lens } = into;
  const a = lens.figures;
  const aScores = into.scoreCount;
  const scores = aScores + scoreCount;
  // p50 of the union is not derivable from two medians; the busier site's is the better guess.
  const p50 = f.runs > a.runs ? f.p50_ms : a.p50_ms;
  const avg = scores > 0 ? (((a.avg_score ?? 0) * aScores) + ((f.avg_score ?? 0) * scoreCount)) / scores : null;
  lens.figures = {
    runs: a.runs + f.runs,
    p50_ms: p50,
    total_cost_usd: a.total_cost_usd + f.total_cost_usd,
    unpriced_runs: a.unpriced_runs === undefined && f.unpriced_runs === undefined ? undefined : (a.unpriced_runs ?? 0) + (f.unpriced_runs ?? 0),
    avg_score: avg,
    last_run: Math.max(a.last_run, f.last_run),
  };
  const evals = mergeTrends(a.evals, f.evals);
  if (evals) lens.figures.evals = evals;
  into.scoreCount = scores;
  lens.target.codeFiles.push(...target.codeFiles);
  if (f.last_run > a.last_run) {
    lens.target.lastTraceId = target.lastTraceId;
    lens.target.lastSpanId = target.lastSpanId;
  }
}

/** Does a span belong to the runs a lens stands for? Used to list a lens's latest runs. */
export function spanMatchesTarget(span: StoredSpan, target: LensTarget): boolean {
  if (target.codeLine === null) return span.code_file === null && span.name === target.name;
  // A location may emit spans under changing names (a wrapper taking the name as an argument).
  return span.code_line === target.codeLine && span.code_file !== null && target.codeFiles.includes(span.code_file);
}

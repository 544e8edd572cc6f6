// Runs the workspace's evaluators: automatically on spans the store announces (after the spans are
// acknowledged, so an ingest never waits on an evaluator), and on demand for one trace. Each
// verdict is stored as a Score (source eval) whose id is fixed by trace, span and evaluator: a
// re-run replaces the earlier verdict instead of adding a second one.
import type { Score, StoredSpan, TraceDetail } from '../model';
import type { Store } from '../store/api';
import type { Evaluator } from './config';
import { EvalsFile, type EvalsFileStatus } from './evals-file';
import { evaluate } from './evaluators';
import type { Judge } from './judge';
import { spanMatches, type MatchableSpan } from './match';

export interface EvalRunnerOptions {
  store: Store;
  /** the workspace's `.stacklens/evals.json`; without it no evaluator runs */
  file?: string;
  judge?: Judge | null;
  /** how often the file is checked for changes (default 1 s) */
  pollMs?: number;
  warn?: (message: string) => void;
}

export interface TraceEvalRun {
  trace_id: string;
  /** the verdicts stored by this run */
  scores: Score[];
  /** evaluator and span pairs that could not be judged, and why */
  skipped: Array<{ evaluator: string; span_id: string; reason: string }>;
  /** evaluator and span pairs whose run failed (an unreachable judge...) */
  errors: Array<{ evaluator: string; span_id: string; error: string }>;
  evaluators: number;
  /** problems of the evals file (skipped entries), so the caller sees why an evaluator is missing */
  config_problems: string[];
}

export function evalScoreId(traceId: string, spanId: string, evaluator: string): string {
  return `eval:${traceId}:${spanId}:${evaluator}`;
}

const MAX_REMEMBERED = 200_000;
const MAX_WARNINGS = 500;

export class EvalRunner {
  private readonly store: Store;
  private readonly file: EvalsFile;
  private readonly judge: Judge | null;
  private readonly warn: (message: string) => void;
  private readonly pending = new Set<string>();
  /** evaluator and span pairs already tried automatically (also those skipped or failed) */
  private readonly tried = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly unsubscribe: () => void;
  private draining: Promise<void> | null = null;
  private closed = false;

  constructor(options: EvalRunnerOptions) {
    this.store = options.store;
    this.judge = options.judge ?? null;
    this.warn = options.warn ?? ((m) => process.stderr.write(`stacklens evals: ${m}\n`));
    this.file = new EvalsFile(options.file ?? null, this.warn, options.pollMs);
    this.unsubscribe = this.store.onChange((change) => {
      if (this.closed || this.file.current().length === 0) return;
      for (const id of change.trace_ids) this.pending.add(id);
      this.drain();
    });
  }

  status(): EvalsFileStatus & { judge: boolean } {
    return { ...this.file.status(), judge: this.judge !== null };
  }

  /** Runs every matching evaluator on the trace's spans now; null when the trace is not stored. */
  async runTrace(traceId: string): Promise<TraceEvalRun | null> {
    this.file.refresh();
    const evaluators = this.file.current();
    const detail = await this.store.getTrace(traceId);
    if (!detail) return null;
    const run: TraceEvalRun = { trace_id: traceId, scores: [], skipped: [], errors: [], evaluators: evaluators.length, config_problems: this.file.status().problems };
    for (const span of detail.spans) {
      for (const e of evaluators) {
        if (!spanMatches(e.match, span)) continue;
        this.remember(pairKey(traceId, span.span_id, e.name));
        await this.judgeSpan(e, span, run);
      }
    }
    return run;
  }

  /** Resolves once every announced trace has been evaluated. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.file.close();
    this.pending.clear();
    // a judge call in flight may take long: stop waiting after a moment, its score is dropped
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      // off the ingest path: the change event arrives after the spans were acknowledged
      await new Promise((resolve) => setImmediate(resolve));
      while (this.pending.size > 0 && !this.closed) {
        const traceId = this.pending.values().next().value as string;
        this.pending.delete(traceId);
        try {
          await this.autoRun(traceId);
        } catch (err) {
          if (!this.closed) this.warnOnce(`evaluating trace ${traceId} failed: ${(err as Error).message}`);
        }
      }
    })().finally(() => {
      this.draining = null;
      if (this.pending.size > 0 && !this.closed) this.drain();
    });
  }

  private async autoRun(traceId: string): Promise<void> {
    const evaluators = this.file.current();
    if (evaluators.length === 0) return;
    const spans = await this.spansOf(traceId);
    if (spans && !spans.some((s) => this.untried(evaluators, traceId, s).length > 0)) return;
    const detail = await this.store.getTrace(traceId);
    if (!detail) return;
    const done = scoredPairs(detail);
    const run: TraceEvalRun = { trace_id: traceId, scores: [], skipped: [], errors: [], evaluators: evaluators.length, config_problems: [] };
    for (const span of detail.spans) {
      for (const e of this.untried(evaluators, traceId, span)) {
        const key = pairKey(traceId, span.span_id, e.name);
        this.remember(key);
        if (done.has(key) || this.closed) continue;
        await this.judgeSpan(e, span, run);
      }
    }
    if (!this.closed) for (const err of run.errors) this.warnOnce(`evaluator "${err.evaluator}": ${err.error}`);
  }

  private untried(evaluators: Evaluator[], traceId: string, span: MatchableSpan & { span_id: string }): Evaluator[] {
    return evaluators.filter((e) => spanMatches(e.match, span) && !this.tried.has(pairKey(traceId, span.span_id, e.name)));
  }

  /**
   * The trace's spans without their content, to tell cheaply whether anything is left to evaluate
   * (a live trace announces itself again with every batch); null when that cannot be asked.
   */
  private async spansOf(traceId: string): Promise<Array<MatchableSpan & { span_id: string }> | null> {
    if (!/^[0-9a-f]{32}$/.test(traceId)) return null;
    try {
      const r = await this.store.query(`SELECT span_id, name, kind, code_file, code_line FROM spans WHERE trace_id = '${traceId}'`);
      return r.rows.map(([span_id, name, kind, code_file, code_line]) => ({ span_id, name, kind, code_file, code_line }) as MatchableSpan & { span_id: string });
    } catch {
      return null;
    }
  }

  private async judgeSpan(e: Evaluator, span: StoredSpan, run: TraceEvalRun): Promise<void> {
    try {
      const v = await evaluate(e, span, this.judge);
      if (v.outcome === 'skipped') {
        run.skipped.push({ evaluator: e.name, span_id: span.span_id, reason: v.reason });
        return;
      }
      const score = await this.store.addScore({
        score_id: evalScoreId(span.trace_id, span.span_id, e.name),
        trace_id: span.trace_id,
        span_id: span.span_id,
        name: e.name,
        value: v.value,
        label: v.pass ? 'pass' : 'fail',
        reason: v.reason,
        source: 'eval',
      });
      run.scores.push(score);
    } catch (err) {
      run.errors.push({ evaluator: e.name, span_id: span.span_id, error: (err as Error).message });
    }
  }

  private remember(key: string): void {
    if (this.tried.size >= MAX_REMEMBERED) this.tried.delete(this.tried.values().next().value as string);
    this.tried.add(key);
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message) || this.warned.size >= MAX_WARNINGS) return;
    this.warned.add(message);
    this.warn(message);
  }
}

function pairKey(traceId: string, spanId: string, evaluator: string): string {
  return evalScoreId(traceId, spanId, evaluator);
}

/** Evaluator and span pairs that already carry a verdict (from before a restart, or on demand). */
function scoredPairs(detail: TraceDetail): Set<string> {
  const out = new Set<string>();
  for (const s of detail.scores) if (s.source === 'eval' && s.span_id) out.add(pairKey(s.trace_id, s.span_id, s.name));
  return out;
}

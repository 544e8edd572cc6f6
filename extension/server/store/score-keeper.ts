// Scores: stored as they come (before or after their spans), each counted towards the call site of
// its span (or, for a trace-level score, of the trace's root span) as soon as that span is known.
import type { Score, SpanEvent } from '../model';
import type { CallSiteAggregates } from './call-site-aggregates';
import type { Db } from './database';
import { siteOf, type SpanFacts } from './span-facts';

export const EVALUATION_EVENT = 'gen_ai.evaluation.result';

export class ScoreKeeper {
  /** traces with scores not yet counted at a call site: only their spans need attach() */
  private readonly waiting: Set<string>;

  constructor(
    private readonly db: Db,
    private readonly sites: CallSiteAggregates,
  ) {
    this.waiting = new Set(db.values('SELECT DISTINCT trace_id FROM scores WHERE site_file IS NULL').map((r) => r[0] as string));
  }

  /** Stores a score; one with the same id is replaced. */
  put(score: Score): void {
    const previous = this.db.get('SELECT site_file, site_line FROM scores WHERE score_id = ?', [score.score_id]);
    if (previous?.site_file != null) this.sites.scoresChanged(previous.site_file as string, previous.site_line as number);
    const site = this.siteFor(score.trace_id, score.span_id);
    this.db.run(
      `INSERT OR REPLACE INTO scores (score_id, trace_id, span_id, name, value, label, reason, source, created_at, site_file, site_line)
       VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
      [score.score_id, score.trace_id, score.span_id, score.name, score.value, score.label, score.reason, score.source,
        score.created_at, site?.file ?? null, site?.line ?? null],
    );
    if (site) this.sites.scoresChanged(site.file, site.line);
    else this.waiting.add(score.trace_id);
  }

  /** A span arrived: scores waiting for it (or, for a root span, for its trace) now count at its site. */
  attach(span: SpanFacts): void {
    const site = siteOf(span);
    if (!site || !this.waiting.has(span.trace_id)) return;
    this.db.run('UPDATE scores SET site_file = ?, site_line = ? WHERE trace_id = ? AND span_id = ? AND site_file IS NULL', [site.file, site.line, span.trace_id, span.span_id]);
    let changed = this.db.changes();
    if (span.parent_span_id === null) {
      this.db.run('UPDATE scores SET site_file = ?, site_line = ? WHERE trace_id = ? AND span_id IS NULL AND site_file IS NULL', [site.file, site.line, span.trace_id]);
      changed += this.db.changes();
    }
    if (changed > 0) this.sites.scoresChanged(site.file, site.line);
  }

  /** A span is leaving (replaced by a newer copy): its scores wait for whatever takes its place. */
  detach(span: SpanFacts): void {
    const site = siteOf(span);
    if (!site) return;
    this.db.run('UPDATE scores SET site_file = NULL, site_line = NULL WHERE trace_id = ? AND span_id = ?', [span.trace_id, span.span_id]);
    if (span.parent_span_id === null) this.db.run('UPDATE scores SET site_file = NULL, site_line = NULL WHERE trace_id = ? AND span_id IS NULL', [span.trace_id]);
    this.waiting.add(span.trace_id);
    this.sites.scoresChanged(site.file, site.line);
  }

  /** A trace is dropped: its scores go with it. */
  dropTrace(traceId: string): void {
    const sites = this.db.all('SELECT DISTINCT site_file, site_line FROM scores WHERE trace_id = ? AND site_file IS NOT NULL', [traceId]);
    this.db.run('DELETE FROM scores WHERE trace_id = ?', [traceId]);
    this.waiting.delete(traceId);
    for (const s of sites) this.sites.scoresChanged(s.site_file as string, s.site_line as number);
  }

  private siteFor(traceId: string, spanId: string | null): { file: string; line: number } | null {
    const row = spanId
      ? this.db.get('SELECT code_file, code_line FROM spans WHERE span_id = ? AND trace_id = ?', [spanId, traceId])
      : this.db.get('SELECT code_file, code_line FROM spans WHERE trace_id = ? AND parent_span_id IS NULL LIMIT 1', [traceId]);
    return row ? siteOf(row as { code_file: string | null; code_line: number | null }) : null;
  }
}

/**
 * OpenTelemetry GenAI `gen_ai.evaluation.result` events as scores (source otel). Only events with
 * a numeric score become scores; a label-only evaluation stays visible as the span's event.
 */
export function evaluationScores(traceId: string, spanId: string, events: SpanEvent[]): Score[] {
  const scores: Score[] = [];
  events.forEach((e, i) => {
    if (e.name !== EVALUATION_EVENT) return;
    const a = e.attributes;
    const raw = a['gen_ai.evaluation.score.value'];
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(value)) return;
    const text = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : null);
    scores.push({
      // stable across replays and re-sent spans, so the same event never makes two scores
      score_id: `${spanId}-eval-${i}`,
      trace_id: traceId,
      span_id: spanId,
      name: text('gen_ai.evaluation.name') ?? 'evaluation',
      value,
      label: text('gen_ai.evaluation.score.label'),
      reason: text('gen_ai.evaluation.explanation'),
      source: 'otel',
      created_at: e.time,
    });
  });
  return scores;
}

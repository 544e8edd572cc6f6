// Applies journal records to the database: span rows, the wrapper (double counting) rule across
// any arrival order, trace and call-site aggregates, scores, and dropping whole traces.
import type { Span } from '../model';
import { CallSiteAggregates } from './call-site-aggregates';
import { contentColumns, journaledEvents, type ContentColumns } from './content';
import type { Db, Param } from './database';
import type { JournalRecord } from './journal';
import type { RecordMeta, SpanMeta } from './records';
import { Rollups } from './rollups';
import { evaluationScores, ScoreKeeper } from './score-keeper';
import { countedFlag, FACT_COLUMNS, hasUsage, isCall, OWN_USAGE, type SpanFacts } from './span-facts';
import { TraceAggregates } from './trace-aggregates';

const SPAN_COLUMNS = [
  'trace_id', 'span_id', 'parent_span_id', 'name', 'kind', 'start_time', 'end_time', 'duration_ms', 'status', 'status_message',
  'service_name', 'operation', 'model', 'request_model', 'provider', 'input_tokens', 'output_tokens', 'total_tokens',
  'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'cost_source', 'is_call', 'has_usage',
  'below_usage', 'below_call', 'usage_counted', 'input_preview', 'input_hash', 'output_preview', 'output_hash', 'attributes',
  'events', 'resource', 'tags', 'code_file', 'code_line', 'code_function', 'session_id', 'user_id', 'content_seg',
  'content_off', 'content_len', 'content_refs',
] as const;
const INSERT_SPAN = `INSERT OR IGNORE INTO spans (${SPAN_COLUMNS.join(', ')}) VALUES (${SPAN_COLUMNS.map(() => '?').join(', ')})`;

/** Ancestor chains longer than this are a loop in bad data, not a real trace. */
const MAX_DEPTH = 10_000;

export class SpanApplier {
  readonly changedTraces = new Set<string>();
  readonly changedFiles = new Set<string>();
  private readonly traces: TraceAggregates;
  private readonly sites: CallSiteAggregates;
  private readonly scores: ScoreKeeper;
  private readonly rollups: Rollups;
  /**
   * The spans of traces that had no row before this batch, by trace and parent: every span of
   * such a trace is here, so its children's flags and its parent are found without a query.
   */
  private fresh = new Map<string, FreshTrace>();
  private segmentDeltas = new Map<number, number>();
  /** traces whose flags and totals are recomputed at flush (a span was replaced by a new copy) */
  private rebuild = new Set<string>();
  /** spans stored minus spans dropped: retention reads it instead of counting rows */
  spanCount: number;

  constructor(private readonly db: Db) {
    this.rollups = new Rollups(db);
    this.traces = new TraceAggregates(db, this.rollups);
    this.sites = new CallSiteAggregates(db, this.changedFiles);
    this.scores = new ScoreKeeper(db, this.sites);
    this.spanCount = (db.get('SELECT COUNT(*) AS n FROM spans')!.n as number) ?? 0;
  }

  /** Applies one record; the caller wraps it in a savepoint and calls flush() or discard(). */
  apply(record: JournalRecord): number {
    const meta = record.meta as RecordMeta;
    switch (meta.k) {
      case 'spans':
        for (const span of meta.spans) this.insertSpan(span, record);
        return meta.spans.length;
      case 'score':
        this.scores.put(meta.score);
        this.changedTraces.add(meta.score.trace_id);
        return 0;
      case 'delete':
        this.dropTraces([meta.trace_id]);
        return 0;
      default:
        throw new Error(`unknown journal record kind ${JSON.stringify((meta as { k?: unknown }).k)}`);
    }
  }

  /** Fills the stats rollups from the rows (a database migrated from before they existed). */
  rebuildRollups(): void {
    this.rollups.rebuild();
  }

  /** The hourly rollups, as of the last flush. */
  get statsRollups(): Rollups {
    return this.rollups;
  }

  /** Removes whole traces with their spans, scores and index rows; adjusts call sites. */
  dropTraces(traceIds: string[]): number {
    let dropped = 0;
    for (const traceId of traceIds) {
      const rows = this.db.all<SpanFacts>(`SELECT ${FACT_COLUMNS} FROM spans WHERE trace_id = ?`, [traceId]);
      for (const row of rows) {
        this.sites.removeRun(row);
        if (row.usage_counted) this.rollups.call(row, -1);
        this.segment(row.content_seg, -1);
      }
      this.fresh.delete(traceId);
      this.traces.drop(traceId);
      this.scores.dropTrace(traceId);
      this.db.run('DELETE FROM spans WHERE trace_id = ?', [traceId]);
      this.db.run('DELETE FROM traces WHERE trace_id = ?', [traceId]);
      this.db.run('DELETE FROM tags WHERE trace_id = ?', [traceId]);
      this.db.run('DELETE FROM trace_models WHERE trace_id = ?', [traceId]);
      this.rebuild.delete(traceId);
      this.changedTraces.add(traceId);
      this.spanCount -= rows.length;
      dropped += rows.length;
    }
    return dropped;
  }

  /**
   * Writes the aggregates touched since the last flush: once per batch of records. Call sites are
   * written at most once a second unless `sitesNow` (a reader of call_sites is waiting).
   */
  flush(sitesNow = false): void {
    for (const traceId of this.rebuild) this.rebuildTrace(traceId);
    this.rebuild.clear();
    this.fresh.clear();
    this.traces.flush();
    this.sites.flush(sitesNow);
    this.rollups.flush();
    for (const [seg, delta] of this.segmentDeltas) {
      if (delta !== 0) this.db.run('INSERT INTO segments (seg, live) VALUES (?, ?) ON CONFLICT (seg) DO UPDATE SET live = live + excluded.live', [seg, delta]);
    }
    this.segmentDeltas.clear();
  }

  /** Forgets cached changes of a record that was rolled back. */
  discard(spanCountBefore: number): void {
    this.traces.discard();
    this.sites.discard();
    this.rollups.discard();
    this.fresh.clear();
    this.segmentDeltas.clear();
    this.rebuild.clear();
    this.spanCount = spanCountBefore;
  }

  private insertSpan(meta: SpanMeta, record: JournalRecord): void {
    const usage = hasUsage(meta);
    const call = isCall(meta, usage);
    const fresh = this.freshTrace(meta.trace_id);
    const below = fresh ? fresh.below(meta.span_id) : this.storedBelow(meta.trace_id, meta.span_id);
    const flags = { has_usage: usage ? (meta.own_usage ? OWN_USAGE : 1) : 0, is_call: call ? 1 : 0, below_usage: below.bu, below_call: below.bc };
    const counted = countedFlag(flags);
    const content = contentColumns(record, meta);
    const tags = JSON.stringify(meta.tags);
    const values = spanRow(meta, flags, counted, content, tags);
    this.db.run(INSERT_SPAN, values);
    if (this.db.changes() === 0) {
      // A re-sent span (an exporter retrying) replaces the stored copy; the trace's flags and
      // totals are recomputed at flush so nothing counts twice.
      this.removeRow(this.facts(meta.span_id, meta.trace_id)!);
      this.rebuild.add(meta.trace_id);
      this.db.run(INSERT_SPAN, values);
    }
    this.spanCount += 1;
    const facts: SpanFacts = {
      trace_id: meta.trace_id, span_id: meta.span_id, parent_span_id: meta.parent_span_id, name: meta.name,
      start_time: meta.start_time, end_time: meta.end_time, duration_ms: meta.duration_ms, status: meta.status, model: meta.model,
      cost_usd: meta.cost_usd, cost_source: meta.cost_source, input_tokens: meta.input_tokens, output_tokens: meta.output_tokens,
      total_tokens: meta.total_tokens, ...flags, usage_counted: counted, tags, code_file: meta.code_file, code_line: meta.code_line,
      code_function: meta.code_function, service_name: meta.service_name, session_id: meta.session_id, user_id: meta.user_id,
      content_seg: content.content_seg,
    };
    fresh?.add(facts);
    if (counted) this.rollups.call(facts, 1);
    this.segment(facts.content_seg, 1);
    this.traces.addSpan(facts);
    this.sites.addRun(facts);
    this.scores.attach(facts);
    for (const score of evaluationScores(meta.trace_id, meta.span_id, journaledEvents(record, meta))) {
      if (!this.db.get('SELECT 1 AS x FROM scores WHERE score_id = ?', [score.score_id])) this.scores.put(score);
    }
    this.changedTraces.add(meta.trace_id);
    if (facts.has_usage || facts.below_usage || facts.is_call || facts.below_call) {
      this.propagate(facts.trace_id, facts.parent_span_id, !!(facts.has_usage || facts.below_usage), !!(facts.is_call || facts.below_call));
    }
  }

  /** Tells the ancestors of a new subtree that usage (or a model call) exists below them. */
  private propagate(traceId: string, parentId: string | null, usage: boolean, call: boolean): void {
    const fresh = this.fresh.get(traceId);
    for (let depth = 0; parentId !== null && depth < MAX_DEPTH; depth++) {
      const p = fresh ? fresh.span(parentId) : this.facts(parentId, traceId);
      if (!p) return; // the parent has not arrived; it reads its children's flags when it does
      const bu = p.below_usage || usage ? 1 : 0;
      const bc = p.below_call || call ? 1 : 0;
      if (bu === p.below_usage && bc === p.below_call) return; // its ancestors know already
      const counted = countedFlag({ ...p, below_usage: bu, below_call: bc });
      this.db.run('UPDATE spans SET below_usage = ?, below_call = ?, usage_counted = ? WHERE span_id = ? AND trace_id = ?', [bu, bc, counted, p.span_id, traceId]);
      if (counted !== p.usage_counted) this.flipCounted(p, counted);
      if (fresh) Object.assign(p, { below_usage: bu, below_call: bc, usage_counted: counted });
      usage = !!(p.has_usage || bu);
      call = !!(p.is_call || bc);
      parentId = p.parent_span_id;
    }
  }

  private flipCounted(f: SpanFacts, counted: number): void {
    const sign = counted ? 1 : -1;
    const before = { ...f, usage_counted: 1 };
    this.traces.counted(before, sign);
    this.sites.counted(before, sign);
    this.rollups.call(before, sign);
  }

  private removeRow(f: SpanFacts): void {
    this.sites.removeRun(f);
    if (f.usage_counted) this.rollups.call(f, -1);
    this.fresh.get(f.trace_id)?.remove(f);
    this.scores.detach(f);
    this.segment(f.content_seg, -1);
    this.db.run('DELETE FROM spans WHERE span_id = ? AND trace_id = ?', [f.span_id, f.trace_id]);
    this.spanCount -= 1;
  }

  /** Recomputes every span's flags in one trace from its rows, then its totals from scratch. */
  private rebuildTrace(traceId: string): void {
    const rows = this.db.all<SpanFacts>(`SELECT ${FACT_COLUMNS} FROM spans WHERE trace_id = ?`, [traceId]);
    const children = new Map<string, SpanFacts[]>();
    for (const r of rows) {
      if (r.parent_span_id === null) continue;
      const list = children.get(r.parent_span_id) ?? [];
      list.push(r);
      children.set(r.parent_span_id, list);
    }
    const below = new Map<string, { usage: boolean; call: boolean }>();
    const visiting = new Set<string>();
    const subtree = (r: SpanFacts): { usage: boolean; call: boolean } => {
      const b = belowOf(r);
      return { usage: !!r.has_usage || b.usage, call: !!r.is_call || b.call };
    };
    const belowOf = (r: SpanFacts): { usage: boolean; call: boolean } => {
      const known = below.get(r.span_id);
      if (known) return known;
      if (visiting.has(r.span_id)) return { usage: false, call: false }; // a parent loop in bad data
      visiting.add(r.span_id);
      const out = { usage: false, call: false };
      for (const c of children.get(r.span_id) ?? []) {
        const s = subtree(c);
        out.usage ||= s.usage;
        out.call ||= s.call;
      }
      visiting.delete(r.span_id);
      below.set(r.span_id, out);
      return out;
    };
    this.traces.reset(traceId);
    for (const r of rows) {
      const b = belowOf(r);
      const flags = { has_usage: r.has_usage, is_call: r.is_call, below_usage: b.usage ? 1 : 0, below_call: b.call ? 1 : 0 };
      const counted = countedFlag(flags);
      if (flags.below_usage !== r.below_usage || flags.below_call !== r.below_call || counted !== r.usage_counted) {
        this.db.run('UPDATE spans SET below_usage = ?, below_call = ?, usage_counted = ? WHERE span_id = ? AND trace_id = ?', [flags.below_usage, flags.below_call, counted, r.span_id, traceId]);
        if (counted !== r.usage_counted) {
          this.sites.counted({ ...r, usage_counted: 1 }, counted ? 1 : -1);
          this.rollups.call(r, counted ? 1 : -1);
        }
      }
      this.traces.addSpan({ ...r, ...flags, usage_counted: counted });
    }
  }

  /** The in-memory spans of a trace first stored in this batch, or null for a trace stored before. */
  private freshTrace(traceId: string): FreshTrace | null {
    let t = this.fresh.get(traceId);
    if (!t && this.traces.isNew(traceId)) {
      t = new FreshTrace();
      this.fresh.set(traceId, t);
    }
    return t ?? null;
  }

  /** Whether usage, or a model call, is stored below a span (its children carry their subtrees'). */
  private storedBelow(traceId: string, spanId: string): { bu: number; bc: number } {
    const r = this.db.get(
      'SELECT MAX(has_usage OR below_usage) AS bu, MAX(is_call OR below_call) AS bc FROM spans WHERE trace_id = ? AND parent_span_id = ?',
      [traceId, spanId],
    );
    return { bu: (r?.bu as number) ?? 0, bc: (r?.bc as number) ?? 0 };
  }

  private facts(spanId: string, traceId: string): SpanFacts | undefined {
    return this.db.get<SpanFacts>(`SELECT ${FACT_COLUMNS} FROM spans WHERE span_id = ? AND trace_id = ?`, [spanId, traceId]);
  }

  private segment(seg: number | null, delta: number): void {
    if (seg !== null) this.segmentDeltas.set(seg, (this.segmentDeltas.get(seg) ?? 0) + delta);
  }
}

/** The INSERT_SPAN parameters, in SPAN_COLUMNS order (an array literal: this runs for every span). */
function spanRow(s: SpanMeta, f: { has_usage: number; is_call: number; below_usage: number; below_call: number }, counted: number, c: ContentColumns, tags: string): Param[] {
  return [
    s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.start_time, s.end_time, s.duration_ms, s.status, s.status_message,
    s.service_name, s.operation, s.model, s.request_model, s.provider, s.input_tokens, s.output_tokens, s.total_tokens,
    s.cache_read_tokens, s.cache_write_tokens, s.reasoning_tokens, s.cost_usd, s.cost_source, f.is_call, f.has_usage,
    f.below_usage, f.below_call, counted, c.input_preview, c.input_hash, c.output_preview, c.output_hash, c.attributes,
    c.events, c.resource, tags, s.code_file, s.code_line, s.code_function, s.session_id, s.user_id, c.content_seg,
    c.content_off, c.content_len, c.content_refs,
  ];
}

/** The spans of one trace stored in the current batch, by id and by parent. */
class FreshTrace {
  private spans = new Map<string, SpanFacts>();
  private children = new Map<string, Map<string, SpanFacts>>();

  add(f: SpanFacts): void {
    this.spans.set(f.span_id, f);
    if (f.parent_span_id === null) return;
    let c = this.children.get(f.parent_span_id);
    if (!c) {
      c = new Map();
      this.children.set(f.parent_span_id, c);
    }
    c.set(f.span_id, f);
  }

  remove(f: SpanFacts): void {
    this.spans.delete(f.span_id);
    if (f.parent_span_id !== null) this.children.get(f.parent_span_id)?.delete(f.span_id);
  }

  span(spanId: string): SpanFacts | undefined {
    return this.spans.get(spanId);
  }

  below(spanId: string): { bu: number; bc: number } {
    let bu = 0;
    let bc = 0;
    for (const c of this.children.get(spanId)?.values() ?? []) {
      if (c.has_usage || c.below_usage) bu = 1;
      if (c.is_call || c.below_call) bc = 1;
    }
    return { bu, bc };
  }
}

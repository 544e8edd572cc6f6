// Per-trace totals, maintained span by span as they are applied (any order), cached for the
// duration of one batch of journal records and written back once. Each write moves the trace's
// contribution to the hourly rollups from what the row held to what it holds now.
import type { Db, Row } from './database';
import type { Rollups, TraceContribution } from './rollups';
import type { SpanFacts } from './span-facts';

interface TraceAgg {
  trace_id: string;
  name: string;
  has_root: number;
  root_status: string | null;
  start_time: number;
  end_time: number;
  span_count: number;
  llm_call_count: number;
  error_count: number;
  ok_count: number;
  total_cost_usd: number;
  unpriced_call_count: number;
  input_tokens: number;
  output_tokens: number;
  tags: string[];
  models: string[];
  service_name: string | null;
  session_id: string | null;
  user_id: string | null;
  search: string;
  /** index rows (tags, trace_models) to write at flush */
  newTags: string[];
  newModels: string[];
  startMoved: boolean;
  rewriteIndexRows: boolean;
  /** what the stored row contributes to the rollups (null: no row yet) */
  stored: TraceContribution | null;
}

/** Text search needs names and models, not every span of a 10,000-span trace. */
const SEARCH_MAX_CHARS = 4000;

export class TraceAggregates {
  private cache = new Map<string, TraceAgg>();

  constructor(
    private readonly db: Db,
    private readonly rollups: Rollups,
  ) {}

  /** Whether the trace had no stored row when this batch first touched it. */
  isNew(traceId: string): boolean {
    return this.get(traceId).stored === null;
  }

  addSpan(f: SpanFacts): void {
    const a = this.get(f.trace_id);
    const isRoot = f.parent_span_id === null;
    a.span_count += 1;
    if (f.status === 'error') a.error_count += 1;
    else if (f.status === 'ok') a.ok_count += 1;
    if (a.span_count === 1) {
      a.start_time = f.start_time;
      a.end_time = f.end_time;
      a.name = f.name;
    } else {
      if (f.start_time < a.start_time) {
        a.start_time = f.start_time;
        a.startMoved = true;
        if (!a.has_root) a.name = f.name;
      }
      a.end_time = Math.max(a.end_time, f.end_time);
    }
    if (isRoot && !a.has_root) {
      a.has_root = 1;
      a.name = f.name;
    }
    if (isRoot) a.root_status = f.status;
    // the root's service, session and user win; until it arrives, the first seen
    a.service_name = (isRoot ? f.service_name ?? a.service_name : a.service_name ?? f.service_name) ?? null;
    a.session_id = (isRoot ? f.session_id ?? a.session_id : a.session_id ?? f.session_id) ?? null;
    a.user_id = (isRoot ? f.user_id ?? a.user_id : a.user_id ?? f.user_id) ?? null;
    for (const tag of JSON.parse(f.tags) as string[]) {
      if (!a.tags.includes(tag)) {
        a.tags.push(tag);
        a.newTags.push(tag);
      }
    }
    if (f.model !== null && !a.models.includes(f.model)) {
      a.models.push(f.model);
      a.newModels.push(f.model);
      this.addSearch(a, f.model);
    }
    this.addSearch(a, f.name);
    if (f.usage_counted) this.counted(f, 1);
  }

  /** Adds (+1) or removes (-1) what a counted span contributes to its trace's totals. */
  counted(f: SpanFacts, sign: 1 | -1): void {
    if (!f.is_call) return;
    const a = this.get(f.trace_id);
    a.llm_call_count += sign;
    if (f.cost_usd !== null) a.total_cost_usd += sign * f.cost_usd;
    // a call whose cost is unknown (no price, or no usage reported) makes the total a lower bound
    if (f.cost_usd === null) a.unpriced_call_count += sign;
    a.input_tokens += sign * (f.input_tokens ?? 0);
    a.output_tokens += sign * (f.output_tokens ?? 0);
  }

  /** Starts a trace's totals from zero (they are then re-added span by span). */
  reset(traceId: string): void {
    const a = empty(traceId);
    a.rewriteIndexRows = true;
    a.stored = this.get(traceId).stored;
    this.cache.set(traceId, a);
  }

  /** A trace whose rows are being deleted: call before deleting its row. */
  drop(traceId: string): void {
    const stored = this.cache.get(traceId)?.stored ?? this.storedRow(traceId);
    if (stored) this.rollups.trace(stored, -1);
    this.cache.delete(traceId);
  }

  flush(): void {
    for (const a of this.cache.values()) this.write(a);
    this.cache.clear();
  }

  discard(): void {
    this.cache.clear();
  }

  private get(traceId: string): TraceAgg {
    let a = this.cache.get(traceId);
    if (!a) {
      const row = this.db.get('SELECT * FROM traces WHERE trace_id = ?', [traceId]);
      a = row ? fromRow(row) : empty(traceId);
      a.stored = row ? contribution(a) : null;
      this.cache.set(traceId, a);
    }
    return a;
  }

  private storedRow(traceId: string): TraceContribution | null {
    const row = this.db.get('SELECT * FROM traces WHERE trace_id = ?', [traceId]);
    return row ? contribution(fromRow(row)) : null;
  }

  private addSearch(a: TraceAgg, text: string): void {
    const t = text.toLowerCase();
    if (a.search.length < SEARCH_MAX_CHARS && !a.search.includes(t)) a.search += '\n' + t;
  }

  private write(a: TraceAgg): void {
    // The root's own verdict wins (an agent that retried a failed call and succeeded is ok, its
    // error_count still shows the failure); without one, any failed span fails the trace.
    const status =
      a.root_status === 'error' || a.root_status === 'ok' ? a.root_status : a.error_count > 0 ? 'error' : a.ok_count > 0 ? 'ok' : 'unset';
    this.db.run(
      `INSERT OR REPLACE INTO traces (trace_id, name, has_root, root_status, start_time, end_time, duration_ms, span_count, llm_call_count,
        error_count, ok_count, total_cost_usd, unpriced_call_count, input_tokens, output_tokens, status, tags, models,
        service_name, session_id, user_id, search) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      [a.trace_id, a.name, a.has_root, a.root_status, a.start_time, a.end_time, a.end_time - a.start_time, a.span_count, a.llm_call_count,
        a.error_count, a.ok_count, a.total_cost_usd, a.unpriced_call_count, a.input_tokens, a.output_tokens, status,
        JSON.stringify(a.tags), JSON.stringify(a.models), a.service_name, a.session_id, a.user_id, a.search],
    );
    if (a.rewriteIndexRows) {
      this.db.run('DELETE FROM tags WHERE trace_id = ?', [a.trace_id]);
      this.db.run('DELETE FROM trace_models WHERE trace_id = ?', [a.trace_id]);
    } else if (a.startMoved) {
      this.db.run('UPDATE tags SET start_time = ? WHERE trace_id = ?', [a.start_time, a.trace_id]);
      this.db.run('UPDATE trace_models SET start_time = ? WHERE trace_id = ?', [a.start_time, a.trace_id]);
    }
    for (const tag of a.rewriteIndexRows ? a.tags : a.newTags) {
      this.db.run('INSERT OR IGNORE INTO tags (trace_id, tag, start_time) VALUES (?, ?, ?)', [a.trace_id, tag, a.start_time]);
    }
    for (const model of a.rewriteIndexRows ? a.models : a.newModels) {
      this.db.run('INSERT OR IGNORE INTO trace_models (trace_id, model, start_time) VALUES (?, ?, ?)', [a.trace_id, model, a.start_time]);
    }
    if (a.stored) this.rollups.trace(a.stored, -1);
    a.stored = contribution(a);
    this.rollups.trace(a.stored, 1);
  }
}

function empty(traceId: string): TraceAgg {
  return {
    trace_id: traceId, name: '', has_root: 0, root_status: null, start_time: 0, end_time: 0, span_count: 0, llm_call_count: 0,
    error_count: 0, ok_count: 0, total_cost_usd: 0, unpriced_call_count: 0, input_tokens: 0, output_tokens: 0,
    tags: [], models: [], service_name: null, session_id: null, user_id: null, search: traceId,
    newTags: [], newModels: [], startMoved: false, rewriteIndexRows: false, stored: null,
  };
}

function contribution(a: TraceAgg): TraceContribution {
  return { start_time: a.start_time, tags: [...a.tags], calls: a.llm_call_count, input_tokens: a.input_tokens, output_tokens: a.output_tokens, cost_usd: a.total_cost_usd };
}

function fromRow(r: Row): TraceAgg {
  return {
    trace_id: r.trace_id as string,
    name: r.name as string,
    has_root: r.has_root as number,
    root_status: (r.root_status as string | null) ?? null,
    start_time: r.start_time as number,
    end_time: r.end_time as number,
    span_count: r.span_count as number,
    llm_call_count: r.llm_call_count as number,
    error_count: r.error_count as number,
    ok_count: r.ok_count as number,
    total_cost_usd: r.total_cost_usd as number,
    unpriced_call_count: r.unpriced_call_count as number,
    input_tokens: r.input_tokens as number,
    output_tokens: r.output_tokens as number,
    tags: JSON.parse(r.tags as string) as string[],
    models: JSON.parse(r.models as string) as string[],
    service_name: r.service_name as string | null,
    session_id: r.session_id as string | null,
    user_id: r.user_id as string | null,
    search: r.search as string,
    newTags: [], newModels: [], startMoved: false, rewriteIndexRows: false, stored: null,
  };
}

// Per code location (code_file + code_line) aggregates behind the CodeLens: maintained as spans are
// applied; when spans leave (retention, deletion), counts are subtracted and the "latest run"
// fields re-read through the spans_site index for the affected sites only.
import type { Db, Row } from './database';
import { siteOf, type SpanFacts } from './span-facts';

/** How many of a site's latest runs its p50 is computed over. */
export const RECENT_RUNS = 100;

interface SiteAgg {
  code_file: string;
  code_line: number;
  code_function: string | null;
  name: string;
  runs: number;
  error_count: number;
  last_run: number;
  last_trace_id: string;
  last_span_id: string;
  /** [start_time, duration_ms] of the latest runs, oldest first */
  recent: Array<[number, number]>;
  total_cost_usd: number;
  score_sum: number;
  score_count: number;
  rereadRuns: boolean;
  rereadScores: boolean;
  /** counters unknown (a rolled-back batch): recount them from the rows */
  recount: boolean;
}

const key = (file: string, line: number) => `${line}:${file}`;

/** Sites kept in memory between transactions (a few hundred bytes each). */
const MAX_CACHED_SITES = 20_000;

/**
 * Changed sites are written at most this often (and whenever a reader needs the table: see
 * flush(true)): a batch touches most sites of a busy app, and writing each one, with its recent
 * runs, after every 1,000 spans was a sixth of the store worker's time (bench/RESULTS.md).
 */
export const SITE_WRITE_INTERVAL_MS = 1000;

export class CallSiteAggregates {
  // Kept across transactions: re-reading and re-parsing a site's recent runs for every batch of
  // spans was a tenth of the store worker's time (bench/RESULTS.md). Only this class writes
  // call_sites, so the cache cannot go stale; a rolled-back transaction drops it (discard).
  private cache = new Map<string, SiteAgg>();
  private dirty = new Set<string>();
  private lastWrite = 0;

  constructor(
    private readonly db: Db,
    /** files whose sites changed since the caller last cleared it */
    readonly changedFiles: Set<string>,
  ) {}

  addRun(f: SpanFacts): void {
    const s = this.get(f);
    if (!s) return;
    s.runs += 1;
    if (f.status === 'error') s.error_count += 1;
    if (f.usage_counted && f.cost_usd !== null) s.total_cost_usd += f.cost_usd;
    if (s.runs === 1 || f.start_time >= s.last_run) {
      s.last_run = f.start_time;
      s.last_trace_id = f.trace_id;
      s.last_span_id = f.span_id;
      s.name = f.name;
      s.code_function = f.code_function;
    }
    insertRecent(s.recent, [f.start_time, f.duration_ms]);
  }

  removeRun(f: SpanFacts): void {
    const s = this.get(f);
    if (!s) return;
    s.runs -= 1;
    if (f.status === 'error') s.error_count -= 1;
    if (f.usage_counted && f.cost_usd !== null) s.total_cost_usd -= f.cost_usd;
    s.rereadRuns = true;
  }

  /** A span's usage became counted (+1) or uncounted (-1). */
  counted(f: SpanFacts, sign: 1 | -1): void {
    if (f.cost_usd === null) return;
    const s = this.get(f);
    if (s) s.total_cost_usd += sign * f.cost_usd;
  }

  /** Scores attributed to this site changed: re-read their average at flush. */
  scoresChanged(file: string, line: number): void {
    const s = this.get({ code_file: file, code_line: line });
    if (s) s.rereadScores = true;
  }

  /** Writes the changed sites when SITE_WRITE_INTERVAL_MS has passed, or now with `now`. */
  flush(now = false): void {
    if (this.dirty.size === 0) return;
    if (!now && Date.now() - this.lastWrite < SITE_WRITE_INTERVAL_MS) return;
    for (const k of this.dirty) {
      const s = this.cache.get(k)!;
      this.write(s);
      s.rereadRuns = false;
      s.rereadScores = false;
      s.recount = false;
    }
    this.dirty.clear();
    this.lastWrite = Date.now();
    if (this.cache.size > MAX_CACHED_SITES) this.cache.clear();
  }

  /**
   * A batch was rolled back. Changed sites may also hold changes of earlier batches that were
   * committed but not written yet, so they are recounted from the rows (the truth) at the next
   * write; the others match their rows and stay cached.
   */
  discard(): void {
    for (const k of this.dirty) this.cache.get(k)!.recount = true;
  }

  private get(f: Pick<SpanFacts, 'code_file' | 'code_line'>): SiteAgg | null {
    const site = siteOf(f);
    if (!site) return null;
    const k = key(site.file, site.line);
    let s = this.cache.get(k);
    if (!s) {
      const row = this.db.get('SELECT * FROM call_sites WHERE code_file = ? AND code_line = ?', [site.file, site.line]);
      s = row ? fromRow(row) : empty(site.file, site.line);
      this.cache.set(k, s);
    }
    this.dirty.add(k);
    this.changedFiles.add(site.file);
    return s;
  }

  private write(s: SiteAgg): void {
    if (s.recount) this.recountRuns(s);
    if (s.runs <= 0) {
      this.db.run('DELETE FROM call_sites WHERE code_file = ? AND code_line = ?', [s.code_file, s.code_line]);
      // its recent runs and score sums are of spans that left: a new run starts the site afresh
      this.cache.delete(key(s.code_file, s.code_line));
      return;
    }
    if (s.rereadRuns || s.recount) this.rereadRuns(s);
    if (s.recount) s.rereadScores = true;
    if (s.rereadScores) {
      const r = this.db.get('SELECT COALESCE(SUM(value), 0) AS sum, COUNT(*) AS n FROM scores WHERE site_file = ? AND site_line = ?', [s.code_file, s.code_line])!;
      s.score_sum = r.sum as number;
      s.score_count = r.n as number;
    }
    this.db.run(
      `INSERT OR REPLACE INTO call_sites (code_file, code_line, code_function, name, runs, error_count, last_run, last_trace_id,
        last_span_id, recent, p50_ms, total_cost_usd, score_sum, score_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      [s.code_file, s.code_line, s.code_function, s.name, s.runs, s.error_count, s.last_run, s.last_trace_id, s.last_span_id,
        JSON.stringify(s.recent), median(s.recent.map((r) => r[1])), s.total_cost_usd, s.score_sum, s.score_count],
    );
  }

  private recountRuns(s: SiteAgg): void {
    const r = this.db.get(
      `SELECT COUNT(*) AS runs, COALESCE(SUM(status = 'error'), 0) AS errors, COALESCE(SUM(CASE WHEN usage_counted = 1 THEN cost_usd END), 0) AS cost
       FROM spans WHERE code_file = ? AND code_line = ?`,
      [s.code_file, s.code_line],
    )!;
    s.runs = r.runs as number;
    s.error_count = r.errors as number;
    s.total_cost_usd = r.cost as number;
  }

  private rereadRuns(s: SiteAgg): void {
    const rows = this.db.all(
      `SELECT trace_id, span_id, name, code_function, start_time, duration_ms FROM spans
       WHERE code_file = ? AND code_line = ? ORDER BY start_time DESC LIMIT ${RECENT_RUNS}`,
      [s.code_file, s.code_line],
    );
    if (rows.length === 0) {
      s.runs = 0;
      return;
    }
    const last = rows[0];
    s.last_run = last.start_time as number;
    s.last_trace_id = last.trace_id as string;
    s.last_span_id = last.span_id as string;
    s.name = last.name as string;
    s.code_function = last.code_function as string | null;
    s.recent = rows.map((r): [number, number] => [r.start_time as number, r.duration_ms as number]).reverse();
  }
}

function insertRecent(recent: Array<[number, number]>, run: [number, number]): void {
  let i = recent.length;
  while (i > 0 && recent[i - 1][0] > run[0]) i--;
  recent.splice(i, 0, run);
  if (recent.length > RECENT_RUNS) recent.shift();
}

/** Nearest-rank median: the smallest value with at least half of the values at or below it. */
function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1];
}

function empty(file: string, line: number): SiteAgg {
  return {
    code_file: file, code_line: line, code_function: null, name: '', runs: 0, error_count: 0, last_run: 0,
    last_trace_id: '', last_span_id: '', recent: [], total_cost_usd: 0, score_sum: 0, score_count: 0,
    rereadRuns: false, rereadScores: false, recount: false,
  };
}

function fromRow(r: Row): SiteAgg {
  return {
    code_file: r.code_file as string,
    code_line: r.code_line as number,
    code_function: r.code_function as string | null,
    name: r.name as string,
    runs: r.runs as number,
    error_count: r.error_count as number,
    last_run: r.last_run as number,
    last_trace_id: r.last_trace_id as string,
    last_span_id: r.last_span_id as string,
    recent: JSON.parse(r.recent as string) as Array<[number, number]>,
    total_cost_usd: r.total_cost_usd as number,
    score_sum: r.score_sum as number,
    score_count: r.score_count as number,
    rereadRuns: false,
    rereadScores: false,
    recount: false,
  };
}

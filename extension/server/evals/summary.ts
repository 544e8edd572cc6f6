// Eval scores over a time window, per evaluator: what the CI gate (`stacklens eval`) and
// GET /api/v1/evals/summary report. Scores are counted by when they were made (created_at).
import { HttpError } from '../http/errors';
import { parseTime } from '../http/params';
import type { Score } from '../model';
import type { Store } from '../store/api';

export const SCORE_SOURCES: Score['source'][] = ['sdk', 'api', 'otel', 'eval', 'human'];

export interface EvalSummaryQuery {
  /** epoch ms, inclusive */
  since?: number;
  /** epoch ms, exclusive */
  until?: number;
  /** one evaluator (score name) only */
  name?: string;
  /** which score sources count (default: eval) */
  sources?: Score['source'][];
}

export interface EvaluatorSummary {
  name: string;
  runs: number;
  avg: number;
  /** share of the verdicts labelled pass among those labelled pass or fail; null when none is */
  pass_rate: number | null;
  min: number;
  max: number;
}

export interface EvalSummary {
  since: number | null;
  until: number | null;
  name: string | null;
  sources: Score['source'][];
  /** every score counts once: evaluators with more runs weigh more */
  overall: { runs: number; avg: number | null; pass_rate: number | null };
  evaluators: EvaluatorSummary[];
}

/** A SQL string literal: the value is data whatever it holds. */
function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function finite(v: number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${field}: expected epoch milliseconds, got ${JSON.stringify(v)}`);
  return v;
}

export async function evalSummary(store: Pick<Store, 'query'>, query: EvalSummaryQuery = {}): Promise<EvalSummary> {
  const sources = query.sources?.length ? query.sources : (['eval'] as Score['source'][]);
  for (const s of sources) if (!SCORE_SOURCES.includes(s)) throw new Error(`source: "${s}" must be one of ${SCORE_SOURCES.join(', ')}`);
  const since = finite(query.since, 'since');
  const until = finite(query.until, 'until');
  const where = [`source IN (${sources.map(literal).join(', ')})`];
  if (since !== undefined) where.push(`created_at >= ${since}`);
  if (until !== undefined) where.push(`created_at < ${until}`);
  if (query.name !== undefined) where.push(`name = ${literal(query.name)}`);
  const result = await store.query(
    `SELECT name, COUNT(*) AS runs, AVG(value) AS avg, MIN(value) AS min, MAX(value) AS max,
       SUM(label = 'pass') AS passes, SUM(label IN ('pass', 'fail')) AS judged, SUM(value) AS total
     FROM scores WHERE ${where.join(' AND ')} GROUP BY name ORDER BY name`,
  );
  let runs = 0;
  let total = 0;
  let passes = 0;
  let judged = 0;
  const evaluators = result.rows.map((row) => {
    const [name, n, avg, min, max, p, j, sum] = row as [string, number, number, number, number, number, number, number];
    runs += n;
    total += sum;
    passes += p;
    judged += j;
    return { name, runs: n, avg, pass_rate: j > 0 ? p / j : null, min, max };
  });
  return {
    since: since ?? null,
    until: until ?? null,
    name: query.name ?? null,
    sources,
    overall: { runs, avg: runs > 0 ? total / runs : null, pass_rate: judged > 0 ? passes / judged : null },
    evaluators,
  };
}

export interface CallSiteScores {
  code_file: string;
  code_line: number;
  runs: number;
  avg: number;
  pass_rate: number | null;
}

/**
 * Scores per call site in a window (a score counts at its span's site, a trace-level score at its
 * root span's): the CodeLens pass rate, and this week against last week with two windows.
 */
export async function callSiteScores(store: Pick<Store, 'query'>, query: EvalSummaryQuery & { file?: string } = {}): Promise<CallSiteScores[]> {
  const sources = query.sources?.length ? query.sources : (['eval'] as Score['source'][]);
  for (const s of sources) if (!SCORE_SOURCES.includes(s)) throw new Error(`source: "${s}" must be one of ${SCORE_SOURCES.join(', ')}`);
  const where = ['site_file IS NOT NULL', `source IN (${sources.map(literal).join(', ')})`];
  const since = finite(query.since, 'since');
  const until = finite(query.until, 'until');
  if (since !== undefined) where.push(`created_at >= ${since}`);
  if (until !== undefined) where.push(`created_at < ${until}`);
  if (query.name !== undefined) where.push(`name = ${literal(query.name)}`);
  if (query.file !== undefined) where.push(`site_file = ${literal(query.file)}`);
  const result = await store.query(
    `SELECT site_file, site_line, COUNT(*), AVG(value), SUM(label = 'pass'), SUM(label IN ('pass', 'fail'))
     FROM scores WHERE ${where.join(' AND ')} GROUP BY site_file, site_line ORDER BY site_file, site_line`,
  );
  return result.rows.map((row) => {
    const [file, line, runs, avg, passes, judged] = row as [string, number, number, number, number, number];
    return { code_file: file, code_line: line, runs, avg, pass_rate: judged > 0 ? passes / judged : null };
  });
}

/** The query string of GET /api/v1/evals/summary: since, until, eval (a name), source (a comma list). */
export function parseEvalSummaryQuery(params: URLSearchParams, extra: string[] = []): EvalSummaryQuery {
  const known = ['since', 'until', 'eval', 'source', ...extra];
  for (const key of params.keys()) {
    if (!known.includes(key)) throw new HttpError(400, `unknown query parameter "${key}": this route takes ${known.join(', ')}`);
  }
  const query: EvalSummaryQuery = {};
  for (const key of ['since', 'until'] as const) {
    const v = params.get(key);
    if (v !== null && v !== '') query[key] = parseTime(key, v);
  }
  const name = params.get('eval');
  if (name !== null && name !== '') query.name = name;
  const source = params.get('source');
  if (source !== null && source !== '') {
    const list = source.split(',').map((s) => s.trim()).filter(Boolean);
    const wrong = list.find((s) => !SCORE_SOURCES.includes(s as Score['source']));
    if (wrong !== undefined) throw new HttpError(400, `source: "${wrong}" must be one of ${SCORE_SOURCES.join(', ')}`);
    query.sources = list as Score['source'][];
  }
  return query;
}

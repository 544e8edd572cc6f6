// Call sites for CodeLens. Spans often come from another machine or a container, so a file is
// matched by path suffix (docs/store.md "Matching call-site files").
import type { CallSite } from '../model';
import type { Db, Row } from './database';

/** Forward slashes, no file:// scheme, no leading ./, lower-case Windows drive letter. */
export function normalisePath(p: string): string {
  let s = p.replace(/\\/g, '/');
  s = s.replace(/^file:\/\//, '');
  s = s.replace(/^\/([A-Za-z]:\/)/, '$1');
  s = s.replace(/^([A-Z]):\//, (_, d: string) => `${d.toLowerCase()}:/`);
  while (s.startsWith('./')) s = s.slice(2);
  return s;
}

/**
 * Two paths name the same file when they are equal or one is a whole-segment suffix of the other:
 * `/app/src/agent.ts` (recorded in a container) matches `src/agent.ts` (workspace-relative), and
 * `src/agent.ts` (recorded relative) matches `/home/me/proj/src/agent.ts`. `/app/src/agent.ts`
 * does not match `/home/me/proj/src/agent.ts`: ask with the workspace-relative path for that.
 */
export function sameFile(recorded: string, asked: string): boolean {
  const a = normalisePath(recorded);
  const b = normalisePath(asked);
  if (a === '' || b === '') return false;
  return a === b || a.endsWith('/' + b) || b.endsWith('/' + a);
}

export function callSites(db: Db, file?: string): CallSite[] {
  if (file === undefined) return db.all('SELECT * FROM call_sites ORDER BY code_file, code_line').map(toCallSite);
  // call_sites has one row per code location (hundreds, not millions): scanning its files is cheap
  const files = db.values('SELECT DISTINCT code_file FROM call_sites').map((r) => r[0] as string).filter((f) => sameFile(f, file));
  return files.flatMap((f) => db.all('SELECT * FROM call_sites WHERE code_file = ? ORDER BY code_line', [f]).map(toCallSite));
}

function toCallSite(r: Row): CallSite {
  const scoreCount = r.score_count as number;
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
    p50_ms: r.p50_ms as number,
    total_cost_usd: r.total_cost_usd as number,
    avg_score: scoreCount > 0 ? (r.score_sum as number) / scoreCount : null,
    score_count: scoreCount,
  };
}

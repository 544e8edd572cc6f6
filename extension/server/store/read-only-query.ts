// query(sql): read-only SQL over the store's tables and views. Two locks: the statement is checked
// word by word (one SELECT / WITH / EXPLAIN, nothing that writes or reaches outside), and it runs
// under PRAGMA query_only, so SQLite itself refuses any write the check would have missed.
import type { Db } from './database';

export class QueryRefused extends Error {
  override name = 'QueryRefused';
}

/** Rows beyond this are refused rather than shipped across threads. */
export const MAX_QUERY_ROWS = 100_000;

const WRITES = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'DROP', 'CREATE', 'ALTER', 'ATTACH', 'DETACH', 'PRAGMA', 'VACUUM', 'REINDEX',
  'ANALYZE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'TRANSACTION',
]);

type Token = { kind: 'word'; text: string } | { kind: 'semicolon' } | { kind: 'other' };

/** Words and semicolons outside strings, quoted identifiers and comments. */
function tokens(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const skipQuoted = (close: string) => {
    i++;
    for (;;) {
      if (i >= sql.length) throw new QueryRefused('query refused: a quoted string or name is not closed');
      if (sql[i] !== close) i++;
      else if (close !== ']' && sql[i + 1] === close) i += 2; // '' and "" escape themselves
      else {
        i++;
        return;
      }
    }
  };
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) i++;
    else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      skipQuoted(c);
      out.push({ kind: 'other' });
    } else if (c === '[') {
      skipQuoted(']');
      out.push({ kind: 'other' });
    } else if (c === ';') {
      out.push({ kind: 'semicolon' });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_$]/.test(sql[i])) i++;
      out.push({ kind: 'word', text: sql.slice(start, i).toUpperCase() });
    } else {
      out.push({ kind: 'other' });
      i++;
    }
  }
  return out;
}

/** Throws QueryRefused naming the reason unless `sql` is one read-only statement. */
export function checkReadOnly(sql: string): void {
  if (typeof sql !== 'string') throw new QueryRefused('query refused: expected the SQL text as a string');
  const all = tokens(sql);
  while (all.length && all[all.length - 1].kind === 'semicolon') all.pop();
  if (all.length === 0) throw new QueryRefused('query refused: the SQL is empty');
  if (all.some((t) => t.kind === 'semicolon')) throw new QueryRefused('query refused: only one statement is allowed (remove the ";" between statements)');
  const first = all[0];
  if (first.kind !== 'word' || !['SELECT', 'WITH', 'EXPLAIN', 'VALUES'].includes(first.text)) {
    throw new QueryRefused(`query refused: only SELECT, WITH or EXPLAIN statements are allowed, not ${first.kind === 'word' ? first.text : 'this'}`);
  }
  all.forEach((t, i) => {
    if (t.kind !== 'word') return;
    const next = all[i + 1];
    // REPLACE is also the replace() function: only "REPLACE INTO" writes
    const writes = WRITES.has(t.text) || (t.text === 'REPLACE' && next?.kind === 'word' && next.text === 'INTO');
    if (writes) throw new QueryRefused(`query refused: ${t.text} is not allowed; the store answers read-only SELECT queries over its tables and views`);
  });
}

export function readOnlyQuery(db: Db, sql: string): { columns: string[]; rows: unknown[][] } {
  checkReadOnly(sql);
  db.run('PRAGMA query_only = ON');
  let stmt;
  try {
    stmt = db.raw.prepare(sql);
    const columns = stmt.getColumnNames();
    const rows: unknown[][] = [];
    while (stmt.step()) {
      if (rows.length === MAX_QUERY_ROWS) throw new QueryRefused(`query refused: more than ${MAX_QUERY_ROWS} rows; add a LIMIT or aggregate`);
      rows.push(stmt.get());
    }
    return { columns, rows };
  } catch (err) {
    if (err instanceof QueryRefused) throw err;
    throw new QueryRefused(`query failed: ${(err as Error).message}`);
  } finally {
    stmt?.free();
    db.run('PRAGMA query_only = OFF');
  }
}

// The SQL console (POST /api/v1/sql): one read-only statement over the store's tables and views.
// The store refuses writes and names why; the console caps what it ships to the editor.
import { HttpError } from './http/errors';
import type { Store } from './store/api';

/** The console shows this many rows at most; `truncated` says when there were more. */
export const SQL_ROW_LIMIT = 1000;

export interface ConsoleResult {
  columns: string[];
  rows: unknown[][];
  /** rows the query produced, shown or not */
  row_count: number;
  truncated: boolean;
}

export async function runConsoleQuery(store: Pick<Store, 'query'>, body: unknown): Promise<ConsoleResult> {
  const sql = (body as { sql?: unknown } | null)?.sql;
  if (typeof sql !== 'string' || !sql.trim()) throw new HttpError(400, 'expected a JSON object {"sql": "SELECT ..."}');
  let result: { columns: string[]; rows: unknown[][] };
  try {
    result = await store.query(sql);
  } catch (err) {
    // the store names why it refused: a write, two statements, a syntax error, too many rows
    if ((err as Error).name === 'QueryRefused') throw new HttpError(400, (err as Error).message);
    throw err;
  }
  // a blob is bytes, not text a table can show
  const rows = result.rows.slice(0, SQL_ROW_LIMIT).map((row) => row.map((v) => (v instanceof Uint8Array ? `<blob ${v.length} bytes>` : v)));
  return { columns: result.columns, rows, row_count: result.rows.length, truncated: result.rows.length > SQL_ROW_LIMIT };
}

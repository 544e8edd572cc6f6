// A thin layer over one sql.js database: cached prepared statements (sql.js frees them all on
// export(), so the cache is dropped there) and typed row helpers.
import initSqlJs, { type Database, type SqlJsStatic, type SqlValue, type Statement } from 'sql.js';

export type Param = string | number | null | Uint8Array;
export type Row = Record<string, SqlValue>;

let sqlJs: Promise<SqlJsStatic> | null = null;

/** Loads sql.js once per thread; `wasmFile` is the path of sql-wasm.wasm. */
export function loadSqlJs(wasmFile: string): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({ locateFile: () => wasmFile });
  return sqlJs;
}

export class Db {
  private statements = new Map<string, Statement>();

  constructor(readonly raw: Database) {
    this.configure();
  }

  /** Runs one statement (or several, when there are no parameters). */
  run(sql: string, params?: Param[]): void {
    if (!params) {
      this.raw.run(sql);
      return;
    }
    const stmt = this.prepared(sql);
    try {
      stmt.bind(params);
      stmt.step();
    } finally {
      stmt.reset();
    }
  }

  /** Rows changed by the latest INSERT, UPDATE or DELETE. */
  changes(): number {
    return this.raw.getRowsModified();
  }

  get<T = Row>(sql: string, params: Param[] = []): T | undefined {
    const stmt = this.prepared(sql);
    try {
      stmt.bind(params);
      return stmt.step() ? (stmt.getAsObject() as T) : undefined;
    } finally {
      stmt.reset();
    }
  }

  all<T = Row>(sql: string, params: Param[] = []): T[] {
    const stmt = this.prepared(sql);
    const rows: T[] = [];
    try {
      stmt.bind(params);
      while (stmt.step()) rows.push(stmt.getAsObject() as T);
    } finally {
      stmt.reset();
    }
    return rows;
  }

  /** Positional rows: cheaper than objects for long result sets. */
  values(sql: string, params: Param[] = []): SqlValue[][] {
    const stmt = this.prepared(sql);
    const rows: SqlValue[][] = [];
    try {
      stmt.bind(params);
      while (stmt.step()) rows.push(stmt.get());
    } finally {
      stmt.reset();
    }
    return rows;
  }

  transaction<T>(fn: () => T): T {
    this.raw.run('BEGIN');
    try {
      const out = fn();
      this.raw.run('COMMIT');
      return out;
    } catch (err) {
      this.raw.run('ROLLBACK');
      throw err;
    }
  }

  /** The whole database file; sql.js closes and reopens the database to produce it. */
  export(): Uint8Array {
    this.dropStatements();
    const bytes = this.raw.export();
    this.configure();
    return bytes;
  }

  close(): void {
    this.dropStatements();
    this.raw.close();
  }

  private prepared(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private dropStatements(): void {
    for (const stmt of this.statements.values()) stmt.free();
    this.statements.clear();
  }

  private configure(): void {
    // The database lives in memory and the journal carries durability: SQLite's own rollback
    // journal would only copy pages around inside the WebAssembly heap.
    this.raw.run('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;');
  }
}

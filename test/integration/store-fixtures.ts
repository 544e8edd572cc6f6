// Shared by the store tests: temp data folders, spans with sensible defaults, ids from numbers.
import { spanDefaults } from '../support/spans';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Span } from '../../extension/server/model';
import { openStore, type OpenStoreOptions, type StoreClient } from '../../extension/server/store';
import { loadSqlJs } from '../../extension/server/store/database';
import { snapshotPath } from '../../extension/server/store/snapshot';

const HOUR = 3_600_000;
/** Noon (UTC) yesterday: recent enough for the default 7-day retention, on a known UTC day. */
export const T0 = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 12 * HOUR;
export const utcDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

export const traceId = (n: number) => n.toString(16).padStart(32, '0');
export const spanId = (n: number) => n.toString(16).padStart(16, '0');

/** A finished span at `start` (epoch ms) lasting `duration` ms; model usage only when given. */
export function span(fields: Partial<Span> & { trace_id: string; span_id: string }): Span {
  const start = fields.start_time ?? T0;
  const duration = fields.duration_ms ?? 100;
  return {
    ...spanDefaults(),
    name: 'span',
    end_time: start + duration,
    ...fields,
    start_time: start,
    duration_ms: duration,
  };
}

/** An LLM call span with usage. */
export function llm(fields: Partial<Span> & { trace_id: string; span_id: string }): Span {
  return span({ kind: 'llm', model: 'gpt-4o', provider: 'openai', input_tokens: 100, output_tokens: 20, cost_usd: 0.25, cost_source: 'reported', ...fields });
}

const made: string[] = [];

export function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-store-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Opens a store in a fresh folder (or `dataDir`), collecting its warnings instead of printing them. */
export async function open(options: Partial<OpenStoreOptions> = {}): Promise<{ store: StoreClient; dataDir: string; warnings: string[] }> {
  const warnings: string[] = [];
  const dataDir = options.dataDir ?? tempDataDir();
  const store = await openStore({ ...options, dataDir, onWarning: (m) => warnings.push(m) });
  return { store, dataDir, warnings };
}

/** Batch `n` of the crash tests: 20 spans of trace n + 1 with content that can be recomputed. */
export function crashBatch(n: number): Span[] {
  return Array.from({ length: 20 }, (_, i) =>
    llm({
      trace_id: traceId(n + 1),
      span_id: spanId(i + 1),
      parent_span_id: i === 0 ? null : spanId(1),
      name: `call-${n}-${i}`,
      input: crashContent(n, i),
      output: `answer ${n}/${i} ✓`,
      code_file: 'src/crash.ts',
      code_line: i,
    }),
  );
}

export function crashContent(n: number, i: number): string {
  return `batch ${n} span ${i}: ` + 'x'.repeat(500 + ((n * 7 + i) % 300)) + ' «end»';
}

/** Turns a closed store's snapshot back into schema 1: no hourly rollups, the three call indexes of that version. */
export async function downgradeToSchema1(dataDir: string): Promise<void> {
  const SQL = await loadSqlJs(createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm'));
  const file = snapshotPath(dataDir);
  const db = new SQL.Database(readFileSync(file));
  db.run(`DROP TABLE call_hours; DROP TABLE trace_hours; DROP INDEX spans_call_time;
    CREATE INDEX spans_calls ON spans (CAST(start_time / 86400000 AS INTEGER), model, start_time, duration_ms, input_tokens, output_tokens, total_tokens, cost_usd, status) WHERE is_call = 1 AND usage_counted = 1;
    CREATE INDEX spans_call_latency ON spans (model, duration_ms, start_time) WHERE is_call = 1 AND usage_counted = 1;
    CREATE INDEX spans_call_duration ON spans (duration_ms, start_time) WHERE is_call = 1 AND usage_counted = 1;
    UPDATE meta SET value = '1' WHERE key = 'schema_version';`);
  writeFileSync(file, db.export());
  db.close();
}

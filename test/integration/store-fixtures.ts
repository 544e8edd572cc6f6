// Shared by the store tests: temp data folders, spans with sensible defaults, ids from numbers.
import { spanDefaults } from '../support/spans';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Span } from '../../extension/server/model';
import { openStore, type OpenStoreOptions, type StoreClient } from '../../extension/server/store';

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

// A trace file back into spans and scores: decoded and normalised like any OTLP request, then made
// exact by each span's record (exact.ts). A file is taken whole or not at all: the first problem
// is named by its place in the file, and nothing of a refused file is stored.
import { gunzipSync } from 'node:zlib';
import type { Score, Span, StoredSpan, TraceDetail, TraceSummary } from '../model';
import { createPricer, type Pricer } from '../pricing';
import { decodeTraceRequest, IngestError, normaliseTraceRequest } from '../ingest';
import type { Store } from '../store/api';
import { inArrivalOrder } from './arrival';
import { applyExactRecord } from './exact';
import { TraceFileError } from './format';
import { checkHeader, type ListedTrace } from './header';
import { summarise } from './summary';

export interface ParsedTraceFile {
  traces: ListedTrace[];
  spans: Span[];
  /** the exporting store's usage_counted per span id; absent for spans without an exact record */
  usageCounted: Map<string, boolean>;
  scores: Score[];
}

export interface ImportResult {
  traces: string[];
  spans: number;
  scores: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Reads and checks a whole trace file (JSON text or bytes, gzip allowed). Throws TraceFileError. */
export function parseTraceFile(body: string | Uint8Array, pricer: Pricer, maxInflatedBytes = 64 * 1024 * 1024): ParsedTraceFile {
  let bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxInflatedBytes });
    } catch (err) {
      throw new TraceFileError(`the gzip file could not be decompressed (or inflates beyond ${maxInflatedBytes} bytes): ${(err as Error).message}`);
    }
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new TraceFileError('the file is empty: expected a .stacklens.json trace file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TraceFileError(`the file is not valid JSON (${(err as Error).message}): expected a .stacklens.json trace file`);
  }
  const header = checkHeader(json);

  let normalised;
  try {
    normalised = normaliseTraceRequest(decodeTraceRequest(bytes, 'application/json'), pricer);
  } catch (err) {
    if (err instanceof IngestError) throw new TraceFileError(err.message);
    throw err;
  }
  if (normalised.rejectedSpans > 0) throw new TraceFileError(`${normalised.errorMessage}; nothing of the file was imported`);

  const listed = new Map(header.traces.map((t) => [t.trace_id, t]));
  const counts = new Map<string, number>();
  const usageCounted = new Map<string, boolean>();
  for (const span of normalised.spans) {
    const where = `span ${span.span_id} of trace ${span.trace_id}`;
    if (!listed.has(span.trace_id)) throw new TraceFileError(`${where}: its trace is not listed in stacklens.traces`);
    counts.set(span.trace_id, (counts.get(span.trace_id) ?? 0) + 1);
    const counted = applyExactRecord(span, where);
    if (counted !== null) usageCounted.set(span.span_id, counted);
  }
  header.traces.forEach((t, i) => {
    const found = counts.get(t.trace_id) ?? 0;
    if (found !== t.span_count) throw new TraceFileError(`stacklens.traces[${i}].span_count: the header says ${t.span_count}, the file holds ${found} span${found === 1 ? '' : 's'} of trace ${t.trace_id} (a truncated or edited file?)`);
  });
  header.scores.forEach((s, i) => {
    if (!listed.has(s.trace_id)) throw new TraceFileError(`stacklens.scores[${i}].trace_id: trace ${s.trace_id} is not in this file`);
  });
  return { traces: header.traces, spans: normalised.spans, usageCounted, scores: header.scores };
}

/**
 * The traces of a file as the trace panel shows them, without a collector or store: what the
 * VS Code custom editor opens. Pricing only matters for spans that carry no exact record.
 */
export function readTraceFile(text: string | Uint8Array, pricer: Pricer = createPricer()): TraceDetail[] {
  const file = parseTraceFile(text, pricer);
  return file.traces.map((listed) => {
    const spans: StoredSpan[] = file.spans
      .filter((s) => s.trace_id === listed.trace_id)
      .map((s) => ({ ...s, usage_counted: file.usageCounted.get(s.span_id) ?? true }))
      .sort((a, b) => a.start_time - b.start_time || (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0));
    const scores = file.scores
      .filter((s) => s.trace_id === listed.trace_id)
      .sort((a, b) => a.created_at - b.created_at || (a.score_id < b.score_id ? -1 : a.score_id > b.score_id ? 1 : 0));
    // the exporter's summary wins (it saw the spans arrive); what a hand-written header leaves out is computed
    const computed = summarise(listed.trace_id, spans);
    const trace = Object.fromEntries(Object.entries(computed).map(([k, v]) => [k, k in listed ? (listed as Record<string, unknown>)[k] : v])) as unknown as TraceSummary;
    return { trace, spans, scores };
  });
}

/** Stores a file's spans and scores. Re-importing a file replaces its spans and scores (same ids). */
export async function importTraceFile(store: Store, body: string | Uint8Array, pricer: Pricer, maxInflatedBytes?: number): Promise<ImportResult> {
  const file = parseTraceFile(body, pricer, maxInflatedBytes);
  const spans = file.traces.flatMap((listed) => inArrivalOrder(file.spans.filter((s) => s.trace_id === listed.trace_id), listed));
  if (spans.length > 0) await store.ingest(spans);
  for (const score of file.scores) await store.addScore(score);
  return { traces: file.traces.map((t) => t.trace_id), spans: file.spans.length, scores: file.scores.length };
}


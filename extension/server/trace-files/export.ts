// Stored traces into a trace file. The spans are encoded by the forwarder's spansToOtlp (one
// encoder for every OTLP that leaves StackLens); each span then gets its exact record, found by
// reading the encoding back exactly as an import will.
import type { Pricer } from '../pricing';
import type { Span, StoredSpan, TraceDetail } from '../model';
import { spansToOtlp, type OtlpJsonSpan } from '../forward/otlp-encode';
import { decodeTraceRequest, normaliseTraceRequest } from '../ingest';
import { VERSION } from '../version';
import { EXACT_ATTRIBUTE, exactRecord } from './exact';
import { TRACE_FILE_FORMAT, type TraceFile } from './format';

export function writeTraceFile(details: readonly TraceDetail[], pricer: Pricer, exportedAt = new Date()): TraceFile {
  const stored: StoredSpan[] = details.flatMap((d) => d.spans);
  const request = spansToOtlp(stored.map(withoutStoreFields));
  const otlpSpans = new Map<string, OtlpJsonSpan>();
  for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) otlpSpans.set(key(s.traceId, s.spanId), s);

  const readBack = new Map<string, Span>();
  const decoded = decodeTraceRequest(Buffer.from(JSON.stringify(request)), 'application/json');
  for (const span of normaliseTraceRequest(decoded, pricer).spans) readBack.set(key(span.trace_id, span.span_id), span);

  for (const original of stored) {
    const k = key(original.trace_id, original.span_id);
    const back = readBack.get(k);
    const otlp = otlpSpans.get(k);
    // the store's spans always have valid ids, so every one reads back; say so loudly if not
    if (!back || !otlp) throw new Error(`span ${original.span_id} of trace ${original.trace_id} did not survive its own OTLP encoding`);
    // spansToOtlp may hand out the stored attribute list itself: add the record to a copy
    otlp.attributes = [...otlp.attributes, { key: EXACT_ATTRIBUTE, value: { stringValue: JSON.stringify(exactRecord(original, back)) } }];
  }
  return {
    stacklens: {
      format: TRACE_FILE_FORMAT,
      exported_at: exportedAt.toISOString(),
      exporter: `stacklens ${VERSION}`,
      traces: details.map((d) => d.trace),
      scores: details.flatMap((d) => d.scores),
    },
    resourceSpans: request.resourceSpans,
  };
}

/** The file's text: indented, so a trace attached to a pull request diffs and reads line by line. */
export function traceFileText(file: TraceFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

function withoutStoreFields(span: StoredSpan): Span {
  const { usage_counted: _counted, ...rest } = span;
  return rest;
}

function key(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}

// The `.stacklens.json` trace file (docs/trace-files.md): an OTLP/JSON ExportTraceServiceRequest,
// so any OTLP tool reads its spans, plus a `stacklens` header with what OTLP cannot carry.
import type { OtlpJsonRequest } from '../forward/otlp-encode';
import type { Score, TraceSummary } from '../model';

export const TRACE_FILE_FORMAT = 1;
export const TRACE_FILE_EXTENSION = '.stacklens.json';

export interface TraceFileHeader {
  format: typeof TRACE_FILE_FORMAT;
  /** ISO 8601 */
  exported_at: string;
  /** "stacklens <version>" */
  exporter: string;
  /** one per trace in the file; the full summary as the exporting store computed it */
  traces: TraceSummary[];
  scores: Score[];
}

export interface TraceFile extends OtlpJsonRequest {
  stacklens: TraceFileHeader;
}

/** A refusal of a trace file that names where in the file the problem is. */
export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/** `<name>-<id8>.stacklens.json`, with the name reduced to characters every file system takes. */
export function traceFileName(summary: Pick<TraceSummary, 'trace_id' | 'name'>): string {
  const slug = summary.name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return `${slug || 'trace'}-${summary.trace_id.slice(0, 8)}${TRACE_FILE_EXTENSION}`;
}

/** The name of a file of several traces: how many and when. */
export function traceSetFileName(count: number, exportedAt: Date): string {
  const stamp = exportedAt.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `stacklens-${count}-trace${count === 1 ? '' : 's'}-${stamp}${TRACE_FILE_EXTENSION}`;
}

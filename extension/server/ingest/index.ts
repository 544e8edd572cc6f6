// What the collector calls: decode an OTLP body, normalise it into Spans, or read the simple span
// form of POST /api/v1/spans. No I/O: the only outside inputs are the clock (for spans without
// times) and random ids (for simple spans sent without them).
import { IngestError } from './errors';
import { decodeJsonTraceRequest } from './decode-json';
import { decodeProtobufTraceRequest } from './decode-proto';
import type { OtlpEncoding, OtlpTraceRequest } from './otlp';

export { IngestError } from './errors';
export type { OtlpEncoding, OtlpTraceRequest, OtlpResourceSpans, OtlpScopeSpans, OtlpSpan } from './otlp';
export { normaliseTraceRequest, type NormaliseResult } from './normalise';
export { parseSimpleSpans, type SimpleSpansResult } from './simple-span';
export { encodeTraceResponse } from './response';
export type { Message, ToolCall } from './messages';
export { decodeLogsRequest, type OtlpLogsRequest, type OtlpLogRecord } from './logs-decode';
export { logsToPatches, applyPatch, encodeLogsResponse, type SpanPatch, type LogsToPatches } from './logs';

/** The encoding a Content-Type names (parameters such as charset ignored); IngestError 415 otherwise. */
export function otlpEncoding(contentType: string | undefined | null): OtlpEncoding {
  const mediaType = (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  const got = mediaType === '' ? 'no Content-Type' : `Content-Type ${JSON.stringify(mediaType.slice(0, 80))}`;
  throw new IngestError(`unsupported media type: got ${got}; send OTLP as application/json or application/x-protobuf`, 415);
}

export function decodeTraceRequest(body: Uint8Array, contentType: string): OtlpTraceRequest {
  const encoding = otlpEncoding(contentType);
  try {
    return encoding === 'json' ? decodeJsonTraceRequest(body) : decodeProtobufTraceRequest(body);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    // Pathologically deep nesting exhausts the stack while converting values.
    if (e instanceof RangeError) throw new IngestError(`body could not be decoded: ${e.message} (nested too deeply?)`);
    throw e;
  }
}

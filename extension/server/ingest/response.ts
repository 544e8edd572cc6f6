// The answer to POST /v1/traces: an ExportTraceServiceResponse in the encoding of the request
// (OTLP/HTTP requires the response to use the request's Content-Type), with partialSuccess
// filled in when spans were rejected.
import type { OtlpEncoding } from './otlp';
import { ExportTraceServiceResponse } from './otlp-schema';

export function encodeTraceResponse(result: { rejectedSpans: number; errorMessage: string }, encoding: OtlpEncoding): { body: Uint8Array; contentType: string } {
  const partialSuccess = result.rejectedSpans > 0 || result.errorMessage !== '' ? { rejectedSpans: result.rejectedSpans, errorMessage: result.errorMessage } : {};
  if (encoding === 'json') {
    return { body: Buffer.from(JSON.stringify({ partialSuccess })), contentType: 'application/json' };
  }
  const message = ExportTraceServiceResponse.fromObject(result.rejectedSpans > 0 || result.errorMessage !== '' ? { partialSuccess } : {});
  return { body: ExportTraceServiceResponse.encode(message).finish(), contentType: 'application/x-protobuf' };
}

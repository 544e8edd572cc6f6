// ExportTraceServiceResponse for protobuf clients (opentelemetry-proto
// collector/trace/v1/trace_service.proto): partial_success = 1 { rejected_spans = 1 (int64),
// error_message = 2 (string) }. An empty message means everything was accepted.
export function encodeExportResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  if (rejectedSpans <= 0 && !errorMessage) return new Uint8Array(0);
  const inner: number[] = [];
  if (rejectedSpans > 0) inner.push(0x08, ...varint(rejectedSpans));
  if (errorMessage) {
    const text = Buffer.from(errorMessage, 'utf8');
    inner.push(0x12, ...varint(text.length), ...text);
  }
  return Uint8Array.from([0x0a, ...varint(inner.length), ...inner]);
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = Math.floor(n);
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

// The decoded form of an OTLP ExportTraceServiceRequest, the same whether it arrived as JSON or
// protobuf. Attribute maps are already plain JSON values and become the Span's own `attributes`
// object, so decoding allocates them once and normalising reuses them.
import type { Attributes, SpanEvent } from '../model';

/** How an OTLP body is encoded (from its Content-Type). */
export type OtlpEncoding = 'json' | 'protobuf';

export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

export interface OtlpResourceSpans {
  resource: Attributes;
  scopeSpans: OtlpScopeSpans[];
}

export interface OtlpScopeSpans {
  scopeName: string;
  scopeVersion: string;
  spans: OtlpSpan[];
}

export interface OtlpSpan {
  /** lower-case hex, 32 characters when valid */
  traceId: string;
  /** lower-case hex, 16 characters when valid */
  spanId: string;
  parentSpanId: string | null;
  /**
   * Why this span cannot be kept, as one line that names its place in the request
   * (`resourceSpans[0].scopeSpans[1].spans[2].traceId: expected 16 bytes, got 5`); null when fine.
   * Such spans are counted as rejected; the rest of the request is kept (OTLP partial success).
   */
  problem: string | null;
  name: string;
  /** OTel SpanKind, 0..5 */
  kind: number;
  /** epoch ms; null when the sender left it out (0) */
  startMs: number | null;
  endMs: number | null;
  attributes: Attributes;
  events: SpanEvent[];
  /** 0 unset, 1 ok, 2 error (trace.proto Status.StatusCode) */
  statusCode: number;
  statusMessage: string;
}

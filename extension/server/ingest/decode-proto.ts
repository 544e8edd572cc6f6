// OTLP/protobuf into OtlpTraceRequest: protobufjs decodes the whole body once with the schema of
// otlp-schema.ts, then one pass turns its messages into plain values (ids to hex, times to ms).
import type { SpanEvent } from '../model';
import { pbKeyValues, type PbKeyValue } from './any-value';
import { IngestError } from './errors';
import { checkId, parentId } from './ids';
import type { OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpTraceRequest } from './otlp';
import { ExportTraceServiceRequest } from './otlp-schema';
import { nanosLongToMs, type LongLike } from './time';

interface PbEvent {
  timeUnixNano: LongLike | number;
  name: string;
  attributes: PbKeyValue[];
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: LongLike | number;
  endTimeUnixNano: LongLike | number;
  attributes: PbKeyValue[];
  events: PbEvent[];
  status: { code: number; message: string } | null;
}
interface PbScopeSpans {
  scope: { name: string; version: string } | null;
  spans: PbSpan[];
}
interface PbResourceSpans {
  resource: { attributes: PbKeyValue[] } | null;
  scopeSpans: PbScopeSpans[];
  instrumentationLibrarySpans: PbScopeSpans[];
}
interface PbRequest {
  resourceSpans: PbResourceSpans[];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function decodeProtobufTraceRequest(body: Uint8Array): OtlpTraceRequest {
  let request: PbRequest;
  try {
    // A Buffer view (no copy) makes protobufjs slice bytes fields instead of copying them.
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    request = ExportTraceServiceRequest.decode(buffer) as unknown as PbRequest;
  } catch (e) {
    throw new IngestError(`body is not a valid OTLP protobuf ExportTraceServiceRequest (${(e as Error).message}); was it sent as JSON or still compressed?`);
  }
  return { resourceSpans: request.resourceSpans.map(convertResourceSpans) };
}

function convertResourceSpans(rs: PbResourceSpans, ri: number): OtlpResourceSpans {
  const resource = rs.resource ? pbKeyValues(rs.resource.attributes) : {};
  const scopes = rs.scopeSpans.length > 0 ? rs.scopeSpans : rs.instrumentationLibrarySpans;
  return { resource, scopeSpans: scopes.map((ss, si) => convertScopeSpans(ss, `resourceSpans[${ri}].scopeSpans[${si}]`)) };
}

function convertScopeSpans(ss: PbScopeSpans, path: string): OtlpScopeSpans {
  const spans: OtlpSpan[] = new Array(ss.spans.length);
  for (let i = 0; i < ss.spans.length; i++) spans[i] = convertSpan(ss.spans[i], path, i);
  return { scopeName: ss.scope?.name ?? '', scopeVersion: ss.scope?.version ?? '', spans };
}

function convertSpan(s: PbSpan, path: string, index: number): OtlpSpan {
  const traceId = checkId(hex(s.traceId), 16);
  const spanId = checkId(hex(s.spanId), 8);
  const parent = parentId(s.parentSpanId.length === 0 ? null : checkId(hex(s.parentSpanId), 8));
  let problem: string | null = null;
  if (traceId.problem !== null) problem = `${path}.spans[${index}].traceId: ${traceId.problem}`;
  else if (spanId.problem !== null) problem = `${path}.spans[${index}].spanId: ${spanId.problem}`;
  else if (parent.problem !== null) problem = `${path}.spans[${index}].parentSpanId: ${parent.problem}`;
  const startMs = nanosLongToMs(s.startTimeUnixNano);
  return {
    traceId: traceId.hex,
    spanId: spanId.hex,
    parentSpanId: parent.hex,
    problem,
    name: s.name,
    kind: s.kind,
    startMs,
    endMs: nanosLongToMs(s.endTimeUnixNano),
    attributes: pbKeyValues(s.attributes),
    events: s.events.length === 0 ? [] : s.events.map((e) => convertEvent(e, startMs)),
    statusCode: s.status?.code ?? 0,
    statusMessage: s.status?.message ?? '',
  };
}

function convertEvent(e: PbEvent, spanStartMs: number | null): SpanEvent {
  return { name: e.name, time: nanosLongToMs(e.timeUnixNano) ?? spanStartMs ?? 0, attributes: pbKeyValues(e.attributes) };
}

// OTLP/JSON (the OTLP/HTTP spec's JSON mapping of ExportTraceServiceRequest) into OtlpTraceRequest.
// Field names may be lowerCamelCase (the spec) or snake_case (proto names, which some clients
// send); enums may be numbers or their names; 64-bit integers strings or numbers.
// A problem with the request's shape is an IngestError (400); a problem inside one span only
// marks that span as rejected, so the rest of the request is kept.
import type { Attributes, SpanEvent } from '../model';
import { IngestError, describeType } from './errors';
import { jsonKeyValues } from './any-value';
import { idFromText, parentId } from './ids';
import type { OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpTraceRequest } from './otlp';
import { nanosTextToMs } from './time';

type JsonObject = Record<string, unknown>;

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function field(o: JsonObject, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

/** An optional array field: absent/null is empty, anything else but an array is an error. */
function list(o: JsonObject, camel: string, snake: string, path: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new IngestError(`${path}.${camel}: expected an array, got ${describeType(v)}`);
  return v;
}

export function parseJsonBody(body: Uint8Array): unknown {
  if (body.byteLength === 0) throw new IngestError('body is empty: expected an OTLP ExportTraceServiceRequest JSON object such as {"resourceSpans":[...]}');
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new IngestError(`body is not valid JSON (${(e as Error).message}): send an OTLP ExportTraceServiceRequest as JSON`);
  }
}

export function decodeJsonTraceRequest(body: Uint8Array): OtlpTraceRequest {
  const parsed = parseJsonBody(body);
  if (!isObject(parsed)) throw new IngestError(`body: expected an OTLP ExportTraceServiceRequest object such as {"resourceSpans":[...]}, got ${describeType(parsed)}`);
  const resourceSpans = field(parsed, 'resourceSpans', 'resource_spans');
  if (resourceSpans === undefined || resourceSpans === null) {
    if (Object.keys(parsed).length === 0) return { resourceSpans: [] };
    throw new IngestError('body has no resourceSpans: expected an OTLP ExportTraceServiceRequest such as {"resourceSpans":[...]} (simple spans go to POST /api/v1/spans)');
  }
  if (!Array.isArray(resourceSpans)) throw new IngestError(`resourceSpans: expected an array, got ${describeType(resourceSpans)}`);
  return { resourceSpans: resourceSpans.map(decodeResourceSpans) };
}

function decodeResourceSpans(rs: unknown, ri: number): OtlpResourceSpans {
  const path = `resourceSpans[${ri}]`;
  if (!isObject(rs)) throw new IngestError(`${path}: expected an object, got ${describeType(rs)}`);
  let resource: Attributes = {};
  const r = rs.resource;
  if (r !== undefined && r !== null) {
    if (!isObject(r)) throw new IngestError(`${path}.resource: expected an object, got ${describeType(r)}`);
    resource = jsonKeyValues(list(r, 'attributes', 'attributes', `${path}.resource`));
  }
  let scopes = list(rs, 'scopeSpans', 'scope_spans', path);
  if (scopes.length === 0) scopes = list(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans', path);
  return { resource, scopeSpans: scopes.map((ss, si) => decodeScopeSpans(ss, `${path}.scopeSpans[${si}]`)) };
}

function decodeScopeSpans(ss: unknown, path: string): OtlpScopeSpans {
  if (!isObject(ss)) throw new IngestError(`${path}: expected an object, got ${describeType(ss)}`);
  const scope = field(ss, 'scope', 'instrumentationLibrary') ?? ss.instrumentation_library;
  const scopeName = isObject(scope) && typeof scope.name === 'string' ? scope.name : '';
  const scopeVersion = isObject(scope) && typeof scope.version === 'string' ? scope.version : '';
  const spans = list(ss, 'spans', 'spans', path);
  const out: OtlpSpan[] = new Array(spans.length);
  for (let i = 0; i < spans.length; i++) out[i] = decodeSpan(spans[i], `${path}.spans[${i}]`);
  return { scopeName, scopeVersion, spans: out };
}

function rejected(problem: string): OtlpSpan {
  return { traceId: '', spanId: '', parentSpanId: null, problem, name: '', kind: 0, startMs: null, endMs: null, attributes: {}, events: [], statusCode: 0, statusMessage: '' };
}

function decodeSpan(s: unknown, path: string): OtlpSpan {
  if (!isObject(s)) return rejected(`${path}: expected a span object, got ${describeType(s)}`);
  const traceId = idFromText(field(s, 'traceId', 'trace_id'), 16);
  if (traceId.problem !== null) return rejected(`${path}.traceId: ${traceId.problem}`);
  const spanId = idFromText(field(s, 'spanId', 'span_id'), 8);
  if (spanId.problem !== null) return rejected(`${path}.spanId: ${spanId.problem}`);
  const rawParent = field(s, 'parentSpanId', 'parent_span_id');
  const parent = parentId(rawParent === undefined || rawParent === null || rawParent === '' ? null : idFromText(rawParent, 8));
  if (parent.problem !== null) return rejected(`${path}.parentSpanId: ${parent.problem}`);

  const name = s.name ?? '';
  if (typeof name !== 'string') return rejected(`${path}.name: expected a string, got ${describeType(name)}`);
  const start = nanosTextToMs(field(s, 'startTimeUnixNano', 'start_time_unix_nano'));
  if (start.problem !== null) return rejected(`${path}.startTimeUnixNano: ${start.problem}`);
  const end = nanosTextToMs(field(s, 'endTimeUnixNano', 'end_time_unix_nano'));
  if (end.problem !== null) return rejected(`${path}.endTimeUnixNano: ${end.problem}`);

  const rawAttributes = s.attributes;
  if (rawAttributes !== undefined && rawAttributes !== null && !Array.isArray(rawAttributes)) {
    return rejected(`${path}.attributes: expected an array of {key, value}, got ${describeType(rawAttributes)}`);
  }
  const rawEvents = s.events;
  if (rawEvents !== undefined && rawEvents !== null && !Array.isArray(rawEvents)) {
    return rejected(`${path}.events: expected an array, got ${describeType(rawEvents)}`);
  }
  const status = s.status;
  let statusCode = 0;
  let statusMessage = '';
  if (isObject(status)) {
    statusCode = enumValue(status.code, STATUS_CODES, 2);
    if (typeof status.message === 'string') statusMessage = status.message;
  }
  return {
    traceId: traceId.hex,
    spanId: spanId.hex,
    parentSpanId: parent.hex,
    problem: null,
    name,
    kind: enumValue(s.kind, SPAN_KINDS, 5),
    startMs: start.ms,
    endMs: end.ms,
    attributes: rawAttributes ? jsonKeyValues(rawAttributes) : {},
    events: rawEvents ? decodeEvents(rawEvents, start.ms) : [],
    statusCode,
    statusMessage,
  };
}

/** An enum given as its number or its name; unknown values read as 0 (unset/unspecified). */
function enumValue(v: unknown, names: Record<string, number>, max: number): number {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= max ? v : 0;
  if (typeof v === 'string') return names[v] ?? (/^\d+$/.test(v) && Number(v) <= max ? Number(v) : 0);
  return 0;
}

function decodeEvents(events: unknown[], spanStartMs: number | null): SpanEvent[] {
  const out: SpanEvent[] = [];
  for (const e of events) {
    if (!isObject(e)) continue;
    const time = nanosTextToMs(field(e, 'timeUnixNano', 'time_unix_nano'));
    const attributes = e.attributes;
    out.push({
      name: typeof e.name === 'string' ? e.name : '',
      time: time.ms ?? spanStartMs ?? 0,
      attributes: Array.isArray(attributes) ? jsonKeyValues(attributes) : {},
    });
  }
  return out;
}

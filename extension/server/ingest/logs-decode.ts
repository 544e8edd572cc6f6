// An OTLP ExportLogsServiceRequest (JSON or protobuf) into plain log records: ids as hex, times as
// epoch ms, body and attributes as JSON values. A problem with the request's shape is an
// IngestError (400); a problem inside one record (a malformed id) marks only that record.
import type { AttributeValue, Attributes } from '../model';
import { jsonAnyValue, jsonKeyValues, pbAnyValue, pbKeyValues, type PbAnyValue, type PbKeyValue } from './any-value';
import { parseJsonBody } from './decode-json';
import { IngestError, describeType } from './errors';
import { checkId, idFromText } from './ids';
import { ExportLogsServiceRequest } from './logs-schema';
import type { OtlpEncoding } from './otlp';
import { nanosLongToMs, nanosTextToMs, type LongLike } from './time';

export interface OtlpLogRecord {
  /** lower-case hex; null when the record names no trace / span */
  traceId: string | null;
  spanId: string | null;
  /** why the record cannot be used, naming its place in the request; null when fine */
  problem: string | null;
  timeMs: number | null;
  observedMs: number | null;
  severityNumber: number;
  severityText: string;
  /** null when the record has no body */
  body: AttributeValue;
  attributes: Attributes;
  eventName: string;
}

export interface OtlpScopeLogs {
  scopeName: string;
  records: OtlpLogRecord[];
}

export interface OtlpLogsRequest {
  resourceLogs: Array<{ resource: Attributes; scopeLogs: OtlpScopeLogs[] }>;
}

/** `encoding` as otlpEncoding() read it from the Content-Type. */
export function decodeLogsRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpLogsRequest {
  try {
    return encoding === 'json' ? decodeJsonLogs(body) : decodeProtobufLogs(body);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    if (e instanceof RangeError) throw new IngestError(`body could not be decoded: ${e.message} (nested too deeply?)`);
    throw e;
  }
}

// ---- JSON ----------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const field = (o: Obj, camel: string, snake: string): unknown => (o[camel] === undefined ? o[snake] : o[camel]);

function list(o: Obj, camel: string, snake: string, path: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new IngestError(`${path}.${camel}: expected an array, got ${describeType(v)}`);
  return v;
}

const SEVERITY = /^SEVERITY_NUMBER_([A-Z]+)(\d?)$/;
const SEVERITY_BASE: Record<string, number> = { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

function severityNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 24 ? v : 0;
  if (typeof v !== 'string') return 0;
  if (/^\d+$/.test(v)) return Math.min(Number(v), 24);
  const m = SEVERITY.exec(v);
  if (!m || SEVERITY_BASE[m[1]] === undefined) return 0;
  return m[1] === 'UNSPECIFIED' ? 0 : SEVERITY_BASE[m[1]] + (m[2] ? Number(m[2]) - 1 : 0);
}

function decodeJsonLogs(body: Uint8Array): OtlpLogsRequest {
  const parsed = parseJsonBody(body);
  if (!isObj(parsed)) throw new IngestError(`body: expected an OTLP ExportLogsServiceRequest object such as {"resourceLogs":[...]}, got ${describeType(parsed)}`);
  const resourceLogs = field(parsed, 'resourceLogs', 'resource_logs');
  if (resourceLogs === undefined || resourceLogs === null) {
    if (Object.keys(parsed).length === 0) return { resourceLogs: [] };
    throw new IngestError('body has no resourceLogs: expected an OTLP ExportLogsServiceRequest such as {"resourceLogs":[...]} (spans go to POST /v1/traces)');
  }
  if (!Array.isArray(resourceLogs)) throw new IngestError(`resourceLogs: expected an array, got ${describeType(resourceLogs)}`);
  return {
    resourceLogs: resourceLogs.map((rl, ri) => {
      const path = `resourceLogs[${ri}]`;
      if (!isObj(rl)) throw new IngestError(`${path}: expected an object, got ${describeType(rl)}`);
      const resource = isObj(rl.resource) ? jsonKeyValues(list(rl.resource, 'attributes', 'attributes', `${path}.resource`)) : {};
      let scopes = list(rl, 'scopeLogs', 'scope_logs', path);
      if (scopes.length === 0) scopes = list(rl, 'instrumentationLibraryLogs', 'instrumentation_library_logs', path);
      return {
        resource,
        scopeLogs: scopes.map((sl, si) => {
          const at = `${path}.scopeLogs[${si}]`;
          if (!isObj(sl)) throw new IngestError(`${at}: expected an object, got ${describeType(sl)}`);
          const scope = field(sl, 'scope', 'instrumentationLibrary') ?? sl.instrumentation_library;
          const records = list(sl, 'logRecords', 'log_records', at);
          return { scopeName: isObj(scope) && typeof scope.name === 'string' ? scope.name : '', records: records.map((r, i) => jsonRecord(r, `${at}.logRecords[${i}]`)) };
        }),
      };
    }),
  };
}

function jsonRecord(r: unknown, path: string): OtlpLogRecord {
  const record: OtlpLogRecord = {
    traceId: null, spanId: null, problem: null, timeMs: null, observedMs: null, severityNumber: 0, severityText: '', body: null, attributes: {}, eventName: '',
  };
  if (!isObj(r)) return { ...record, problem: `${path}: expected a log record object, got ${describeType(r)}` };
  const time = nanosTextToMs(field(r, 'timeUnixNano', 'time_unix_nano'));
  const observed = nanosTextToMs(field(r, 'observedTimeUnixNano', 'observed_time_unix_nano'));
  record.timeMs = time.ms;
  record.observedMs = observed.ms;
  record.severityNumber = severityNumber(field(r, 'severityNumber', 'severity_number'));
  const text = field(r, 'severityText', 'severity_text');
  record.severityText = typeof text === 'string' ? text : '';
  record.body = r.body === undefined || r.body === null ? null : jsonAnyValue(r.body);
  if (Array.isArray(r.attributes)) record.attributes = jsonKeyValues(r.attributes);
  const eventName = field(r, 'eventName', 'event_name');
  record.eventName = typeof eventName === 'string' ? eventName : '';
  const rawTrace = field(r, 'traceId', 'trace_id');
  const rawSpan = field(r, 'spanId', 'span_id');
  if (time.problem !== null) record.problem = `${path}.timeUnixNano: ${time.problem}`;
  if (!empty(rawTrace)) {
    const id = idFromText(rawTrace, 16);
    if (id.problem !== null) record.problem = `${path}.traceId: ${id.problem}`;
    else record.traceId = id.hex;
  }
  if (!empty(rawSpan)) {
    const id = idFromText(rawSpan, 8);
    if (id.problem !== null) record.problem ??= `${path}.spanId: ${id.problem}`;
    else record.spanId = id.hex;
  }
  return record;
}

function empty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (typeof v === 'string' && /^0+$/.test(v));
}

// ---- protobuf ------------------------------------------------------------------------------

interface PbRecord {
  timeUnixNano: LongLike | number;
  observedTimeUnixNano: LongLike | number;
  severityNumber: number;
  severityText: string;
  body: PbAnyValue | null;
  attributes: PbKeyValue[];
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}
interface PbScopeLogs {
  scope: { name: string } | null;
  logRecords: PbRecord[];
}
interface PbRequest {
  resourceLogs: Array<{ resource: { attributes: PbKeyValue[] } | null; scopeLogs: PbScopeLogs[]; instrumentationLibraryLogs: PbScopeLogs[] }>;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function decodeProtobufLogs(body: Uint8Array): OtlpLogsRequest {
  let request: PbRequest;
  try {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    request = ExportLogsServiceRequest.decode(buffer) as unknown as PbRequest;
  } catch (e) {
    throw new IngestError(`body is not a valid OTLP protobuf ExportLogsServiceRequest (${(e as Error).message}); was it sent as JSON or still compressed?`);
  }
  return {
    resourceLogs: request.resourceLogs.map((rl, ri) => ({
      resource: rl.resource ? pbKeyValues(rl.resource.attributes) : {},
      scopeLogs: (rl.scopeLogs.length > 0 ? rl.scopeLogs : rl.instrumentationLibraryLogs).map((sl, si) => ({
        scopeName: sl.scope?.name ?? '',
        records: sl.logRecords.map((r, i) => pbRecord(r, `resourceLogs[${ri}].scopeLogs[${si}].logRecords[${i}]`)),
      })),
    })),
  };
}

function pbRecord(r: PbRecord, path: string): OtlpLogRecord {
  let problem: string | null = null;
  let traceId: string | null = null;
  let spanId: string | null = null;
  if (r.traceId.length > 0 && !r.traceId.every((b) => b === 0)) {
    const id = checkId(hex(r.traceId), 16);
    if (id.problem !== null) problem = `${path}.traceId: ${id.problem}`;
    else traceId = id.hex;
  }
  if (r.spanId.length > 0 && !r.spanId.every((b) => b === 0)) {
    const id = checkId(hex(r.spanId), 8);
    if (id.problem !== null) problem ??= `${path}.spanId: ${id.problem}`;
    else spanId = id.hex;
  }
  return {
    traceId,
    spanId,
    problem,
    timeMs: nanosLongToMs(r.timeUnixNano),
    observedMs: nanosLongToMs(r.observedTimeUnixNano),
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: r.body ? pbAnyValue(r.body) : null,
    attributes: pbKeyValues(r.attributes),
    eventName: r.eventName,
  };
}

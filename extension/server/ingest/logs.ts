// Log records correlated with a span become events of that span. GenAI instrumentations that
// follow the semconv of 2024–2025 send prompt and completion content this way: one record per
// message (`gen_ai.user.message`, `gen_ai.choice`, …, the message in the body) or one
// `gen_ai.client.inference.operation.details` record with gen_ai.input.messages /
// gen_ai.output.messages attributes. As events they read exactly as if the instrumentation had
// put them on the span, so content.ts extracts the span's input and output from them.
import type { AttributeValue, Attributes, Span, SpanEvent } from '../model';
import { extractInput, extractOutput } from './content';
import type { OtlpLogRecord, OtlpLogsRequest } from './logs-decode';
import { ExportLogsServiceResponse } from './logs-schema';
import type { OtlpEncoding } from './otlp';

/** Events for one span, from the log records that name it. */
export interface SpanPatch {
  trace_id: string;
  span_id: string;
  events: SpanEvent[];
}

export interface LogsToPatches {
  patches: SpanPatch[];
  /** records turned into events */
  correlated: number;
  /** records that name no span, or could not be read: answered as rejected (partial success) */
  rejected: number;
  /** why, naming the first such record; '' when none */
  errorMessage: string;
}

const MESSAGE_EVENTS = new Set(['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.assistant.message', 'gen_ai.tool.message', 'gen_ai.choice']);

export function logsToPatches(request: OtlpLogsRequest, receivedAt = Date.now()): LogsToPatches {
  const bySpan = new Map<string, SpanPatch>();
  let correlated = 0;
  let unreadable = 0;
  let uncorrelated = 0;
  let firstProblem = '';
  for (const rl of request.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (const record of sl.records) {
        if (record.problem !== null) {
          if (unreadable++ === 0) firstProblem = record.problem;
          continue;
        }
        if (record.traceId === null || record.spanId === null) {
          uncorrelated++;
          continue;
        }
        const key = record.traceId + record.spanId;
        let patch = bySpan.get(key);
        if (!patch) {
          patch = { trace_id: record.traceId, span_id: record.spanId, events: [] };
          bySpan.set(key, patch);
        }
        patch.events.push(logToEvent(record, receivedAt));
        correlated++;
      }
    }
  }
  const reasons: string[] = [];
  if (firstProblem) reasons.push(unreadable > 1 ? `${firstProblem} (and ${unreadable - 1} more unreadable records)` : firstProblem);
  if (uncorrelated > 0) {
    reasons.push(`${uncorrelated} log record${uncorrelated === 1 ? '' : 's'} without a trace_id and span_id: StackLens attaches logs to their spans and keeps no standalone logs`);
  }
  return { patches: [...bySpan.values()], correlated, rejected: unreadable + uncorrelated, errorMessage: reasons.join('; ') };
}

/** One log record as a span event: its attributes, its body, its severity. */
export function logToEvent(record: OtlpLogRecord, receivedAt: number): SpanEvent {
  const attributes: Attributes = { ...record.attributes };
  const name = record.eventName || (typeof attributes['event.name'] === 'string' ? (attributes['event.name'] as string) : '') || 'log';
  if (record.body !== null) {
    // content.ts reads a structured message from `event.body` as JSON text
    attributes['event.body'] = typeof record.body === 'string' ? record.body : JSON.stringify(record.body);
    if (typeof record.body === 'string' && MESSAGE_EVENTS.has(name) && attributes.content === undefined) attributes.content = record.body;
  }
  if (record.severityText) attributes['log.severity_text'] = record.severityText;
  if (record.severityNumber > 0) attributes['log.severity_number'] = record.severityNumber;
  return { name, time: record.timeMs ?? record.observedMs ?? receivedAt, attributes };
}

/**
 * The span with the patch's events added (those it does not hold already, so a re-sent log
 * request adds nothing twice) and its input/output filled from them when it had none. Null when
 * every event was there already.
 */
export function applyPatch(span: Span, events: readonly SpanEvent[]): Span | null {
  const known = new Set(span.events.map(eventKey));
  const added: SpanEvent[] = [];
  for (const event of events) {
    const key = eventKey(event);
    if (known.has(key)) continue;
    known.add(key);
    added.push(event);
  }
  if (added.length === 0) return null;
  const merged = [...span.events, ...added].sort((a, b) => a.time - b.time);
  return {
    ...span,
    events: merged,
    input: span.input ?? extractInput(span.attributes, merged),
    output: span.output ?? extractOutput(span.attributes, merged),
  };
}

function eventKey(e: SpanEvent): string {
  return `${e.name}\u0000${e.time}\u0000${stableJson(e.attributes)}`;
}

/** JSON with object keys sorted: the same attributes give the same text in any key order. */
function stableJson(v: AttributeValue): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** ExportLogsServiceResponse in the request's encoding, partialSuccess set when records were rejected. */
export function encodeLogsResponse(result: { rejected: number; errorMessage: string }, encoding: OtlpEncoding): { body: Uint8Array; contentType: string } {
  const partialSuccess = result.rejected > 0 || result.errorMessage !== '' ? { rejectedLogRecords: result.rejected, errorMessage: result.errorMessage } : null;
  if (encoding === 'json') return { body: Buffer.from(JSON.stringify({ partialSuccess: partialSuccess ?? {} })), contentType: 'application/json' };
  const message = ExportLogsServiceResponse.fromObject(partialSuccess ? { partialSuccess } : {});
  return { body: ExportLogsServiceResponse.encode(message).finish(), contentType: 'application/x-protobuf' };
}

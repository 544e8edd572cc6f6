// OTLP spans into StackLens Spans: the conventions of conventions.ts and content.ts decide the
// GenAI fields; every attribute is kept as received. Spans whose ids are unusable are rejected
// and counted (OTLP partial success); the others are kept.
import type { Attributes, Span, SpanStatus } from '../model';
import type { Pricer } from '../pricing';
import { extractInput, extractOutput } from './content';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_KEYS,
  CODE_FILE_KEYS,
  CODE_FUNCTION_KEYS,
  CODE_LINE_KEYS,
  COST_KEYS,
  INPUT_TOKEN_KEYS,
  MODEL_REQUEST_KEYS,
  MODEL_RESPONSE_KEYS,
  OUTPUT_TOKEN_KEYS,
  PROVIDER_KEYS,
  REASONING_KEYS,
  SESSION_KEYS,
  TOTAL_TOKEN_KEYS,
  USER_KEYS,
  collectTags,
  firstCost,
  firstCount,
  firstLine,
  firstString,
  operationName,
  spanKind,
} from './conventions';
import type { OtlpSpan, OtlpTraceRequest } from './otlp';
import { canonicalProvider } from './provider';

/** Attribute that says what the normaliser had to assume about a span's times. */
export const TIME_WARNING_ATTRIBUTE = 'stacklens.ingest.warning';

export interface NormaliseResult {
  spans: Span[];
  rejectedSpans: number;
  /** one line naming the first rejected span and why; '' when none was rejected */
  errorMessage: string;
}

export function normaliseTraceRequest(req: OtlpTraceRequest, pricer: Pricer): NormaliseResult {
  const spans: Span[] = [];
  let rejectedSpans = 0;
  let firstProblem = '';
  const receivedAt = Date.now();
  for (const rs of req.resourceSpans) {
    const serviceName = typeof rs.resource['service.name'] === 'string' ? rs.resource['service.name'] : null;
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        if (s.problem !== null) {
          if (rejectedSpans++ === 0) firstProblem = s.problem;
          continue;
        }
        if (ss.scopeName !== '' && s.attributes['otel.scope.name'] === undefined) {
          s.attributes['otel.scope.name'] = ss.scopeName;
          if (ss.scopeVersion !== '') s.attributes['otel.scope.version'] = ss.scopeVersion;
        }
        spans.push(normaliseSpan(s, rs.resource, serviceName, pricer, receivedAt));
      }
    }
  }
  let errorMessage = firstProblem;
  if (rejectedSpans > 1) errorMessage += ` (and ${rejectedSpans - 1} more rejected span${rejectedSpans > 2 ? 's' : ''})`;
  return { spans, rejectedSpans, errorMessage };
}

/** Start and end in ms, made consistent; what had to be assumed is said in an attribute. */
function times(s: OtlpSpan, a: Attributes, receivedAt: number): { start: number; end: number } {
  let start = s.startMs;
  let end = s.endMs;
  let warning: string | null = null;
  if (start === null && end === null) {
    start = end = receivedAt;
    warning = 'span had no start or end time; the time it was received is used';
  } else if (start === null) {
    start = end as number;
    warning = 'span had no start time; its end time is used';
  } else if (end === null) {
    end = start;
    warning = 'span had no end time; duration set to 0';
  } else if (end < start) {
    warning = `span ended ${(start - end).toFixed(3)} ms before it started; end set to start, duration 0`;
    end = start;
  }
  if (warning !== null) a[TIME_WARNING_ATTRIBUTE] = warning;
  return { start, end: end as number };
}

function status(s: OtlpSpan, a: Attributes): { status: SpanStatus; message: string | null } {
  let st: SpanStatus = s.statusCode === 2 ? 'error' : s.statusCode === 1 ? 'ok' : 'unset';
  const own = a['stacklens.status'];
  if (own === 'ok' || own === 'error') st = own;
  let message: string | null = s.statusMessage !== '' ? s.statusMessage : typeof a['stacklens.status_message'] === 'string' ? a['stacklens.status_message'] : null;
  const exception = s.events.find((e) => e.name === 'exception');
  const errorType = typeof a['error.type'] === 'string' && a['error.type'] !== '' ? a['error.type'] : null;
  // An explicit OK is the developer's final word (OTLP Status); only "unset" is overridden.
  if (st === 'unset' && (exception !== undefined || errorType !== null)) st = 'error';
  if (st === 'error' && message === null) {
    const type = exception?.attributes['exception.type'];
    const text = exception?.attributes['exception.message'];
    if (typeof text === 'string' && text !== '') message = typeof type === 'string' && type !== '' ? `${type}: ${text}` : text;
    else if (typeof type === 'string' && type !== '') message = type;
    else message = errorType;
  }
  return { status: st, message };
}

export function normaliseSpan(s: OtlpSpan, resource: Attributes, serviceName: string | null, pricer: Pricer, receivedAt = Date.now()): Span {
  const a = s.attributes;
  const { start, end } = times(s, a, receivedAt);

  const cacheRead = firstCount(a, CACHE_READ_KEYS);
  const cacheWrite = firstCount(a, CACHE_WRITE_KEYS);
  let input = firstCount(a, INPUT_TOKEN_KEYS);
  // Every convention we read counts cache tokens inside the input total (OTel GenAI says SHOULD);
  // a total smaller than its cache parts was counted Anthropic-style, without them.
  if (input !== null && (cacheRead ?? 0) + (cacheWrite ?? 0) > input) input += (cacheRead ?? 0) + (cacheWrite ?? 0);
  const output = firstCount(a, OUTPUT_TOKEN_KEYS);
  const total = firstCount(a, TOTAL_TOKEN_KEYS) ?? (input !== null || output !== null ? (input ?? 0) + (output ?? 0) : null);
  const reasoning = firstCount(a, REASONING_KEYS);

  const requestModel = firstString(a, MODEL_REQUEST_KEYS);
  const model = firstString(a, MODEL_RESPONSE_KEYS) ?? requestModel;
  const providerName = firstString(a, PROVIDER_KEYS);
  const provider = providerName === null ? null : canonicalProvider(providerName);

  const hasUsage = input !== null || output !== null || total !== null || cacheRead !== null || cacheWrite !== null;
  const kind = spanKind(a, hasUsage, model !== null);
  const st = status(s, a);

  const reported = firstCost(a, COST_KEYS);
  const tokens = { model, provider, input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite };
  const price = reported !== null ? { cost_usd: reported, cost_source: 'reported' as const } : pricer.price(tokens, new Date(start));

  return {
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId,
    name: s.name,
    kind,
    start_time: start,
    end_time: end,
    duration_ms: end - start,
    status: st.status,
    status_message: st.message,
    service_name: serviceName,
    operation: operationName(a, kind),
    model,
    request_model: requestModel,
    provider,
    input_tokens: input,
    output_tokens: output,
    total_tokens: total,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: reasoning,
    cost_usd: price.cost_usd,
    cost_source: price.cost_source,
    ...(a['stacklens.usage_scope'] === 'self' ? { own_usage: true } : {}),
    input: extractInput(a, s.events),
    output: extractOutput(a, s.events),
    attributes: a,
    resource,
    tags: collectTags(a),
    events: s.events,
    code_file: firstString(a, CODE_FILE_KEYS),
    code_line: firstLine(a, CODE_LINE_KEYS),
    code_function: firstString(a, CODE_FUNCTION_KEYS),
    session_id: firstString(a, SESSION_KEYS),
    user_id: firstString(a, USER_KEYS),
  };
}

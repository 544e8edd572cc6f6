// Spans for the eval and postmortem tests: a full StoredSpan from the few fields a test cares about.
import { spanDefaults } from '../../support/spans';
import type { StoredSpan, TraceDetail, TraceSummary } from '../../../extension/server/model';

let next = 1;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

export const TRACE_ID = 'ab'.repeat(16);

export function span(fields: Partial<StoredSpan> & { name: string }): StoredSpan {
  const start = fields.start_time ?? 1_700_000_000_000;
  const duration = fields.duration_ms ?? (fields.end_time !== undefined ? fields.end_time - start : 100);
  return {
    trace_id: TRACE_ID,
    span_id: hex(next++, 16),
    ...spanDefaults(),
    kind: 'llm',
    start_time: start,
    end_time: start + duration,
    duration_ms: duration,
    usage_counted: true,
    ...fields,
  };
}

/** A TraceDetail over the spans, with the summary the store would compute. */
export function traceOf(spans: StoredSpan[]): TraceDetail {
  const root = spans.find((s) => s.parent_span_id === null) ?? spans[0];
  const start = Math.min(...spans.map((s) => s.start_time));
  const end = Math.max(...spans.map((s) => s.end_time));
  const counted = spans.filter((s) => s.usage_counted);
  const trace: TraceSummary = {
    trace_id: TRACE_ID,
    name: root.name,
    start_time: start,
    end_time: end,
    duration_ms: end - start,
    span_count: spans.length,
    llm_call_count: counted.filter((s) => s.kind === 'llm').length,
    error_count: spans.filter((s) => s.status === 'error').length,
    total_cost_usd: counted.reduce((n, s) => n + (s.cost_usd ?? 0), 0),
    unpriced_call_count: counted.filter((s) => s.cost_source === 'unpriced').length,
    input_tokens: counted.reduce((n, s) => n + (s.input_tokens ?? 0), 0),
    output_tokens: counted.reduce((n, s) => n + (s.output_tokens ?? 0), 0),
    status: spans.some((s) => s.status === 'error') ? 'error' : 'ok',
    tags: [],
    models: [...new Set(spans.map((s) => s.model).filter((m): m is string => m !== null))],
    service_name: null,
    session_id: null,
    user_id: null,
  };
  return { trace, spans, scores: [] };
}

// Spans, traces and call sites as the store returns them, with only what a test cares about set.
import type { CallSite, StoredSpan, TraceDetail, TraceSummary } from '../../../extension/server/model';

let counter = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function span(fields: Partial<StoredSpan> = {}): StoredSpan {
  counter++;
  const start = fields.start_time ?? 1_700_000_000_000 + counter;
  const duration = fields.duration_ms ?? 100;
  return {
    trace_id: hex(1, 32), span_id: hex(counter, 16), parent_span_id: null, name: `span-${counter}`, kind: 'internal',
    start_time: start, end_time: start + duration, duration_ms: duration, status: 'ok', status_message: null,
    service_name: null, operation: null, model: null, request_model: null, provider: null,
    input_tokens: null, output_tokens: null, total_tokens: null, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null,
    cost_usd: null, cost_source: null, input: null, output: null, attributes: {}, resource: {}, tags: [], events: [],
    code_file: null, code_line: null, code_function: null, session_id: null, user_id: null, usage_counted: true,
    ...fields,
  };
}

export function summary(fields: Partial<TraceSummary> = {}): TraceSummary {
  counter++;
  const start = fields.start_time ?? 1_700_000_000_000 + counter;
  return {
    trace_id: hex(counter, 32), name: `trace-${counter}`, start_time: start, end_time: start + 100, duration_ms: 100,
    span_count: 1, llm_call_count: 0, error_count: 0, total_cost_usd: 0, unpriced_call_count: 0,
    input_tokens: 0, output_tokens: 0, status: 'ok', tags: [], models: [], service_name: null, session_id: null, user_id: null,
    ...fields,
  };
}

export function detail(trace: TraceSummary, spans: StoredSpan[]): TraceDetail {
  return { trace, spans: spans.map((s) => ({ ...s, trace_id: trace.trace_id })), scores: [] };
}

export function callSite(fields: Partial<CallSite> = {}): CallSite {
  return {
    code_file: '/home/dev/app/src/agent.ts', code_line: 10, code_function: 'run', name: 'agent-run',
    runs: 12, error_count: 0, last_run: 1_700_000_000_000, last_trace_id: hex(7, 32), last_span_id: hex(7, 16),
    p50_ms: 1200, total_cost_usd: 0.034, avg_score: 0.87, score_count: 3,
    ...fields,
  };
}

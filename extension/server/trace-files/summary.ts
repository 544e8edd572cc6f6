// A trace's summary from its spans alone, for files whose header lists only id, name and span
// count (written by hand or by another tool). The rules are the store's (store/trace-aggregates.ts,
// store/span-facts.ts): counted model calls only, the root's status and identity first.
import type { StoredSpan, TraceSummary } from '../model';
import { hasUsage, isCall } from '../store/span-facts';

export function summarise(traceId: string, spans: readonly StoredSpan[]): TraceSummary {
  const root = spans.find((s) => s.parent_span_id === null) ?? null;
  const first = spans[0] ?? null; // spans come sorted by start time
  const start = spans.length ? Math.min(...spans.map((s) => s.start_time)) : 0;
  const end = spans.length ? Math.max(...spans.map((s) => s.end_time)) : 0;
  const calls = spans.filter((s) => s.usage_counted && isCall(s, hasUsage(s)));
  const errors = spans.filter((s) => s.status === 'error').length;
  const status = root?.status === 'error' || root?.status === 'ok' ? root.status : errors > 0 ? 'error' : spans.some((s) => s.status === 'ok') ? 'ok' : 'unset';
  const pick = (field: 'service_name' | 'session_id' | 'user_id') => root?.[field] ?? spans.find((s) => s[field] !== null)?.[field] ?? null;
  return {
    trace_id: traceId,
    name: (root ?? first)?.name ?? '',
    start_time: start,
    end_time: end,
    duration_ms: end - start,
    span_count: spans.length,
    llm_call_count: calls.length,
    error_count: errors,
    total_cost_usd: calls.reduce((sum, s) => sum + (s.cost_usd ?? 0), 0),
    unpriced_call_count: calls.filter((s) => s.cost_usd === null).length,
    input_tokens: calls.reduce((sum, s) => sum + (s.input_tokens ?? 0), 0),
    output_tokens: calls.reduce((sum, s) => sum + (s.output_tokens ?? 0), 0),
    status,
    tags: [...new Set(spans.flatMap((s) => s.tags))],
    models: [...new Set(spans.flatMap((s) => (s.model === null ? [] : [s.model])))],
    service_name: pick('service_name'),
    session_id: pick('session_id'),
    user_id: pick('user_id'),
  };
}

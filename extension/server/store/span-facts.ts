// The few columns of a span row that aggregates depend on, and the rule that keeps a wrapper's
// usage from being counted twice.
import type { Span } from '../model';

export interface SpanFacts {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  start_time: number;
  end_time: number;
  duration_ms: number;
  status: string;
  model: string | null;
  cost_usd: number | null;
  cost_source: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  is_call: number;
  has_usage: number;
  below_usage: number;
  below_call: number;
  usage_counted: number;
  tags: string; // JSON array
  code_file: string | null;
  code_line: number | null;
  code_function: string | null;
  service_name: string | null;
  session_id: string | null;
  user_id: string | null;
  content_seg: number | null;
}

export const FACT_COLUMNS =
  'trace_id, span_id, parent_span_id, name, start_time, end_time, duration_ms, status, model, cost_usd, cost_source, ' +
  'input_tokens, output_tokens, total_tokens, is_call, has_usage, below_usage, below_call, usage_counted, tags, code_file, code_line, ' +
  'code_function, service_name, session_id, user_id, content_seg';

/** has_usage of a span whose usage is its own call (Span.own_usage): it is never a wrapper. */
export const OWN_USAGE = 2;

export function hasUsage(span: Pick<Span, 'input_tokens' | 'output_tokens' | 'total_tokens' | 'cost_usd'>): boolean {
  return span.input_tokens !== null || span.output_tokens !== null || span.total_tokens !== null || span.cost_usd !== null;
}

/** A model call: an llm or embedding span, or any span that reports model usage. */
export function isCall(span: Pick<Span, 'kind'>, usage: boolean): boolean {
  return usage || span.kind === 'llm' || span.kind === 'embedding';
}

/**
 * Whether a span's usage counts towards its trace, call site, stats and llm_calls. A span that
 * reports usage while a descendant does too is a wrapper (ai.generateText over its doGenerate, a
 * LangChain chain over its LLM): the descendant's usage is the real call. A model call without
 * usage is likewise a wrapper when a descendant is a model call.
 */
export function countedFlag(f: Pick<SpanFacts, 'has_usage' | 'is_call' | 'below_usage' | 'below_call'>): number {
  if (f.has_usage === OWN_USAGE) return 1;
  if (f.has_usage) return f.below_usage ? 0 : 1;
  if (f.is_call) return f.below_call ? 0 : 1;
  return 1;
}

/** The call site a span belongs to, or null when it carries no code location. */
export function siteOf(f: Pick<SpanFacts, 'code_file' | 'code_line'>): { file: string; line: number } | null {
  return f.code_file !== null && f.code_line !== null ? { file: f.code_file, line: f.code_line } : null;
}

// The one span model every part of StackLens speaks: the normaliser produces it, the store keeps
// it, the HTTP API and the UI read it. Field names are snake_case because they are also the JSON
// of the HTTP API (DESIGN.md "HTTP API").

export const SPAN_KINDS = ['agent', 'llm', 'tool', 'retrieval', 'embedding', 'eval', 'internal'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export type SpanStatus = 'ok' | 'error' | 'unset';

/** reported: the client sent a cost; computed: priced from tokens; unpriced: tokens but no price known. */
export type CostSource = 'reported' | 'computed' | 'unpriced';

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface SpanEvent {
  name: string;
  /** epoch milliseconds (fractional allowed) */
  time: number;
  attributes: Attributes;
}

export interface Span {
  trace_id: string; // 32 lower-case hex
  span_id: string; // 16 lower-case hex
  parent_span_id: string | null;
  name: string;
  kind: SpanKind;
  /** epoch milliseconds, fractional allowed (OTLP nanoseconds / 1e6) */
  start_time: number;
  end_time: number;
  duration_ms: number;
  status: SpanStatus;
  status_message: string | null;

  service_name: string | null;
  operation: string | null; // gen_ai.operation.name: chat, text_completion, embeddings, execute_tool, invoke_agent ...
  model: string | null; // response model when known, else request model
  request_model: string | null;
  provider: string | null;

  input_tokens: number | null; // total input tokens, cache tokens included (genai-prices convention)
  output_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;

  cost_usd: number | null;
  cost_source: CostSource | null; // null when the span carries no model usage at all
  /**
   * true when the span's usage is its own model call, never a roll-up of its children's: spans of
   * our SDKs and the simple form, or any span with the attribute stacklens.usage_scope = "self".
   * Such a span is never treated as a wrapper (see StoredSpan.usage_counted).
   */
  own_usage?: boolean;

  /** prompt / input content: plain text, or JSON text of a message list */
  input: string | null;
  /** completion / output content: plain text, or JSON text of a message list */
  output: string | null;

  attributes: Attributes; // every attribute received, unknown ones included
  resource: Attributes; // resource attributes of the sender
  tags: string[];
  events: SpanEvent[];

  code_file: string | null;
  code_line: number | null;
  code_function: string | null;

  session_id: string | null;
  user_id: string | null;
}

/** A span as returned by the store: plus whether its usage counts towards its trace's totals. */
export interface StoredSpan extends Span {
  /**
   * false when a descendant span reports model usage too: the span is a wrapper (Vercel AI SDK's
   * ai.generateText over ai.generateText.doGenerate, a LangChain chain over its LLM) whose usage
   * repeats its child's, so trace totals skip it.
   */
  usage_counted: boolean;
}

export interface TraceSummary {
  trace_id: string;
  name: string; // the root span's name (or the earliest span's while the root has not arrived)
  start_time: number;
  end_time: number;
  duration_ms: number;
  span_count: number;
  llm_call_count: number;
  error_count: number;
  total_cost_usd: number; // sum over counted spans with a cost
  unpriced_call_count: number; // counted LLM calls whose cost is unknown (no price, or no usage reported): the total is a lower bound then
  input_tokens: number;
  output_tokens: number;
  status: SpanStatus; // the root span's status when it set one; otherwise error when any span errored
  tags: string[];
  models: string[];
  service_name: string | null;
  session_id: string | null;
  user_id: string | null;
}

export interface Score {
  score_id: string;
  trace_id: string;
  span_id: string | null;
  name: string;
  value: number;
  label: string | null;
  reason: string | null;
  source: 'sdk' | 'api' | 'otel' | 'eval' | 'human';
  created_at: number; // epoch ms
}

export interface CallSite {
  code_file: string;
  code_line: number;
  code_function: string | null;
  /** the span name most recently seen at this location */
  name: string;
  runs: number;
  error_count: number;
  last_run: number; // epoch ms of the latest span's start
  last_trace_id: string;
  last_span_id: string;
  p50_ms: number;
  total_cost_usd: number;
  avg_score: number | null;
  score_count: number;
}

export interface TraceFilter {
  limit?: number; // default 50, max 1000
  model?: string;
  /** error: any span failed (a recovered trace too); ok: the trace did not end in error; unset: nothing said either */
  status?: SpanStatus;
  tag?: string;
  since?: number; // epoch ms, inclusive
  until?: number; // epoch ms, exclusive
  q?: string; // text search over trace name, span names, ids and model
  /** paging: only traces that started before this epoch ms (newest first listing) */
  before?: number;
}

export interface StatsQuery {
  since?: number;
  until?: number;
  /** group rows of `series` by: day (default), model, or tag */
  group?: 'day' | 'model' | 'tag';
}

export interface LatencyPercentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export interface Stats {
  since: number | null;
  until: number | null;
  totals: {
    calls: number; // counted LLM calls
    traces: number;
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    cost_usd: number;
    errors: number;
  };
  latency_ms: LatencyPercentiles; // over LLM call spans
  /** false: over many calls the percentiles come from latency histograms, each within 1% of the exact value */
  latency_exact: boolean;
  by_model: Array<{ model: string; calls: number; input_tokens: number; output_tokens: number; cost_usd: number; latency_ms: LatencyPercentiles }>;
  by_model_by_day: Array<{ day: string; model: string; calls: number; input_tokens: number; output_tokens: number; cost_usd: number }>;
  by_tag: Array<{ tag: string; calls: number; cost_usd: number }>;
  /** the counted calls grouped as StatsQuery.group asks (day by default); key is the day, model or tag */
  series?: Array<{ key: string; calls: number; input_tokens: number; output_tokens: number; cost_usd: number }>;
}

export interface TraceDetail {
  trace: TraceSummary;
  spans: StoredSpan[];
  scores: Score[];
}

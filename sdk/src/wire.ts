// A finished span in the simple span form (docs/simple-span-format.md), snake_case, with its
// call site read and source-mapped. Fields the SDK does not know are left out, so the collector
// applies its defaults; in particular a cost is sent only when the caller reported one.
import { readCallSite, type RawFrame } from './call-site';
import type { Config } from './config';
import { loadSourceMaps, originalPosition } from './source-map';
import type { ActiveSpan, SpanEvent } from './span';
import type { Attributes } from './validate';

export interface WireSpan {
  name: string;
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  kind: string;
  start_time: number;
  end_time: number;
  status: 'ok' | 'error';
  status_message?: string;
  model?: string;
  provider?: string;
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  cost_usd?: number;
  temperature?: number;
  max_tokens?: number;
  prompt?: string;
  completion?: string;
  is_streaming?: boolean;
  finish_reason?: string;
  attributes?: Attributes;
  tags?: string[];
  events?: SpanEvent[];
  code_file?: string;
  code_line?: number;
  code_function?: string;
  service_name?: string;
}

export async function toWire(spans: ActiveSpan[], config: Config): Promise<WireSpan[]> {
  const frames = spans.map((span) => (span.callSite ? readCallSite(span.callSite) : null));
  const files = new Set<string>();
  for (const frame of frames) if (frame) files.add(frame.file);
  await loadSourceMaps(files);
  return spans.map((span, i) => wireSpan(span, frames[i], config));
}

function wireSpan(span: ActiveSpan, frame: RawFrame | null, config: Config): WireSpan {
  const wire: WireSpan = {
    name: span.name,
    trace_id: span.traceId,
    span_id: span.spanId,
    kind: span.effectiveKind(),
    start_time: span.startTime,
    end_time: span.endTime ?? span.startTime,
    status: span.status ?? 'ok',
  };
  if (span.parentSpanId) wire.parent_span_id = span.parentSpanId;
  if (span.statusMessage !== null) wire.status_message = span.statusMessage;
  const llm = span.llm;
  if (llm) {
    wire.model = llm.model;
    wire.provider = llm.provider;
    if (llm.inputTokens !== null) wire.input_tokens = llm.inputTokens;
    if (llm.outputTokens !== null) wire.output_tokens = llm.outputTokens;
    if (llm.totalTokens !== null) wire.total_tokens = llm.totalTokens;
    if (llm.cacheReadTokens !== null) wire.cache_read_tokens = llm.cacheReadTokens;
    if (llm.cacheWriteTokens !== null) wire.cache_write_tokens = llm.cacheWriteTokens;
    if (llm.reasoningTokens !== null) wire.reasoning_tokens = llm.reasoningTokens;
    if (llm.costUsd !== null) wire.cost_usd = llm.costUsd;
    if (llm.temperature !== null) wire.temperature = llm.temperature;
    if (llm.maxTokens !== null) wire.max_tokens = llm.maxTokens;
    if (llm.prompt !== null) wire.prompt = llm.prompt;
    if (llm.completion !== null) wire.completion = llm.completion;
    if (llm.isStreaming) wire.is_streaming = true;
    if (llm.finishReason !== null) wire.finish_reason = llm.finishReason;
  }
  if (span.attributes) wire.attributes = span.attributes;
  if (span.tags) wire.tags = span.tags;
  if (span.events) wire.events = span.events;
  if (frame) {
    const position = originalPosition(frame.file, frame.line, frame.column);
    wire.code_file = position.file;
    wire.code_line = position.line;
  }
  const fn = span.codeFunction ?? frame?.function ?? null;
  if (fn) wire.code_function = fn;
  if (config.serviceName) wire.service_name = config.serviceName;
  return wire;
}

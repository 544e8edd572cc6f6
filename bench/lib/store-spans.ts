// Spans in StackLens's own model, as the collector hands them to the store: agent runs of ten
// spans (LLM calls with ~1 KB of prompt and completion, tool calls, a retrieval), spread over the
// last six days, with the models, tags, errors and call sites the list filters and CodeLens use.
import type { Span, SpanKind } from '../../extension/server/model';
import { CODE_FILES, MODELS, TAGS, completionText, promptText } from './content';

export const TRACE_NAMES = ['support-agent', 'invoice-pipeline', 'rag-answer', 'nightly-eval'];
/** the one trace of 500 spans: its name appears nowhere else (the rare q= search) */
export const BIG_TRACE_NAME = 'batch-import-ledger';
export const SPAN_WINDOW_MS = 6 * 24 * 3600 * 1000;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
export const traceIdOf = (t: number) => `b0` + hex(t, 30);
const spanIdOf = (t: number, i: number) => hex(t, 11) + hex(i, 5);

function span(t: number, i: number, parent: string | null, name: string, kind: SpanKind, start: number, ms: number, n: number): Span {
  const llm = kind === 'llm';
  const { model, provider } = MODELS[n % MODELS.length];
  const input = llm ? promptText(n) : kind === 'tool' ? `{"query":"invoices for customer ${n % 997}","limit":20}` : null;
  const output = llm ? completionText(n) : kind === 'tool' ? `[{"id":"inv-${n}","total":"${(n % 500) + 0.99}"}]` : null;
  const inTok = llm ? 180 + (n % 200) : null;
  const outTok = llm ? 60 + (n % 120) : null;
  const failed = n % 290 === 7; // one trace in 29 has a failed call
  return {
    trace_id: traceIdOf(t),
    span_id: spanIdOf(t, i),
    parent_span_id: parent,
    name,
    kind,
    start_time: start,
    end_time: start + ms,
    duration_ms: ms,
    // as instrumentations send them: the agent root's status left unset, calls ok or error
    status: failed ? 'error' : kind === 'agent' ? 'unset' : 'ok',
    status_message: failed ? 'upstream timed out after 30 s' : null,
    service_name: 'invoice-agent',
    operation: llm ? 'chat' : kind === 'tool' ? 'execute_tool' : null,
    model: llm ? model : null,
    request_model: llm ? model : null,
    provider: llm ? provider : null,
    input_tokens: inTok,
    output_tokens: outTok,
    total_tokens: llm ? inTok! + outTok! : null,
    cache_read_tokens: llm && n % 3 === 0 ? 64 : null,
    cache_write_tokens: null,
    reasoning_tokens: null,
    cost_usd: llm ? (inTok! * 0.15 + outTok! * 0.6) / 1e6 : null,
    cost_source: llm ? 'computed' : null,
    input,
    output,
    attributes: llm
      ? { 'gen_ai.request.temperature': 0.2, 'gen_ai.request.max_tokens': 1024, 'gen_ai.response.id': `chatcmpl-${hex(n, 12)}`, 'gen_ai.response.finish_reasons': ['stop'], 'server.address': 'api.example.com', 'app.request_id': `req-${hex(n * 2654435761, 16)}` }
      : { 'gen_ai.tool.name': 'search_invoices', 'app.request_id': `req-${hex(n, 16)}` },
    resource: { 'service.name': 'invoice-agent', 'service.version': '1.4.2', 'telemetry.sdk.language': 'nodejs' },
    tags: [TAGS[t % TAGS.length], TAGS[(t * 3 + 1) % TAGS.length]],
    events: [],
    code_file: CODE_FILES[n % CODE_FILES.length],
    code_line: 20 + (Math.floor(n / CODE_FILES.length) % 12) * 7, // 12 call sites per file
    code_function: 'runStep',
    session_id: `sess-${t % 101}`,
    user_id: `user-${t % 53}`,
  };
}

/**
 * Trace number t of ten spans: an agent root over 6 LLM calls, 2 tool calls and a retrieval.
 * Traces first..last-1 spread over the last six days, oldest first as they arrive in real use, so
 * that a store measured after loading them holds six days of data ending now.
 */
export function agentTrace(t: number, now: number, first: number, last: number): Span[] {
  const start = now - SPAN_WINDOW_MS + Math.floor(((t - first) / (last - first)) * SPAN_WINDOW_MS);
  const root = span(t, 0, null, TRACE_NAMES[t % TRACE_NAMES.length], 'agent', start, 4000, t * 10);
  const spans = [root];
  for (let i = 1; i < 10; i++) {
    const kind: SpanKind = i === 9 ? 'retrieval' : i % 4 === 0 ? 'tool' : 'llm';
    spans.push(span(t, i, root.span_id, kind === 'llm' ? `chat step ${i}` : kind === 'tool' ? 'search_invoices' : 'retrieve documents', kind, start + i * 350, 300, t * 10 + i));
  }
  return spans;
}

/** One trace of `count` spans (an import job calling a model per document). */
export function bigTrace(t: number, now: number, count = 500): Span[] {
  const start = now - 3600_000;
  const root = span(t, 0, null, BIG_TRACE_NAME, 'agent', start, count * 20, t * 10);
  const spans = [root];
  for (let i = 1; i < count; i++) spans.push(span(t, i, root.span_id, i % 2 ? `chat document ${i}` : 'search_invoices', i % 2 ? 'llm' : 'tool', start + i * 20, 18, t * 10 + i));
  return spans;
}

// Which attribute of which convention fills which Span field, in precedence order:
// stacklens.* > OTel GenAI (current, then legacy names) > OpenInference > OpenLLMetry (Traceloop)
// > Vercel AI SDK (ai.*). docs/conventions.md is the readable form of these tables.
import type { AttributeValue, Attributes, SpanKind } from '../model';
import { SPAN_KINDS } from '../model';

export const MODEL_RESPONSE_KEYS = ['stacklens.model', 'gen_ai.response.model', 'llm.response.model_name', 'llm.model_name', 'ai.response.model'];
export const MODEL_REQUEST_KEYS = ['stacklens.request_model', 'gen_ai.request.model', 'llm.request.model_name', 'embedding.model_name', 'reranker.model_name', 'ai.model.id'];
export const PROVIDER_KEYS = ['stacklens.provider', 'gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'];

export const INPUT_TOKEN_KEYS = ['stacklens.input_tokens', 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens'];
export const OUTPUT_TOKEN_KEYS = ['stacklens.output_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'ai.usage.outputTokens', 'ai.usage.completionTokens'];
export const TOTAL_TOKEN_KEYS = ['stacklens.total_tokens', 'gen_ai.usage.total_tokens', 'llm.token_count.total', 'llm.usage.total_tokens', 'ai.usage.totalTokens'];
export const CACHE_READ_KEYS = [
  'stacklens.cache_read_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'llm.token_count.prompt_details.cache_read',
  'ai.usage.inputTokenDetails.cacheReadTokens',
  'ai.usage.cachedInputTokens',
];
export const CACHE_WRITE_KEYS = [
  'stacklens.cache_write_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.token_count.prompt_details.cache_write',
  'ai.usage.inputTokenDetails.cacheWriteTokens',
];
export const REASONING_KEYS = [
  'stacklens.reasoning_tokens',
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.reasoning_tokens',
  'llm.token_count.completion_details.reasoning',
  'ai.usage.outputTokenDetails.reasoningTokens',
  'ai.usage.reasoningTokens',
];
export const COST_KEYS = ['stacklens.cost_usd', 'gen_ai.usage.cost', 'llm.cost.total'];

export const CODE_FILE_KEYS = ['stacklens.code.file', 'code.file.path', 'code.filepath'];
export const CODE_LINE_KEYS = ['stacklens.code.line', 'code.line.number', 'code.lineno'];
export const CODE_FUNCTION_KEYS = ['stacklens.code.function', 'code.function.name', 'code.function'];
export const SESSION_KEYS = ['stacklens.session_id', 'session.id', 'gen_ai.conversation.id', 'traceloop.association.properties.session_id', 'ai.telemetry.metadata.sessionId'];
export const USER_KEYS = ['stacklens.user_id', 'user.id', 'enduser.id', 'traceloop.association.properties.user_id', 'ai.telemetry.metadata.userId'];
export const TAG_KEYS = ['stacklens.tags', 'tag.tags', 'ai.telemetry.metadata.tags'];

export function firstString(a: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const v = a[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return null;
}

/** A count: a non-negative safe integer, given as a number or as decimal text. */
function count(v: AttributeValue | undefined): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return null;
}

export function firstCount(a: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const n = count(a[key]);
    if (n !== null) return n;
  }
  return null;
}

/** A reported cost in USD: a finite non-negative number (or its text). */
export function firstCost(a: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const v = a[key];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return null;
}

export function firstLine(a: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const n = count(a[key]);
    if (n !== null && n > 0) return n;
  }
  return null;
}

const OPERATION_KINDS: Record<string, SpanKind> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  completion: 'llm',
  embeddings: 'embedding',
  embedding: 'embedding',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  retrieval: 'retrieval',
};

const OPENINFERENCE_KINDS: Record<string, SpanKind> = {
  LLM: 'llm',
  CHAIN: 'internal',
  TOOL: 'tool',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  EMBEDDING: 'embedding',
  AGENT: 'agent',
  GUARDRAIL: 'eval',
  EVALUATOR: 'eval',
  PROMPT: 'internal',
};

const TRACELOOP_KINDS: Record<string, SpanKind> = { workflow: 'internal', task: 'internal', agent: 'agent', tool: 'tool', session: 'internal' };
const TRACELOOP_REQUEST_KINDS: Record<string, SpanKind> = { chat: 'llm', completion: 'llm', rerank: 'retrieval', embedding: 'embedding' };

/** Vercel AI SDK operation ids: the outer call (a multi-step loop with tools) reads as an agent. */
function aiSdkKind(operationId: string): SpanKind | null {
  if (/\.do(Generate|Stream)$/.test(operationId)) return 'llm';
  if (/^ai\.(generateText|streamText|generateObject|streamObject)$/.test(operationId)) return 'agent';
  if (operationId === 'ai.toolCall') return 'tool';
  if (/^ai\.embed/.test(operationId)) return 'embedding';
  if (/^ai\.rerank/.test(operationId)) return 'retrieval';
  return null;
}

export function spanKind(a: Attributes, hasUsage: boolean, hasModel: boolean): SpanKind {
  const own = a['stacklens.kind'];
  if (typeof own === 'string' && (SPAN_KINDS as readonly string[]).includes(own)) return own as SpanKind;
  const operation = a['gen_ai.operation.name'];
  if (typeof operation === 'string' && OPERATION_KINDS[operation]) return OPERATION_KINDS[operation];
  const oi = a['openinference.span.kind'];
  if (typeof oi === 'string' && OPENINFERENCE_KINDS[oi.toUpperCase()]) return OPENINFERENCE_KINDS[oi.toUpperCase()];
  const traceloop = a['traceloop.span.kind'];
  if (typeof traceloop === 'string' && TRACELOOP_KINDS[traceloop]) return TRACELOOP_KINDS[traceloop];
  const requestType = a['llm.request.type'];
  if (typeof requestType === 'string' && TRACELOOP_REQUEST_KINDS[requestType]) return TRACELOOP_REQUEST_KINDS[requestType];
  const aiOperation = a['ai.operationId'];
  if (typeof aiOperation === 'string') {
    const kind = aiSdkKind(aiOperation);
    if (kind) return kind;
  }
  if (typeof a['gen_ai.tool.name'] === 'string') return 'tool';
  if (hasUsage || hasModel) return 'llm';
  return 'internal';
}

/** gen_ai.operation.name, or its equivalent where another convention states the same thing. */
export function operationName(a: Attributes, kind: SpanKind): string | null {
  const operation = a['gen_ai.operation.name'];
  if (typeof operation === 'string' && operation !== '') return operation;
  const requestType = a['llm.request.type'];
  if (requestType === 'chat') return 'chat';
  if (requestType === 'completion') return 'text_completion';
  const signalled = typeof a['openinference.span.kind'] === 'string' || typeof a['ai.operationId'] === 'string' || typeof a['traceloop.span.kind'] === 'string';
  if (!signalled) return null;
  switch (kind) {
    case 'llm':
      return 'chat';
    case 'embedding':
      return 'embeddings';
    case 'tool':
      return 'execute_tool';
    case 'agent':
      return 'invoke_agent';
    case 'retrieval':
      return 'retrieval';
    default:
      return null;
  }
}

/** Tags from every convention that has them, in order, without duplicates. */
export function collectTags(a: Attributes): string[] {
  const tags: string[] = [];
  for (const key of TAG_KEYS) {
    let v: unknown = a[key];
    if (typeof v === 'string') {
      const t = v.trim();
      if (t.startsWith('[')) {
        try {
          v = JSON.parse(t);
        } catch {
          v = [v];
        }
      } else v = t === '' ? [] : t.split(',').map((s) => s.trim());
    }
    if (!Array.isArray(v)) continue;
    for (const tag of v) if (typeof tag === 'string' && tag !== '' && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

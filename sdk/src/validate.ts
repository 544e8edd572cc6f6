// Checks what callers hand to trace() / recordLlm() / setAttribute(): a bad value is refused
// at the call with an error naming the field, instead of a 400 from the collector later that
// would cost the whole batch.
import { describe } from './config';
import { ValidationError } from './errors';

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export const SPAN_KINDS = ['agent', 'llm', 'tool', 'retrieval', 'embedding', 'eval', 'internal'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

/** One LLM call, as seed 001's record_llm() describes it. */
export interface LlmCall {
  model: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  /** defaults to inputTokens + outputTokens */
  totalTokens?: number;
  /** leave it out and the collector prices the call from its tokens */
  costUsd?: number;
  temperature?: number;
  maxTokens?: number;
  prompt?: string;
  completion?: string;
  isStreaming?: boolean;
  finishReason?: string;
  /** input tokens read from the provider's prompt cache (part of inputTokens) */
  cacheReadTokens?: number;
  /** input tokens written to the provider's prompt cache (part of inputTokens) */
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/** An LLM call as the SDK keeps it; the wrappers may not know every count. */
export interface LlmRecord {
  model: string;
  provider: string;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  costUsd: number | null;
  temperature: number | null;
  maxTokens: number | null;
  prompt: string | null;
  completion: string | null;
  isStreaming: boolean;
  finishReason: string | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
}

const SNAKE_CASE_HINTS: Array<[string, string]> = Object.entries({
  input_tokens: 'inputTokens',
  output_tokens: 'outputTokens',
  total_tokens: 'totalTokens',
  cost_usd: 'costUsd',
  max_tokens: 'maxTokens',
  is_streaming: 'isStreaming',
  finish_reason: 'finishReason',
  cache_read_tokens: 'cacheReadTokens',
  cache_write_tokens: 'cacheWriteTokens',
  reasoning_tokens: 'reasoningTokens',
});

export function llmRecord(input: unknown, where: string): LlmRecord {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('options', `${where}: expected an object like { model: 'gpt-4o', provider: 'openai', inputTokens: 850, outputTokens: 120 }, got ${describe(input)}.`);
  }
  const call = input as Record<string, unknown>;
  // named reads (fast with inline caches) before the loop that names the culprit
  if (
    call.input_tokens !== undefined || call.output_tokens !== undefined || call.total_tokens !== undefined || call.cost_usd !== undefined ||
    call.max_tokens !== undefined || call.is_streaming !== undefined || call.finish_reason !== undefined ||
    call.cache_read_tokens !== undefined || call.cache_write_tokens !== undefined || call.reasoning_tokens !== undefined
  ) {
    for (const [snake, camel] of SNAKE_CASE_HINTS) {
      if (call[snake] !== undefined && call[camel] === undefined) {
        throw new ValidationError(camel, `${where}: ${snake} is spelled ${camel} in the TypeScript SDK.`);
      }
    }
  }
  // named reads: fast (inline caches) on the path every LLM call takes
  const inputTokens = count(call.inputTokens, 'inputTokens', where, true)!;
  const outputTokens = count(call.outputTokens, 'outputTokens', where, true)!;
  return {
    model: text(call.model, 'model', where, true)!,
    provider: text(call.provider, 'provider', where, true)!,
    inputTokens,
    outputTokens,
    totalTokens: count(call.totalTokens, 'totalTokens', where, false) ?? inputTokens + outputTokens,
    costUsd: amount(call.costUsd, 'costUsd', where),
    temperature: finite(call.temperature, 'temperature', where),
    maxTokens: count(call.maxTokens, 'maxTokens', where, false),
    prompt: text(call.prompt, 'prompt', where, false, true),
    completion: text(call.completion, 'completion', where, false, true),
    isStreaming: flag(call.isStreaming, 'isStreaming', where),
    finishReason: text(call.finishReason, 'finishReason', where, false),
    cacheReadTokens: count(call.cacheReadTokens, 'cacheReadTokens', where, false),
    cacheWriteTokens: count(call.cacheWriteTokens, 'cacheWriteTokens', where, false),
    reasoningTokens: count(call.reasoningTokens, 'reasoningTokens', where, false),
  };
}

function missing(field: string, where: string, expected: string): ValidationError {
  return new ValidationError(field, `${where}: ${field} is required (${expected}).`);
}

function wrongType(field: string, where: string, expected: string, value: unknown): ValidationError {
  return new ValidationError(field, `${where}: ${field} must be ${expected}, got ${describe(value)}.`);
}

function text(value: unknown, field: string, where: string, required: boolean, emptyAllowed = false): string | null {
  if (value === undefined || value === null) {
    if (required) throw missing(field, where, 'a non-empty string');
    return null;
  }
  if (typeof value !== 'string' || (!emptyAllowed && value === '')) throw wrongType(field, where, emptyAllowed ? 'a string' : 'a non-empty string', value);
  return value;
}

function count(value: unknown, field: string, where: string, required: boolean): number | null {
  if (value === undefined || value === null) {
    if (required) throw missing(field, where, 'an integer ≥ 0');
    return null;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw wrongType(field, where, 'an integer ≥ 0', value);
  return value;
}

function amount(value: unknown, field: string, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw wrongType(field, where, 'a number ≥ 0 (US dollars)', value);
  return value;
}

function finite(value: unknown, field: string, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(field, where, 'a finite number', value);
  return value;
}

function flag(value: unknown, field: string, where: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw wrongType(field, where, 'true or false', value);
  return value;
}

export function spanName(name: unknown, where: string): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ValidationError('name', `${where}: the first argument is the span's name and must be a non-empty string, got ${describe(name)}.`);
  }
  return name;
}

export function spanKind(kind: unknown, where: string): SpanKind {
  if (!(SPAN_KINDS as readonly unknown[]).includes(kind)) {
    throw new ValidationError('kind', `${where}: kind must be one of ${SPAN_KINDS.join(', ')}; got ${describe(kind)}.`);
  }
  return kind as SpanKind;
}

export function status(value: unknown, where: string): 'ok' | 'error' {
  if (value !== 'ok' && value !== 'error') throw new ValidationError('status', `${where}: status must be "ok" or "error", got ${describe(value)}.`);
  return value;
}

export function tagList(tags: unknown[], where: string): string[] {
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag === '') throw new ValidationError('tags', `${where}: tags must be non-empty strings, got ${describe(tag)}.`);
  }
  return tags as string[];
}

/**
 * An attribute value fit for JSON. Objects and arrays are copied, so later changes to the
 * caller's object do not alter what was recorded, and a circular one is refused here rather
 * than failing the export of a whole batch.
 */
export function attributeValue(key: unknown, value: unknown, where: string): AttributeValue {
  if (typeof key !== 'string' || key === '') throw new ValidationError('key', `${where}: the attribute key must be a non-empty string, got ${describe(key)}.`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'object': {
      if (value === null) return null;
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch (error) {
        throw new ValidationError(key, `${where}: attribute ${JSON.stringify(key)} cannot be turned into JSON (${(error as Error).message}); pass plain data.`);
      }
      return json === undefined ? null : (JSON.parse(json) as AttributeValue);
    }
    default:
      throw new ValidationError(key, `${where}: attribute ${JSON.stringify(key)} must be a string, number, boolean, null, array or plain object, got ${describe(value)}.`);
  }
}

export function attributeMap(attributes: unknown, where: string): Attributes {
  if (attributes === undefined || attributes === null) return {};
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw new ValidationError('attributes', `${where}: attributes must be a plain object of key → value, got ${describe(attributes)}.`);
  }
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) result[key] = attributeValue(key, value, where);
  }
  return result;
}

// wrapOpenAI(client): every chat.completions.create and responses.create call (streaming
// included) becomes an llm span with model, provider, tokens (cached and reasoning ones too),
// the messages and the completion, finish reason, latency, and errors.
import { currentConfig } from '../config';
import { now, type ActiveSpan } from '../span';
import type { LlmRecord } from '../validate';
import { errorAttributes, guardBudget, instrument, isStream, numberOrNull, observeResult, observeStream, openLlmSpan, startChatRecord, stringOrNull } from './instrument';

export interface WrapOpenAIOptions {
  /** provider sent with each span; guessed from the client's baseURL, else "openai" */
  provider?: string;
  /**
   * Streaming chat completions report token usage only when asked with
   * `stream_options: { include_usage: true }`. When the caller sets no stream_options, the
   * wrapper asks for it and hides the extra usage-only chunk, so the caller sees the chunks it
   * would have seen. `false` leaves requests untouched (tokens of such streams stay unknown).
   */
  includeUsage?: boolean;
}

const PROVIDER_HOSTS: Array<[RegExp, string]> = [
  [/\.openai\.azure\.com$/, 'azure-openai'],
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)groq\.com$/, 'groq'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)together\.xyz$/, 'together'],
  [/(^|\.)mistral\.ai$/, 'mistral'],
  [/(^|\.)x\.ai$/, 'x-ai'],
  [/generativelanguage\.googleapis\.com$/, 'gemini'],
  [/(^|\.)fireworks\.ai$/, 'fireworks'],
];

function guessProvider(client: { baseURL?: unknown }): string {
  try {
    const host = new URL(String(client.baseURL)).hostname;
    for (const [pattern, provider] of PROVIDER_HOSTS) if (pattern.test(host)) return provider;
  } catch {
    /* no usable baseURL */
  }
  return 'openai';
}

export function wrapOpenAI<T extends object>(client: T, options: WrapOpenAIOptions = {}): T {
  const provider = options.provider ?? guessProvider(client as { baseURL?: unknown });
  const includeUsage = options.includeUsage ?? true;
  const server = serverAddress(client as { baseURL?: unknown });
  return instrument(client, {
    'chat.completions.create': (create, owner) =>
      function createChatCompletion(params: any, ...rest: any[]) {
        guardBudget('chat.completions.create', params?.model);
        const span = openLlmSpan(`chat ${params?.model ?? 'unknown model'}`, createChatCompletion);
        let request = params;
        let hideUsageChunk = false;
        if (params?.stream === true && params.stream_options === undefined && includeUsage) {
          request = { ...params, stream_options: { include_usage: true } };
          hideUsageChunk = true;
        }
        const call = new ChatCall(span, provider, params, server);
        let result: unknown;
        try {
          result = create.call(owner, request, ...rest);
        } catch (error) {
          call.fail(error);
          throw error;
        }
        return observeResult(
          result,
          (value) => (isStream(value) ? observeStream(value, call.streamObserver(hideUsageChunk)) : call.complete(value)),
          (error) => call.fail(error),
        );
      },
    'responses.create': (create, owner) =>
      function createResponse(params: any, ...rest: any[]) {
        guardBudget('responses.create', params?.model);
        const span = openLlmSpan(`responses ${params?.model ?? 'unknown model'}`, createResponse);
        const call = new ResponseCall(span, provider, params, server);
        let result: unknown;
        try {
          result = create.call(owner, params, ...rest);
        } catch (error) {
          call.fail(error);
          throw error;
        }
        return observeResult(
          result,
          (value) => (isStream(value) ? observeStream(value, call.streamObserver()) : call.complete(value)),
          (error) => call.fail(error),
        );
      },
  });
}

function serverAddress(client: { baseURL?: unknown }): string | null {
  try {
    return new URL(String(client.baseURL)).host;
  } catch {
    return null;
  }
}

/** What both OpenAI APIs record: request parameters up front, usage and output at the end. */
abstract class OpenAICall {
  protected readonly captureContent: boolean;
  protected record: LlmRecord;
  private firstItemAt: number | null = null;

  constructor(
    protected readonly span: ActiveSpan,
    provider: string,
    protected readonly params: any,
    server: string | null,
  ) {
    this.captureContent = currentConfig().captureContent;
    this.record = startChatRecord(span, provider, params, server, { maxTokens: params?.max_completion_tokens ?? params?.max_tokens ?? params?.max_output_tokens, prompt: this.captureContent ? this.promptText() : null });
  }

  protected abstract promptText(): string | null;

  protected noteItem(): void {
    if (this.firstItemAt === null) {
      this.firstItemAt = now();
      this.span.setAttribute('stacklens.time_to_first_token_ms', Math.round((this.firstItemAt - this.span.startTime) * 10) / 10);
    }
  }

  protected finish(): void {
    this.record.totalTokens ??= this.record.inputTokens !== null && this.record.outputTokens !== null ? this.record.inputTokens + this.record.outputTokens : null;
    this.span.setLlm(this.record);
    this.span.end();
  }

  fail(error: unknown): void {
    if (this.span.ended) return;
    this.span.recordError(error);
    errorAttributes(this.span, error);
    this.finish();
  }
}

class ChatCall extends OpenAICall {
  private readonly choices: Array<{ content: string; role: string; toolCalls: Array<{ id?: string; type?: string; function: { name: string; arguments: string } }> }> = [];

  protected promptText(): string | null {
    return Array.isArray(this.params?.messages) ? JSON.stringify(this.params.messages) : null;
  }

  complete(response: any): any {
    this.usage(response?.usage);
    if (typeof response?.model === 'string') this.record.model = response.model;
    if (typeof response?.id === 'string') this.span.setAttribute('gen_ai.response.id', response.id);
    const choices: any[] = Array.isArray(response?.choices) ? response.choices : [];
    this.record.finishReason = stringOrNull(choices[0]?.finish_reason);
    if (this.captureContent) this.record.completion = completionText(choices.map((c) => c?.message ?? {}));
    this.finish();
    return response;
  }

  streamObserver(hideUsageChunk: boolean) {
    return {
      onItem: (chunk: any) => {
        this.noteItem();
        if (typeof chunk?.model === 'string') this.record.model = chunk.model;
        if (typeof chunk?.id === 'string') this.span.setAttribute('gen_ai.response.id', chunk.id);
        if (chunk?.usage) this.usage(chunk.usage);
        for (const choice of Array.isArray(chunk?.choices) ? chunk.choices : []) {
          const index = typeof choice?.index === 'number' ? choice.index : 0;
          const slot = (this.choices[index] ??= { content: '', role: 'assistant', toolCalls: [] });
          const delta = choice?.delta ?? {};
          if (typeof delta.content === 'string') slot.content += delta.content;
          for (const toolCall of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
            const at = typeof toolCall?.index === 'number' ? toolCall.index : slot.toolCalls.length;
            const call = (slot.toolCalls[at] ??= { id: toolCall?.id, type: 'function', function: { name: '', arguments: '' } });
            if (typeof toolCall?.id === 'string') call.id = toolCall.id;
            if (typeof toolCall?.function?.name === 'string') call.function.name += toolCall.function.name;
            if (typeof toolCall?.function?.arguments === 'string') call.function.arguments += toolCall.function.arguments;
          }
          if (index === 0 && typeof choice?.finish_reason === 'string') this.record.finishReason = choice.finish_reason;
        }
      },
      onEnd: (error?: unknown) => {
        if (this.captureContent) {
          this.record.completion = completionText(this.choices.map((c) => ({ role: c.role, content: c.content || null, tool_calls: c.toolCalls.length ? c.toolCalls : undefined })));
        }
        if (error !== undefined) this.fail(error);
        else this.finish();
      },
      hide: (chunk: any) => hideUsageChunk && Array.isArray(chunk?.choices) && chunk.choices.length === 0 && !!chunk.usage,
    };
  }

  private usage(usage: any): void {
    if (!usage) return;
    this.record.inputTokens = numberOrNull(usage.prompt_tokens);
    this.record.outputTokens = numberOrNull(usage.completion_tokens);
    this.record.totalTokens = numberOrNull(usage.total_tokens);
    this.record.cacheReadTokens = numberOrNull(usage.prompt_tokens_details?.cached_tokens);
    this.record.reasoningTokens = numberOrNull(usage.completion_tokens_details?.reasoning_tokens);
  }
}

/** Plain text for one text-only message; JSON of the messages otherwise (tool calls, n > 1). */
function completionText(messages: any[]): string | null {
  if (messages.length === 0) return null;
  const only = messages[0];
  if (messages.length === 1 && typeof only?.content === 'string' && !(Array.isArray(only.tool_calls) && only.tool_calls.length)) return only.content;
  return JSON.stringify(messages.map((m) => ({ role: m?.role ?? 'assistant', content: m?.content ?? null, ...(m?.tool_calls ? { tool_calls: m.tool_calls } : {}) })));
}

class ResponseCall extends OpenAICall {
  private text = '';

  protected promptText(): string | null {
    const input = this.params?.input;
    const instructions = this.params?.instructions;
    if (typeof input === 'string' && !instructions) return input;
    const messages: unknown[] = [];
    if (typeof instructions === 'string') messages.push({ role: 'system', content: instructions });
    if (typeof input === 'string') messages.push({ role: 'user', content: input });
    else if (Array.isArray(input)) messages.push(...input);
    return messages.length ? JSON.stringify(messages) : null;
  }

  complete(response: any): any {
    this.response(response);
    if (this.captureContent) this.record.completion = responseText(response, null);
    this.finish();
    return response;
  }

  streamObserver() {
    let final: any = null;
    let failure: unknown;
    return {
      onItem: (event: any) => {
        this.noteItem();
        if (event?.type === 'response.output_text.delta' && typeof event.delta === 'string') this.text += event.delta;
        if (event?.response && /^response\.(created|completed|incomplete|failed)$/.test(event.type)) {
          final = event.response;
          this.response(final);
        }
        if (event?.type === 'response.failed') failure = new Error(final?.error?.message ?? 'the response failed');
        if (event?.type === 'error') failure = new Error(typeof event.message === 'string' ? event.message : 'stream error');
      },
      onEnd: (error?: unknown) => {
        if (this.captureContent) this.record.completion = responseText(final, this.text);
        if (error !== undefined || failure !== undefined) this.fail(error ?? failure);
        else this.finish();
      },
    };
  }

  private response(response: any): void {
    if (!response) return;
    if (typeof response.model === 'string') this.record.model = response.model;
    if (typeof response.id === 'string') this.span.setAttribute('gen_ai.response.id', response.id);
    const usage = response.usage;
    if (usage) {
      this.record.inputTokens = numberOrNull(usage.input_tokens);
      this.record.outputTokens = numberOrNull(usage.output_tokens);
      this.record.totalTokens = numberOrNull(usage.total_tokens);
      this.record.cacheReadTokens = numberOrNull(usage.input_tokens_details?.cached_tokens);
      this.record.reasoningTokens = numberOrNull(usage.output_tokens_details?.reasoning_tokens);
    }
    const status = stringOrNull(response.status);
    const incomplete = stringOrNull(response.incomplete_details?.reason);
    if (status && status !== 'in_progress') this.record.finishReason = incomplete ?? status;
  }
}

function responseText(response: any, streamed: string | null): string | null {
  if (typeof response?.output_text === 'string' && response.output_text) return response.output_text;
  const output: any[] = Array.isArray(response?.output) ? response.output : [];
  const texts = output.flatMap((item) => (item?.type === 'message' && Array.isArray(item.content) ? item.content : [])).filter((c) => c?.type === 'output_text');
  const onlyText = output.every((item) => item?.type === 'message' || item?.type === 'reasoning');
  if (texts.length && onlyText) return texts.map((c) => c.text).join('');
  if (output.length) return JSON.stringify(output);
  return streamed || null;
}

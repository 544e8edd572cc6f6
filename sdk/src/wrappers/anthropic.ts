// wrapAnthropic(client): every messages.create call (stream: true included) and every
// messages.stream() becomes an llm span with model, tokens (cache reads and writes apart),
// system + messages as the prompt, the reply, stop reason, latency, and errors.
import { captureCallSite } from '../call-site';
import { currentConfig } from '../config';
import { now, type ActiveSpan } from '../span';
import type { LlmRecord } from '../validate';
import { errorAttributes, guardBudget, instrument, isStream, numberOrNull, observeResult, observeStream, openLlmSpan, startChatRecord, stringOrNull, withCallSite } from './instrument';

export interface WrapAnthropicOptions {
  /** provider sent with each span (default "anthropic") */
  provider?: string;
}

export function wrapAnthropic<T extends object>(client: T, options: WrapAnthropicOptions = {}): T {
  const provider = options.provider ?? 'anthropic';
  let server: string | null = null;
  try {
    server = new URL(String((client as { baseURL?: unknown }).baseURL)).host;
  } catch {
    /* no usable baseURL */
  }
  const tracedCreate = (create: (...args: any[]) => any, owner: object) =>
    function createMessage(params: any, ...rest: any[]) {
      guardBudget('messages.create', params?.model);
      const call = new MessageCall(openLlmSpan(`chat ${params?.model ?? 'unknown model'}`, createMessage), provider, params, server);
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
    };
  return instrument(client, {
    'messages.create': tracedCreate,
    // messages.stream() drives messages.create on the object it is called on: hand it one whose
    // create is traced, and the span (with the user's call site) comes from there.
    'messages.stream': (stream, owner) =>
      function streamMessage(...args: any[]) {
        // refused here, synchronously, rather than later as an error event of the stream
        guardBudget('messages.stream', args[0]?.model);
        const site = captureCallSite(streamMessage, true);
        const messages = Object.create(owner, { create: { value: tracedCreate((owner as { create: (...a: any[]) => any }).create, owner) } });
        return withCallSite(site, () => stream.apply(messages, args));
      },
  });
}

class MessageCall {
  private readonly captureContent: boolean;
  private readonly record: LlmRecord;
  private firstItemAt: number | null = null;
  private inputOnly: number | null = null;
  private readonly blocks: Array<{ type: string; text: string; name?: string; id?: string; input?: string }> = [];

  constructor(
    private readonly span: ActiveSpan,
    provider: string,
    params: any,
    server: string | null,
  ) {
    this.captureContent = currentConfig().captureContent;
    this.record = startChatRecord(span, provider, params, server, { maxTokens: params?.max_tokens, prompt: this.captureContent ? promptText(params) : null });
  }

  complete(message: any): any {
    this.message(message);
    if (this.captureContent) this.record.completion = completionText(Array.isArray(message?.content) ? message.content : []);
    this.finish();
    return message;
  }

  streamObserver() {
    return {
      onItem: (event: any) => {
        if (this.firstItemAt === null) {
          this.firstItemAt = now();
          this.span.setAttribute('stacklens.time_to_first_token_ms', Math.round((this.firstItemAt - this.span.startTime) * 10) / 10);
        }
        switch (event?.type) {
          case 'message_start':
            this.message(event.message);
            break;
          case 'content_block_start': {
            const block = event.content_block ?? {};
            this.blocks[event.index ?? this.blocks.length] = { type: block.type, text: typeof block.text === 'string' ? block.text : '', name: block.name, id: block.id, input: '' };
            break;
          }
          case 'content_block_delta': {
            const block = this.blocks[event.index ?? this.blocks.length - 1];
            if (!block) break;
            if (typeof event.delta?.text === 'string') block.text += event.delta.text;
            if (typeof event.delta?.partial_json === 'string') block.input += event.delta.partial_json;
            break;
          }
          case 'message_delta':
            this.record.finishReason = stringOrNull(event.delta?.stop_reason) ?? this.record.finishReason;
            this.usage(event.usage);
            break;
        }
      },
      onEnd: (error?: unknown) => {
        if (this.captureContent) {
          this.record.completion = completionText(
            this.blocks.filter(Boolean).map((b) => (b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: parseJson(b.input ?? '') } : { type: b.type, text: b.text })),
          );
        }
        if (error !== undefined) this.fail(error);
        else this.finish();
      },
    };
  }

  fail(error: unknown): void {
    if (this.span.ended) return;
    this.span.recordError(error);
    errorAttributes(this.span, error);
    this.finish();
  }

  private message(message: any): void {
    if (!message) return;
    if (typeof message.model === 'string') this.record.model = message.model;
    if (typeof message.id === 'string') this.span.setAttribute('gen_ai.response.id', message.id);
    if (typeof message.stop_reason === 'string') this.record.finishReason = message.stop_reason;
    this.usage(message.usage);
  }

  /** Anthropic counts cache reads and writes outside input_tokens; StackLens's input includes them. */
  private usage(usage: any): void {
    if (!usage) return;
    const input = numberOrNull(usage.input_tokens);
    if (input !== null) this.inputOnly = input;
    const cacheRead = numberOrNull(usage.cache_read_input_tokens);
    const cacheWrite = numberOrNull(usage.cache_creation_input_tokens);
    if (cacheRead !== null) this.record.cacheReadTokens = cacheRead;
    if (cacheWrite !== null) this.record.cacheWriteTokens = cacheWrite;
    if (this.inputOnly !== null) this.record.inputTokens = this.inputOnly + (this.record.cacheReadTokens ?? 0) + (this.record.cacheWriteTokens ?? 0);
    const output = numberOrNull(usage.output_tokens);
    if (output !== null) this.record.outputTokens = output;
  }

  private finish(): void {
    const { inputTokens, outputTokens } = this.record;
    this.record.totalTokens = inputTokens !== null && outputTokens !== null ? inputTokens + outputTokens : null;
    this.span.setLlm(this.record);
    this.span.end();
  }
}

function promptText(params: any): string | null {
  const messages: unknown[] = [];
  if (typeof params?.system === 'string') messages.push({ role: 'system', content: params.system });
  else if (Array.isArray(params?.system)) messages.push({ role: 'system', content: params.system });
  if (Array.isArray(params?.messages)) messages.push(...params.messages);
  return messages.length ? JSON.stringify(messages) : null;
}

/** Plain text when the reply is only text; the JSON of its content blocks otherwise. */
function completionText(blocks: any[]): string | null {
  if (blocks.length === 0) return null;
  if (blocks.every((b) => b?.type === 'text')) return blocks.map((b) => b.text).join('');
  return JSON.stringify([{ role: 'assistant', content: blocks }]);
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return text;
  }
}

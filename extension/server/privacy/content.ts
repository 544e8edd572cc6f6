// Which attributes carry prompt and completion content, in every convention the normaliser reads
// (docs/conventions.md). With content capture off they are dropped from spans and events before
// anything is stored or forwarded; model, tokens, cost, timing and status stay.
import type { Attributes, Span, SpanEvent } from '../model';

/** Marks a span whose content was dropped, so a viewer can say why input/output are empty. */
export const CONTENT_CAPTURE_ATTRIBUTE = 'stacklens.content_capture';

const CONTENT_KEYS = new Set([
  'stacklens.prompt',
  'stacklens.completion',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.retrieval.query.text',
  'gen_ai.retrieval.documents',
  'gen_ai.event.content',
  'input.value',
  'output.value',
  'llm.prompts',
  'llm.prompt_template.variables',
  'traceloop.entity.input',
  'traceloop.entity.output',
  'ai.prompt',
  'ai.prompt.messages',
  'ai.response.text',
  'ai.response.object',
  'ai.response.toolCalls',
  'ai.response.reasoning',
  'ai.toolCall.args',
  'ai.toolCall.input',
  'ai.toolCall.result',
  'ai.toolCall.output',
  'ai.value',
  'ai.values',
]);

/** Flattened message lists and documents: every key below these prefixes is content. */
const CONTENT_PREFIXES = [
  'gen_ai.prompt.',
  'gen_ai.completion.',
  'llm.input_messages.',
  'llm.output_messages.',
  'llm.prompts.',
  'ai.prompt.',
  'ai.values.',
  'retrieval.documents.',
  'embedding.embeddings.',
];

/** GenAI message events (and the logs that become them) carry the message in these attributes. */
const MESSAGE_EVENT_KEYS = ['content', 'message', 'tool_calls', 'event.body', 'body'];
const MESSAGE_EVENTS = /^gen_ai\.(system|user|assistant|tool)\.message$|^gen_ai\.choice$|^gen_ai\.content\.(prompt|completion)$|^gen_ai\.client\.inference\.operation\.details$/;

export function isContentKey(key: string): boolean {
  if (CONTENT_KEYS.has(key)) return true;
  for (const prefix of CONTENT_PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}

/** Deletes content keys; true when something was deleted. */
function dropContent(attributes: Attributes, extraKeys: readonly string[] = []): boolean {
  let dropped = false;
  for (const key of Object.keys(attributes)) {
    if (isContentKey(key) || extraKeys.includes(key)) {
      delete attributes[key];
      dropped = true;
    }
  }
  return dropped;
}

/** Drops a span's content in place: input, output, content attributes, message event bodies. */
export function stripContent(span: Span): void {
  span.input = null;
  span.output = null;
  dropContent(span.attributes);
  stripEventContent(span.events);
  span.attributes[CONTENT_CAPTURE_ATTRIBUTE] = 'off';
}

export function stripEventContent(events: readonly SpanEvent[]): void {
  for (const event of events) dropContent(event.attributes, MESSAGE_EVENTS.test(event.name) ? MESSAGE_EVENT_KEYS : []);
}

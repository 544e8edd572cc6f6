// Recognises span input/output that is a JSON message list and normalises the dialects we
// receive (OpenAI chat, Anthropic messages, OpenTelemetry GenAI `parts`) into one shape the
// panel draws as a conversation. Anything else stays plain text. Text blocks carry the exact
// string received: the raw toggle and the conversation never disagree about content.

export type ContentBlock =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; name: string; id: string | null; arguments: string }
  | { kind: 'tool_result'; id: string | null; content: string }
  /** a part we do not draw specially (image, audio, an unknown type): shown as its JSON */
  | { kind: 'other'; type: string; json: string };

export interface Message {
  role: string;
  name: string | null;
  blocks: ContentBlock[];
  finishReason: string | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);
const asText = (v: Json | undefined): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v, null, 2));

/** The messages of a JSON message list, or null when the text is not one (then show it raw). */
export function parseConversation(text: string | null): Message[] | null {
  if (text === null) return null;
  const t = text.trimStart();
  if (t[0] !== '[' && t[0] !== '{') return null;
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return null;
  }
  const list = messageList(value);
  if (!list || list.length === 0) return null;
  const messages: Message[] = [];
  for (const m of list) {
    const message = toMessage(m);
    if (!message) return null;
    messages.push(message);
  }
  return messages;
}

function messageList(value: Json): Json[] | null {
  if (Array.isArray(value)) return value;
  if (!isObject(value)) return null;
  if (Array.isArray(value.messages)) return value.messages;
  // an OpenAI chat completion response: the messages of its choices
  if (Array.isArray(value.choices)) return value.choices.map((c) => (isObject(c) && isObject(c.message) ? { ...c.message, finish_reason: c.finish_reason ?? null } : null));
  if (typeof value.role === 'string') return [value];
  return null;
}

function toMessage(m: Json): Message | null {
  if (!isObject(m) || typeof m.role !== 'string' || m.role === '') return null;
  const blocks: ContentBlock[] = [];
  const toolCallId = str(m.tool_call_id);
  if (m.role === 'tool' && toolCallId !== null && typeof m.content === 'string') {
    blocks.push({ kind: 'tool_result', id: toolCallId, content: m.content });
  } else if (typeof m.content === 'string') {
    blocks.push({ kind: 'text', text: m.content });
  } else if (Array.isArray(m.content)) {
    for (const part of m.content) blocks.push(toBlock(part));
  } else if (m.content !== undefined && m.content !== null) {
    blocks.push(toBlock(m.content));
  }
  if (Array.isArray(m.parts)) for (const part of m.parts) blocks.push(toBlock(part));
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls) {
      const fn = isObject(call) && isObject(call.function) ? call.function : null;
      if (isObject(call) && fn) blocks.push({ kind: 'tool_call', name: str(fn.name) ?? '(unnamed tool)', id: str(call.id), arguments: asText(fn.arguments) });
      else blocks.push(toBlock(call));
    }
  }
  return { role: m.role, name: str(m.name), blocks, finishReason: str(m.finish_reason) };
}

function toBlock(part: Json): ContentBlock {
  if (typeof part === 'string') return { kind: 'text', text: part };
  if (!isObject(part)) return { kind: 'other', type: typeof part, json: JSON.stringify(part, null, 2) };
  const type = str(part.type) ?? '';
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      // OpenAI/Anthropic say `text`, OpenTelemetry GenAI says `content`
      if (typeof part.text === 'string') return { kind: 'text', text: part.text };
      if (typeof part.content === 'string') return { kind: 'text', text: part.content };
      break;
    case 'thinking':
    case 'reasoning':
      if (typeof part.thinking === 'string') return { kind: 'reasoning', text: part.thinking };
      if (typeof part.content === 'string') return { kind: 'reasoning', text: part.content };
      break;
    case 'tool_use':
      return { kind: 'tool_call', name: str(part.name) ?? '(unnamed tool)', id: str(part.id), arguments: asText(part.input) };
    case 'tool_call':
      return { kind: 'tool_call', name: str(part.name) ?? '(unnamed tool)', id: str(part.id), arguments: asText(part.arguments) };
    case 'tool_result':
      return { kind: 'tool_result', id: str(part.tool_use_id), content: toolResultText(part.content) };
    case 'tool_call_response':
      return { kind: 'tool_result', id: str(part.id), content: asText(part.response ?? part.result) };
  }
  return { kind: 'other', type: type || 'object', json: JSON.stringify(part, null, 2) };
}

/** Anthropic tool results are a string or a list of text blocks: join the texts, keep the rest as JSON. */
function toolResultText(content: Json | undefined): string {
  if (!Array.isArray(content)) return asText(content);
  if (content.every((c) => isObject(c) && c.type === 'text' && typeof c.text === 'string')) {
    return content.map((c) => (c as JsonObject).text as string).join('\n');
  }
  return JSON.stringify(content, null, 2);
}

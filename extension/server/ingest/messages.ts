// The one message-list shape StackLens stores as a span's input/output when the source is not a
// plain string (docs/conventions.md, "Content"):
//
//   [{ "role": "user", "content": "text" },
//    { "role": "assistant", "content": "", "tool_calls": [{ "id": "call_1", "name": "get_weather",
//      "arguments": "{\"city\":\"Paris\"}" }], "finish_reason": "tool_calls" },
//    { "role": "tool", "tool_call_id": "call_1", "content": "rainy" }]
//
// `content` is the message's text parts joined by newlines ("" when there is none); tool calls
// keep their id, name and arguments (JSON text); a tool result keeps the call id; reasoning text
// goes to `reasoning`; parts that are not text (images, audio, files) are kept verbatim in
// `parts`. Every source shape (OTel GenAI parts, OpenAI, Anthropic, Gemini, Vercel AI SDK,
// OpenInference and OpenLLMetry flattened attributes) is read into it.
import type { AttributeValue, Attributes } from '../model';

export interface ToolCall {
  id?: string;
  name: string;
  arguments: string;
}

export interface Message {
  role: string;
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
  reasoning?: string;
  parts?: AttributeValue[];
  finish_reason?: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Text as it is, anything else as JSON text. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** JSON text that holds an array or object, parsed; undefined when it is not such text. */
export function parseJsonText(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  const t = v.trimStart();
  if (t[0] !== '[' && t[0] !== '{') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

const TOOL_CALL_TYPES = new Set(['tool_call', 'tool-call', 'tool_use', 'function_call', 'server_tool_use']);
const TOOL_RESULT_TYPES = new Set(['tool_call_response', 'tool-result', 'tool_result', 'function_response', 'function_call_output']);
const REASONING_TYPES = new Set(['reasoning', 'thinking', 'redacted_thinking']);

function toolCall(o: Obj): ToolCall | null {
  const inner = isObj(o.tool_call) ? o.tool_call : o; // OpenInference wraps each call in `tool_call`
  const fn = isObj(inner.function) ? inner.function : isObj(inner.functionCall) ? inner.functionCall : undefined;
  const name = str(inner.name) ?? str(inner.toolName) ?? str(fn?.name);
  if (name === undefined) return null;
  const args = inner.arguments ?? inner.input ?? inner.args ?? fn?.arguments ?? fn?.args;
  const call: ToolCall = { name, arguments: args === undefined ? '' : asText(args) };
  const id = str(inner.id) ?? str(inner.toolCallId) ?? str(inner.call_id);
  if (id !== undefined) call.id = id;
  return call;
}

/** Reads one part of a message's content into the message being built. */
function addPart(m: Message, texts: string[], part: unknown): void {
  if (typeof part === 'string') {
    texts.push(part);
    return;
  }
  if (!isObj(part)) return;
  const p = isObj(part.message_content) ? part.message_content : part; // OpenInference `contents`
  const type = str(p.type);
  if (type !== undefined && TOOL_CALL_TYPES.has(type)) {
    const call = toolCall(p);
    if (call) (m.tool_calls ??= []).push(call);
    return;
  }
  if (type !== undefined && TOOL_RESULT_TYPES.has(type)) {
    const id = str(p.id) ?? str(p.toolCallId) ?? str(p.tool_use_id) ?? str(p.call_id);
    if (id !== undefined) m.tool_call_id = id;
    const result = p.response ?? p.result ?? p.output ?? p.content;
    // Vercel AI SDK wraps results as {type: 'json' | 'text', value}
    texts.push(asText(isObj(result) && typeof result.type === 'string' && 'value' in result ? result.value : result));
    return;
  }
  if (type !== undefined && REASONING_TYPES.has(type)) {
    const text = str(p.content) ?? str(p.text) ?? str(p.thinking) ?? str(p.reasoning);
    if (text !== undefined) m.reasoning = m.reasoning === undefined ? text : `${m.reasoning}\n${text}`;
    return;
  }
  if (type === undefined || type === 'text' || type === 'input_text' || type === 'output_text') {
    const text = str(p.text) ?? str(p.content);
    if (text !== undefined) {
      texts.push(text);
      return;
    }
    if (isObj(p.functionCall)) {
      const call = toolCall(p.functionCall); // Gemini: {functionCall: {name, args}}
      if (call) (m.tool_calls ??= []).push(call);
      return;
    }
  }
  (m.parts ??= []).push(p as AttributeValue);
}

/** One message object of any known shape into a Message; null when it has no role or content. */
export function toMessage(value: unknown, defaultRole = 'user'): Message | null {
  if (typeof value === 'string') return { role: defaultRole, content: value };
  if (!isObj(value)) return null;
  const o = isObj(value.message) && value.role === undefined ? value.message : value; // OpenInference and gen_ai.choice bodies
  const m: Message = { role: str(o.role) ?? defaultRole, content: '' };
  const texts: string[] = [];
  let content = o.parts ?? o.contents ?? o.content;
  // OpenLLMetry flattens multimodal content to JSON text of its parts
  if (typeof content === 'string' && content.startsWith('[{"type"')) {
    const parts = parseJsonText(content);
    if (Array.isArray(parts) && parts.every((p) => isObj(p) && typeof p.type === 'string')) content = parts;
  }
  if (Array.isArray(content)) for (const part of content) addPart(m, texts, part);
  else if (isObj(content)) addPart(m, texts, content);
  else if (content !== undefined && content !== null) texts.push(asText(content));
  const toolCalls = o.tool_calls ?? o.toolCalls;
  if (Array.isArray(toolCalls)) {
    for (const c of toolCalls) {
      const call = isObj(c) ? toolCall(c) : null;
      if (call) (m.tool_calls ??= []).push(call);
    }
  }
  if (isObj(o.function_call)) {
    const call = toolCall(o.function_call);
    if (call) (m.tool_calls ??= []).push(call);
  }
  m.content = texts.join('\n');
  const toolCallId = str(o.tool_call_id) ?? str(o.toolCallId);
  if (toolCallId !== undefined) m.tool_call_id = toolCallId;
  const name = str(o.name);
  if (name !== undefined) m.name = name;
  const finish = str(o.finish_reason) ?? str(value.finish_reason);
  if (finish !== undefined) m.finish_reason = finish;
  if (o.role === undefined && texts.length === 0 && !m.tool_calls && !m.parts && m.reasoning === undefined) return null;
  return m;
}

/** A list (or JSON text of a list) of message objects; null when it is not one. */
export function toMessages(value: unknown, defaultRole = 'user'): Message[] | null {
  const list = Array.isArray(value) ? value : parseJsonText(value);
  if (!Array.isArray(list) || list.length === 0) return null;
  const out: Message[] = [];
  for (const item of list) {
    const m = toMessage(item, defaultRole);
    if (m === null) return null;
    out.push(m);
  }
  return out;
}

const INDEX = /^\d+$/;
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Flattened attributes (`gen_ai.prompt.0.role`, `llm.input_messages.1.message.tool_calls.0.
 * tool_call.function.name`) back into a list of objects, in index order; null when none exist.
 */
export function unflatten(attributes: Attributes, prefix: string): unknown[] | null {
  let root: unknown[] | null = null;
  for (const key in attributes) {
    if (!key.startsWith(prefix)) continue;
    const segments = key.slice(prefix.length).split('.');
    if (!INDEX.test(segments[0]) || segments[0].length > 5) continue;
    root ??= [];
    let node: Obj | unknown[] = root;
    let ok = true;
    for (let i = 0; i < segments.length - 1 && ok; i++) {
      const seg = segments[i];
      if (UNSAFE_KEYS.has(seg)) ok = false;
      else {
        const k = INDEX.test(seg) ? Number(seg) : seg;
        const next = (node as Obj)[k as string];
        if (next === null || typeof next !== 'object') (node as Obj)[k as string] = INDEX.test(segments[i + 1]) ? [] : {};
        node = (node as Obj)[k as string] as Obj;
      }
    }
    const last = segments[segments.length - 1];
    if (ok && !UNSAFE_KEYS.has(last)) (node as Obj)[INDEX.test(last) ? Number(last) : last] = attributes[key];
  }
  return root === null ? null : (compact(root) as unknown[]);
}

/** Drops the holes that sparse indexes (`.0.`, `.2.`) leave in the rebuilt arrays. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) if (item !== undefined) out.push(compact(item));
    return out;
  }
  if (isObj(value)) for (const k in value) value[k] = compact(value[k]);
  return value;
}

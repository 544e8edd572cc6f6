// A span's input (prompt) and output (completion) content, from the first convention that has it:
// stacklens.* > OTel GenAI (current attributes, legacy indexed attributes, events) > OpenInference
// > OpenLLMetry > Vercel AI SDK. A plain string source stays that string; a message list becomes
// JSON text of messages.ts's normalised shape; other structured values become their JSON text.
import type { AttributeValue, Attributes, SpanEvent } from '../model';
import { asText, parseJsonText, toMessage, toMessages, unflatten, type Message, type ToolCall } from './messages';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function present(v: AttributeValue | undefined): v is AttributeValue {
  return v !== undefined && v !== null && v !== '';
}

const json = (messages: Message[]): string => JSON.stringify(messages);

/** A message list (structured or JSON text) as normalised JSON, a plain string as itself. */
function messagesOrText(v: AttributeValue, defaultRole: string, prefix: Message[] = []): string {
  const messages = toMessages(v, defaultRole);
  if (messages) return json([...prefix, ...messages]);
  if (prefix.length > 0 && typeof v === 'string') return json([...prefix, { role: defaultRole, content: v }]);
  return asText(v);
}

/** gen_ai.system_instructions: parts ([{type:'text', content}]), their JSON text, or text. */
function systemMessages(v: AttributeValue | undefined): Message[] {
  if (!present(v)) return [];
  const parsed = Array.isArray(v) || isObj(v) ? v : parseJsonText(v) ?? v;
  const m = toMessage(Array.isArray(parsed) ? { role: 'system', parts: parsed } : typeof parsed === 'string' ? parsed : { role: 'system', ...(parsed as Obj) }, 'system');
  return m ? [m] : [];
}

function indexed(a: Attributes, prefix: string, defaultRole: string): string | null {
  const list = unflatten(a, prefix);
  if (!list) return null;
  const messages: Message[] = [];
  for (const item of list) {
    const m = toMessage(item, defaultRole);
    if (m) messages.push(m);
  }
  return messages.length > 0 ? json(messages) : null;
}

function eventAttr(events: SpanEvent[], name: string, key: string): AttributeValue | undefined {
  for (const e of events) if (e.name === name && present(e.attributes[key])) return e.attributes[key];
  return undefined;
}

/** A gen_ai.*.message / gen_ai.choice event (semconv 1.27–1.36) as a message. */
function eventMessage(e: SpanEvent, role: string): Message | null {
  const a = e.attributes;
  const body = parseJsonText(a['gen_ai.event.content']) ?? parseJsonText(a['event.body']);
  const base: Obj = isObj(body) ? { ...body } : {};
  const message = isObj(a.message) ? a.message : parseJsonText(a.message);
  if (isObj(message)) Object.assign(base, { message });
  if (a.content !== undefined) base.content = parseJsonText(a.content) ?? a.content;
  if (a.tool_calls !== undefined) base.tool_calls = parseJsonText(a.tool_calls) ?? a.tool_calls;
  if (typeof a.finish_reason === 'string') base.finish_reason = a.finish_reason;
  if (role === 'tool' && typeof a.id === 'string' && base.tool_call_id === undefined) base.tool_call_id = a.id;
  const inner = isObj(base.message) ? { finish_reason: base.finish_reason, ...base.message } : base;
  if (typeof a.role === 'string' && inner.role === undefined) inner.role = a.role;
  return toMessage(inner, role);
}

const MESSAGE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

function eventsContent(events: SpanEvent[], output: boolean): string | null {
  if (events.length === 0) return null;
  const details = eventAttr(events, 'gen_ai.client.inference.operation.details', output ? 'gen_ai.output.messages' : 'gen_ai.input.messages');
  if (details !== undefined) {
    const system = output ? [] : systemMessages(eventAttr(events, 'gen_ai.client.inference.operation.details', 'gen_ai.system_instructions'));
    return messagesOrText(details, output ? 'assistant' : 'user', system);
  }
  const legacy = eventAttr(events, output ? 'gen_ai.content.completion' : 'gen_ai.content.prompt', output ? 'gen_ai.completion' : 'gen_ai.prompt');
  if (legacy !== undefined) return messagesOrText(legacy, output ? 'assistant' : 'user');
  const messages: Message[] = [];
  for (const e of events) {
    const role = output ? (e.name === 'gen_ai.choice' ? 'assistant' : undefined) : MESSAGE_EVENTS[e.name];
    if (role === undefined) continue;
    const m = eventMessage(e, role);
    if (m) messages.push(m);
  }
  return messages.length > 0 ? json(messages) : null;
}

/** Vercel AI SDK `ai.prompt`: JSON text of {system?, prompt?, messages?}. */
function aiPrompt(v: AttributeValue): string {
  const p = parseJsonText(v);
  if (!isObj(p)) return asText(v);
  const system = typeof p.system === 'string' ? [{ role: 'system', content: p.system }] : toMessages(p.system, 'system') ?? [];
  const messages = toMessages(p.messages) ?? (typeof p.prompt === 'string' ? null : toMessages(p.prompt));
  if (messages) return json([...system, ...messages]);
  if (typeof p.prompt === 'string') return system.length > 0 ? json([...system, { role: 'user', content: p.prompt }]) : p.prompt;
  return asText(v);
}

/** Vercel AI SDK response: text, plus tool calls and reasoning when there are any. */
function aiResponse(a: Attributes): string | null {
  const text = a['ai.response.text'];
  const calls = Array.isArray(a['ai.response.toolCalls']) ? a['ai.response.toolCalls'] : parseJsonText(a['ai.response.toolCalls']);
  const reasoning = a['ai.response.reasoning'];
  const toolCalls: ToolCall[] = [];
  if (Array.isArray(calls)) {
    for (const c of calls) {
      const m = toMessage({ role: 'assistant', tool_calls: [c] });
      if (m?.tool_calls) toolCalls.push(...m.tool_calls);
    }
  }
  if (toolCalls.length > 0 || present(reasoning)) {
    const m: Message = { role: 'assistant', content: typeof text === 'string' ? text : '' };
    if (toolCalls.length > 0) m.tool_calls = toolCalls;
    if (present(reasoning)) m.reasoning = asText(reasoning);
    return json([m]);
  }
  if (present(text)) return asText(text);
  if (present(a['ai.response.object'])) return asText(a['ai.response.object']);
  return null;
}

function documents(a: Attributes, prefix: string): string | null {
  const list = unflatten(a, prefix);
  if (!list) return null;
  return JSON.stringify(list.map((d) => (isObj(d) && isObj(d.document) ? d.document : d)));
}

export function extractInput(a: Attributes, events: SpanEvent[]): string | null {
  let v = a['stacklens.prompt'];
  if (present(v)) return asText(v);
  const system = systemMessages(a['gen_ai.system_instructions']);
  v = a['gen_ai.input.messages'];
  if (present(v)) return messagesOrText(v, 'user', system);
  const legacyIndexed = indexed(a, 'gen_ai.prompt.', 'user');
  if (legacyIndexed) return legacyIndexed;
  v = a['gen_ai.prompt'];
  if (present(v)) return messagesOrText(v, 'user', system);
  if (system.length > 0) return json(system);
  const fromEvents = eventsContent(events, false);
  if (fromEvents) return fromEvents;
  v = a['gen_ai.tool.call.arguments'];
  if (present(v)) return asText(v);
  v = a['gen_ai.retrieval.query.text'];
  if (present(v)) return asText(v);

  const openInference = indexed(a, 'llm.input_messages.', 'user');
  if (openInference) return openInference;
  v = a['input.value'];
  if (present(v)) return asText(v);

  v = a['traceloop.entity.input'];
  if (present(v)) return asText(v);

  v = a['ai.prompt.messages'];
  if (present(v)) return messagesOrText(v, 'user');
  v = a['ai.prompt'];
  if (present(v)) return aiPrompt(v);
  for (const key of ['ai.toolCall.args', 'ai.toolCall.input']) {
    v = a[key];
    if (present(v)) return asText(v);
  }
  v = a['ai.value'];
  if (present(v)) return asText(fromJsonText(v));
  v = a['ai.values'];
  if (present(v)) {
    return asText((Array.isArray(v) ? v : [v]).map(fromJsonText));
  }
  return null;
}

/** The Vercel AI SDK records embedding inputs (ai.value, ai.values[i]) as JSON text of each value. */
function fromJsonText(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export function extractOutput(a: Attributes, events: SpanEvent[]): string | null {
  let v = a['stacklens.completion'];
  if (present(v)) return asText(v);
  v = a['gen_ai.output.messages'];
  if (present(v)) return messagesOrText(v, 'assistant');
  const legacyIndexed = indexed(a, 'gen_ai.completion.', 'assistant');
  if (legacyIndexed) return legacyIndexed;
  v = a['gen_ai.completion'];
  if (present(v)) return messagesOrText(v, 'assistant');
  const fromEvents = eventsContent(events, true);
  if (fromEvents) return fromEvents;
  v = a['gen_ai.tool.call.result'];
  if (present(v)) return asText(v);
  v = a['gen_ai.retrieval.documents'];
  if (present(v)) return asText(v);

  const openInference = indexed(a, 'llm.output_messages.', 'assistant');
  if (openInference) return openInference;
  v = a['output.value'];
  if (present(v)) return asText(v);
  const retrieved = documents(a, 'retrieval.documents.');
  if (retrieved) return retrieved;

  v = a['traceloop.entity.output'];
  if (present(v)) return asText(v);

  const ai = aiResponse(a);
  if (ai !== null) return ai;
  for (const key of ['ai.toolCall.result', 'ai.toolCall.output']) {
    v = a[key];
    if (present(v)) return asText(v);
  }
  return null;
}

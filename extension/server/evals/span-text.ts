// The text a content evaluator reads from a span. Input and output are plain text, or the JSON
// text of a message list (docs/conventions.md, "Content"); a list is read as its messages' text,
// so `contains "Paris"` checks what the model said rather than the JSON around it.
import type { Span } from '../model';
import type { TextField } from './config';

interface MessageLike {
  role?: unknown;
  content?: unknown;
  tool_calls?: Array<{ name?: unknown; arguments?: unknown }>;
}

function isMessageList(v: unknown): v is MessageLike[] {
  return Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'object' && m !== null && !Array.isArray(m) && typeof (m as MessageLike).role === 'string');
}

/** A message's text; a message that only calls tools reads as the calls' arguments. */
function messageText(m: MessageLike): string {
  if (typeof m.content === 'string' && m.content !== '') return m.content;
  const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
  return calls.map((c) => (typeof c.arguments === 'string' ? c.arguments : '')).filter(Boolean).join('\n');
}

/** The field's text, or null when the span has none. */
export function spanText(span: Pick<Span, 'input' | 'output'>, field: TextField): string | null {
  const raw = field === 'input' ? span.input : span.output;
  if (raw === null || raw === undefined) return null;
  const t = raw.trimStart();
  if (t[0] !== '[') return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (!isMessageList(parsed)) return raw;
  return parsed.map(messageText).filter((s) => s !== '').join('\n');
}

// Privacy before persistence: what the collector does to every span between normalising it and
// handing it to the store (and so to forwarding, which sends what was stored). Content capture
// off drops prompts and completions; redaction replaces secrets in what remains.
import type { AttributeValue, Attributes, Span, SpanEvent } from '../model';
import type { NewScore } from '../store/api';
import { stripContent, stripEventContent } from './content';
import { compileCustomPattern, CREDIT_CARD_PATTERN, DEFAULT_PATTERNS, type CustomPattern, type RedactionPattern } from './patterns';
import { createRedactor, type Redactor } from './redactor';

export { CONTENT_CAPTURE_ATTRIBUTE, isContentKey } from './content';
export { RedactionPatternError, parseCustomPattern, type CustomPattern } from './patterns';
export { createRedactor, type Redactor } from './redactor';

export interface RedactionOptions {
  /** the built-in patterns: API keys, tokens, JWTs, private keys, emails (default true) */
  defaults?: boolean;
  /** card numbers that pass the Luhn check (default false) */
  creditCards?: boolean;
  /** more patterns, applied with the defaults */
  patterns?: CustomPattern[];
}

export interface PrivacyOptions {
  /** false: keep metadata only (model, tokens, cost, timing, status), drop all prompt/completion content */
  captureContent?: boolean;
  redact?: RedactionOptions;
}

export interface Privacy {
  readonly captureContent: boolean;
  /** the kinds of secret replaced, e.g. ["openai_key", "email", "ticket_id"] */
  readonly redactedKinds: readonly string[];
  /** Applies content capture and redaction to spans in place, before they are stored. */
  applyToSpans(spans: Span[]): void;
  /** The same for events that will join a stored span (log records). */
  applyToEvents(events: SpanEvent[]): void;
  /** A score's free text (reason, label) redacted. */
  applyToScore(score: NewScore): NewScore;
  redactText(text: string): string;
}

/** Throws RedactionPatternError naming a custom pattern that cannot be used: a startup error. */
export function createPrivacy(options: PrivacyOptions = {}): Privacy {
  const patterns: RedactionPattern[] = [];
  const redact = options.redact ?? {};
  if (redact.defaults !== false) patterns.push(...DEFAULT_PATTERNS);
  if (redact.creditCards) patterns.push(CREDIT_CARD_PATTERN);
  for (const custom of redact.patterns ?? []) patterns.push(compileCustomPattern(custom));
  const redactor = createRedactor(patterns);
  const captureContent = options.captureContent !== false;
  const active = patterns.length > 0;

  return {
    captureContent,
    redactedKinds: redactor.kinds,
    applyToSpans(spans) {
      // spans of one request share their resource object: redact it once
      const seen = new Set<Attributes>();
      for (const span of spans) {
        if (!captureContent) stripContent(span);
        if (active) redactSpan(span, redactor, seen);
      }
    },
    applyToEvents(events) {
      if (!captureContent) stripEventContent(events);
      if (active) for (const event of events) redactAttributes(event.attributes, redactor);
    },
    applyToScore(score) {
      if (!active) return score;
      return {
        ...score,
        reason: typeof score.reason === 'string' ? redactor.redact(score.reason) : score.reason,
        label: typeof score.label === 'string' ? redactor.redact(score.label) : score.label,
      };
    },
    redactText: (text) => redactor.redact(text),
  };
}

function redactSpan(span: Span, redactor: Redactor, seen: Set<Attributes>): void {
  if (span.input !== null) span.input = redactor.redact(span.input);
  if (span.output !== null) span.output = redactor.redact(span.output);
  if (span.status_message !== null) span.status_message = redactor.redact(span.status_message);
  if (span.session_id !== null) span.session_id = redactor.redact(span.session_id);
  if (span.user_id !== null) span.user_id = redactor.redact(span.user_id);
  redactAttributes(span.attributes, redactor);
  if (!seen.has(span.resource)) {
    seen.add(span.resource);
    redactAttributes(span.resource, redactor);
  }
  for (const event of span.events) redactAttributes(event.attributes, redactor);
}

function redactAttributes(attributes: Attributes, redactor: Redactor): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value === null || typeof value === 'number' || typeof value === 'boolean') continue;
    const next = redactValue(value, redactor);
    if (next !== value) attributes[key] = next;
  }
}

function redactValue(value: AttributeValue, redactor: Redactor): AttributeValue {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactValue(value[i], redactor);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    redactAttributes(value, redactor);
    return value;
  }
  return value;
}

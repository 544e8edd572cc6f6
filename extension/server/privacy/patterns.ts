// What redaction looks for. The defaults are secrets that leak into prompts and attributes in
// practice (keys pasted into a prompt, an Authorization header recorded by an HTTP
// instrumentation, a user's email in a conversation); each is anchored on a prefix or shape that
// ordinary prose does not have, so redaction rarely eats text that was not secret.

export interface RedactionPattern {
  /** the kind named in the replacement: `[REDACTED:name]` */
  name: string;
  regex: RegExp;
  /**
   * Decides what replaces one match (default `[REDACTED:name]`): keeps a prefix that is not
   * secret (`Bearer `), or returns the match itself when a check beyond the regex fails (Luhn).
   */
  replace?: (match: string, redacted: string) => string;
  /**
   * A character every match contains: strings without it skip the pattern. For a pattern that
   * cannot start on a fixed prefix (an email), this check is far cheaper than the scan.
   */
  requires?: string;
}

/** A custom pattern as options and the CLI give it: a name and JavaScript regex source. */
export interface CustomPattern {
  name: string;
  regex: string;
}

/** A custom pattern that cannot be used; the message names it and says what to do. */
export class RedactionPatternError extends Error {
  override name = 'RedactionPatternError';
}

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

// the scheme word says nothing secret and tells the reader what was there
const bearer = (match: string, redacted: string): string => (/^[Bb]earer\s+/.exec(match)?.[0] ?? '') + redacted;

/** Luhn's checksum: card numbers pass it, most other long digit runs (ids, timestamps) do not. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const creditCard = (match: string, redacted: string): string => {
  const digits = match.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits) ? redacted : match;
};

/**
 * Order matters where two could match at the same place: the first listed wins (an Anthropic
 * key also looks like an OpenAI one; a JWT after "Bearer " is named a bearer token).
 */
export const DEFAULT_PATTERNS: readonly RedactionPattern[] = [
  { name: 'private_key', regex: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { name: 'anthropic_key', regex: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: 'openai_key', regex: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { name: 'stripe_key', regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { name: 'aws_access_key', regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'github_token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { name: 'slack_token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'google_api_key', regex: /\bAIza[0-9A-Za-z_-]{35}/g },
  { name: 'bearer_token', regex: /\b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}=*/g, replace: bearer },
  { name: 'jwt', regex: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g },
  // The local part starts only where a run of its characters starts, and repeats are bounded
  // (RFC 5321 lengths): otherwise "a.a.a.a…" is rescanned from every position, quadratic time.
  { name: 'email', regex: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g, requires: '@' },
];

/** Off by default: long digit runs are common in logs, and only a Luhn-valid run is replaced. */
export const CREDIT_CARD_PATTERN: RedactionPattern = { name: 'credit_card', regex: /\b\d(?:[ -]?\d){12,18}\b/g, replace: creditCard };

/**
 * A custom pattern, compiled. The regex is JavaScript source (`sk_[a-z0-9]{32}`), or
 * `/source/flags` to give flags (`/ticket-\d+/i`); it always matches globally.
 */
export function compileCustomPattern(pattern: CustomPattern, where = 'redaction pattern'): RedactionPattern {
  const name = typeof pattern?.name === 'string' ? pattern.name.trim() : '';
  if (!NAME.test(name)) {
    throw new RedactionPatternError(`${where} ${JSON.stringify(pattern?.name ?? null)}: a name is letters, digits, _ . - (starting with a letter), e.g. ticket_id`);
  }
  if (typeof pattern.regex !== 'string' || pattern.regex === '') {
    throw new RedactionPatternError(`${where} "${name}": the regex is empty; give JavaScript regex source such as ACME-[0-9]{6}`);
  }
  const slashed = /^\/(.+)\/([a-z]*)$/s.exec(pattern.regex);
  const source = slashed ? slashed[1] : pattern.regex;
  const flags = new Set((slashed ? slashed[2] : '').split('').filter(Boolean));
  for (const f of flags) {
    if (!'imsu'.includes(f)) throw new RedactionPatternError(`${where} "${name}": flag "${f}" is not accepted; use any of i, m, s, u`);
  }
  flags.add('g');
  let regex: RegExp;
  try {
    regex = new RegExp(source, [...flags].join(''));
  } catch (err) {
    throw new RedactionPatternError(`${where} "${name}" is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (regex.test('')) throw new RedactionPatternError(`${where} "${name}" matches the empty string, so it would redact everywhere; make it require at least one character`);
  regex.lastIndex = 0;
  return { name, regex };
}

/** `NAME=REGEX` as the CLI's --redact takes it. */
export function parseCustomPattern(text: string): CustomPattern {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new RedactionPatternError(`--redact "${text}": expected NAME=REGEX, e.g. --redact 'ticket_id=TCK-[0-9]{6}'`);
  return { name: text.slice(0, eq).trim(), regex: text.slice(eq + 1) };
}

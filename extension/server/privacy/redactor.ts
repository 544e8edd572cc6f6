// Replaces secrets in text with `[REDACTED:kind]`. It runs on the ingest hot path for every
// string of every span, so the patterns are joined into one regular expression and each string is
// scanned once (emails apart: that scan is skipped for the many strings without an '@'); a string
// without a match is returned as it was (no copy).
//
// A span's input and output are often an attribute's very text (tool arguments and results,
// OpenInference input.value / output.value), redacted once as content and once as the attribute:
// the answers for the last few long strings are remembered, so such text is scanned once.
import type { RedactionPattern } from './patterns';

export interface Redactor {
  /** the text with every match replaced; the same string when nothing matched */
  redact(text: string): string;
  /** the kinds this redactor replaces, in order */
  readonly kinds: readonly string[];
}

interface Pass {
  regex: RegExp;
  /** the pass is skipped for strings without this character */
  requires: string | null;
  /** named group → pattern, for a pass that joins several patterns */
  groups: Map<string, RedactionPattern> | null;
  single: RedactionPattern | null;
}

const GROUP = (i: number) => `slr${i}`;

/** Strings at least this long are remembered; shorter ones cost less to scan than to look up. */
const REMEMBER_CHARS = 256;
const REMEMBERED = 4;

export function createRedactor(patterns: readonly RedactionPattern[]): Redactor {
  const passes = planPasses(patterns);
  const kinds = patterns.map((p) => p.name);
  if (passes.length === 0) return { redact: (text) => text, kinds };
  // a ring of recent long texts and their redacted form; redaction depends on the text alone
  const seen: string[] = [];
  const answers: string[] = [];
  let next = 0;
  const scan = (text: string): string => {
    let out = text;
    for (const pass of passes) {
      if (pass.requires !== null && !out.includes(pass.requires)) continue;
      pass.regex.lastIndex = 0;
      // test() first: most strings hold no secret, and replace() would build a new one anyway
      if (!pass.regex.test(out)) continue;
      pass.regex.lastIndex = 0;
      out = out.replace(pass.regex, (...args: unknown[]) => replacement(pass, args));
    }
    return out;
  };
  return {
    kinds,
    redact(text: string): string {
      if (text.length < REMEMBER_CHARS) return scan(text);
      for (let i = 0; i < seen.length; i++) if (seen[i] === text) return answers[i];
      const out = scan(text);
      seen[next] = text;
      answers[next] = out;
      next = (next + 1) % REMEMBERED;
      return out;
    },
  };
}

function replacement(pass: Pass, args: unknown[]): string {
  const match = args[0] as string;
  let pattern = pass.single;
  if (pass.groups) {
    const named = args[args.length - 1] as Record<string, string | undefined>;
    for (const [group, p] of pass.groups) {
      if (named[group] !== undefined) {
        pattern = p;
        break;
      }
    }
  }
  if (!pattern) return match;
  const redacted = `[REDACTED:${pattern.name}]`;
  return pattern.replace ? pattern.replace(match, redacted) : redacted;
}

/**
 * Patterns with the same flags share one pass. A pattern that cannot be joined (numbered
 * backreferences, whose numbers would shift, or named groups that clash) gets a pass of its own,
 * and so does one with a required character, which most strings then skip.
 */
function planPasses(patterns: readonly RedactionPattern[]): Pass[] {
  const passes: Pass[] = [];
  // passes of their own run after the joined ones, so the first listed pattern still wins
  const apart: Pass[] = [];
  const byFlags = new Map<string, RedactionPattern[]>();
  for (const p of patterns) {
    if (/\\[1-9]/.test(p.regex.source) || p.requires) {
      apart.push({ regex: new RegExp(p.regex.source, withGlobal(p.regex.flags)), groups: null, single: p, requires: p.requires ?? null });
      continue;
    }
    const flags = withGlobal(p.regex.flags);
    const list = byFlags.get(flags) ?? [];
    list.push(p);
    byFlags.set(flags, list);
  }
  for (const [flags, list] of byFlags) {
    if (list.length === 1) {
      passes.push({ regex: new RegExp(list[0].regex.source, flags), groups: null, single: list[0], requires: null });
      continue;
    }
    const groups = new Map<string, RedactionPattern>();
    const source = list
      .map((p, i) => {
        groups.set(GROUP(i), p);
        return `(?<${GROUP(i)}>${p.regex.source})`;
      })
      .join('|');
    try {
      passes.push({ regex: new RegExp(source, flags), groups, single: null, requires: null });
    } catch {
      for (const p of list) passes.push({ regex: new RegExp(p.regex.source, flags), groups: null, single: p, requires: null });
    }
  }
  return [...passes, ...apart];
}

function withGlobal(flags: string): string {
  return flags.includes('g') ? flags : flags + 'g';
}

// The evaluators a workspace declares in `.stacklens/evals.json` (docs/evals.md), checked field by
// field. A broken entry is reported by its path (`evals[2].type: ...`) and skipped; the entries
// that are valid still run, so one typo does not switch every evaluator off.
import { SPAN_KINDS, type SpanKind } from '../model';

export const EVALUATOR_TYPES = [
  'contains', 'not_contains', 'regex', 'equals', 'json_valid', 'max_latency_ms', 'max_cost_usd', 'similarity', 'llm_judge',
] as const;
export type EvaluatorType = (typeof EVALUATOR_TYPES)[number];

/** Which spans an evaluator looks at; every condition given must hold. */
export interface SpanMatch {
  /** span names, exact or glob (`*` any run of characters, `?` one character) */
  name?: string[];
  kind?: SpanKind[];
  /** the call site's file, as a path suffix: `src/agent.ts` matches `/home/me/app/src/agent.ts` */
  file?: string;
  /** the call site's line; only with `file` */
  line?: number;
}

/** The span text a content evaluator reads. */
export type TextField = 'output' | 'input';

interface Base {
  name: string;
  match: SpanMatch;
}
export type Evaluator = Base &
  (
    | { type: 'contains' | 'not_contains'; field: TextField; values: string[]; case_sensitive: boolean }
    | { type: 'regex'; field: TextField; pattern: string; flags: string }
    | { type: 'equals'; field: TextField; value: string; case_sensitive: boolean; trim: boolean }
    | { type: 'json_valid'; field: TextField }
    | { type: 'max_latency_ms'; max: number }
    | { type: 'max_cost_usd'; max: number }
    | { type: 'similarity'; field: TextField; expected: string; measure: 'f1' | 'cosine'; threshold: number }
    | { type: 'llm_judge'; field: TextField; rubric: string; threshold: number }
  );

export interface EvalsConfig {
  evaluators: Evaluator[];
  /** one line per skipped entry or unknown key, each naming its path */
  problems: string[];
}

/** The file cannot be used at all (not JSON, not an object with an `evals` list). */
export class EvalsConfigError extends Error {
  override name = 'EvalsConfigError';
}

class Problem extends Error {}

const DEFAULT_MATCH: SpanMatch = { kind: ['llm'] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : isObj(v) ? 'an object' : String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Reads one entry; throws Problem naming the first thing wrong. */
class Entry {
  readonly used = new Set<string>();
  constructor(
    readonly raw: Obj,
    readonly at: string,
  ) {}

  private take(key: string): unknown {
    this.used.add(key);
    return this.raw[key];
  }

  string(key: string, options: { optional?: boolean; empty?: boolean } = {}): string | undefined {
    const v = this.take(key);
    if (v === undefined && options.optional) return undefined;
    if (typeof v !== 'string') throw new Problem(`${this.at}.${key}: expected a string, got ${show(v)}`);
    if (!options.empty && v.trim() === '') throw new Problem(`${this.at}.${key}: must not be empty`);
    return v;
  }

  strings(key: string): string[] {
    const v = this.take(key);
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
      throw new Problem(`${this.at}.${key}: expected a non-empty string or a list of them, got ${show(v)}`);
    }
    return list as string[];
  }

  number(key: string, options: { min?: number; max?: number; fallback?: number } = {}): number {
    const v = this.take(key);
    if (v === undefined && options.fallback !== undefined) return options.fallback;
    const range = options.max !== undefined ? `a number from ${options.min ?? 0} to ${options.max}` : `a number ≥ ${options.min ?? 0}`;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < (options.min ?? 0) || (options.max !== undefined && v > options.max)) {
      throw new Problem(`${this.at}.${key}: expected ${range}, got ${show(v)}`);
    }
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new Problem(`${this.at}.${key}: expected true or false, got ${show(v)}`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const v = this.take(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !allowed.includes(v as T)) throw new Problem(`${this.at}.${key}: ${show(v)} is not one of ${allowed.join(', ')}`);
    return v as T;
  }

  field(): TextField {
    return this.oneOf('field', ['output', 'input'], 'output');
  }

  match(): SpanMatch {
    const v = this.take('match');
    if (v === undefined) return DEFAULT_MATCH;
    const at = `${this.at}.match`;
    if (!isObj(v)) throw new Problem(`${at}: expected an object {name?, kind?, file?, line?}, got ${show(v)}`);
    const m = new Entry(v, at);
    const match: SpanMatch = {};
    if (v.name !== undefined) match.name = m.strings('name');
    if (v.kind !== undefined) {
      const kinds = m.strings('kind');
      const wrong = kinds.find((k) => !(SPAN_KINDS as readonly string[]).includes(k));
      if (wrong !== undefined) throw new Problem(`${at}.kind: "${wrong}" is not one of ${SPAN_KINDS.join(', ')}`);
      match.kind = kinds as SpanKind[];
    }
    if (v.file !== undefined) match.file = m.string('file')!.replace(/\\/g, '/').replace(/^\.\//, '');
    if (v.line !== undefined) {
      if (match.file === undefined) throw new Problem(`${at}.line: a line needs a file too (match.file)`);
      const line = m.number('line', { min: 1 });
      if (!Number.isInteger(line)) throw new Problem(`${at}.line: expected a whole line number, got ${line}`);
      match.line = line;
    }
    m.rejectUnknown(['name', 'kind', 'file', 'line']);
    if (Object.keys(match).length === 0) throw new Problem(`${at}: give at least one of name, kind, file (or leave match out for every llm span)`);
    return match;
  }

  rejectUnknown(accepted: string[] = [...this.used]): void {
    const unknown = Object.keys(this.raw).filter((k) => !accepted.includes(k));
    if (unknown.length) throw new Problem(`${this.at}.${unknown[0]}: unknown key (a typo?); this entry takes ${accepted.join(', ')}`);
  }
}

function evaluator(raw: unknown, at: string): Evaluator {
  if (!isObj(raw)) throw new Problem(`${at}: expected an evaluator object {name, type, ...}, got ${show(raw)}`);
  const e = new Entry(raw, at);
  const name = e.string('name')!.trim();
  const type = e.oneOf('type', EVALUATOR_TYPES);
  const match = e.match();
  const base = { name, match };
  let out: Evaluator;
  switch (type) {
    case 'contains':
    case 'not_contains':
      out = { ...base, type, field: e.field(), values: e.strings('value'), case_sensitive: e.boolean('case_sensitive', false) };
      break;
    case 'regex': {
      const pattern = e.string('pattern')!;
      const flags = e.string('flags', { optional: true, empty: true }) ?? '';
      if (!/^[imsu]*$/.test(flags)) throw new Problem(`${at}.flags: "${flags}" may only hold i, m, s, u`);
      try {
        new RegExp(pattern, flags);
      } catch (err) {
        throw new Problem(`${at}.pattern: not a valid regular expression: ${(err as Error).message}`);
      }
      out = { ...base, type, field: e.field(), pattern, flags };
      break;
    }
    case 'equals':
      out = { ...base, type, field: e.field(), value: e.string('value', { empty: true })!, case_sensitive: e.boolean('case_sensitive', true), trim: e.boolean('trim', true) };
      break;
    case 'json_valid':
      out = { ...base, type, field: e.field() };
      break;
    case 'max_latency_ms':
    case 'max_cost_usd':
      out = { ...base, type, max: e.number('max') };
      break;
    case 'similarity':
      out = {
        ...base,
        type,
        field: e.field(),
        expected: e.string('expected')!,
        measure: e.oneOf('measure', ['f1', 'cosine'], 'f1'),
        threshold: e.number('threshold', { max: 1, fallback: 0.7 }),
      };
      break;
    case 'llm_judge':
      out = { ...base, type, field: e.field(), rubric: e.string('rubric')!, threshold: e.number('threshold', { max: 1, fallback: 0.5 }) };
      break;
  }
  e.rejectUnknown();
  return out;
}

/** Checks a parsed evals file. Throws EvalsConfigError only when nothing in it can be used. */
export function parseEvalsConfig(json: unknown): EvalsConfig {
  if (!isObj(json)) throw new EvalsConfigError(`expected an object {"evals": [...]}, got ${show(json)}`);
  if (!Array.isArray(json.evals)) throw new EvalsConfigError(`evals: expected a list of evaluators, got ${show(json.evals)}`);
  const problems: string[] = Object.keys(json)
    .filter((k) => k !== 'evals' && k !== '$schema')
    .map((k) => `${k}: unknown key (ignored); the file takes "evals"`);
  const evaluators: Evaluator[] = [];
  const seen = new Map<string, number>();
  json.evals.forEach((raw, i) => {
    const at = `evals[${i}]`;
    try {
      const e = evaluator(raw, at);
      const first = seen.get(e.name);
      if (first !== undefined) throw new Problem(`${at}.name: "${e.name}" is already the name of evals[${first}]; names must be unique (they name the scores)`);
      seen.set(e.name, i);
      evaluators.push(e);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      problems.push(`${err.message} (this evaluator is skipped)`);
    }
  });
  return { evaluators, problems };
}

/** Parses the text of an evals file. */
export function parseEvalsText(text: string): EvalsConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new EvalsConfigError(`not valid JSON: ${(err as Error).message}`);
  }
  return parseEvalsConfig(json);
}

// One verdict per evaluator and span: a value (1/0, or 0..1 for similarity and llm_judge), pass or
// fail, and a reason a person can check. A span the evaluator cannot judge (no output recorded,
// no cost known, no judge configured) is skipped with the reason instead of failed: a missing
// recording is not a bad answer.
import type { StoredSpan } from '../model';
import type { Evaluator } from './config';
import { judgePrompt, readJudgeAnswer, type Judge } from './judge';
import { cosineSimilarity, tokenF1 } from './similarity';
import { spanText } from './span-text';

export type Verdict = { outcome: 'scored'; value: number; pass: boolean; reason: string } | { outcome: 'skipped'; reason: string };

function verdict(value: number, pass: boolean, reason: string): Verdict {
  return { outcome: 'scored', value, pass, reason };
}

/** A short, single-line quote of untrusted text for a reason. */
export function quote(text: string, max = 80): string {
  const one = text.replace(/\s+/g, ' ');
  return JSON.stringify(one.length > max ? one.slice(0, max - 1) + '…' : one);
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function evaluate(e: Evaluator, span: StoredSpan, judge: Judge | null): Promise<Verdict> {
  if (e.type === 'max_latency_ms') {
    const ms = round(span.duration_ms, 1);
    return span.duration_ms <= e.max ? verdict(1, true, `took ${ms} ms, within the ${e.max} ms limit`) : verdict(0, false, `took ${ms} ms, over the ${e.max} ms limit`);
  }
  if (e.type === 'max_cost_usd') {
    if (span.cost_usd === null) {
      const why = span.cost_source === 'unpriced' ? `model ${span.model ?? '(unknown)'} has no price` : 'the span reports no model usage';
      return { outcome: 'skipped', reason: `no cost known: ${why}` };
    }
    const cost = `$${round(span.cost_usd, 6)}`;
    return span.cost_usd <= e.max ? verdict(1, true, `cost ${cost}, within the $${e.max} limit`) : verdict(0, false, `cost ${cost}, over the $${e.max} limit`);
  }

  const text = spanText(span, e.field);
  if (text === null) return { outcome: 'skipped', reason: `the span has no ${e.field} recorded (is content capture off?)` };

  switch (e.type) {
    case 'contains':
    case 'not_contains': {
      const fold = (s: string) => (e.case_sensitive ? s : s.toLowerCase());
      const haystack = fold(text);
      const found = e.values.filter((v) => haystack.includes(fold(v)));
      if (e.type === 'contains') {
        const missing = e.values.filter((v) => !found.includes(v));
        return missing.length === 0
          ? verdict(1, true, `${e.field} contains ${e.values.map((v) => quote(v)).join(', ')}`)
          : verdict(0, false, `${e.field} lacks ${missing.map((v) => quote(v)).join(', ')}`);
      }
      return found.length === 0
        ? verdict(1, true, `${e.field} contains none of ${e.values.map((v) => quote(v)).join(', ')}`)
        : verdict(0, false, `${e.field} contains ${found.map((v) => quote(v)).join(', ')}`);
    }
    case 'regex': {
      const m = new RegExp(e.pattern, e.flags).exec(text);
      const shown = `/${e.pattern}/${e.flags}`;
      return m ? verdict(1, true, `${e.field} matches ${shown} at ${quote(m[0])}`) : verdict(0, false, `${e.field} does not match ${shown}`);
    }
    case 'equals': {
      const norm = (s: string) => {
        const t = e.trim ? s.trim() : s;
        return e.case_sensitive ? t : t.toLowerCase();
      };
      const got = norm(text);
      const want = norm(e.value);
      if (got === want) return verdict(1, true, `${e.field} equals the expected text`);
      let at = 0;
      while (at < got.length && at < want.length && got[at] === want[at]) at++;
      return verdict(0, false, `${e.field} differs from the expected text at character ${at + 1}: expected ${quote(want.slice(at), 40)}, got ${quote(got.slice(at), 40)}`);
    }
    case 'json_valid':
      try {
        JSON.parse(text);
        return verdict(1, true, `${e.field} is valid JSON`);
      } catch (err) {
        return verdict(0, false, `${e.field} is not valid JSON: ${(err as Error).message}`);
      }
    case 'similarity': {
      const value = round(e.measure === 'f1' ? tokenF1(text, e.expected) : cosineSimilarity(text, e.expected));
      const measure = e.measure === 'f1' ? 'token F1' : 'term-frequency cosine';
      const pass = value >= e.threshold;
      return verdict(value, pass, `${measure} ${value} against the expected answer, ${pass ? 'at or above' : 'below'} the threshold ${e.threshold}`);
    }
    case 'llm_judge': {
      if (!judge) return { outcome: 'skipped', reason: 'no judge model is configured (settings, or serve --judge-url and --judge-model)' };
      // A JudgeError (unreachable, unreadable answer) propagates: it is an error of the run, not a verdict.
      const answer = readJudgeAnswer(await judge.ask(judgePrompt(e.rubric, text)));
      const pass = answer.score >= e.threshold;
      return verdict(answer.score, pass, `${answer.reason} (judge score ${round(answer.score)}, threshold ${e.threshold})`);
    }
  }
}

// What "Run Evals" tells the user: one line for the notification, the verdicts with their reasons
// for the log, and the starter evals file offered when there is none. Pure, tested in node.
import type { TraceEvalRun } from '../server/rpc';
import { noIcons } from './format';

export interface EvalRunReport {
  /** one line for the notification */
  message: string;
  level: 'info' | 'warning' | 'error';
  /** every verdict, skip and error with its reason, for the output channel */
  lines: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `spanNames` names the spans (span_id → name), so a verdict reads "on plan" rather than on an id. */
export function evalRunReport(run: TraceEvalRun, traceName: string, spanNames: ReadonlyMap<string, string>): EvalRunReport {
  const on = (spanId: string) => `"${spanNames.get(spanId) ?? spanId}"`;
  const passed = run.scores.filter((s) => s.label === 'pass').length;
  const failed = run.scores.filter((s) => s.label === 'fail').length;
  const parts = [`${passed} passed`, `${failed} failed`];
  if (run.skipped.length) parts.push(`${run.skipped.length} skipped`);
  if (run.errors.length) parts.push(plural(run.errors.length, 'error'));
  const what = noIcons(traceName || run.trace_id);
  let message: string;
  if (run.scores.length + run.skipped.length + run.errors.length === 0) {
    message = `StackLens: none of the ${plural(run.evaluators, 'evaluator')} matches a span of "${what}" (see "match" in the evals file).`;
  } else {
    message = `StackLens evals on "${what}": ${parts.join(', ')}.`;
  }
  if (run.errors.length) message += ` ${run.errors[0].error}`;
  const lines = [`Evals on trace ${run.trace_id} ("${traceName}"): ${plural(run.evaluators, 'evaluator')}, ${parts.join(', ')}`];
  for (const s of run.scores) {
    const mark = s.label === 'pass' ? 'pass' : s.label === 'fail' ? 'FAIL' : (s.label ?? 'score');
    lines.push(`  ${mark}  ${s.name} on ${on(s.span_id ?? '')}: ${trim(s.value)}${s.reason ? ` — ${s.reason}` : ''}`);
  }
  for (const k of run.skipped) lines.push(`  skipped  ${k.evaluator} on ${on(k.span_id)}: ${k.reason}`);
  for (const e of run.errors) lines.push(`  ERROR  ${e.evaluator} on ${on(e.span_id)}: ${e.error}`);
  for (const p of run.config_problems) lines.push(`  evals file: ${p}`);
  const level = run.errors.length > 0 ? 'error' : failed > 0 || run.scores.length === 0 ? 'warning' : 'info';
  return { message, level, lines };
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '');
}

/** Why nothing ran, from the collector's view of the evals file. */
export function noEvaluatorsMessage(status: { file: string | null; exists: boolean; error: string | null; problems: string[] }): string {
  if (!status.file) return 'StackLens: no evals file is configured: open a folder (its .stacklens/evals.json is read), or set stacklens.evals.file.';
  if (!status.exists) return `StackLens: there is no evals file at ${status.file}. Create one with the evaluators to run (docs/evals.md).`;
  if (status.error) return `StackLens: the evals file ${status.file} cannot be used: ${status.error}`;
  if (status.problems.length) return `StackLens: no usable evaluator in ${status.file}: ${status.problems[0]}`;
  return `StackLens: ${status.file} declares no evaluators: add entries to its "evals" list.`;
}

/** A first evals file: two evaluators that need no model, to edit from there. */
export const STARTER_EVALS = `${JSON.stringify(
  {
    evals: [
      { name: 'no-refusal', type: 'not_contains', value: ["I can't help", 'as an AI'], match: { kind: 'llm' } },
      { name: 'fast-enough', type: 'max_latency_ms', max: 5000, match: { kind: 'llm' } },
    ],
  },
  null,
  2,
)}\n`;

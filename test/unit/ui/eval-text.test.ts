import assert from 'node:assert/strict';
import type { Score } from '../../../extension/server/model';
import type { TraceEvalRun } from '../../../extension/server/rpc';
import { STARTER_EVALS, evalRunReport, noEvaluatorsMessage } from '../../../extension/ui/eval-text';
import { parseEvalsText } from '../../../extension/server/evals/config';

const T = 'a'.repeat(32);
function verdict(name: string, spanId: string, value: number, reason: string): Score {
  return { score_id: `eval:${T}:${spanId}:${name}`, trace_id: T, span_id: spanId, name, value, label: value >= 0.5 ? 'pass' : 'fail', reason, source: 'eval', created_at: 1 };
}
const run = (fields: Partial<TraceEvalRun>): TraceEvalRun => ({ trace_id: T, scores: [], skipped: [], errors: [], evaluators: 2, config_problems: [], ...fields });
const names = new Map([['1'.repeat(16), 'answer'], ['2'.repeat(16), 'plan']]);

describe('what Run Evals reports', () => {
  it('counts passes and failures in one line and lists every verdict with its reason', () => {
    const report = evalRunReport(run({
      scores: [verdict('says-paris', '1'.repeat(16), 1, 'output contains "Paris"'), verdict('fast', '2'.repeat(16), 0, 'took 1500 ms, over the 1000 ms limit')],
      skipped: [{ evaluator: 'polite', span_id: '2'.repeat(16), reason: 'no judge configured' }],
    }), 'support-agent', names);
    assert.equal(report.message, 'StackLens evals on "support-agent": 1 passed, 1 failed, 1 skipped.');
    assert.equal(report.level, 'warning');
    assert.deepEqual(report.lines.slice(1), [
      '  pass  says-paris on "answer": 1 — output contains "Paris"',
      '  FAIL  fast on "plan": 0 — took 1500 ms, over the 1000 ms limit',
      '  skipped  polite on "plan": no judge configured',
    ]);
  });

  it('is an error when the run itself failed, naming the first error', () => {
    const report = evalRunReport(run({ errors: [{ evaluator: 'polite', span_id: '1'.repeat(16), error: 'the judge at http://127.0.0.1:9 could not be reached' }] }), 'x', names);
    assert.equal(report.level, 'error');
    assert.match(report.message, /0 passed, 0 failed, 1 error\. the judge at http:\/\/127\.0\.0\.1:9 could not be reached$/);
  });

  it('says when no evaluator matched any span', () => {
    const report = evalRunReport(run({ evaluators: 3 }), 'x', names);
    assert.equal(report.message, 'StackLens: none of the 3 evaluators matches a span of "x" (see "match" in the evals file).');
  });

  it('keeps untrusted trace names from rendering as icons', () => {
    assert.match(evalRunReport(run({ scores: [verdict('a', '1'.repeat(16), 1, '')] }), '$(alert) boom', names).message, /"\$\u200b\(alert\) boom"/);
  });

  it('says why nothing ran, from the evals file status', () => {
    assert.match(noEvaluatorsMessage({ file: '/w/.stacklens/evals.json', exists: false, error: null, problems: [] }), /there is no evals file at \/w\/\.stacklens\/evals\.json/);
    assert.match(noEvaluatorsMessage({ file: '/w/e.json', exists: true, error: 'not JSON: Unexpected token', problems: [] }), /cannot be used: not JSON/);
    assert.match(noEvaluatorsMessage({ file: '/w/e.json', exists: true, error: null, problems: ['evals[0].type: "x" is not one of …'] }), /no usable evaluator in \/w\/e\.json: evals\[0\]\.type/);
    assert.match(noEvaluatorsMessage({ file: null, exists: false, error: null, problems: [] }), /no evals file is configured/);
  });

  it('offers a starter evals file the collector accepts without a problem', () => {
    const parsed = parseEvalsText(STARTER_EVALS);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.evaluators.map((e) => e.name), ['no-refusal', 'fast-enough']);
  });
});

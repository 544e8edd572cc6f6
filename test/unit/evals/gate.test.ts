// The gate's verdict and report from a summary (the exit codes of the real CLI are tested in
// test/integration/evals-gate.test.ts).
import assert from 'node:assert/strict';
import { gateOutcome } from '../../../extension/server/evals/gate';
import type { EvalSummary } from '../../../extension/server/evals/summary';

const summary = (evaluators: EvalSummary['evaluators'], overall: EvalSummary['overall'], name: string | null = null): EvalSummary => ({
  since: 0,
  until: null,
  name,
  sources: ['eval'],
  overall,
  evaluators,
});

describe('eval gate verdict', () => {
  const s = summary(
    [
      { name: 'fast', runs: 3, avg: 1, pass_rate: 1, min: 1, max: 1 },
      { name: 'says-paris', runs: 1, avg: 0, pass_rate: 0, min: 0, max: 0 },
    ],
    { runs: 4, avg: 0.75, pass_rate: 0.75 },
  );

  it('passes (exit 0) when the average reaches the minimum, with a per-evaluator table', () => {
    const out = gateOutcome(s, 0.75, 'in the last 7d');
    assert.equal(out.exitCode, 0);
    assert.equal(
      out.text,
      [
        'Eval scores in the last 7d (sources: eval)',
        '',
        'evaluator   runs    avg  pass rate',
        'fast           3  1.000     100.0%',
        'says-paris     1  0.000       0.0%  below',
        'overall        4  0.750      75.0%',
        '',
        'PASS: average score 0.750 ≥ minimum 0.750',
      ].join('\n'),
    );
  });

  it('fails (exit 1) saying by how much the average falls short', () => {
    const out = gateOutcome(s, 0.8, 'in the last 7d');
    assert.equal(out.exitCode, 1);
    assert.match(out.text, /FAIL: average score 0\.750 is 0\.050 below the minimum 0\.800$/);
  });

  it('does not pass without scores (exit 2), and says what to do', () => {
    const out = gateOutcome(summary([], { runs: 0, avg: null, pass_rate: null }, 'polite'), 0.8, 'in the last 24h');
    assert.equal(out.exitCode, 2);
    assert.match(out.text, /^no eval scores in the last 24h for evaluator "polite" \(sources: eval\): nothing to gate on, so the gate does not pass\./);
    assert.match(out.text, /widen --since/);
  });
});

// The CodeLens pass rate per call site and its trend, this week against last week.
import assert from 'node:assert/strict';
import { lensTitle, passTrendText } from '../../../extension/ui/format';
import { evalTrends, lensesForDocument } from '../../../extension/ui/lens-index';
import { callSite } from './samples';

const NOW = 1_700_000_000_000;
const doc = { path: '/home/dev/app/src/agent.ts', text: 'a\nb\nc\nd\n', lineCount: 5 };
const site = (file: string, line: number, runs: number, pass_rate: number | null) => ({ code_file: file, code_line: line, runs, avg: pass_rate ?? 0.5, pass_rate });

describe('eval pass rate in the CodeLens', () => {
  it('reads "pass 92% ↑ from 80%" against last week, and says when nothing changed', () => {
    assert.equal(passTrendText({ runs: 12, pass_rate: 11 / 12, last_week_runs: 10, last_week_pass_rate: 0.8 }), 'pass 92% ↑ from 80%');
    assert.equal(passTrendText({ runs: 4, pass_rate: 0.5, last_week_runs: 4, last_week_pass_rate: 0.75 }), 'pass 50% ↓ from 75%');
    assert.equal(passTrendText({ runs: 4, pass_rate: 1, last_week_runs: 9, last_week_pass_rate: 1 }), 'pass 100% = last week');
    assert.equal(passTrendText({ runs: 4, pass_rate: 0.25, last_week_runs: 0, last_week_pass_rate: null }), 'pass 25%');
    assert.equal(passTrendText({ runs: 0, pass_rate: null, last_week_runs: 3, last_week_pass_rate: 1 }), null, 'no verdict this week: nothing to compare');
  });

  it('puts the pass rate of a call site after its score in the lens title', () => {
    const trends = evalTrends([site('/home/dev/app/src/agent.ts', 4, 12, 11 / 12)], [site('/home/dev/app/src/agent.ts', 4, 10, 0.8)]);
    const [lens] = lensesForDocument(doc, [callSite({ code_file: '/home/dev/app/src/agent.ts', code_line: 4, last_run: NOW })], new Map(), ['/home/dev/app'], trends);
    assert.equal(lensTitle(lens.figures, NOW + 120_000), '12 runs · p50 1.2s · $0.034 · score 0.87 · pass 92% ↑ from 80% · 2m ago');
  });

  it('leaves the title as it was for a call site without verdicts', () => {
    const trends = evalTrends([site('/home/dev/app/src/other.ts', 4, 3, 1)], []);
    const [lens] = lensesForDocument(doc, [callSite({ code_file: '/home/dev/app/src/agent.ts', code_line: 4, last_run: NOW })], new Map(), ['/home/dev/app'], trends);
    assert.equal(lensTitle(lens.figures, NOW), '12 runs · p50 1.2s · $0.034 · score 0.87 · just now');
  });

  it('weighs the pass rates of one line recorded under two paths by their verdicts', () => {
    const trends = evalTrends(
      [site('/home/dev/app/src/agent.ts', 4, 2, 1), site('/app/src/agent.ts', 4, 6, 0.5)],
      [site('/app/src/agent.ts', 4, 5, 0.2)],
    );
    const [lens] = lensesForDocument(doc, [callSite({ code_file: '/home/dev/app/src/agent.ts', code_line: 4 }), callSite({ code_file: '/app/src/agent.ts', code_line: 4 })], new Map(), ['/home/dev/app'], trends);
    assert.deepEqual(lens.figures.evals, { runs: 8, pass_rate: (2 * 1 + 6 * 0.5) / 8, last_week_runs: 5, last_week_pass_rate: 0.2 });
  });
});

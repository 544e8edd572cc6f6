import assert from 'node:assert/strict';
import { buildNameIndex, lensesForDocument, median } from '../../../extension/ui/lens-index';
import { latestRuns, runRow } from '../../../extension/ui/runs';
import { lensTitle } from '../../../extension/ui/format';
import { callSite, detail, span, summary } from './samples';

const folders = ['/home/dev/app'];
const source = [
  "import { trace, startTrace } from 'stacklens';", // 0
  '',
  'export async function run() {', // 2
  "  await startTrace('agent-run', async (span) => {", // 3
  '  });',
  '  trace("document-summary", { model: "gpt-4o" });', // 5
  '  otel.startActiveSpan("retrieve-docs", () => {});', // 6
  '}',
].join('\n');
const doc = { path: '/home/dev/app/src/agent.ts', text: source, lineCount: 8 };

describe('CodeLenses of a document', () => {
  it('puts a call-site lens on the recorded line (1-based in spans, 0-based in the editor)', () => {
    const lenses = lensesForDocument(doc, [callSite({ code_file: '/home/dev/app/src/agent.ts', code_line: 4 })], new Map(), folders);
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].line, 3);
    assert.equal(lenses[0].source, 'callsite');
    assert.equal(lensTitle(lenses[0].figures, 1_700_000_000_000 + 120_000), '12 runs · p50 1.2s · $0.034 · score 0.87 · 2m ago');
  });

  it('ignores call sites of other files and clamps a line past the end of an edited file', () => {
    const lenses = lensesForDocument(doc, [
      callSite({ code_file: '/home/dev/app/src/other.ts', code_line: 4 }),
      callSite({ code_file: '/app/src/agent.ts', code_line: 40 }),
    ], new Map(), folders);
    assert.deepEqual(lenses.map((l) => l.line), [7]);
  });

  it('merges the same line recorded under a host path and a container path into one lens', () => {
    const lenses = lensesForDocument(doc, [
      callSite({ code_file: '/home/dev/app/src/agent.ts', code_line: 4, runs: 2, total_cost_usd: 0.01, avg_score: 1, score_count: 1, last_run: 100, p50_ms: 500 }),
      callSite({ code_file: '/app/src/agent.ts', code_line: 4, runs: 6, total_cost_usd: 0.02, avg_score: 0.5, score_count: 3, last_run: 200, p50_ms: 900, last_trace_id: 'f'.repeat(32) }),
    ], new Map(), folders);
    assert.equal(lenses.length, 1);
    const f = lenses[0].figures;
    assert.equal(f.runs, 8);
    assert.ok(Math.abs(f.total_cost_usd - 0.03) < 1e-12);
    assert.equal(f.avg_score, 0.625);
    assert.equal(f.p50_ms, 900);
    assert.equal(f.last_run, 200);
    assert.equal(lenses[0].target.lastTraceId, 'f'.repeat(32));
    assert.deepEqual(lenses[0].target.codeFiles, ['/home/dev/app/src/agent.ts', '/app/src/agent.ts']);
  });

  it('gives spans without a code location a lens where the source names them', () => {
    const t1 = summary({ name: 'document-summary', duration_ms: 1000, total_cost_usd: 0.01, start_time: 10 });
    const t2 = summary({ name: 'document-summary', duration_ms: 3000, total_cost_usd: 0.02, start_time: 20 });
    const t3 = summary({ name: 'unrelated', start_time: 30 });
    const names = buildNameIndex([t1, t2, t3], []);
    const lenses = lensesForDocument(doc, [], names, folders);
    assert.deepEqual(lenses.map((l) => [l.line, l.source, l.target.name]), [[5, 'name', 'document-summary']]);
    assert.equal(lenses[0].figures.runs, 2);
    assert.equal(lenses[0].figures.p50_ms, 2000);
    assert.equal(lenses[0].target.lastTraceId, t2.trace_id);
  });

  it('indexes the located-less child spans of fetched traces by name, and not their located ones', () => {
    const t = summary({ name: 'agent-run' });
    const d = detail(t, [
      span({ name: 'agent-run', code_file: '/home/dev/app/src/agent.ts', code_line: 4 }),
      span({ name: 'retrieve-docs', duration_ms: 40, cost_source: 'unpriced' }),
    ]);
    const names = buildNameIndex([t], [d]);
    assert.deepEqual([...names.keys()], ['retrieve-docs']);
    assert.equal(names.get('retrieve-docs')!.unpriced_runs, 1);
    const lenses = lensesForDocument(doc, [], names, folders);
    assert.deepEqual(lenses.map((l) => [l.line, l.target.name, l.target.lastSpanId]), [[6, 'retrieve-docs', d.spans[1].span_id]]);
  });

  it('gives a name that has a call site somewhere no second lens by name', () => {
    const names = buildNameIndex([summary({ name: 'agent-run' })], []);
    const lenses = lensesForDocument(doc, [callSite({ name: 'agent-run', code_file: '/elsewhere/x.ts' })], names, folders);
    assert.deepEqual(lenses, []);
  });

  it('takes the median of an even and an odd number of durations', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), 0);
  });
});

describe('the latest runs behind a lens', () => {
  it('lists the spans of that code location, newest first, from every trace searched', () => {
    const target = { name: 'agent-run', codeFiles: ['/app/src/agent.ts'], codeLine: 4, lastTraceId: 'a'.repeat(32), lastSpanId: null };
    const older = detail(summary({ name: 'agent-run' }), [span({ name: 'agent-run', code_file: '/app/src/agent.ts', code_line: 4, start_time: 100 })]);
    const newer = detail(summary({ name: 'agent-run' }), [
      span({ name: 'agent-run', code_file: '/app/src/agent.ts', code_line: 4, start_time: 200, status: 'error', status_message: 'rate limited' }),
      span({ name: 'agent-run', code_file: '/app/src/agent.ts', code_line: 9, start_time: 300 }),
    ]);
    const runs = latestRuns([older, null, newer], target);
    assert.deepEqual(runs.map((r) => r.span.start_time), [200, 100]);
    const row = runRow(runs[0], 1_000);
    assert.match(row.label, /^\$\(error\) /);
    assert.equal(row.description, '100ms · error');
    assert.equal(row.detail, 'rate limited');
  });

  it('matches name lenses by name among spans without a location', () => {
    const target = { name: 'retrieve-docs', codeFiles: [], codeLine: null, lastTraceId: 'a'.repeat(32), lastSpanId: null };
    const d = detail(summary({ name: 'agent' }), [span({ name: 'retrieve-docs' }), span({ name: 'retrieve-docs', code_file: '/x.ts', code_line: 1 })]);
    const runs = latestRuns([d], target);
    assert.equal(runs.length, 1);
    assert.equal(runRow(runs[0], Date.now()).detail, 'in trace agent');
  });

  it('keeps icon syntax in span text from turning into icons in the Quick Pick', () => {
    const target = { name: 'x', codeFiles: [], codeLine: null, lastTraceId: 'a'.repeat(32), lastSpanId: null };
    const d = detail(summary({ name: '$(alert) urgent' }), [span({ name: 'x', status: 'error', status_message: '$(check) fine' })]);
    const row = runRow(latestRuns([d], target)[0], Date.now());
    assert.equal(row.detail, 'in trace $\u200b(alert) urgent — $\u200b(check) fine');
  });
});

// Issue 5 through both clients of the collector: the window that owns it (real worker thread,
// dist/collector-worker.js) and a window that shares it over real loopback HTTP. Run Evals (with
// an llm_judge the worker sends to the main thread), the postmortem, the budget, the SQL console
// and the eval summaries must read the same from either side.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CollectorConnection, type ConnectionOptions, type ConnectionState } from '../../../extension/client/collector-connection';
import { requestLocal } from '../../../extension/client/http-collector';
import type { CollectorApi } from '../../../extension/server/rpc';
import { topTracesSql, usageReport } from '../../../extension/ui/usage-report';

const workerScript = path.resolve(__dirname, '../../../dist/collector-worker.js');
const TOKEN = 'sl-test-token';
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const GOOD = hex(0xa1, 32);
const FAILED = hex(0xb2, 32);
const MISSING = hex(0xc3, 32);

const EVALS = {
  evals: [
    { name: 'says-paris', type: 'contains', value: 'Paris', match: { name: 'answer' } },
    { name: 'polite', type: 'llm_judge', rubric: 'Is the answer polite?', match: { name: 'answer' } },
    { name: 'fast', type: 'max_latency_ms', max: 1000, match: { kind: 'llm' } },
  ],
};

function ready(c: CollectorConnection): Promise<ConnectionState> {
  if (c.state.phase === 'ready') return Promise.resolve(c.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready state within 20 s (last: ${JSON.stringify(c.state)})`)), 20_000);
    const sub = c.onState((s) => {
      if (s.phase !== 'ready' && s.phase !== 'failed') return;
      clearTimeout(timer);
      sub.dispose();
      if (s.phase === 'failed') reject(new Error(s.error ?? 'failed'));
      else resolve(s);
    });
  });
}

describe('judging and accounting through both collector clients (real worker, real HTTP)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let owner: CollectorConnection;
  let client: CollectorConnection;
  const prompts: string[] = [];

  before(async () => {
    assert.ok(existsSync(workerScript), `${workerScript} is missing: run npm run build first`);
    dataDir = mkdtempSync(path.join(tmpdir(), 'stacklens-judging-'));
    const evalsFile = path.join(dataDir, 'evals.json');
    writeFileSync(evalsFile, JSON.stringify(EVALS));
    const base: ConnectionOptions = { workerScript, dataDir, port: 0, token: TOKEN, pollIntervalMs: 200 };
    owner = new CollectorConnection({
      ...base,
      evalsFile,
      budget: { monthlyUsd: 0.5, hardLimit: true, warnAtPct: 50, perTag: { support: 0.1 } },
      judge: { kind: 'main' },
      // VS Code's language model stands outside StackLens: this answers as one would
      mainThreadJudge: async (prompt) => {
        prompts.push(prompt);
        return '{"score": 0.9, "reason": "polite and on topic"}';
      },
    });
    void owner.start();
    const state = await ready(owner);
    client = new CollectorConnection({ ...base, port: state.port! });
    void client.start();
    assert.equal((await ready(client)).role, 'client');

    const now = Date.now();
    const spans = [
      { trace_id: GOOD, span_id: hex(1, 16), name: 'support-agent', kind: 'agent', start_time: now - 5000, duration_ms: 3000, tags: ['support'] },
      { trace_id: GOOD, span_id: hex(2, 16), parent_span_id: hex(1, 16), name: 'answer', model: 'gpt-4o', input_tokens: 900, output_tokens: 60, cost_usd: 0.4, start_time: now - 4900, duration_ms: 2400, completion: 'The capital of France is Paris.', code_file: '/app/src/agent.ts', code_line: 12 },
      { trace_id: FAILED, span_id: hex(3, 16), name: 'refund-agent', kind: 'agent', start_time: now - 3000, duration_ms: 900, status: 'error', status_message: 'tool failed' },
      { trace_id: FAILED, span_id: hex(4, 16), parent_span_id: hex(3, 16), name: 'lookup_order', kind: 'tool', start_time: now - 2900, duration_ms: 100, status: 'error', status_message: 'order 17 not found' },
    ];
    const posted = await requestLocal(state.port!, 'POST', '/api/v1/spans', { token: TOKEN, body: { spans } });
    assert.equal(posted.statusCode, 200, posted.body);
  });

  after(async () => {
    await client?.dispose();
    await owner?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const both = (): Array<[string, CollectorApi]> => [['owner (worker)', owner], ['client (HTTP)', client]];

  it('runs the evaluators on demand, the llm_judge answered by the main thread', async () => {
    const run = await owner.runEvals(GOOD);
    assert.ok(run);
    assert.equal(run.evaluators, 3);
    const verdicts = Object.fromEntries(run.scores.map((s) => [s.name, [s.value, s.label, s.reason]]));
    assert.deepEqual(verdicts['says-paris'], [1, 'pass', 'output contains "Paris"']);
    assert.deepEqual(verdicts.polite, [0.9, 'pass', 'polite and on topic (judge score 0.9, threshold 0.5)']);
    assert.equal(verdicts.fast[1], 'fail');
    assert.match(String(verdicts.fast[2]), /2400 ms/);
    assert.ok(prompts.some((p) => p.includes('Is the answer polite?') && p.includes('The capital of France is Paris.')), 'the judge saw the rubric and the answer');
    assert.deepEqual(run.errors, []);
  });

  it('runs them from a window that shares the collector too, replacing the verdicts instead of adding', async () => {
    const run = await client.runEvals(GOOD);
    assert.equal(run?.scores.length, 3);
    const detail = await client.getTrace(GOOD);
    assert.equal(detail!.scores.filter((s) => s.source === 'eval').length, 3);
  });

  it('answers null for a trace that is not stored, from either window', async () => {
    for (const [who, api] of both()) {
      assert.equal(await api.runEvals(MISSING), null, who);
      assert.equal(await api.postmortem(MISSING), null, who);
    }
  });

  it('builds the postmortem of a failed trace down to its root cause', async () => {
    for (const [who, api] of both()) {
      const pm = await api.postmortem(FAILED);
      assert.ok(pm, who);
      assert.equal(pm.kind, 'failure');
      assert.equal(pm.root_cause?.name, 'lookup_order');
      assert.equal(pm.root_cause?.error, 'order 17 not found');
      assert.ok(pm.whys.some((w) => w.span_id === hex(4, 16)), 'a why points at the root-cause span');
      assert.match(pm.markdown, /^# Postmortem: refund-agent/);
    }
  });

  it('states the budget from the settings the worker was given', async () => {
    for (const [who, api] of both()) {
      const b = await api.budget();
      assert.equal(b.limit_usd, 0.5, who);
      assert.equal(b.hard_limit, true);
      assert.ok(Math.abs(b.spent_usd - 0.4) < 1e-9);
      assert.equal(b.warn, true, '80% of the limit is past the 50% warning');
      assert.equal(b.exceeded, false);
      assert.deepEqual(b.tags.map((t) => [t.tag, t.exceeded]), [['support', true]]);
    }
  });

  it('answers read-only SQL and refuses writes with the line the store gave', async () => {
    for (const [who, api] of both()) {
      const r = await api.sql('SELECT name FROM spans WHERE trace_id = \'' + FAILED + '\' ORDER BY name');
      assert.deepEqual(r, { columns: ['name'], rows: [['lookup_order'], ['refund-agent']], row_count: 2, truncated: false }, who);
      await assert.rejects(api.sql('DELETE FROM spans'), (e: Error) => /^query refused: only SELECT, WITH or EXPLAIN statements are allowed, not DELETE/.test(e.message), who);
      await assert.rejects(api.sql('SELECT 1; DROP TABLE spans'), (e: Error) => /only one statement is allowed/.test(e.message), who);
    }
    assert.equal((await owner.sql('SELECT COUNT(*) FROM spans')).rows[0][0], 4, 'nothing was deleted');
  });

  it('summarises eval scores overall and per call site, for this week against last', async () => {
    const weekAgo = Date.now() - 7 * 86_400_000;
    for (const [who, api] of both()) {
      const summary = await api.evalSummary({ since: weekAgo });
      assert.equal(summary.overall.runs, 3, who);
      assert.deepEqual(summary.evaluators.map((e) => e.name), ['fast', 'polite', 'says-paris']);
      const sites = await api.evalCallSites({ since: weekAgo });
      assert.deepEqual(sites.map((s) => [s.code_file, s.code_line, s.runs, s.pass_rate]), [['/app/src/agent.ts', 12, 3, 2 / 3]]);
      assert.deepEqual(await api.evalCallSites({ since: weekAgo - 7 * 86_400_000, until: weekAgo }), []);
      const status = await api.evalsStatus();
      assert.equal(status.exists, true);
      assert.equal(status.judge, true);
      assert.deepEqual(status.evaluators.map((e) => e.name), ['says-paris', 'polite', 'fast']);
    }
  });

  it('builds the dashboard report of a range: stats, budget, the most expensive and the slowest traces', async () => {
    const since = Date.now() - 86_400_000;
    for (const [who, api] of both()) {
      const r = await usageReport(api, since, Date.now() + 1000);
      assert.equal(r.stats.totals.calls, 1, who);
      assert.ok(Math.abs(r.stats.totals.cost_usd - 0.4) < 1e-9);
      assert.equal(r.budget?.limit_usd, 0.5);
      assert.deepEqual(r.expensive.map((t) => [t.name, t.total_cost_usd]), [['support-agent', 0.4]], 'a trace without cost is not "expensive"');
      assert.deepEqual(r.slowest.map((t) => [t.name, t.duration_ms, t.status]), [['support-agent', 3000, 'ok'], ['refund-agent', 900, 'error']]);
      const later = await usageReport(api, Date.now() + 60_000, Date.now() + 120_000);
      assert.deepEqual([later.stats.totals.calls, later.expensive, later.slowest], [0, [], []]);
    }
  });

  it('asks the store for the top traces with numbers only', () => {
    assert.equal(topTracesSql('duration_ms', 1000.4, 2000.2, 3), 'SELECT trace_id, name, start_time, duration_ms, total_cost_usd, unpriced_call_count, call_count, status FROM trace_costs WHERE start_time >= 1000 AND start_time < 2001 ORDER BY duration_ms DESC, start_time DESC LIMIT 3');
  });
});

// Issue 5 inside a real VS Code: the usage dashboard and SQL console open as a webview, the status
// bar shows spend against a budget set in settings, and Run Evals scores a trace with the
// workspace's .stacklens/evals.json.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as vscode from 'vscode';
import { until } from './support';
import type { StackLensApi } from '../../extension/extension';
import type { TraceEvalRun } from '../../extension/server/rpc';
import { budgetView } from '../../extension/ui/budget-text';

const EXTENSION_ID = 'stacklens.stacklens';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function post(port: number, token: string, route: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: route, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}


const webviewTabs = (viewType: string) =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));

describe('StackLens judging and accounting inside VS Code', function () {
  this.timeout(90_000);
  let api: StackLensApi;

  const ready = async () => {
    const s = await until('the collector is ready', () => {
      const state = api.connection.state;
      if (state.phase === 'failed') throw new Error(`the collector failed: ${state.error}`);
      return state.phase === 'ready' && state.port !== null ? state : null;
    });
    return { port: s.port!, token: s.token };
  };

  before(async () => {
    const extension = vscode.extensions.getExtension<StackLensApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
    api = await extension.activate();
    await ready();
  });

  it('opens the usage dashboard in a webview, and the SQL console in the same one', async () => {
    await vscode.commands.executeCommand('stacklens.openDashboard');
    await until('a StackLens dashboard tab is open', () => webviewTabs('stacklens.dashboard').length === 1);
    assert.equal(api.dashboard.isOpen, true);
    await vscode.commands.executeCommand('stacklens.openSqlConsole');
    assert.equal(webviewTabs('stacklens.dashboard').length, 1, 'one dashboard, switched to its SQL console');
    assert.equal(webviewTabs('stacklens.dashboard')[0].label, 'StackLens Dashboard');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('shows this month\'s spend against the budget in the status bar once one is set', async () => {
    const config = vscode.workspace.getConfiguration('stacklens');
    await config.update('budget.monthlyUsd', 1, vscode.ConfigurationTarget.Global);
    try {
      // the collector restarts with the budget; a priced call makes spend visible
      const { port, token } = await until('the collector came back with the budget', async () => {
        const s = await ready();
        return (await api.connection.budget()).limit_usd === 1 ? s : null;
      });
      const traceId = hex(16);
      assert.equal(await post(port, token, '/api/v1/spans', { trace_id: traceId, name: 'pricey-call', model: 'gpt-4o', input_tokens: 10_000, output_tokens: 1000, cost_usd: 0.9 }), 200);
      const status = await until('the budget counts the call', async () => {
        const b = await api.connection.budget();
        return b.spent_usd >= 0.9 ? b : null;
      });
      assert.equal(status.warn, true, '90% of $1 is past the 80% threshold');
      const expected = budgetView(status)!.text;
      assert.match(expected, /^\$\((warning|error)\) \$[\d.]+ \/ \$1$/);
      await until(`the status bar shows ${expected}`, () => api.budgetBar.text === expected);
      await api.connection.deleteTrace(traceId);
    } finally {
      await config.update('budget.monthlyUsd', undefined, vscode.ConfigurationTarget.Global);
    }
    await until('the budget item hides again without a budget', async () => (await api.connection.budget()).limit_usd === null && api.budgetBar.text === '');
  });

  it('runs the workspace\'s evaluators on a trace and stores their verdicts as scores', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the suite runs with a workspace folder open');
    const dir = path.join(folder, '.stacklens');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'evals.json'), JSON.stringify({
      evals: [
        { name: 'says-paris', type: 'contains', value: 'Paris', match: { name: 'answer' } },
        { name: 'fast', type: 'max_latency_ms', max: 1000, match: { name: 'answer' } },
        { name: 'polite', type: 'llm_judge', rubric: 'Is the answer polite?', match: { name: 'answer' } },
      ],
    }));
    // the judge is VS Code's language models (the default): asked through the main thread
    const models = await vscode.lm.selectChatModels();
    const { port, token } = await ready();
    const traceId = hex(16);
    try {
      assert.equal(await post(port, token, '/api/v1/spans', { trace_id: traceId, name: 'answer', model: 'gpt-4o-mini', input_tokens: 20, output_tokens: 8, duration_ms: 1500, completion: 'The capital of France is Paris.' }), 200);
      const run = await vscode.commands.executeCommand<TraceEvalRun | undefined>('stacklens.runEvals', traceId);
      assert.ok(run, 'Run Evals answered');
      assert.equal(run.evaluators, 3);
      const verdicts = Object.fromEntries(run.scores.filter((s) => s.name !== 'polite').map((s) => [s.name, s.label]));
      assert.deepEqual(verdicts, { 'says-paris': 'pass', fast: 'fail' });
      if (models.length === 0) {
        // no chat model in this VS Code: the llm_judge is an error of the run that says what to do, never a verdict
        assert.deepEqual(run.errors.map((e) => e.evaluator), ['polite']);
        assert.match(run.errors[0].error, /no VS Code language model is available: install and sign in to a chat model extension/);
      } else {
        assert.ok(run.scores.some((s) => s.name === 'polite') || run.errors.some((e) => e.evaluator === 'polite'));
      }
      const detail = await api.connection.getTrace(traceId);
      assert.deepEqual(detail!.scores.filter((s) => s.source === 'eval').map((s) => [s.name, s.reason]).sort(), [
        ['fast', 'took 1500 ms, over the 1000 ms limit'],
        ['says-paris', 'output contains "Paris"'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await api.connection.deleteTrace(traceId).catch(() => undefined);
    }
  });

  it('opens the postmortem of a trace in its panel', async () => {
    const { port, token } = await ready();
    const traceId = hex(16);
    const root = hex(8);
    assert.equal(await post(port, token, '/api/v1/spans', { spans: [
      { trace_id: traceId, span_id: root, name: 'refund-agent', kind: 'agent', status: 'error', status_message: 'a step failed', duration_ms: 900 },
      { trace_id: traceId, span_id: hex(8), parent_span_id: root, name: 'lookup_order', kind: 'tool', status: 'error', status_message: 'order 17 not found', duration_ms: 100 },
    ] }), 200);
    try {
      await vscode.commands.executeCommand('stacklens.postmortem', traceId);
      await until('the trace panel is open', () => api.panels.openTraceIds.includes(traceId));
      const pm = await api.connection.postmortem(traceId);
      assert.equal(pm?.root_cause?.name, 'lookup_order');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await api.connection.deleteTrace(traceId).catch(() => undefined);
    }
  });
});

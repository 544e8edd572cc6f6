// StackLens inside a real VS Code: the extension activates, its collector answers over real
// loopback HTTP, and spans posted to it show up in the Traces tree, as CodeLenses above the fixture
// workspace's calls (test/fixtures/workspace/src/support-agent.ts), in a trace panel, in the
// status bar and in the environment of integrated terminals.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { until } from './support';
import type { StackLensApi } from '../../extension/extension';
import type { TraceTreeNode } from '../../extension/ui/trace-items';
import { openSource } from '../../extension/ui/source-opener';

const EXTENSION_ID = 'stacklens.stacklens';
/** 1-based lines of the calls in the fixture (the SDK records code.line.number 1-based) */
const LINES = { agentRun: 7, documentSummary: 15 };
const FIXTURE = 'src/support-agent.ts';

interface Answer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function request(port: number, method: string, route: string, token?: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) headers['content-type'] = 'application/json';
    const req = http.request({ host: '127.0.0.1', port, method, path: route, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}


const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('StackLens inside VS Code', function () {
  this.timeout(90_000);
  let api: StackLensApi;
  let port: number;
  let token: string;
  const now = Date.now();
  const agentTraces = [hex(16), hex(16), hex(16)];
  const agentRoots = [hex(8), hex(8), hex(8)];
  const summaryTrace = hex(16);
  const failedChild = hex(8);

  before(async () => {
    const extension = vscode.extensions.getExtension<StackLensApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
    api = await extension.activate();
    const state = await until('the collector is ready', () => {
      const s = api.connection.state;
      if (s.phase === 'failed') throw new Error(`the collector failed: ${s.error}`);
      return s.phase === 'ready' && s.port !== null ? s : null;
    });
    port = state.port!;
    token = state.token;
  });

  after(async () => {
    // Leave the data folder as it was: the next run counts its own runs only.
    for (const id of [...agentTraces, summaryTrace]) await request(port, 'DELETE', `/api/v1/traces/${id}`, token).catch(() => undefined);
  });

  it('activates and runs a collector that answers GET /healthz on its port', async () => {
    const state = api.connection.state;
    assert.equal(state.role, 'owner');
    assert.equal(state.url, `http://127.0.0.1:${port}`);
    const health = await request(port, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.json.service, 'stacklens');
    assert.equal((await request(port, 'GET', '/api/v1/traces')).status, 401, 'the API must want the token');
  });

  it('gives integrated terminals the collector address and token', async () => {
    const url = `http://127.0.0.1:${port}`;
    assert.equal(api.terminals.variable('STACKLENS_ENDPOINT'), url);
    assert.equal(api.terminals.variable('STACKLENS_API_KEY'), token);
    assert.equal(api.terminals.variable('OTEL_EXPORTER_OTLP_ENDPOINT'), url);
    assert.equal(api.terminals.variable('OTEL_EXPORTER_OTLP_HEADERS'), `Authorization=Bearer%20${token}`);
    // And a real terminal process sees it.
    const out = path.join(tmpdir(), `stacklens-env-${hex(4)}.txt`);
    const terminal = vscode.window.createTerminal({ name: 'StackLens env check', shellPath: '/bin/sh', shellArgs: ['-c', `printf '%s' "$STACKLENS_ENDPOINT" > '${out}'`] });
    try {
      const written = await until('the terminal wrote its environment', () => existsSync(out) && readFileSync(out, 'utf8'));
      assert.equal(written, url);
    } finally {
      terminal.dispose();
      rmSync(out, { force: true });
    }
  });

  it('lists spans POSTed to the collector in the Traces tree, live, with their span hierarchy', async () => {
    const spans = agentTraces.flatMap((traceId, i) => {
      const start = now - 60_000 + i * 10_000;
      const duration = [1000, 1200, 1500][i];
      const root = {
        trace_id: traceId, span_id: agentRoots[i], name: 'agent-run', kind: 'agent', start_time: start, duration_ms: duration,
        model: 'gpt-4o-mini', provider: 'openai', input_tokens: 200, output_tokens: 150, cost_usd: [0.01, 0.012, 0.012][i],
        code_file: `/app/${FIXTURE}`, code_line: LINES.agentRun, code_function: 'answer',
        // the third run fails: its lookup failed and the agent gave up (the root's status is the trace's)
        ...(i === 2 ? { status: 'error', status_message: 'could not answer: order 17 not found' } : {}),
      };
      const child = {
        trace_id: traceId, span_id: i === 2 ? failedChild : hex(8), parent_span_id: agentRoots[i], name: 'lookup-order', kind: 'tool',
        start_time: start + 10, duration_ms: 50, ...(i === 2 ? { status: 'error', status_message: 'order 17 not found' } : {}),
      };
      return [root, child];
    });
    const posted = await request(port, 'POST', '/api/v1/spans', token, { spans });
    assert.equal(posted.status, 200, JSON.stringify(posted.json));

    const roots = await until('the tree lists the three traces', async () => {
      const nodes = await api.traces.getChildren();
      const ours = nodes.filter((n) => n.type === 'trace' && agentTraces.includes(n.summary.trace_id));
      return ours.length === 3 ? ours : null;
    });
    // Newest first.
    assert.deepEqual(roots.map((n) => (n.type === 'trace' ? n.summary.trace_id : '')), [...agentTraces].reverse());
    const failed = roots[0];
    const item = api.traces.getTreeItem(failed);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match(String(item.description), /^1\.5s · \$0\.012 · 350 tok · /);
    const children = await api.traces.getChildren(failed);
    assert.equal(children.length, 1);
    const child = children[0] as Extract<TraceTreeNode, { type: 'span' }>;
    assert.equal(child.tree.span.name, 'lookup-order');
    const childItem = api.traces.getTreeItem(child);
    assert.equal((childItem.iconPath as vscode.ThemeIcon).id, 'error');
    // appendText escapes the message (spaces become &nbsp;): the span's text is shown, never interpreted.
    assert.match((childItem.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' '), /\*\*Error\*\*: order 17 not found/);
  });

  it('filters the tree by status', async () => {
    api.traces.setFilter({ status: 'error' });
    try {
      const nodes = await until('the filtered list arrives', async () => {
        const list = await api.traces.getChildren();
        return list.every((n) => n.type !== 'trace' || n.summary.status === 'error') && list.some((n) => n.type === 'trace' && n.summary.trace_id === agentTraces[2]) ? list : null;
      });
      assert.ok(!nodes.some((n) => n.type === 'trace' && n.summary.trace_id === agentTraces[0]));
    } finally {
      api.traces.setFilter({});
    }
  });

  it('puts a CodeLens with runs, p50, cost and score above the traced call site', async () => {
    const score = await request(port, 'POST', '/api/v1/scores', token, { trace_id: agentTraces[0], span_id: agentRoots[0], name: 'relevance', value: 0.87 });
    assert.equal(score.status, 200, JSON.stringify(score.json));
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, FIXTURE);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lens = await until('the lens above startTrace("agent-run") has its title', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
      return lenses.find((l) => l.range.start.line === LINES.agentRun - 1 && l.command?.command === 'stacklens.showRuns' && l.command.title.includes('score'));
    });
    assert.match(lens.command!.title, /^3 runs · p50 1\.2s · \$0\.034 · score 0\.87 · \d+s ago$/);
  });

  it('gives a span without a code location a lens where the source names it', async () => {
    const posted = await request(port, 'POST', '/api/v1/spans', token, {
      trace_id: summaryTrace, name: 'document-summary', model: 'gpt-4o', provider: 'openai',
      input_tokens: 850, output_tokens: 120, cost_usd: 0.0012, duration_ms: 800, start_time: Date.now() - 1000,
    });
    assert.equal(posted.status, 200, JSON.stringify(posted.json));
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, FIXTURE);
    const lens = await until('the lens above trace("document-summary")', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
      return lenses.find((l) => l.range.start.line === LINES.documentSummary - 1 && l.command?.command === 'stacklens.showRuns');
    });
    assert.match(lens.command!.title, /^1 run · p50 800ms · \$0\.0012 · (just now|\d+s ago)$/);
  });

  it('opens a trace panel from the Open Trace command', async () => {
    await vscode.commands.executeCommand('stacklens.openTrace', agentTraces[1], agentRoots[1]);
    const tab = await until('a StackLens trace panel is open', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('stacklens.trace')),
    );
    assert.ok(tab);
    assert.ok(api.panels.openTraceIds.includes(agentTraces[1]));
    // Opening the same trace again brings its panel forward instead of opening a second one.
    await vscode.commands.executeCommand('stacklens.openTrace', agentTraces[1]);
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('stacklens.trace'));
    assert.equal(panels.length, 1);
    // The title comes from the trace the host sends once the panel's script says it is ready.
    await until('the panel shows the trace (its title is the trace name)', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === 'Trace: agent-run'), 30_000);
  });

  it('opens the latest run of a lens from its Quick Pick of runs', async () => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, FIXTURE);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    const lens = lenses.find((l) => l.range.start.line === LINES.agentRun - 1 && l.command?.command === 'stacklens.showRuns');
    assert.ok(lens?.command, 'no StackLens lens above startTrace("agent-run")');
    const picking = vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    // The runs load, then the newest (the first row) is picked as a person would with Enter.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await picking;
    await until('the panel of the newest agent-run trace is open', () => api.panels.openTraceIds.includes(agentTraces[2]));
  });

  it('goes to the source of a span recorded in a container, at its line', async () => {
    const opened = await openSource(`/app/${FIXTURE}`, LINES.documentSummary);
    assert.equal(opened, true);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.ok(editor.document.uri.fsPath.endsWith(path.join('src', 'support-agent.ts')));
    assert.equal(editor.selection.active.line, LINES.documentSummary - 1);
    assert.equal(await openSource('/app/src/not-in-this-workspace.ts', 3), false);
  });

  it('shows the collector port and today\'s calls and cost in the status bar', async () => {
    await until('the status bar shows today\'s figures', () => /^\$\(pulse\) StackLens :\d+ · \d+ calls? · \$[\d.]+ today$/.test(api.statusBar.text));
    assert.ok(api.statusBar.text.includes(`:${port}`));
  });
});

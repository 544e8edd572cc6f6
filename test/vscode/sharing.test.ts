// Issue 6 inside a real VS Code: privacy and forwarding settings reach the collector (header
// values through SecretStorage), forwarding health shows in the status bar, the collector's MCP
// server is registered with VS Code, and `.stacklens.json` files export, open in the trace panel
// (a custom editor) and import.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { until } from './support';
import type { StackLensApi } from '../../extension/extension';

const EXTENSION_ID = 'stacklens.stacklens';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

interface Answer {
  status: number;
  text: string;
}

function request(port: number, method: string, route: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: route, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}


/** An OTLP/HTTP receiver on loopback that records what was forwarded to it and answers `status`. */
function upstream() {
  const received: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{}' : '{"message":"bad credentials"}');
    });
  });
  return {
    received,
    answer: (next: number) => (status = next),
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('StackLens privacy, forwarding, MCP and trace files inside VS Code', function () {
  this.timeout(90_000);
  let api: StackLensApi;
  const created: string[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'stacklens-files-'));

  const ready = async () => {
    const s = await until('the collector is ready', () => {
      const state = api.connection.state;
      if (state.phase === 'failed') throw new Error(`the collector failed: ${state.error}`);
      return state.phase === 'ready' && state.port !== null ? state : null;
    });
    return { port: s.port!, token: s.token, url: s.url! };
  };

  /** Runs `change` and waits for the collector it restarts to be ready again. */
  const restartedBy = async (change: () => Thenable<unknown> | Promise<unknown>) => {
    let restarted = false;
    const sub = api.connection.onState((s) => {
      if (s.phase === 'starting') restarted = true;
    });
    try {
      await change();
      await until('the collector restarted', () => restarted && api.connection.state.phase === 'ready');
    } finally {
      sub.dispose();
    }
    return ready();
  };

  const postSpan = async (body: Record<string, unknown>) => {
    const { port, token } = await ready();
    const traceId = hex(16);
    const answer = await request(port, 'POST', '/api/v1/spans', token, { trace_id: traceId, ...body });
    assert.equal(answer.status, 200, answer.text);
    created.push(traceId);
    return traceId;
  };

  before(async () => {
    const extension = vscode.extensions.getExtension<StackLensApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
    api = await extension.activate();
    await ready();
  });

  after(async () => {
    for (const id of created) await api.connection.deleteTrace(id).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps prompts out of the store when stacklens.privacy.captureContent is off, and redacts a custom pattern', async () => {
    const config = vscode.workspace.getConfiguration('stacklens');
    await restartedBy(async () => {
      await config.update('privacy.captureContent', false, vscode.ConfigurationTarget.Global);
      await config.update('privacy.redact.patterns', [{ name: 'ticket_id', regex: 'TCK-[0-9]{6}' }], vscode.ConfigurationTarget.Global);
    });
    try {
      const traceId = await postSpan({ name: 'answer', model: 'gpt-4o', prompt: 'the customer wrote: help', completion: 'sure', attributes: { ticket: 'TCK-123456' } });
      const span = (await api.connection.getTrace(traceId))!.spans[0];
      assert.equal(span.input, null);
      assert.equal(span.output, null);
      assert.equal(span.attributes['stacklens.content_capture'], 'off');
      assert.equal(span.attributes.ticket, '[REDACTED:ticket_id]');
    } finally {
      await restartedBy(async () => {
        await config.update('privacy.captureContent', undefined, vscode.ConfigurationTarget.Global);
        await config.update('privacy.redact.patterns', undefined, vscode.ConfigurationTarget.Global);
      });
    }
    const traceId = await postSpan({ name: 'answer', model: 'gpt-4o', prompt: 'content again' });
    assert.equal((await api.connection.getTrace(traceId))!.spans[0].input, 'content again', 'with the setting back, content is kept');
  });

  it('forwards spans with a header kept in SecretStorage, and shows forwarding health in the status bar', async () => {
    const receiver = upstream();
    const upstreamPort = await receiver.listen();
    const config = vscode.workspace.getConfiguration('stacklens');
    const secretValue = `team-${hex(4)}`;
    try {
      await restartedBy(async () => {
        await config.update('forward.endpoint', `http://127.0.0.1:${upstreamPort}`, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand('stacklens.setForwardHeader', 'x-team-key', secretValue);
      });
      assert.deepEqual(vscode.workspace.getConfiguration('stacklens').get('forward.headers'), ['x-team-key'], 'the setting holds the name only');
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('stacklens').inspect('forward.headers')).includes(secretValue));

      await postSpan({ name: 'forwarded-call', model: 'gpt-4o-mini' });
      const sent = await until('the upstream received a batch', () => receiver.received[0]);
      assert.equal(sent.path, '/v1/traces');
      assert.equal(sent.headers['x-team-key'], secretValue);
      await api.statusBar.refresh();
      assert.match(api.statusBar.tooltipText, new RegExp(`Forwarding to http://127\\.0\\.0\\.1:${upstreamPort}/v1/traces: ok`));

      // the upstream refuses for good: the status bar says so
      receiver.answer(401);
      await postSpan({ name: 'refused-call', model: 'gpt-4o-mini' });
      await until('the status bar shows forwarding failing', async () => {
        await api.statusBar.refresh();
        return /: failing/.test(api.statusBar.tooltipText) && /Forwarding problem/.test(api.statusBar.tooltipText);
      });
      assert.ok(api.statusBar.text.startsWith('$(warning)'), api.statusBar.text);
    } finally {
      await restartedBy(async () => {
        await vscode.commands.executeCommand('stacklens.setForwardHeader', 'x-team-key', '');
        await config.update('forward.endpoint', undefined, vscode.ConfigurationTarget.Global);
      });
      await receiver.close();
    }
    assert.deepEqual(await api.connection.forwarding(), { enabled: false });
  });

  it('registers the collector\'s MCP server with VS Code, and copies the mcp.json configuration', async () => {
    const { port, token, url } = await ready();
    const hasApi = typeof (vscode.lm as unknown as { registerMcpServerDefinitionProvider?: unknown }).registerMcpServerDefinitionProvider === 'function';
    assert.equal(api.mcp.registered, hasApi);
    const [major, minor] = vscode.version.split('.').map(Number);
    if (major > 1 || minor >= 101) assert.ok(api.mcp.registered, `VS Code ${vscode.version} has the MCP API (1.101+): the server must be registered`);
    const [definition] = api.mcp.definitions();
    assert.equal(definition.label, 'StackLens');
    assert.equal(definition.uri.toString(), `${url}/mcp`);
    assert.deepEqual(definition.headers, { Authorization: `Bearer ${token}` });
    // the definition is one an MCP client can use: initialize answers with the server's info
    const answer = await request(port, 'POST', '/mcp', token, {
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'stacklens-vscode-test', version: '1' } },
    }, { accept: 'application/json, text/event-stream' });
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.text, /"serverInfo"/);

    const snippet = await vscode.commands.executeCommand<string>('stacklens.copyMcpConfiguration');
    assert.equal(JSON.parse(snippet).servers.stacklens.url, `${url}/mcp`);
    assert.equal(await vscode.env.clipboard.readText(), snippet);
  });

  it('exports a trace to a .stacklens.json file, opens it in the trace panel as a custom editor, and imports it back', async () => {
    const traceId = await postSpan({ name: 'plan trip', model: 'gpt-4o-mini', input_tokens: 40, output_tokens: 9, prompt: 'a weekend in Lyon' });
    const target = vscode.Uri.file(path.join(dir, `plan-trip-${traceId.slice(0, 8)}.stacklens.json`));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('stacklens.exportTrace', traceId, target);
    assert.equal(written?.fsPath, target.fsPath);
    assert.ok(existsSync(target.fsPath));
    const file = JSON.parse(readFileSync(target.fsPath, 'utf8'));
    assert.deepEqual(file.stacklens.traces.map((t: { trace_id: string }) => t.trace_id), [traceId]);

    // opened like any file: the custom editor (priority default) shows it, nothing is imported
    assert.ok(await api.connection.deleteTrace(traceId));
    await vscode.commands.executeCommand('vscode.open', target);
    const editor = await until('the trace file shows in the trace panel', () =>
      api.traceFiles.open.find((e) => e.document.uri.fsPath === target.fsPath && e.panel.isReady && e.panel.shownTrace?.trace.trace_id === traceId));
    assert.equal(editor.panel.shownTrace!.spans[0].input, 'a weekend in Lyon');
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === target.fsPath);
    assert.equal((tab?.input as vscode.TabInputCustom | undefined)?.viewType, 'stacklens.traceFile');
    assert.equal(await api.connection.getTrace(traceId), null, 'opening a file does not import it');

    // "Import into StackLens" from the editor's title
    const imported = await vscode.commands.executeCommand<{ traces: string[] } | undefined>('stacklens.traceFile.import', target);
    assert.deepEqual(imported?.traces, [traceId]);
    assert.equal((await api.connection.getTrace(traceId))?.spans[0].input, 'a weekend in Lyon');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows why a damaged trace file cannot be read instead of an empty panel', async () => {
    const broken = vscode.Uri.file(path.join(dir, 'broken.stacklens.json'));
    await vscode.workspace.fs.writeFile(broken, new TextEncoder().encode('{"resourceSpans": [], "stacklens": {"format": 99}}'));
    await vscode.commands.executeCommand('vscode.open', broken);
    const editor = await until('the broken file has an editor', () => api.traceFiles.open.find((e) => e.document.uri.fsPath === broken.fsPath && e.panel.isReady));
    assert.match(editor.document.error ?? '', /broken\.stacklens\.json is not a StackLens trace file StackLens can read: /);
    assert.equal(editor.panel.shownTrace, null);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

// The window's connection to the collector, with the real collector worker (dist/collector-worker.js,
// real sql.js store, real loopback HTTP). Two connections in this process play two VS Code windows
// sharing one data folder.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CollectorConnection, type ConnectionOptions, type ConnectionState } from '../../../extension/client/collector-connection';
import { requestLocal } from '../../../extension/client/http-collector';
import type { StoreChange } from '../../../extension/server/store/api';

const workerScript = path.resolve(__dirname, '../../../dist/collector-worker.js');
const TOKEN = 'sl-test-token';

function waitFor<T>(what: string, subscribe: (fire: (value: T) => void) => { dispose(): void }, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const sub = subscribe((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

const settled = (c: CollectorConnection) =>
  c.state.phase === 'ready' || c.state.phase === 'failed' ? Promise.resolve(c.state) : waitFor<ConnectionState>('a settled state', c.onState, (s) => s.phase === 'ready' || s.phase === 'failed');

async function postSpan(port: number, name: string): Promise<string> {
  const answer = await requestLocal(port, 'POST', '/api/v1/spans', { token: TOKEN, body: { name, model: 'gpt-4o', input_tokens: 10, output_tokens: 5, duration_ms: 20 } });
  assert.equal(answer.statusCode, 200, answer.body);
  return (JSON.parse(answer.body) as { trace_id: string }).trace_id;
}

describe('the connection of a window to the collector (real worker, real HTTP)', function () {
  this.timeout(60_000);
  let dataDir: string;
  const open: CollectorConnection[] = [];
  const connect = (options: Partial<ConnectionOptions>) => {
    const c = new CollectorConnection({ workerScript, dataDir, port: 0, token: TOKEN, pollIntervalMs: 200, ...options });
    open.push(c);
    return c;
  };

  before(() => assert.ok(existsSync(workerScript), `${workerScript} is missing: run npm run build first`));
  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'stacklens-connection-'))));
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.dispose()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the collector in a worker and announces the spans that arrive over HTTP', async () => {
    const window = connect({});
    void window.start();
    const state = await settled(window);
    assert.equal(state.phase, 'ready', state.error ?? '');
    assert.equal(state.role, 'owner');
    assert.ok(state.port && state.port > 0);
    const health = await requestLocal(state.port, 'GET', '/healthz');
    assert.equal(JSON.parse(health.body).service, 'stacklens');

    const changed = waitFor<StoreChange>('a change event', window.onChange, (c) => c.trace_ids.length > 0);
    const traceId = await postSpan(state.port, 'document-summary');
    assert.ok((await changed).trace_ids.includes(traceId));
    const traces = await window.listTraces({ limit: 10 });
    assert.deepEqual(traces.map((t) => t.trace_id), [traceId]);
    assert.equal((await window.getTrace(traceId))?.spans[0].name, 'document-summary');
  });

  it('lets a second window share the first window\'s collector, then take over when it closes', async () => {
    const first = connect({});
    await first.start();
    assert.equal(first.state.role, 'owner');
    const port = first.state.port!;
    const before = await postSpan(port, 'before-takeover');

    const second = connect({ port });
    await second.start();
    assert.equal(second.state.phase, 'ready', second.state.error ?? '');
    assert.equal(second.state.role, 'client');
    assert.equal(second.state.port, port);
    assert.deepEqual((await second.listTraces({})).map((t) => t.trace_id), [before]);

    // The shared window hears about new traces by polling.
    const heard = waitFor<StoreChange>('a polled change', second.onChange, (c) => c.trace_ids.length > 0);
    const during = await postSpan(port, 'while-shared');
    assert.deepEqual((await heard).trace_ids, [during]);

    // The first window closes (flushes and snapshots); the second takes over the port and the data.
    const owner = waitFor<ConnectionState>('the takeover', second.onState, (s) => s.phase === 'ready' && s.role === 'owner');
    await first.dispose();
    const state = await owner;
    assert.equal(state.port, port);
    const ids = (await second.listTraces({})).map((t) => t.trace_id).sort();
    assert.deepEqual(ids, [before, during].sort());
    const after = await postSpan(port, 'after-takeover');
    assert.ok((await second.listTraces({})).some((t) => t.trace_id === after));
  });

  it('says which port another program holds, and moves to a free port when asked', async () => {
    const squatter = http.createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as AddressInfo).port;
    try {
      const window = connect({ port: taken });
      await window.start();
      assert.equal(window.state.phase, 'failed');
      assert.equal(window.state.conflictPort, taken);
      assert.match(window.state.error!, new RegExp(`^port ${taken} is in use by another program .*: use a free port, or set stacklens.port to one that is free$`));
      await assert.rejects(window.listTraces({}), /the StackLens collector is not running: port \d+ is in use/);

      await window.useFreePort();
      assert.equal(window.state.phase, 'ready', window.state.error ?? '');
      assert.equal(window.state.role, 'owner');
      assert.notEqual(window.state.port, taken);
      assert.equal(window.state.conflictPort, null);
    } finally {
      squatter.close();
    }
  });

  it('answers requests made while it is still starting once it is ready', async () => {
    const window = connect({});
    const early = window.listTraces({ limit: 5 });
    void window.start();
    assert.deepEqual(await early, []);
  });

  it('refuses requests after it was disposed, with the reason', async () => {
    const window = connect({});
    await window.start();
    await window.dispose();
    assert.equal(window.state.phase, 'stopped');
    await assert.rejects(window.listTraces({}), /the StackLens collector is not running/);
  });
});

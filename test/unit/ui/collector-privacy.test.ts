// The privacy, forwarding, trace-file and encryption options as the extension passes them: through
// CollectorConnection to the real collector worker (dist/collector-worker.js, real store, real
// loopback HTTP), and the same API over HTTP as a second window uses it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CollectorConnection, type ConnectionOptions, type ConnectionState } from '../../../extension/client/collector-connection';
import { HttpCollector, requestLocal } from '../../../extension/client/http-collector';
import { isStoreKeyError, storeKeyFor, STORE_KEY_SECRET, type SecretStore } from '../../../extension/client/store-key';
import { startCollector, type Collector } from '../../../extension/server/collector';

const workerScript = path.resolve(__dirname, '../../../dist/collector-worker.js');
const TOKEN = 'sl-privacy-test';

async function settled(c: CollectorConnection): Promise<ConnectionState> {
  for (let i = 0; i < 300; i++) {
    if (c.state.phase === 'ready' || c.state.phase === 'failed') return c.state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the connection did not settle: ${c.state.phase}`);
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
  }
}

describe('privacy and forwarding settings reach the collector worker', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  const connections: CollectorConnection[] = [];
  const collectors: Collector[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stacklens-privacy-'));
    dirs.push(dir);
    return dir;
  };
  const connect = (options: Partial<ConnectionOptions>) => {
    const c = new CollectorConnection({ workerScript, dataDir: tempDir(), port: 0, token: TOKEN, ownerGraceMs: 2000, ...options });
    connections.push(c);
    return c;
  };

  after(async () => {
    for (const c of connections) await c.dispose();
    for (const c of collectors) await c.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('drops content, applies custom redaction, forwards upstream and reports forwarding health, in both clients', async () => {
    const upstream = await startCollector({ port: 0, dataDir: tempDir(), token: 'upstream-token' });
    collectors.push(upstream);
    const local = connect({
      captureContent: false,
      redact: { defaults: true, creditCards: false, patterns: [{ name: 'ticket_id', regex: 'TCK-[0-9]{6}' }] },
      forward: { endpoint: upstream.url, headers: { Authorization: 'Bearer upstream-token' } },
    });
    await local.start();
    const state = await settled(local);
    assert.equal(state.phase, 'ready', state.error ?? '');

    const posted = await requestLocal(state.port!, 'POST', '/api/v1/spans', {
      token: TOKEN,
      body: { name: 'answer', model: 'gpt-4o', prompt: 'my key is sk-proj-abcdefghijklmnopqrstuvwx', completion: 'ok', attributes: { ticket: 'TCK-123456', key: 'sk-proj-abcdefghijklmnopqrstuvwx' } },
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const traceId = (JSON.parse(posted.body) as { trace_id: string }).trace_id;

    const detail = await local.getTrace(traceId);
    const span = detail!.spans[0];
    assert.equal(span.input, null);
    assert.equal(span.output, null);
    assert.equal(span.attributes['stacklens.content_capture'], 'off');
    assert.equal(span.attributes.ticket, '[REDACTED:ticket_id]');
    assert.equal(span.attributes.key, '[REDACTED:openai_key]');

    // forwarded with the header the upstream's token check needs; what was stored is what went
    const forwarded = await until('the upstream has the span', () => upstream.store.getTrace(traceId));
    assert.equal(forwarded.spans[0].attributes.ticket, '[REDACTED:ticket_id]');
    assert.equal(forwarded.spans[0].input, null);

    const health = await until('forwarding reports a sent span', async () => {
      const h = await local.forwarding();
      return h.enabled && h.sent >= 1 ? h : null;
    });
    assert.equal(health.state, 'ok');
    assert.deepEqual(health.headers, ['Authorization']);
    assert.ok(!JSON.stringify(health).includes('upstream-token'), 'header values are never reported');
    const overHttp = await new HttpCollector(state.port!, TOKEN, state.dataDir).forwarding();
    assert.equal(overHttp.enabled, true);
    assert.equal(await new HttpCollector(upstream.port, 'upstream-token', '').forwarding().then((h) => h.enabled), false);
  });

  it('exports a trace file and imports it into another collector, through the worker and over HTTP', async () => {
    const source = connect({});
    await source.start();
    const state = await settled(source);
    assert.equal(state.phase, 'ready', state.error ?? '');
    const ids: string[] = [];
    for (const name of ['plan trip', 'book hotel']) {
      const answer = await requestLocal(state.port!, 'POST', '/api/v1/spans', { token: TOKEN, body: { name, model: 'gpt-4o-mini', input_tokens: 12, output_tokens: 3, prompt: `please ${name}` } });
      ids.push((JSON.parse(answer.body) as { trace_id: string }).trace_id);
    }

    const one = await source.exportTraces({ trace_ids: [ids[0]] });
    assert.equal(one.fileName, `plan-trip-${ids[0].slice(0, 8)}.stacklens.json`);
    assert.equal(one.traceCount, 1);
    const viaHttp = await new HttpCollector(state.port!, TOKEN, state.dataDir).exportTraces({ trace_ids: [ids[0]] });
    assert.equal(viaHttp.fileName, one.fileName);
    const withoutTime = (text: string) => text.replace(/"exported_at":\s*"[^"]+"/, '');
    assert.equal(withoutTime(viaHttp.text), withoutTime(one.text), 'the worker and the HTTP route write the same file');

    const filtered = await source.exportTraces({ model: 'gpt-4o-mini', limit: 10 });
    assert.equal(filtered.traceCount, 2);
    assert.match(filtered.fileName, /^stacklens-2-traces-.*\.stacklens\.json$/);
    await assert.rejects(source.exportTraces({ trace_ids: ['0'.repeat(32)] }), /trace 0{32} is not in the store/);

    const target = await startCollector({ port: 0, dataDir: tempDir(), token: 'target-token' });
    collectors.push(target);
    const imported = await new HttpCollector(target.port, 'target-token', '').importTraces(filtered.text);
    assert.deepEqual([...imported.traces].sort(), [...ids].sort());
    assert.equal(imported.spans, 2);
    const copy = await target.store.getTrace(ids[1]);
    assert.equal(copy?.spans[0].input, 'please book hotel');
    await assert.rejects(new HttpCollector(target.port, 'target-token', '').importTraces('{"resourceSpans": []}'), /stacklens/);
    await assert.rejects(source.importTraces('not json'), /not valid JSON/);
  });

  it('opens an encrypted store with its key, and refuses a wrong or missing key with an error the UI recognises', async () => {
    const secrets = new MemorySecrets();
    const conn = connect({});
    const dataDir = conn.state.dataDir;
    const key = await storeKeyFor(secrets, dataDir);
    assert.match(key.keyHex ?? '', /^[0-9a-f]{64}$/);
    assert.equal(secrets.values.get(STORE_KEY_SECRET), key.keyHex);
    assert.deepEqual(await storeKeyFor(secrets, dataDir), key, 'the kept key is used again, not replaced');

    await conn.restart({ encryptionKeyHex: key.keyHex });
    assert.equal((await settled(conn)).phase, 'ready', conn.state.error ?? '');
    const answer = await requestLocal(conn.state.port!, 'POST', '/api/v1/spans', { token: TOKEN, body: { name: 'secret work', prompt: 'confidential' } });
    const traceId = (JSON.parse(answer.body) as { trace_id: string }).trace_id;

    await conn.restart({ encryptionKeyHex: 'ab'.repeat(32) });
    const wrong = await settled(conn);
    assert.equal(wrong.phase, 'failed');
    assert.match(wrong.error!, /the key does not match this store/);
    assert.ok(isStoreKeyError(wrong.error));

    await conn.restart({ encryptionKeyHex: undefined });
    const missing = await settled(conn);
    assert.equal(missing.phase, 'failed');
    assert.ok(isStoreKeyError(missing.error), missing.error ?? '');
    // a folder that is an encrypted store never gets a fresh key made for it
    const empty = new MemorySecrets();
    const none = await storeKeyFor(empty, dataDir);
    assert.equal(none.keyHex, undefined);
    assert.match(none.problem!, /has no key in this VS Code's secret storage/);
    assert.equal(empty.values.size, 0);

    await conn.restart({ encryptionKeyHex: key.keyHex });
    assert.equal((await settled(conn)).phase, 'ready', conn.state.error ?? '');
    assert.equal((await conn.getTrace(traceId))?.spans[0].input, 'confidential');
  });
});

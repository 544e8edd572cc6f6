// Export: off the hot path, bounded, retried, flushed at exit, and failures that surface
// from flush() instead of the traced code.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as stacklens from '../src/index';
import { cleanEnv, runTs } from './support/child';
import { arrivedTrace, useCollector } from './support/collector-session';
import { startFlakyProxy, type FlakyProxy } from './support/flaky-proxy';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);
const oneCall = { model: 'gpt-4o', provider: 'openai', inputTokens: 10, outputTokens: 5 };

describe('SDK export', () => {
  const session = useCollector();
  let proxy: FlakyProxy;
  const viaProxy = (extra: stacklens.ExportOptions = {}) =>
    stacklens.configure({ apiKey: session.collector.token, endpoint: proxy.url, export: { retryBaseDelayMs: 5, ...extra }, onExportError: () => {} });

  before(async () => {
    proxy = await startFlakyProxy(session.collector.url);
  });
  after(async () => {
    await proxy.close();
  });
  afterEach(async () => {
    proxy.failAlways(null);
    proxy.refuseBodiesContaining(null);
    await stacklens.flush().catch(() => {});
    stacklens.configure({ apiKey: session.collector.token, endpoint: session.collector.url });
  });

  it('retries a batch through 503, 429 with Retry-After and a reset connection, then delivers it', async () => {
    viaProxy();
    proxy.failNext({ status: 503 }, { status: 429, retryAfter: 0 }, 'reset');
    const before = proxy.log.length;
    const traceId = stacklens.trace('retried', oneCall);
    await stacklens.flush();
    assert.deepEqual(proxy.log.slice(before).map((l) => l.outcome), ['503', '429', 'reset', '200']);
    await arrivedTrace(session.collector, traceId);
  });

  it('gives up after maxAttempts and reports ApiError with the status from flush()', async () => {
    viaProxy({ maxAttempts: 3 });
    proxy.failAlways({ status: 503 });
    const before = stacklens.exportStats().failed;
    stacklens.trace('never-delivered', oneCall);
    await assert.rejects(stacklens.flush(), (e: any) => e instanceof stacklens.ApiError && e.statusCode === 503 && /HTTP 503/.test(e.message) && /1 span or score not delivered/.test(e.message));
    assert.equal(stacklens.exportStats().failed, before + 1);
    assert.equal(proxy.log.slice(-3).every((l) => l.outcome === '503'), true);
  });

  it('does not retry a refused key: AuthError from flush(), never from the traced code', async () => {
    stacklens.configure({ apiKey: 'sl-wrong-key', endpoint: session.collector.url, onExportError: () => {} });
    const value = await stacklens.startTrace('with-wrong-key', async () => 'still works');
    assert.equal(value, 'still works');
    await assert.rejects(stacklens.flush(), (e: any) => e instanceof stacklens.AuthError && e instanceof stacklens.StackLensError && e.statusCode === 401 && /refused the API key/.test(e.message));
    await stacklens.flush(); // the failure was reported once
  });

  it('delivers every valid span of a batch the collector refuses because of one bad span', async () => {
    viaProxy();
    proxy.refuseBodiesContaining('poison-span');
    const good = ['good-1', 'good-2', 'good-3'].map((name) => stacklens.trace(name, oneCall));
    stacklens.trace('poison-span', oneCall);
    await assert.rejects(stacklens.flush(), (e: any) => e instanceof stacklens.ApiError && e.statusCode === 400 && /poison-span/.test(e.message));
    for (const traceId of good) await arrivedTrace(session.collector, traceId);
  });

  it('drops and counts spans beyond a full queue instead of growing without bound', async () => {
    stacklens.configure({ apiKey: session.collector.token, endpoint: session.collector.url, export: { maxQueueSize: 10 } });
    const before = stacklens.exportStats();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(stacklens.trace(`burst-${i}`, oneCall)); // no await: the queue fills
    const during = stacklens.exportStats();
    assert.equal(during.dropped - before.dropped, 15);
    assert.equal(during.queued, 10);
    await stacklens.flush();
    assert.equal(stacklens.exportStats().sentSpans - before.sentSpans, 10);
    await arrivedTrace(session.collector, ids[9]);
    const dropped = await session.collector.request('GET', `/api/v1/traces/${ids[10]}`);
    assert.equal(dropped.status, 404);
  });

  it('batches by size: 1,200 spans go out in 512-span requests', async () => {
    viaProxy();
    const before = proxy.log.length;
    for (let i = 0; i < 1200; i++) stacklens.trace(`bulk-${i}`, oneCall);
    await stacklens.flush();
    assert.deepEqual(proxy.log.slice(before).map((l) => l.path), ['/api/v1/spans', '/api/v1/spans', '/api/v1/spans']);
  });

  it('delivers the spans of a script that ends without flush() (configured from the environment)', async function () {
    this.timeout(30_000);
    const result = await runTs(fixture('exit-without-flush.ts'), cleanEnv({ STACKLENS_ENDPOINT: session.collector.url, STACKLENS_API_KEY: session.collector.token }));
    assert.equal(result.code, 0, result.stderr);
    const traceId = result.stdout.trim();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const detail = await arrivedTrace(session.collector, traceId, 2);
    assert.deepEqual(detail.spans.map((s) => s.name).sort(), ['short-script', 'step']);
  });

  it('throws ConfigurationError synchronously when neither configure() nor the environment says where to send', async function () {
    this.timeout(30_000);
    const result = await runTs(fixture('unconfigured.ts'), cleanEnv());
    assert.equal(result.code, 0, result.stderr);
    const outcome = JSON.parse(result.stdout);
    assert.equal(outcome.startTrace.configurationError, true);
    assert.equal(outcome.startTrace.base, true);
    assert.match(outcome.startTrace.message, /call configure\(\{ apiKey, endpoint \}\).*STACKLENS_API_KEY/);
    assert.equal(outcome.trace.configurationError, true);
    assert.equal(outcome.callbackRan, false);
  });

  it('refuses a bad configure() with the field named', () => {
    assert.throws(() => stacklens.configure({ apiKey: '' }), /apiKey must be a non-empty string/);
    assert.throws(() => stacklens.configure({ apiKey: 'k', endpoint: 'localhost:4318' }), /must start with http:\/\/ or https:\/\//);
    assert.throws(() => stacklens.configure({ apiKey: 'k', export: { maxQueueSize: 0 } }), /export.maxQueueSize must be a positive integer/);
  });
});

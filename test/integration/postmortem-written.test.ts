// GET /api/v1/traces/:id/postmortem?written=1: the analysis plus the model's written postmortem,
// through the real collector (dist/cli.js) whose judge is the local fake OpenAI server, and through
// both clients of the extension (real worker thread, real loopback HTTP).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CollectorConnection, type ConnectionState } from '../../extension/client/collector-connection';
import { requestLocal } from '../../extension/client/http-collector';
import { NO_MODEL } from '../../extension/server/postmortem/narrative';
import { startCollector, type RunningCollector } from '../support/collector';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai';
import { POSTMORTEM_TRACE_ID, postmortemSpans } from '../unit/evals/postmortem-fixture';

const WRITTEN = '## Five whys\n1. Why did "support-agent" fail? Because search-docs timed out.\n\n## Fix\nAdd a timeout budget to search-docs.';
const route = (query = '') => `/api/v1/traces/${POSTMORTEM_TRACE_ID}/postmortem${query}`;

describe('the written postmortem route (real collector, fake OpenAI judge)', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let c: RunningCollector;
  let failing = false;
  const chats = () => fake.requests.filter((r) => r.path === '/v1/chat/completions');

  before(async () => {
    fake = await startFakeOpenAI({
      chat: () => ({ content: WRITTEN }),
      fail: () => (failing ? { status: 503, message: 'the model is overloaded' } : undefined),
    });
    c = await startCollector({ extraArgs: ['--judge-url', fake.baseURL, '--judge-model', 'writer-model'] });
    assert.equal((await c.request('POST', '/api/v1/spans', { spans: postmortemSpans() })).status, 200);
  });
  after(async () => {
    assert.equal(await c?.stop(), 0);
    await fake?.close();
  });

  it('adds the model\'s text to the analysis, having sent it the facts as fenced data', async () => {
    const res = await c.request('GET', route('?written=1'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.written, WRITTEN);
    assert.equal(res.body.written_error, null);
    assert.equal(res.body.root_cause.error, 'ETIMEDOUT: connect ETIMEDOUT 10.0.0.7:443', 'the analysis is all there');
    assert.equal(res.body.whys.length, 5);
    assert.equal(chats().length, 1);
    const sent = chats()[0].body;
    assert.equal(sent.model, 'writer-model');
    const prompt = sent.messages[0].content as string;
    const data = prompt.slice(prompt.indexOf('```text\n'), prompt.lastIndexOf('\n```\n'));
    assert.match(data, /root cause: "http GET \/search" \(internal, 1.00 s\) failed with: ETIMEDOUT: connect ETIMEDOUT 10.0.0.7:443/);
    assert.match(data, /retried: "search-docs" under "support-agent": 3 attempts, 2 failed, last attempt succeeded/);
  });

  it('leaves the model out unless asked', async () => {
    const before = chats().length;
    const res = await c.request('GET', route());
    assert.equal(res.status, 200);
    assert.equal('written' in res.body, false);
    assert.equal(chats().length, before);
  });

  it('keeps the analysis and says why when the model fails', async () => {
    failing = true;
    try {
      const res = await c.request('GET', route('?written=1'));
      assert.equal(res.status, 200);
      assert.equal(res.body.written, null);
      assert.match(res.body.written_error, /^the model could not write the postmortem: the judge at http:\/\/127\.0\.0\.1:\d+\/v1 refused \(HTTP 503\): the model is overloaded$/);
      assert.equal(res.body.kind, 'failure');
    } finally {
      failing = false;
    }
  });

  it('refuses a written value it does not understand, naming it', async () => {
    const res = await c.request('GET', route('?written=yes'));
    assert.equal(res.status, 400);
    assert.match(res.body.error, /^written=yes is not understood: use written=1/);
  });
});

describe('the written postmortem without a model', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  before(async () => {
    c = await startCollector();
    assert.equal((await c.request('POST', '/api/v1/spans', { spans: postmortemSpans() })).status, 200);
  });
  after(async () => {
    assert.equal(await c?.stop(), 0);
  });

  it('answers the analysis with written null and what to configure', async () => {
    const res = await c.request('GET', route('?written=1'));
    assert.equal(res.status, 200);
    assert.equal(res.body.written, null);
    assert.equal(res.body.written_error, NO_MODEL);
    assert.equal(res.body.whys.length, 5);
  });
});

describe('the written postmortem through both collector clients (real worker, real HTTP)', function () {
  this.timeout(60_000);
  const workerScript = path.resolve(__dirname, '../../dist/collector-worker.js');
  const TOKEN = 'sl-test-token';
  let dataDir: string;
  let owner: CollectorConnection;
  let client: CollectorConnection;
  const prompts: string[] = [];

  const ready = (conn: CollectorConnection) =>
    new Promise<ConnectionState>((resolve, reject) => {
      if (conn.state.phase === 'ready') return resolve(conn.state);
      const timer = setTimeout(() => reject(new Error(`no ready state within 20 s (last: ${JSON.stringify(conn.state)})`)), 20_000);
      const sub = conn.onState((s) => {
        if (s.phase !== 'ready' && s.phase !== 'failed') return;
        clearTimeout(timer);
        sub.dispose();
        if (s.phase === 'failed') reject(new Error(s.error ?? 'failed'));
        else resolve(s);
      });
    });

  before(async () => {
    assert.ok(existsSync(workerScript), `${workerScript} is missing: run npm run build first`);
    dataDir = mkdtempSync(path.join(tmpdir(), 'stacklens-written-'));
    owner = new CollectorConnection({
      workerScript,
      dataDir,
      port: 0,
      token: TOKEN,
      pollIntervalMs: 200,
      judge: { kind: 'main' },
      // VS Code's language model stands outside StackLens: this answers as one would
      mainThreadJudge: async (prompt) => {
        prompts.push(prompt);
        return WRITTEN;
      },
    });
    void owner.start();
    const state = await ready(owner);
    client = new CollectorConnection({ workerScript, dataDir, port: state.port!, token: TOKEN, pollIntervalMs: 200 });
    void client.start();
    assert.equal((await ready(client)).role, 'client');
    const posted = await requestLocal(state.port!, 'POST', '/api/v1/spans', { token: TOKEN, body: { spans: postmortemSpans() } });
    assert.equal(posted.statusCode, 200, posted.body);
  });
  after(async () => {
    await client?.dispose();
    await owner?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks the main thread\'s model from the owning window and from a window sharing the collector', async () => {
    for (const [who, api] of [['owner (worker)', owner], ['client (HTTP)', client]] as const) {
      const pm = await api.postmortem(POSTMORTEM_TRACE_ID, { written: true });
      assert.equal(pm?.written, WRITTEN, who);
      assert.equal(pm?.written_error, null, who);
      assert.equal(pm?.root_cause?.name, 'http GET /search', who);
      const plain = await api.postmortem(POSTMORTEM_TRACE_ID);
      assert.equal(plain?.written, undefined, `${who}: no model asked without the option`);
    }
    assert.equal(prompts.length, 2);
    assert.match(prompts[0], /failed with: ETIMEDOUT: connect ETIMEDOUT 10\.0\.0\.7:443/);
  });
});

// The collector's HTTP contract (DESIGN.md "HTTP API"), over real loopback HTTP against the real
// CLI process with its real store.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startCollector, tempDir, type RunningCollector } from '../support/collector';

const TRACE = 'aa'.repeat(16);
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

function otlpJson(traceId: string, spans: Array<{ id: string; parent?: string; name: string; attrs?: Record<string, unknown> }>) {
  const now = Date.now() * 1e6;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'http-test' } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s, i) => ({
              traceId,
              spanId: s.id,
              parentSpanId: s.parent ?? '',
              name: s.name,
              kind: 1,
              startTimeUnixNano: String(now + i * 1e6),
              endTimeUnixNano: String(now + (i + 5) * 1e6),
              attributes: Object.entries(s.attrs ?? {}).map(([key, v]) => ({
                key,
                value: typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { stringValue: String(v) },
              })),
              status: {},
            })),
          },
        ],
      },
    ],
  };
}

/** A raw request, for headers fetch() will not let us set (Host, Origin). */
function raw(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('collector HTTP API', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let promptsDir: string;

  before(async () => {
    promptsDir = tempDir('stacklens-prompts-');
    writeFileSync(path.join(promptsDir, 'support-system-prompt.md'), 'You are a helpful support agent.\n');
    writeFileSync(path.join(promptsDir, 'onboarding-email.dev.txt'), 'Dev: write a friendly onboarding email.');
    c = await startCollector({ promptsDir });
  });
  after(async () => {
    assert.equal(await c.stop(), 0, 'SIGTERM ends the collector with exit code 0');
  });

  it('prints its URL as the first line and answers /healthz without a token', async () => {
    assert.match(c.output().split('\n')[0], /^StackLens collector listening on http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(c.url + '/healthz');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { service: string; version: string };
    assert.equal(body.service, 'stacklens');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  });

  it('accepts OTLP JSON and serves the trace back with its spans', async () => {
    const res = await c.request('POST', '/v1/traces', otlpJson(TRACE, [
      { id: hex(1, 16), name: 'agent-run' },
      { id: hex(2, 16), parent: hex(1, 16), name: 'chat gpt-4o', attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20, 'my.custom.attr': 'kept' } },
    ]));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { partialSuccess: {} });
    const got = await c.request('GET', `/api/v1/traces/${TRACE}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.trace.trace_id, TRACE);
    assert.equal(got.body.trace.name, 'agent-run');
    assert.equal(got.body.trace.span_count, 2);
    const llm = got.body.spans.find((s: any) => s.span_id === hex(2, 16));
    assert.equal(llm.kind, 'llm');
    assert.equal(llm.model, 'gpt-4o');
    assert.equal(llm.parent_span_id, hex(1, 16));
    assert.equal(llm.attributes['my.custom.attr'], 'kept', 'unknown attributes are kept');
    assert.equal(llm.cost_source, 'computed');
    assert.ok(llm.cost_usd > 0);
    assert.equal(got.body.trace.total_cost_usd, llm.cost_usd);
  });

  it('accepts gzip-compressed OTLP JSON', async () => {
    const trace = 'ab'.repeat(16);
    const body = gzipSync(JSON.stringify(otlpJson(trace, [{ id: hex(9, 16), name: 'zipped' }])));
    const res = await c.request('POST', '/v1/traces', body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal((await c.request('GET', `/api/v1/traces/${trace}`)).body.trace.name, 'zipped');
  });

  it('keeps the valid spans of a request and reports the invalid ones as partial success', async () => {
    const trace = 'ac'.repeat(16);
    const body = otlpJson(trace, [{ id: hex(3, 16), name: 'good' }, { id: 'xyz', name: 'bad id' }]);
    const res = await c.request('POST', '/v1/traces', body);
    assert.equal(res.status, 200);
    assert.equal(Number(res.body.partialSuccess.rejectedSpans), 1);
    assert.match(res.body.partialSuccess.errorMessage, /span/i);
    const got = await c.request('GET', `/api/v1/traces/${trace}`);
    assert.equal(got.body.spans.length, 1);
    assert.equal(got.body.spans[0].name, 'good');
  });

  it('takes simple spans and answers with their ids', async () => {
    const one = await c.request('POST', '/api/v1/spans', { name: 'document-summary', model: 'gpt-4o', provider: 'openai', input_tokens: 850, output_tokens: 120, cost_usd: 0.0012, tags: ['summarisation'] });
    assert.equal(one.status, 200);
    assert.match(one.body.trace_id, /^[0-9a-f]{32}$/);
    assert.match(one.body.span_id, /^[0-9a-f]{16}$/);
    const got = await c.request('GET', `/api/v1/traces/${one.body.trace_id}`);
    assert.equal(got.body.spans[0].cost_usd, 0.0012);
    assert.equal(got.body.spans[0].cost_source, 'reported');
    const many = await c.request('POST', '/api/v1/spans', { spans: [{ name: 'a' }, { name: 'b' }] });
    assert.equal(many.status, 200);
    assert.equal(many.body.trace_ids.length, 2);
    assert.equal(many.body.span_ids.length, 2);
  });

  it('stores scores and returns them with the trace', async () => {
    const res = await c.request('POST', '/api/v1/scores', { trace_id: TRACE, span_id: hex(2, 16), name: 'correctness', value: 0.9, reason: 'matches the reference' });
    assert.equal(res.status, 200);
    assert.ok(res.body.score_id);
    const got = await c.request('GET', `/api/v1/traces/${TRACE}`);
    const score = got.body.scores.find((s: any) => s.score_id === res.body.score_id);
    assert.equal(score.value, 0.9);
    assert.equal(score.reason, 'matches the reference');
  });

  it('lists traces newest first with filters', async () => {
    const list = await c.request('GET', '/api/v1/traces?limit=50');
    assert.equal(list.status, 200);
    const starts = list.body.traces.map((t: any) => t.start_time);
    assert.deepEqual(starts, [...starts].sort((a: number, b: number) => b - a));
    const byModel = await c.request('GET', '/api/v1/traces?model=gpt-4o');
    assert.ok(byModel.body.traces.length >= 1);
    assert.ok(byModel.body.traces.every((t: any) => t.models.includes('gpt-4o')));
    const byTag = await c.request('GET', '/api/v1/traces?tag=summarisation');
    assert.deepEqual(byTag.body.traces.map((t: any) => t.name), ['document-summary']);
    const bySearch = await c.request('GET', '/api/v1/traces?q=zipped');
    assert.deepEqual(bySearch.body.traces.map((t: any) => t.name), ['zipped']);
  });

  it('answers call sites, stats and prompts', async () => {
    await c.request('POST', '/api/v1/spans', { name: 'located', model: 'gpt-4o', provider: 'openai', input_tokens: 10, output_tokens: 5, code_file: '/repo/src/agent.ts', code_line: 42, code_function: 'plan' });
    const sites = await c.request('GET', '/api/v1/callsites?file=src/agent.ts');
    assert.equal(sites.status, 200);
    assert.equal(sites.body.callsites.length, 1);
    assert.equal(sites.body.callsites[0].code_line, 42);
    assert.equal(sites.body.callsites[0].runs, 1);
    const stats = await c.request('GET', '/api/v1/stats?since=1d');
    assert.equal(stats.status, 200);
    assert.ok(stats.body.totals.calls >= 2);
    const prompt = await c.request('GET', '/api/v1/prompts/support-system-prompt');
    assert.deepEqual(prompt.body, { name: 'support-system-prompt', env: 'production', text: 'You are a helpful support agent.\n' });
    const dev = await c.request('GET', '/api/v1/prompts/onboarding-email?env=dev');
    assert.equal(dev.body.text, 'Dev: write a friendly onboarding email.');
    const missing = await c.request('GET', '/api/v1/prompts/onboarding-email?env=staging');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /onboarding-email/);
  });

  describe('refuses, with a one-line reason, and loses nothing valid', () => {
    const refusals: Array<[string, () => Promise<{ status: number; body: any }>, number, RegExp]> = [
      ['a request without a token', () => raw(c.url, { path: '/api/v1/traces', headers: { host: '127.0.0.1' } }), 401, /Authorization/],
      ['a wrong token', () => c.request('GET', '/api/v1/traces', undefined, { authorization: 'Bearer nope' }), 401, /token/],
      ['a foreign Host header (DNS rebinding)', () => raw(c.url, { path: '/healthz', headers: { host: 'evil.example:4318' } }), 403, /Host/],
      ['a foreign Origin', () => raw(c.url, { path: '/api/v1/traces', headers: { host: '127.0.0.1', origin: 'https://evil.example', authorization: `Bearer ${c.token}` } }), 403, /origin/i],
      ['a CORS preflight', () => raw(c.url, { method: 'OPTIONS', path: '/v1/traces', headers: { host: '127.0.0.1', origin: 'https://evil.example' } }), 403, /origin|cross-origin/i],
      ['an unknown route', () => c.request('GET', '/nope'), 404, /no route/],
      ['a wrong method', () => c.request('PUT', '/api/v1/spans', {}), 405, /not allowed/],
      ['JSON that is not JSON', () => c.request('POST', '/api/v1/spans', '{"name": ', { 'content-type': 'application/json' }), 400, /not valid JSON/],
      ['an empty body', () => c.request('POST', '/api/v1/spans', '', { 'content-type': 'application/json' }), 400, /empty/],
      ['a span without a name', () => c.request('POST', '/api/v1/spans', { model: 'gpt-4o' }), 400, /name/],
      ['a score without a value', () => c.request('POST', '/api/v1/scores', { trace_id: TRACE, name: 'x' }), 400, /value/],
      ['an unsupported content type', () => c.request('POST', '/v1/traces', 'hello', { 'content-type': 'text/plain' }), 415, /content-type|text\/plain/],
      ['an unsupported content encoding', () => c.request('POST', '/v1/traces', 'x', { 'content-type': 'application/json', 'content-encoding': 'br' }), 415, /encoding/],
      ['a corrupt gzip body', () => c.request('POST', '/v1/traces', Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, /gzip/],
      ['a bad limit', () => c.request('GET', '/api/v1/traces?limit=-3'), 400, /limit/],
      ['an unknown query parameter', () => c.request('GET', '/api/v1/traces?colour=red'), 400, /colour/],
      ['a bad trace id', () => c.request('GET', '/api/v1/traces/zzz'), 400, /trace id/],
      ['a malformed percent-escape', () => c.request('GET', '/api/v1/traces/%E0%A4%A'), 400, /percent-encoding/],
      ['an unknown trace', () => c.request('GET', `/api/v1/traces/${'0f'.repeat(16)}`), 404, /not found/],
      ['a prompt name with a path', () => c.request('GET', '/api/v1/prompts/..%2F..%2Fetc%2Fpasswd'), 400, /prompt name/],
    ];
    for (const [what, send, status, reason] of refusals) {
      it(`refuses ${what} with ${status}`, async () => {
        const res = await send();
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(typeof res.body.error, 'string');
        assert.match(res.body.error, reason);
        assert.ok(!res.body.error.includes('\n') && !/at .+:\d+:\d+/.test(res.body.error), 'one line, no stack trace');
      });
    }

    it('refuses a gzip bomb with 413 and keeps serving', async () => {
      const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20)); // 200 MiB of spaces, ~200 KB compressed
      const res = await c.request('POST', '/v1/traces', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      assert.equal(res.status, 413);
      assert.match(res.body.error, /inflates beyond/);
      assert.equal((await c.request('GET', `/api/v1/traces/${TRACE}`)).status, 200);
    });

    it('refuses an oversized body with 413', async () => {
      const res = await c.request('POST', '/api/v1/spans', Buffer.alloc(17 * 1024 * 1024, 0x20), { 'content-type': 'application/json' });
      assert.equal(res.status, 413);
      assert.match(res.body.error, /limit/);
    });

    it('still holds every trace accepted before the refusals', async () => {
      for (const id of [TRACE, 'ab'.repeat(16), 'ac'.repeat(16)]) assert.equal((await c.request('GET', `/api/v1/traces/${id}`)).status, 200, id);
    });
  });
});

describe('collector CLI', function () {
  this.timeout(30_000);

  it('refuses a port that is taken, naming it', async () => {
    const first = await startCollector();
    const port = new URL(first.url).port;
    try {
      await assert.rejects(startCollector({ port: Number(port) }), new RegExp(`port ${port}.*in use`));
    } finally {
      await first.stop();
    }
  });

  it('refuses a data folder that another collector holds', async () => {
    const first = await startCollector();
    try {
      await assert.rejects(startCollector({ dataDir: first.dataDir }), /in use by another StackLens collector/);
    } finally {
      await first.stop();
    }
  });

  it('keeps what it acknowledged across a restart', async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const first = await startCollector({ dataDir });
    const sent = await first.request('POST', '/api/v1/spans', { name: 'survives', prompt: 'héllo\n  wörld', completion: '<img src=x onerror=alert(1)>' });
    assert.equal(await first.stop(), 0);
    const second = await startCollector({ dataDir });
    try {
      const got = await second.request('GET', `/api/v1/traces/${sent.body.trace_id}`);
      assert.equal(got.body.spans[0].input, 'héllo\n  wörld');
      assert.equal(got.body.spans[0].output, '<img src=x onerror=alert(1)>');
    } finally {
      await second.stop();
    }
  });
});

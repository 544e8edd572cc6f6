// Forwarding to an upstream OTLP endpoint, tested with a second real collector as the upstream.
// The down/up test runs the local collector in this process so its retry timings can be short.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCollector as startInProcess, type Collector } from '../../extension/server/collector';
import { startCollector, tempDir, type RunningCollector } from '../support/collector';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

function otlpBody(traceId: string, count: number, service = 'checkout-svc') {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'deployment.environment', value: { stringValue: 'dev' } }] },
        scopeSpans: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai', version: '0.40.0' },
            spans: Array.from({ length: count }, (_, i) => ({
              traceId,
              spanId: hex(i + 1, 16),
              parentSpanId: i === 0 ? '' : hex(1, 16),
              name: i === 0 ? 'checkout' : `chat gpt-4o #${i}`,
              kind: i === 0 ? 1 : 3,
              startTimeUnixNano: String(now + BigInt(i) * 1_000_123n),
              endTimeUnixNano: String(now + BigInt(i) * 1_000_123n + 5_000_456n),
              attributes:
                i === 0
                  ? [{ key: 'code.file.path', value: { stringValue: 'src/checkout.py' } }, { key: 'code.line.number', value: { intValue: '88' } }]
                  : [
                      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
                      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                      { key: 'gen_ai.response.model', value: { stringValue: 'gpt-4o-2024-08-06' } },
                      { key: 'gen_ai.usage.input_tokens', value: { intValue: String(100 + i) } },
                      { key: 'gen_ai.usage.output_tokens', value: { intValue: String(10 + i) } },
                      { key: 'gen_ai.request.temperature', value: { doubleValue: 0.25 } },
                      { key: 'app.flags', value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } } },
                    ],
              events: i === 1 ? [{ timeUnixNano: String(now + 2_000_000n), name: 'retry', attributes: [{ key: 'attempt', value: { intValue: '2' } }] }] : [],
              status: i === 2 ? { code: 2, message: 'rate limited' } : { code: 0 },
            })),
          },
        ],
      },
    ],
  };
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The fields a forwarded span must keep; times to the microsecond. */
function essence(s: Record<string, any>) {
  return {
    span_id: s.span_id, parent_span_id: s.parent_span_id, name: s.name, kind: s.kind, status: s.status, status_message: s.status_message,
    model: s.model, request_model: s.request_model, provider: s.provider, operation: s.operation,
    input_tokens: s.input_tokens, output_tokens: s.output_tokens, total_tokens: s.total_tokens, cost_usd: s.cost_usd,
    input: s.input, output: s.output, tags: s.tags, service_name: s.service_name, code_file: s.code_file, code_line: s.code_line, code_function: s.code_function,
    start_us: Math.round(s.start_time * 1000), end_us: Math.round(s.end_time * 1000),
    events: s.events.map((e: { name: string; time: number; attributes: unknown }) => ({ name: e.name, time_us: Math.round(e.time * 1000), attributes: e.attributes })),
  };
}

describe('forwarding to an upstream OTLP endpoint', function () {
  this.timeout(60_000);

  describe('to a second collector', () => {
    let upstream: RunningCollector;
    let local: RunningCollector;

    before(async () => {
      upstream = await startCollector({ token: 'upstream-token' });
      local = await startCollector({ extraArgs: ['--forward', upstream.url, '--forward-header', 'Authorization=Bearer%20upstream-token'] });
    });
    after(async () => {
      await local.stop();
      await upstream.stop();
    });

    it('sends every span on with the same ids, names, models, tokens, times, status and events', async () => {
      const traceId = 'ab'.repeat(16);
      const res = await local.request('POST', '/v1/traces', otlpBody(traceId, 4));
      assert.equal(res.status, 200);
      const there = await eventually('the trace upstream', async () => {
        const r = await upstream.request('GET', `/api/v1/traces/${traceId}`);
        return r.status === 200 && r.body.spans.length === 4 ? r.body : null;
      });
      const here = (await local.request('GET', `/api/v1/traces/${traceId}`)).body;
      const byId = (spans: any[]) => spans.map(essence).sort((a, b) => a.span_id.localeCompare(b.span_id));
      assert.deepEqual(byId(there.spans), byId(here.spans));
      const llm = there.spans.find((s: any) => s.span_id === hex(2, 16));
      assert.equal(llm.model, 'gpt-4o-2024-08-06');
      assert.equal(llm.input_tokens, 101);
      assert.equal(llm.resource['deployment.environment'], 'dev');
      assert.equal(llm.attributes['otel.scope.name'], 'opentelemetry.instrumentation.openai');
      assert.equal(llm.attributes['gen_ai.request.temperature'], 0.25);
      assert.deepEqual(llm.attributes['app.flags'], ['a', true]);
      assert.equal(there.trace.status, 'error');
    });

    it('sends simple-form spans (SDK) on with their model, tokens, prompt, completion, kind and call site as attributes', async () => {
      const span = {
        name: 'summarise', kind: 'agent', model: 'claude-3-5-haiku-20241022', provider: 'anthropic', input_tokens: 900, output_tokens: 45, cache_read_tokens: 300,
        cost_usd: 0.0123, prompt: '[{"role":"user","content":"Summarise"}]', completion: 'A summary.', tags: ['nightly', 'eval'], status: 'error', status_message: 'timeout',
        code_file: 'src/summarise.ts', code_line: 19, code_function: 'summarise', service_name: 'batch-job', session_id: 's-1', user_id: 'u-7',
      };
      const res = await local.request('POST', '/api/v1/spans', span);
      assert.equal(res.status, 200);
      const { trace_id: traceId } = res.body;
      const there = await eventually('the simple span upstream', async () => {
        const r = await upstream.request('GET', `/api/v1/traces/${traceId}`);
        return r.status === 200 ? r.body.spans[0] : null;
      });
      const here = (await local.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
      assert.deepEqual(essence(there), essence(here));
      assert.equal(there.kind, 'agent');
      assert.equal(there.cost_source, 'reported');
      assert.equal(there.cache_read_tokens, 300);
      assert.equal(there.session_id, 's-1');
      assert.equal(there.user_id, 'u-7');
      assert.equal(there.attributes['gen_ai.request.model'], 'claude-3-5-haiku-20241022', 'the model travels as the GenAI attribute');
    });

    it('reports its health at GET /api/v1/forwarding (behind the token), with header names but never their values', async () => {
      const health = (await local.request('GET', '/api/v1/forwarding')).body;
      assert.equal(health.enabled, true);
      assert.equal(health.state, 'ok');
      assert.equal(health.endpoint, `${upstream.url}/v1/traces`);
      assert.deepEqual(health.headers, ['Authorization']);
      assert.ok(!JSON.stringify(health).includes('upstream-token'));
      assert.ok(health.sent >= 5, `sent ${health.sent}`);
      assert.equal(health.dropped, 0);
      assert.equal(health.queued, 0);
      assert.equal((await fetch(local.url + '/api/v1/forwarding')).status, 401);
      assert.deepEqual((await upstream.request('GET', '/api/v1/forwarding')).body, { enabled: false });
    });

    it('shows "failing" with the upstream\'s refusal and what to check when the credentials are wrong', async () => {
      const noAuth = await startCollector({ extraArgs: ['--forward', upstream.url] });
      try {
        await noAuth.request('POST', '/api/v1/spans', { name: 'x' });
        const health = await eventually('a failing state', async () => {
          const h = (await noAuth.request('GET', '/api/v1/forwarding')).body;
          return h.state === 'failing' ? h : null;
        });
        assert.match(health.last_error, /refused the export with 401.*check the credentials/);
        assert.equal(health.dropped, 1, 'a refusal for good is not retried forever');
      } finally {
        await noAuth.stop();
      }
    });

    it('refuses to start with an unusable forward endpoint, naming it', async () => {
      await assert.rejects(startCollector({ extraArgs: ['--forward', 'grpc://tempo:4317'] }), /forward endpoint "grpc:\/\/tempo:4317" is not http\(s\)/);
      await assert.rejects(startCollector({ extraArgs: ['--forward-header', 'A=b'] }), /--forward-header needs --forward URL/);
    });
  });

  describe('when the upstream is down or hangs', () => {
    let local: Collector | null = null;
    let upstream: RunningCollector | null = null;
    let hanging: Server | null = null;
    afterEach(async () => {
      await local?.close();
      await upstream?.stop();
      await new Promise<void>((resolve) => (hanging ? hanging.close(() => resolve()) : resolve()));
      hanging?.closeAllConnections();
      local = upstream = hanging = null;
    });

    async function timedIngest(c: Collector, traceId: string, count: number): Promise<number[]> {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' }, body: JSON.stringify(otlpBody(traceId.slice(0, 30) + hex(i, 2), 3)) });
        assert.equal(res.status, 200);
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b);
    }

    it('keeps local ingest fast while the upstream never answers', async () => {
      hanging = createServer(() => {
        /* accepts and never answers */
      });
      await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
      const port = (hanging.address() as AddressInfo).port;
      local = await startInProcess({ port: 0, dataDir: tempDir(), token: 't', forward: { endpoint: `http://127.0.0.1:${port}`, delayMs: 10, timeoutMs: 300, initialBackoffMs: 50, maxBackoffMs: 200 } });
      const times = await timedIngest(local, 'cd'.repeat(16), 15);
      const median = times[Math.floor(times.length / 2)];
      assert.ok(median < 150, `median ingest ${median.toFixed(0)} ms while the upstream hangs`);
      const health = await eventually('a retrying state', async () => (local!.forwarder!.health().state !== 'ok' ? local!.forwarder!.health() : null));
      assert.match(health.last_error!, /no answer within 300 ms/);
    });

    it('queues while the upstream is down and drains the queue when it comes back', async () => {
      const upstreamDir = tempDir();
      upstream = await startCollector({ dataDir: upstreamDir, token: 'up' });
      const port = Number(new URL(upstream.url).port);
      await upstream.stop();
      upstream = null;

      local = await startInProcess({
        port: 0, dataDir: tempDir(), token: 't',
        forward: { endpoint: `http://127.0.0.1:${port}/v1/traces`, headers: { Authorization: 'Bearer up' }, delayMs: 10, initialBackoffMs: 50, maxBackoffMs: 250 },
      });
      const times = await timedIngest(local, 'ef'.repeat(16), 10);
      assert.ok(times[Math.floor(times.length / 2)] < 150, 'ingest does not wait for the dead upstream');
      const down = await eventually('retrying', async () => (local!.forwarder!.health().state !== 'ok' ? local!.forwarder!.health() : null));
      assert.match(down.last_error!, /unreachable: connect ECONNREFUSED/);
      assert.equal(down.queued, 30);
      assert.equal(down.dropped, 0);

      upstream = await startCollector({ dataDir: upstreamDir, token: 'up', port });
      const drained = await eventually('the queue to drain', async () => {
        const h = local!.forwarder!.health();
        return h.queued === 0 && h.state === 'ok' ? h : null;
      });
      assert.equal(drained.sent, 30);
      const listed = await upstream.request('GET', '/api/v1/traces?limit=100');
      assert.equal(listed.body.traces.length, 10);
    });

    it('drops and counts spans beyond the bounded queue instead of growing without end', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      local = await startInProcess({ port: 0, dataDir: tempDir(), token: 't', forward: { endpoint: `http://127.0.0.1:${port}`, maxQueueSpans: 12, delayMs: 10, initialBackoffMs: 1000 } });
      await timedIngest(local, '12'.repeat(16), 6);
      const health = local.forwarder!.health();
      assert.equal(health.queued, 12);
      assert.equal(health.dropped, 6);
      assert.match(health.last_error!, /queue is full/);
    });
  });
});

// Redaction and content capture through the real CLI collector: what comes back through the API,
// what a forwarded copy holds upstream, and how a bad pattern stops the start.
import assert from 'node:assert/strict';
import { startCollector, type RunningCollector } from '../support/collector';

const OPENAI_KEY = 'sk-proj-Zx81Kq0Lm5Pw2Ab7Cd9Ef3Gh';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';

function otlpSpan(traceId: string, spanId: string, attributes: Record<string, string | number>) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'privacy-test' } }, { key: 'owner', value: { stringValue: 'ops@acme.dev' } }] },
      scopeSpans: [{ spans: [{
        traceId, spanId, name: 'chat gpt-4o', kind: 3, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 300_000_000n),
        attributes: Object.entries(attributes).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
        events: [{ timeUnixNano: String(now + 1n), name: 'gen_ai.user.message', attributes: [{ key: 'content', value: { stringValue: `use ${AWS_KEY}` } }] }],
        status: { code: 2, message: `401 for key ${OPENAI_KEY}` },
      }] }],
    }],
  };
}

async function eventually<T>(probe: () => Promise<T | null>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('privacy through the collector', function () {
  this.timeout(60_000);

  describe('redaction', () => {
    let upstream: RunningCollector;
    let local: RunningCollector;
    before(async () => {
      upstream = await startCollector({ token: 'up' });
      local = await startCollector({ extraArgs: ['--forward', upstream.url, '--forward-header', 'Authorization=Bearer up', '--redact', 'ticket=TCK-\\d{5}', '--redact', 'order=/order #\\d+/i'] });
    });
    after(async () => {
      await local.stop();
      await upstream.stop();
    });

    it('stores OTLP spans with secrets replaced in content, attributes, events, status and resource; the forwarded copy too', async () => {
      const traceId = '5e'.repeat(16);
      const prompt = JSON.stringify([{ role: 'user', content: `My key is ${OPENAI_KEY}, mail jane@example.com about TCK-12345 and Order #991` }]);
      const res = await local.request('POST', '/v1/traces', otlpSpan(traceId, '5e5e5e5e5e5e5e01', {
        'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 5, 'gen_ai.input.messages': prompt,
        'http.request.header.authorization': 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl',
      }));
      assert.equal(res.status, 200);
      const here = (await local.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
      const there = await eventually(async () => {
        const r = await upstream.request('GET', `/api/v1/traces/${traceId}`);
        return r.status === 200 ? r.body.spans[0] : null;
      });
      for (const [where, span] of [['local', here], ['upstream', there]] as const) {
        const text = JSON.stringify(span);
        for (const secret of [OPENAI_KEY, AWS_KEY, 'jane@example.com', 'ops@acme.dev', 'TCK-12345', 'Order #991', 'eyJhbGciOiJIUzI1NiJ9']) {
          assert.ok(!text.includes(secret), `${where} copy holds ${secret}`);
        }
        assert.deepEqual(JSON.parse(span.input), [{ role: 'user', content: 'My key is [REDACTED:openai_key], mail [REDACTED:email] about [REDACTED:ticket] and [REDACTED:order]' }], where);
        assert.equal(span.status_message, '401 for key [REDACTED:openai_key]', where);
        assert.equal(span.attributes['http.request.header.authorization'], 'Bearer [REDACTED:bearer_token]', where);
        assert.equal(span.events[0].attributes.content, 'use [REDACTED:aws_access_key]', where);
        assert.equal(span.resource.owner, '[REDACTED:email]', where);
        assert.equal(span.model, 'gpt-4o', where);
        assert.equal(span.input_tokens, 30, where);
      }
    });

    it('redacts simple spans, scores and log records before they are stored', async () => {
      const res = await local.request('POST', '/api/v1/spans', { name: 'summarise', model: 'gpt-4o-mini', prompt: `token ghp_${'a'.repeat(36)}`, completion: 'reply to bob@corp.io', attributes: { note: 'TCK-54321' } });
      const { trace_id: traceId, span_id: spanId } = res.body;
      await local.request('POST', '/api/v1/scores', { trace_id: traceId, name: 'ok', value: 1, reason: `asked bob@corp.io` });
      const logs = await local.request('POST', '/v1/logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId, spanId, eventName: 'gen_ai.choice', body: { kvlistValue: { values: [{ key: 'message', value: { kvlistValue: { values: [{ key: 'content', value: { stringValue: `here: ${OPENAI_KEY}` } }] } } }] } } }] }] }] });
      assert.equal(logs.status, 200);
      const detail = (await local.request('GET', `/api/v1/traces/${traceId}`)).body;
      const span = detail.spans[0];
      assert.equal(span.input, 'token [REDACTED:github_token]');
      assert.equal(span.output, 'reply to [REDACTED:email]');
      assert.equal(span.attributes.note, '[REDACTED:ticket]');
      assert.equal(detail.scores[0].reason, 'asked [REDACTED:email]');
      assert.match(span.events[0].attributes['event.body'], /here: \[REDACTED:openai_key\]/);
      assert.ok(!JSON.stringify(detail).includes(OPENAI_KEY));
    });
  });

  describe('content capture off (--no-content)', () => {
    let upstream: RunningCollector;
    let local: RunningCollector;
    before(async () => {
      upstream = await startCollector({ token: 'up' });
      local = await startCollector({ extraArgs: ['--no-content', '--forward', upstream.url, '--forward-header', 'Authorization=Bearer up'] });
    });
    after(async () => {
      await local.stop();
      await upstream.stop();
    });

    it('keeps model, tokens, cost and timing, drops every prompt and completion, here and upstream', async () => {
      const traceId = '6f'.repeat(16);
      const res = await local.request('POST', '/v1/traces', otlpSpan(traceId, '6f6f6f6f6f6f6f01', {
        'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 200,
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"the secret plan"}]}]',
        'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"plan accepted"}]}]',
        'llm.input_messages.0.message.content': 'the secret plan', 'input.value': 'the secret plan', 'traceloop.entity.output': 'plan accepted',
      }));
      assert.equal(res.status, 200);
      const simple = await local.request('POST', '/api/v1/spans', { name: 'sdk call', model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 2, prompt: 'the secret plan', completion: 'plan accepted' });
      const here = (await local.request('GET', `/api/v1/traces/${traceId}`)).body.spans[0];
      const there = await eventually(async () => {
        const a = await upstream.request('GET', `/api/v1/traces/${traceId}`);
        const b = await upstream.request('GET', `/api/v1/traces/${simple.body.trace_id}`);
        return a.status === 200 && b.status === 200 ? [a.body.spans[0], b.body.spans[0]] : null;
      });
      const simpleHere = (await local.request('GET', `/api/v1/traces/${simple.body.trace_id}`)).body.spans[0];
      for (const span of [here, simpleHere, ...there]) {
        const text = JSON.stringify(span);
        assert.ok(!text.includes('secret plan') && !text.includes('plan accepted'), `content left in ${text.slice(0, 300)}`);
        assert.equal(span.input, null);
        assert.equal(span.output, null);
        assert.equal(span.attributes['stacklens.content_capture'], 'off');
        assert.ok(span.model.startsWith('gpt-4o'));
        assert.ok(span.input_tokens > 0 && span.output_tokens > 0);
        assert.ok(span.cost_usd > 0);
        assert.ok(span.duration_ms >= 0);
      }
      assert.equal(here.duration_ms, 300);
      assert.equal(here.status_message.startsWith('401 for key'), true, 'status messages are metadata (redacted, not dropped)');
    });
  });

  it('refuses to start with an invalid --redact regex, naming the pattern', async () => {
    await assert.rejects(startCollector({ extraArgs: ['--redact', 'broken=a(b'] }), /redaction pattern "broken" is not a valid regular expression/);
    await assert.rejects(startCollector({ extraArgs: ['--redact', 'oops'] }), /--redact "oops": expected NAME=REGEX/);
  });
});

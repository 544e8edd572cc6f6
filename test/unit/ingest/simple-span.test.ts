import assert from 'node:assert/strict';
import { IngestError, parseSimpleSpans } from '../../../extension/server/ingest';
import { createPricer } from '../../../extension/server/pricing';

const pricer = createPricer();

function refusal(body: unknown): string {
  try {
    parseSimpleSpans(body, pricer);
  } catch (e) {
    assert.ok(e instanceof IngestError, String(e));
    assert.equal(e.status, 400);
    assert.ok(!e.message.includes('\n'));
    return e.message;
  }
  assert.fail('expected the body to be refused');
}

describe('simple span form (POST /api/v1/spans)', () => {
  it('reads every field of docs/simple-span-format.md', () => {
    const { spans, single } = parseSimpleSpans(
      {
        name: 'document-summary',
        trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736',
        span_id: '00F067AA0BA902B7',
        parent_span_id: '00f067aa0ba902b6',
        kind: 'llm',
        start_time: '2025-09-04T16:00:00.000Z',
        end_time: 1757001600250,
        model: 'gpt-4o',
        provider: 'OpenAI',
        input_tokens: 850,
        output_tokens: 120,
        total_tokens: 975,
        cache_read_tokens: 100,
        cache_write_tokens: 0,
        reasoning_tokens: 5,
        cost_usd: 0.0012,
        temperature: 0.7,
        max_tokens: 500,
        prompt: 'Summarise: ...',
        completion: 'A summary.',
        is_streaming: true,
        finish_reason: 'stop',
        attributes: { document_id: 'doc_abc123', nested: { ok: [1, 2] } },
        tags: ['summarisation', 'production', 'production'],
        status: 'error',
        status_message: 'truncated',
        code_file: '/src/app.ts',
        code_line: 42,
        code_function: 'summarise',
        session_id: 'sess_abc',
        user_id: 'u_123',
        service_name: 'docs-service',
        events: [{ name: 'retry', time: 1757001600100, attributes: { attempt: 2 } }, { name: 'first-token' }],
      },
      pricer,
    );
    assert.equal(single, true);
    assert.deepEqual(spans[0], {
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      parent_span_id: '00f067aa0ba902b6',
      name: 'document-summary',
      kind: 'llm',
      start_time: 1757001600000,
      end_time: 1757001600250,
      duration_ms: 250,
      status: 'error',
      status_message: 'truncated',
      service_name: 'docs-service',
      operation: null,
      model: 'gpt-4o',
      request_model: 'gpt-4o',
      provider: 'openai',
      input_tokens: 850,
      output_tokens: 120,
      total_tokens: 975,
      cache_read_tokens: 100,
      cache_write_tokens: 0,
      reasoning_tokens: 5,
      cost_usd: 0.0012,
      cost_source: 'reported',
      own_usage: true,
      input: 'Summarise: ...',
      output: 'A summary.',
      attributes: {
        document_id: 'doc_abc123',
        nested: { ok: [1, 2] },
        'gen_ai.request.temperature': 0.7,
        'gen_ai.request.max_tokens': 500,
        'stacklens.is_streaming': true,
        'gen_ai.response.finish_reasons': ['stop'],
      },
      resource: {},
      tags: ['summarisation', 'production'],
      events: [
        { name: 'retry', time: 1757001600100, attributes: { attempt: 2 } },
        { name: 'first-token', time: 1757001600000, attributes: {} },
      ],
      code_file: '/src/app.ts',
      code_line: 42,
      code_function: 'summarise',
      session_id: 'sess_abc',
      user_id: 'u_123',
    });
  });

  it('fills the defaults: ids, kind, times, total, status, and prices from tokens', () => {
    const before = Date.now();
    const { spans } = parseSimpleSpans({ name: 'call', model: 'gpt-4o-mini', provider: 'openai', input_tokens: 1000, output_tokens: 100, duration_ms: 1500 }, pricer);
    const s = spans[0];
    assert.match(s.trace_id, /^[0-9a-f]{32}$/);
    assert.match(s.span_id, /^[0-9a-f]{16}$/);
    assert.equal(s.parent_span_id, null);
    assert.equal(s.kind, 'llm', 'llm when a model is set');
    assert.ok(s.end_time >= before && s.end_time <= Date.now(), 'ends now');
    assert.equal(s.duration_ms, 1500);
    assert.equal(s.start_time, s.end_time - 1500);
    assert.equal(s.total_tokens, 1100);
    assert.equal(s.status, 'ok');
    assert.equal(s.cost_source, 'computed');
    assert.ok(Math.abs(s.cost_usd! - (1000 * 0.15 + 100 * 0.6) / 1e6) < 1e-12);
    assert.deepEqual([s.tags, s.events, s.attributes, s.input], [[], [], {}, null]);
  });

  it('makes a span without a model internal and gives it no cost', () => {
    const s = parseSimpleSpans({ name: 'step', start_time: 1000, end_time: 1000 }, pricer).spans[0];
    assert.deepEqual([s.kind, s.cost_usd, s.cost_source, s.total_tokens], ['internal', null, null, null]);
  });

  it('ends a span duration_ms after its start when only the start is given', () => {
    const s = parseSimpleSpans({ name: 'x', start_time: 5000, duration_ms: 20 }, pricer).spans[0];
    assert.deepEqual([s.start_time, s.end_time], [5000, 5020]);
  });

  it('reads {"spans": [...]} as a list, and lets spans without trace_id join their parent in the batch', () => {
    const { spans, single } = parseSimpleSpans(
      {
        spans: [
          { name: 'root', trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' },
          { name: 'child', span_id: 'b7ad6b7169203332', parent_span_id: 'b7ad6b7169203331' },
          { name: 'grandchild', parent_span_id: 'b7ad6b7169203332' },
          { name: 'stranger' },
        ],
      },
      pricer,
    );
    assert.equal(single, false);
    assert.deepEqual(spans.slice(0, 3).map((s) => s.trace_id), Array(3).fill('0af7651916cd43dd8448eb211c80319c'));
    assert.notEqual(spans[3].trace_id, '0af7651916cd43dd8448eb211c80319c');
  });

  it('keeps fields the format does not define as attributes', () => {
    const s = parseSimpleSpans({ name: 'x', customer_tier: 'gold' }, pricer).spans[0];
    assert.equal(s.attributes.customer_tier, 'gold');
  });

  it('keeps a field named __proto__ as an ordinary attribute', () => {
    const s = parseSimpleSpans(JSON.parse('{"name":"x","__proto__":{"polluted":true},"attributes":{"__proto__":{"also":1}}}'), pricer).spans[0];
    assert.equal(Object.getPrototypeOf(s.attributes), Object.prototype);
    assert.equal((s.attributes as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(s.attributes, '__proto__')?.value, { polluted: true });
  });

  const refusals: Array<[string, unknown, string]> = [
    ['a missing name', { model: 'gpt-4o' }, 'name: required: a non-empty string naming the operation'],
    ['tokens as text', { spans: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd', input_tokens: 'ten' }] }, 'spans[3].input_tokens: expected a non-negative integer, got a string ("ten")'],
    ['negative tokens', { name: 'a', output_tokens: -1 }, 'output_tokens: expected a non-negative integer, got number -1'],
    ['fractional tokens', { name: 'a', cache_read_tokens: 1.5 }, 'cache_read_tokens: expected a non-negative integer, got number 1.5'],
    ['an unknown kind', { name: 'a', kind: 'chain' }, 'kind: expected one of agent, llm, tool, retrieval, embedding, eval, internal, got a string ("chain")'],
    ['an unknown status', { name: 'a', status: 'failed' }, 'status: expected one of ok, error, got a string ("failed")'],
    ['a bad trace id', { name: 'a', trace_id: 'xyz' }, 'trace_id: expected 32 hex characters (or a UUID), got a string ("xyz")'],
    ['an all-zero span id', { name: 'a', span_id: '0000000000000000' }, 'span_id: is all zeros, which is not a valid id'],
    ['a time that is not a time', { name: 'a', start_time: 'yesterday' }, 'start_time: expected epoch milliseconds or an ISO 8601 date-time string, got a string ("yesterday")'],
    ['an end before the start', { name: 'a', start_time: 2000, end_time: 1000 }, 'end_time: must not precede start_time (end 1970-01-01T00:00:01.000Z < start 1970-01-01T00:00:02.000Z)'],
    ['a negative cost', { name: 'a', cost_usd: -0.5 }, 'cost_usd: expected a non-negative number, got number -0.5'],
    ['tags that are not strings', { name: 'a', tags: ['ok', 3] }, 'tags: expected an array of strings, got an array'],
    ['attributes that are a list', { name: 'a', attributes: [1] }, 'attributes: expected an object, got an array'],
    ['a streaming flag as text', { name: 'a', is_streaming: 'yes' }, 'is_streaming: expected true or false, got a string ("yes")'],
    ['an event without a name', { name: 'a', events: [{ time: 5 }] }, 'events[0].name: required: a non-empty string'],
    ['a code line as text', { name: 'a', code_line: '12' }, 'code_line: expected a non-negative integer, got a string ("12")'],
    ['spans that are not a list', { spans: {} }, 'spans: expected an array of span objects, got an object'],
    ['an empty list', { spans: [] }, 'spans: the list is empty; send at least one span'],
    ['a list entry that is not an object', { spans: [{ name: 'a' }, 7] }, 'spans[1]: expected a span object, got number 7'],
    ['a body that is a list', [{ name: 'a' }], 'body: expected one span object or {"spans": [...]}, got an array'],
    ['a body that is text', 'hello', 'body: expected one span object or {"spans": [...]}, got a string ("hello")'],
  ];
  for (const [what, body, message] of refusals) {
    it(`refuses ${what}, naming the field`, () => assert.equal(refusal(body), message));
  }

  it('refuses the whole batch when any span is invalid', () => {
    assert.throws(() => parseSimpleSpans({ spans: [{ name: 'fine' }, { name: '' }] }, pricer), /^IngestError: spans\[1\]\.name: required/);
  });
});

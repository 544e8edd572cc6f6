// Redaction patterns and content capture, as pure functions over spans and text.
import assert from 'node:assert/strict';
import type { Span } from '../../extension/server/model';
import { createPrivacy, parseCustomPattern, RedactionPatternError } from '../../extension/server/privacy';
import { passesLuhn } from '../../extension/server/privacy/patterns';

function span(over: Partial<Span> = {}): Span {
  return {
    trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), parent_span_id: null, name: 'chat gpt-4o', kind: 'llm',
    start_time: 1_700_000_000_000, end_time: 1_700_000_001_000, duration_ms: 1000, status: 'ok', status_message: null,
    service_name: 'svc', operation: 'chat', model: 'gpt-4o', request_model: 'gpt-4o', provider: 'openai',
    input_tokens: 12, output_tokens: 3, total_tokens: 15, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null,
    cost_usd: 0.0001, cost_source: 'computed', input: null, output: null, attributes: {}, resource: {}, tags: [], events: [],
    code_file: 'app.py', code_line: 3, code_function: 'main', session_id: null, user_id: null,
    ...over,
  };
}

describe('privacy: redaction patterns', () => {
  const privacy = createPrivacy();
  const redact = (t: string) => privacy.redactText(t);

  it('replaces OpenAI, Anthropic, AWS, GitHub and Slack keys with their kind', () => {
    assert.equal(redact('key sk-proj-AbCdEf0123456789AbCdEf0123 end'), 'key [REDACTED:openai_key] end');
    assert.equal(redact('sk-ant-api03-AbCdEf0123456789AbCdEf_-xyz'), '[REDACTED:anthropic_key]');
    assert.equal(redact('aws AKIAIOSFODNN7EXAMPLE.'), 'aws [REDACTED:aws_access_key].');
    assert.equal(redact('token=ghp_' + 'a1B2'.repeat(9)), 'token=[REDACTED:github_token]');
    assert.equal(redact('xoxb-123456789012-abcdefghij'), '[REDACTED:slack_token]');
  });

  it('keeps the word Bearer and replaces the token after it', () => {
    assert.equal(redact('Authorization: Bearer abc.def-ghi_jkl~mno+pqr/stu='), 'Authorization: Bearer [REDACTED:bearer_token]');
  });

  it('replaces a JWT and an email address', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    assert.equal(redact(`session ${jwt} ok`), 'session [REDACTED:jwt] ok');
    assert.equal(redact('write to jane.doe+ai@example.co.uk today'), 'write to [REDACTED:email] today');
  });

  it('leaves ordinary prose, short words and ids untouched (the same string comes back)', () => {
    const text = 'The skeleton key task-runner at sk-8 ran 42 times; trace 4bf92f3577b34da6a3ce929d0e0e4736.';
    assert.equal(redact(text), text);
  });

  it('redacts card numbers only when asked and only when they pass Luhn', () => {
    assert.equal(redact('card 4111 1111 1111 1111'), 'card 4111 1111 1111 1111', 'off by default');
    const cards = createPrivacy({ redact: { creditCards: true } });
    assert.equal(cards.redactText('card 4111 1111 1111 1111 ok'), 'card [REDACTED:credit_card] ok');
    assert.equal(cards.redactText('order 4111 1111 1111 1112'), 'order 4111 1111 1111 1112', 'fails Luhn: not a card');
    assert.equal(passesLuhn('79927398713'), true);
    assert.equal(passesLuhn('79927398710'), false);
  });

  it('applies custom patterns with the defaults, in one pass, flags given as /re/i', () => {
    const p = createPrivacy({ redact: { patterns: [{ name: 'ticket', regex: '/tck-\\d{4}/i' }, { name: 'acme_id', regex: 'ACME-[0-9]{6}' }] } });
    assert.equal(p.redactText('TCK-1234 for ACME-123456 by bob@example.com'), '[REDACTED:ticket] for [REDACTED:acme_id] by [REDACTED:email]');
    assert.deepEqual(p.redactedKinds.slice(-2), ['ticket', 'acme_id']);
  });

  it('can turn the defaults off and keep only custom patterns', () => {
    const p = createPrivacy({ redact: { defaults: false, patterns: [parseCustomPattern('internal=INT-\\d+')] } });
    assert.equal(p.redactText('INT-42 sk-proj-AbCdEf0123456789AbCdEf0123'), '[REDACTED:internal] sk-proj-AbCdEf0123456789AbCdEf0123');
  });

  it('joins patterns with backreferences or clashing group names correctly', () => {
    const p = createPrivacy({
      redact: { defaults: false, patterns: [{ name: 'twice', regex: '(ab)\\1' }, { name: 'g1', regex: '(?<x>q1)' }, { name: 'g2', regex: '(?<x>q2)' }] },
    });
    assert.equal(p.redactText('abab q1 q2 ab'), '[REDACTED:twice] [REDACTED:g1] [REDACTED:g2] ab');
  });

  it('refuses an invalid regex at startup with an error that names the pattern', () => {
    assert.throws(() => createPrivacy({ redact: { patterns: [{ name: 'broken', regex: 'a(b' }] } }), (err: Error) => {
      assert.ok(err instanceof RedactionPatternError);
      assert.match(err.message, /redaction pattern "broken" is not a valid regular expression/);
      return true;
    });
    assert.throws(() => createPrivacy({ redact: { patterns: [{ name: 'empty', regex: 'x*' }] } }), /"empty" matches the empty string/);
    assert.throws(() => createPrivacy({ redact: { patterns: [{ name: '9bad', regex: 'x' }] } }), /a name is letters/);
    assert.throws(() => createPrivacy({ redact: { patterns: [{ name: 'f', regex: '/x/g' }] } }), /flag "g" is not accepted/);
    assert.throws(() => parseCustomPattern('no-equals-sign'), /expected NAME=REGEX/);
  });

  it('answers a long text seen a moment ago the way it did then, and a new one afresh', () => {
    // texts past the remembering threshold, with and without secrets, equal ones as other objects
    const prose = (i: number) => `paragraph ${i}: ` + 'the agent reads the ledger and summarises it. '.repeat(8);
    const secret = (i: number) => prose(i) + ` key sk-proj-${'AbCdEf0123456789'.repeat(2)}${i}`;
    const texts = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? secret(i) : prose(i)));
    const fresh = () => createPrivacy().redactText;
    const expected = texts.map((t) => fresh()(t));
    assert.ok(expected[0].includes('[REDACTED:openai_key]') && !expected[1].includes('REDACTED'));
    const order = [0, 0, 1, 0, 2, 3, 1, 4, 5, 6, 7, 0, 8, 9, 10, 11, 3, 6, 9, 0];
    for (const i of order) assert.equal(redact([texts[i]].join('')), expected[i], `text ${i}`);
    // a text equal in length to a remembered one but different is scanned, not mistaken for it
    const twin = secret(0).replace('ledger', 'LEDGER');
    assert.equal(twin.length, texts[0].length);
    assert.equal(redact(texts[0]), expected[0]);
    assert.equal(redact(twin), fresh()(twin));
  });

  it('scans a hostile 200 kB prompt in linear time', () => {
    const hostile = 'a.'.repeat(100_000) + 'sk-proj-AbCdEf0123456789AbCdEf0123';
    const started = performance.now();
    const out = redact(hostile);
    const ms = performance.now() - started;
    assert.ok(out.endsWith('[REDACTED:openai_key]'));
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  });
});

describe('privacy: spans', () => {
  it('redacts input, output, status message, attributes (nested), events and resource in place', () => {
    const s = span({
      input: 'my key is sk-proj-AbCdEf0123456789AbCdEf0123',
      output: 'mail me at a@b.io',
      status_message: 'auth failed for Bearer abcdefghijklmnopqrstuvwxyz',
      attributes: { 'http.request.header.authorization': ['Bearer abcdefghijklmnopqrstuvwxyz'], nested: { deep: 'x a@b.io' }, n: 3 },
      resource: { 'deployment.owner': 'ops@example.com' },
      events: [{ name: 'log', time: 1, attributes: { message: 'AKIAIOSFODNN7EXAMPLE' } }],
      user_id: 'jane@example.com',
    });
    createPrivacy().applyToSpans([s]);
    assert.equal(s.input, 'my key is [REDACTED:openai_key]');
    assert.equal(s.output, 'mail me at [REDACTED:email]');
    assert.equal(s.status_message, 'auth failed for Bearer [REDACTED:bearer_token]');
    assert.deepEqual(s.attributes, { 'http.request.header.authorization': ['Bearer [REDACTED:bearer_token]'], nested: { deep: 'x [REDACTED:email]' }, n: 3 });
    assert.deepEqual(s.resource, { 'deployment.owner': '[REDACTED:email]' });
    assert.equal(s.events[0].attributes.message, '[REDACTED:aws_access_key]');
    assert.equal(s.user_id, '[REDACTED:email]');
    assert.equal(s.model, 'gpt-4o');
  });

  it('with content capture off drops content of every convention and keeps model, tokens, cost, timing', () => {
    const s = span({
      input: '[{"role":"user","content":"hi"}]',
      output: 'hello',
      attributes: {
        'gen_ai.input.messages': '[{"role":"user","parts":[]}]',
        'gen_ai.prompt.0.content': 'hi',
        'gen_ai.completion.0.content': 'hello',
        'llm.input_messages.0.message.content': 'hi',
        'llm.output_messages.0.message.content': 'hello',
        'input.value': 'hi',
        'output.value': 'hello',
        'traceloop.entity.input': '{}',
        'ai.prompt': '{}',
        'ai.response.text': 'hello',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 12,
        'llm.token_count.prompt': 12,
      },
      events: [
        { name: 'gen_ai.user.message', time: 1, attributes: { content: 'hi', 'gen_ai.system': 'openai' } },
        { name: 'exception', time: 2, attributes: { 'exception.type': 'RateLimitError' } },
      ],
    });
    createPrivacy({ captureContent: false }).applyToSpans([s]);
    assert.equal(s.input, null);
    assert.equal(s.output, null);
    assert.deepEqual(s.attributes, {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 12,
      'llm.token_count.prompt': 12,
      'stacklens.content_capture': 'off',
    });
    assert.deepEqual(s.events[0].attributes, { 'gen_ai.system': 'openai' });
    assert.deepEqual(s.events[1].attributes, { 'exception.type': 'RateLimitError' });
    assert.equal(s.model, 'gpt-4o');
    assert.equal(s.input_tokens, 12);
    assert.equal(s.cost_usd, 0.0001);
    assert.equal(s.duration_ms, 1000);
  });

  it('redacts a score reason and label', () => {
    const score = createPrivacy().applyToScore({ trace_id: 'ab'.repeat(16), span_id: null, name: 'q', value: 1, label: null, reason: 'asked a@b.io', source: 'api' });
    assert.equal(score.reason, 'asked [REDACTED:email]');
  });
});

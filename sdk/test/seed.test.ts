// Seed 001 (the SDK contract) in TypeScript: configure, the one-line trace, start_trace with
// record_llm / set_attribute / add_tag / set_status, prompts.get and the exceptions.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as stacklens from '../src/index';
import { tempDir } from '../../test/support/collector';
import { arrivedTrace, lineOf, spanNamed, useCollector } from './support/collector-session';

const promptsDir = tempDir('stacklens-prompts-');
const THIS_FILE = readFileSync(__filename, 'utf8');

describe('SDK seed 001 contract', () => {
  const session = useCollector({ promptsDir });

  it('trace() records one llm span and returns its 32-hex trace id', async () => {
    const traceId = stacklens.trace('document-summary', { // @seed-trace
      model: 'gpt-4o',
      provider: 'openai',
      inputTokens: 850,
      outputTokens: 120,
      costUsd: 0.0012,
      attributes: { document_id: 'doc_abc123' },
      tags: ['summarisation', 'production'],
    });
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const detail = await arrivedTrace(session.collector, traceId);
    const span = spanNamed(detail, 'document-summary');
    assert.equal(span.kind, 'llm');
    assert.equal(span.model, 'gpt-4o');
    assert.equal(span.provider, 'openai');
    assert.equal(span.input_tokens, 850);
    assert.equal(span.output_tokens, 120);
    assert.equal(span.total_tokens, 970);
    assert.equal(span.cost_usd, 0.0012);
    assert.equal(span.cost_source, 'reported');
    assert.equal(span.attributes.document_id, 'doc_abc123');
    assert.deepEqual(span.tags, ['summarisation', 'production']);
    assert.equal(span.status, 'ok');
    assert.equal(span.parent_span_id, null);
    assert.equal(span.code_file, __filename);
    assert.equal(span.code_line, lineOf(THIS_FILE, '@seed-trace'));
  });

  it('trace() without costUsd leaves the cost to the collector instead of reporting $0', async () => {
    const traceId = stacklens.trace('unpriced-here', { model: 'gpt-4o', provider: 'openai', inputTokens: 1000, outputTokens: 100 });
    const span = spanNamed(await arrivedTrace(session.collector, traceId), 'unpriced-here');
    assert.notEqual(span.cost_source, 'reported');
    assert.ok(span.cost_source === 'computed' ? span.cost_usd! > 0 : span.cost_usd === null, `cost ${span.cost_usd} from ${span.cost_source}`);
  });

  it('trace() with status error and a duration records both', async () => {
    const traceId = stacklens.trace('failed-call', { model: 'gpt-4o', provider: 'openai', inputTokens: 5, outputTokens: 0, status: 'error', durationMs: 250 });
    const span = spanNamed(await arrivedTrace(session.collector, traceId), 'failed-call');
    assert.equal(span.status, 'error');
    assert.ok(Math.abs(span.duration_ms - 250) < 1, `duration ${span.duration_ms}`);
  });

  it('startTrace() records the run with record_llm, attributes and tags, and returns the callback value', async () => {
    let traceId = '';
    const answer = await stacklens.startTrace('support-agent', async (span) => { // @seed-start-trace
      traceId = span.traceId;
      span.recordLlm({
        model: 'gpt-4o',
        provider: 'openai',
        inputTokens: 200,
        outputTokens: 150,
        completion: 'Your order ships tomorrow.',
        prompt: 'Where is my order?',
        costUsd: 0.0015,
        temperature: 0.2,
        maxTokens: 512,
        finishReason: 'stop',
        isStreaming: true,
        cacheReadTokens: 50,
      });
      span.setAttribute('user_id', 'u_123');
      span.setAttribute('session_id', 'sess_abc');
      span.addTag('support', 'production');
      return 'shipped';
    });
    assert.equal(answer, 'shipped');
    const span = spanNamed(await arrivedTrace(session.collector, traceId), 'support-agent');
    assert.equal(span.kind, 'llm', 'a span with an LLM call and no explicit kind is an llm span');
    assert.equal(span.input, 'Where is my order?');
    assert.equal(span.output, 'Your order ships tomorrow.');
    assert.equal(span.cost_usd, 0.0015);
    assert.equal(span.cache_read_tokens, 50);
    assert.equal(span.attributes.user_id, 'u_123');
    assert.equal(span.attributes.session_id, 'sess_abc');
    assert.deepEqual(span.tags, ['support', 'production']);
    assert.equal(span.code_line, lineOf(THIS_FILE, '@seed-start-trace'));
    assert.equal(span.code_file, __filename);
  });

  it('setStatus("error") without a throw marks the span failed with its message', async () => {
    const traceId = await stacklens.startTrace('graceful-failure', async (span) => {
      span.setStatus('error', 'no answer found');
      return span.traceId;
    });
    const span = spanNamed(await arrivedTrace(session.collector, traceId), 'graceful-failure');
    assert.equal(span.status, 'error');
    assert.equal(span.status_message, 'no answer found');
    assert.equal(span.kind, 'agent');
  });

  it('refuses a trace() without the required fields, naming the field', () => {
    assert.throws(() => stacklens.trace('x', { model: 'gpt-4o', provider: 'openai', inputTokens: 10 } as any), (e: any) => e instanceof stacklens.ValidationError && e.field === 'outputTokens' && /outputTokens is required/.test(e.message));
    assert.throws(() => stacklens.trace('x', { model: 'gpt-4o', provider: 'openai', inputTokens: -1, outputTokens: 2 }), /inputTokens must be an integer ≥ 0, got -1/);
    assert.throws(() => stacklens.trace('x', { model: '', provider: 'openai', inputTokens: 1, outputTokens: 2 }), /model must be a non-empty string/);
    assert.throws(() => stacklens.trace('x', { model: 'm', provider: 'p', input_tokens: 1, outputTokens: 2 } as any), /input_tokens is spelled inputTokens/);
    assert.throws(() => stacklens.trace('x', { model: 'm', provider: 'p', inputTokens: 1, outputTokens: 2, costUsd: Number.NaN }), /costUsd must be a number ≥ 0/);
    assert.throws(() => stacklens.trace('', { model: 'm', provider: 'p', inputTokens: 1, outputTokens: 2 }), /name and must be a non-empty string/);
    assert.throws(() => stacklens.trace('x', { model: 'm', provider: 'p', inputTokens: 1, outputTokens: 2, status: 'failed' as any }), /status must be "ok" or "error"/);
  });

  it('prompts.get() returns the prompt text for an environment, production by default', async () => {
    mkdirSync(promptsDir, { recursive: true });
    writeFileSync(path.join(promptsDir, 'support-system-prompt.md'), 'You are a helpful support agent.');
    writeFileSync(path.join(promptsDir, 'onboarding-email.dev.md'), 'Hi {{name}} (dev draft)');
    assert.equal(await stacklens.prompts.get('support-system-prompt'), 'You are a helpful support agent.');
    assert.equal(await stacklens.prompts.get('onboarding-email', { env: 'dev' }), 'Hi {{name}} (dev draft)');
  });

  it('prompts.get() of a missing prompt rejects with ApiError 404', async () => {
    await assert.rejects(stacklens.prompts.get('no-such-prompt', { env: 'staging' }), (e: any) => e instanceof stacklens.ApiError && e instanceof stacklens.StackLensError && e.statusCode === 404 && /no-such-prompt/.test(e.message));
    await assert.rejects(stacklens.prompts.get('x', { env: 'prod' as any }), /env must be one of dev, staging, production/);
  });
});

// wrapOpenAI / wrapAnthropic with the real client libraries, pointed at a local fake provider.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import * as stacklens from '../src/index';
import type { StoredSpan } from './support/collector-api';
import { arrivedTrace, lineOf, useCollector } from './support/collector-session';
import { ANTHROPIC_USAGE, OPENAI_USAGE, REPLY, RESPONSES_USAGE, answeredModel, startFakeProvider, type FakeProvider } from './support/fake-provider';

const THIS_FILE = readFileSync(__filename, 'utf8');
const ask = (content: string) => [{ role: 'user' as const, content }];

describe('SDK client wrappers', () => {
  const session = useCollector();
  let provider: FakeProvider;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    provider = await startFakeProvider();
    openai = stacklens.wrapOpenAI(new OpenAI({ apiKey: 'sk-fake', baseURL: `${provider.url}/v1`, maxRetries: 0 }));
    anthropic = stacklens.wrapAnthropic(new Anthropic({ apiKey: 'sk-ant-fake', baseURL: provider.url, maxRetries: 0 }));
  });
  after(async () => {
    await provider.close();
  });

  /** Runs `calls` inside a trace and returns its llm spans in start order. */
  async function llmSpans(calls: () => Promise<unknown>): Promise<{ spans: StoredSpan[]; root: StoredSpan }> {
    let expected = 0;
    const traceId = await stacklens.startTrace('wrapped', async (root) => {
      await calls();
      expected = root.callCount + 1;
      return root.traceId;
    });
    const detail = await arrivedTrace(session.collector, traceId, expected);
    const root = detail.spans.find((s) => s.name === 'wrapped')!;
    const spans = detail.spans.filter((s) => s.kind === 'llm').sort((a, b) => a.start_time - b.start_time);
    for (const span of spans) assert.equal(span.parent_span_id, root.span_id, `${span.name} is a child of the running span`);
    return { spans, root };
  }

  it('records an OpenAI chat completion: model, tokens incl. cached and reasoning, messages, reply, call site', async () => {
    let reply = '';
    const { spans } = await llmSpans(async () => {
      const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('Capital of France?'), temperature: 0.3, max_tokens: 64 }); // @openai-chat
      reply = completion.choices[0].message.content ?? '';
    });
    assert.equal(reply, REPLY, 'the caller gets the real answer');
    const [span] = spans;
    assert.equal(span.name, 'chat gpt-4o-mini');
    assert.equal(span.model, answeredModel('gpt-4o-mini'));
    assert.equal(span.provider, 'openai');
    assert.equal(span.attributes['gen_ai.request.model'], 'gpt-4o-mini');
    assert.equal(span.input_tokens, OPENAI_USAGE.prompt_tokens);
    assert.equal(span.output_tokens, OPENAI_USAGE.completion_tokens);
    assert.equal(span.total_tokens, OPENAI_USAGE.total_tokens);
    assert.equal(span.cache_read_tokens, OPENAI_USAGE.prompt_tokens_details.cached_tokens);
    assert.equal(span.reasoning_tokens, OPENAI_USAGE.completion_tokens_details.reasoning_tokens);
    assert.deepEqual(JSON.parse(span.input!), ask('Capital of France?'));
    assert.equal(span.output, REPLY);
    assert.equal(span.attributes['gen_ai.request.temperature'], 0.3);
    assert.equal(span.attributes['gen_ai.request.max_tokens'], 64);
    assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(span.status, 'ok');
    assert.equal(span.code_file, __filename);
    assert.equal(span.code_line, lineOf(THIS_FILE, '@openai-chat'));
    assert.ok(span.duration_ms > 0);
  });

  it('asks a stream for its usage, hides the extra usage chunk from the caller, and records the streamed reply', async () => {
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    const { spans } = await llmSpans(async () => {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('Stream it'), stream: true });
      for await (const chunk of stream) chunks.push(chunk);
    });
    assert.equal(provider.requests.at(-1)!.body.stream_options?.include_usage, true, 'usage was requested');
    assert.ok(chunks.every((c) => c.choices.length === 1), 'every chunk the caller sees has its choice (no usage-only chunk)');
    assert.equal(chunks.map((c) => c.choices[0].delta.content ?? '').join(''), REPLY);
    const [span] = spans;
    assert.equal(span.attributes['stacklens.is_streaming'], true);
    assert.equal(span.input_tokens, OPENAI_USAGE.prompt_tokens);
    assert.equal(span.output_tokens, OPENAI_USAGE.completion_tokens);
    assert.equal(span.output, REPLY);
    assert.equal(typeof span.attributes['stacklens.time_to_first_token_ms'], 'number');
  });

  it('leaves stream_options the caller set alone, and passes the usage chunk through', async () => {
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    const { spans } = await llmSpans(async () => {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('mine'), stream: true, stream_options: { include_usage: true } });
      for await (const chunk of stream) chunks.push(chunk);
    });
    assert.equal(chunks.at(-1)!.choices.length, 0, 'the caller asked for the usage chunk and gets it');
    assert.equal(spans[0].output_tokens, OPENAI_USAGE.completion_tokens);
  });

  it('records streamed tool calls as the completion, with finish reason tool_calls', async () => {
    const { spans } = await llmSpans(async () => {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('[tool] where is A-17?'), stream: true });
      for await (const _ of stream) void _;
    });
    const output = JSON.parse(spans[0].output!);
    assert.deepEqual(output[0].tool_calls[0].function, { name: 'lookup_order', arguments: '{"order_id":"A-17"}' });
    assert.deepEqual(spans[0].attributes['gen_ai.response.finish_reasons'], ['tool_calls']);
  });

  it('keeps the APIPromise: .withResponse() still works and is traced', async () => {
    let status = 0;
    const { spans } = await llmSpans(async () => {
      const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o', messages: ask('hi') }).withResponse();
      status = response.status;
      assert.equal(data.choices[0].message.content, REPLY);
    });
    assert.equal(status, 200);
    assert.equal(spans[0].output, REPLY);
  });

  it('records the Responses API, plain and streamed', async () => {
    let text = '';
    const { spans } = await llmSpans(async () => {
      text = (await openai.responses.create({ model: 'gpt-4.1', input: 'Capital of France?', instructions: 'Be brief.' })).output_text;
      const stream = await openai.responses.create({ model: 'gpt-4.1', input: 'again', stream: true });
      for await (const _ of stream) void _;
    });
    assert.equal(text, REPLY);
    for (const span of spans) {
      assert.equal(span.model, answeredModel('gpt-4.1'));
      assert.equal(span.input_tokens, RESPONSES_USAGE.input_tokens);
      assert.equal(span.output_tokens, RESPONSES_USAGE.output_tokens);
      assert.equal(span.cache_read_tokens, RESPONSES_USAGE.input_tokens_details.cached_tokens);
      assert.equal(span.output, REPLY);
    }
    assert.deepEqual(JSON.parse(spans[0].input!), [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }]);
    assert.equal(spans[1].input, 'again');
    assert.equal(spans[1].attributes['stacklens.is_streaming'], true);
  });

  it('turns a failed OpenAI call into an error span and rethrows the client error unchanged', async () => {
    let caught: unknown;
    const { spans } = await llmSpans(async () => {
      try {
        await openai.chat.completions.create({ model: 'gpt-4o', messages: ask('[fail:429]') });
      } catch (error) {
        caught = error;
      }
    });
    assert.ok(caught instanceof OpenAI.RateLimitError, 'the caller gets the client’s own error');
    const [span] = spans;
    assert.equal(span.status, 'error');
    assert.match(span.status_message!, /Rate limit reached/);
    assert.equal(span.attributes['http.response.status_code'], 429);
    assert.equal(span.attributes['error.type'], 'RateLimitError');
    assert.ok(span.events.some((e) => e.name === 'exception'));
  });

  it('records an Anthropic message with cache reads and writes counted into the input', async () => {
    const { spans } = await llmSpans(async () => {
      const message = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, system: 'Be brief.', messages: ask('Capital of France?') }); // @anthropic-create
      assert.equal(message.content[0].type === 'text' && message.content[0].text, REPLY);
    });
    const [span] = spans;
    const { input_tokens, cache_read_input_tokens, cache_creation_input_tokens, output_tokens } = ANTHROPIC_USAGE;
    assert.equal(span.provider, 'anthropic');
    assert.equal(span.model, answeredModel('claude-haiku-4-5'));
    assert.equal(span.input_tokens, input_tokens + cache_read_input_tokens + cache_creation_input_tokens);
    assert.equal(span.cache_read_tokens, cache_read_input_tokens);
    assert.equal(span.cache_write_tokens, cache_creation_input_tokens);
    assert.equal(span.output_tokens, output_tokens);
    assert.deepEqual(JSON.parse(span.input!), [{ role: 'system', content: 'Be brief.' }, ...ask('Capital of France?')]);
    assert.equal(span.output, REPLY);
    assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], ['end_turn']);
    assert.equal(span.code_line, lineOf(THIS_FILE, '@anthropic-create'));
  });

  it('records Anthropic streams from messages.create({ stream: true }) and messages.stream()', async () => {
    let finalText = '';
    const { spans } = await llmSpans(async () => {
      const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: ask('stream'), stream: true });
      for await (const _ of stream) void _;
      const helper = anthropic.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: ask('helper') }); // @anthropic-stream-helper
      finalText = await helper.finalText();
    });
    assert.equal(finalText, REPLY);
    assert.equal(spans.length, 2, 'one span per call, none doubled by the helper');
    for (const span of spans) {
      assert.equal(span.attributes['stacklens.is_streaming'], true);
      assert.equal(span.output_tokens, ANTHROPIC_USAGE.output_tokens);
      assert.equal(span.cache_read_tokens, ANTHROPIC_USAGE.cache_read_input_tokens);
      assert.equal(span.output, REPLY);
    }
    assert.equal(spans[1].code_line, lineOf(THIS_FILE, '@anthropic-stream-helper'));
    assert.equal(spans[1].code_file, __filename);
  });

  it('turns a failed Anthropic call into an error span', async () => {
    const { spans } = await llmSpans(async () => {
      await assert.rejects(anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: ask('[fail:500]') }), Anthropic.InternalServerError);
    });
    assert.equal(spans[0].status, 'error');
    assert.equal(spans[0].attributes['http.response.status_code'], 500);
  });

  it('records an LLM call made outside any trace as a trace of its own', async () => {
    const model = `solo-model-${Date.now()}`;
    await openai.chat.completions.create({ model, messages: ask('alone') });
    await stacklens.flush();
    const list = await session.collector.request('GET', `/api/v1/traces?q=${model}&limit=5`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      (list.body.traces as Array<{ name: string; span_count: number }>).map((t) => [t.name, t.span_count]),
      [[`chat ${model}`, 1]],
    );
  });
});

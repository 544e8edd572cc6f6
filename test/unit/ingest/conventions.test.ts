import assert from 'node:assert/strict';
import { calcPrice } from '@pydantic/genai-prices';
import { decodeTraceRequest, normaliseTraceRequest } from '../../../extension/server/ingest';
import { createPricer } from '../../../extension/server/pricing';
import { byName, fixture, fixtureSpans, oneSpan } from './otlp-body';

const messages = (text: string | null) => JSON.parse(text ?? 'null');

describe('OTel GenAI conventions, current names (fixture genai-current.json)', () => {
  const spans = fixtureSpans('genai-current.json');

  it('reads a chat span: kind, operation, response and request model, provider, tokens', () => {
    const s = byName(spans, 'chat gpt-4o');
    assert.equal(s.kind, 'llm');
    assert.equal(s.operation, 'chat');
    assert.equal(s.model, 'gpt-4o-2024-08-06');
    assert.equal(s.request_model, 'gpt-4o');
    assert.equal(s.provider, 'openai');
    assert.deepEqual([s.input_tokens, s.output_tokens, s.total_tokens, s.cache_read_tokens, s.cache_write_tokens], [2000, 150, 2150, 1500, null]);
    assert.equal(s.parent_span_id, 'eee19b7ec3c1b174');
  });

  it('prices it from the response model at the span start date', () => {
    const s = byName(spans, 'chat gpt-4o');
    const expected = calcPrice({ input_tokens: 2000, output_tokens: 150, cache_read_tokens: 1500 }, 'gpt-4o-2024-08-06', { providerId: 'openai', timestamp: new Date(s.start_time) })!;
    assert.equal(s.cost_source, 'computed');
    assert.ok(Math.abs(s.cost_usd! - expected.total_price) < 1e-12);
  });

  it('reads system instructions, structured input messages and JSON-text output messages with tool calls', () => {
    const s = byName(spans, 'chat gpt-4o');
    assert.deepEqual(messages(s.input), [
      { role: 'system', content: 'You are a weather agent.' },
      { role: 'user', content: 'Weather in Paris?' },
    ]);
    assert.deepEqual(messages(s.output), [
      { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: 'get_weather', arguments: '{"location":"Paris"}' }], finish_reason: 'tool_calls' },
    ]);
  });

  it('keeps gen_ai.evaluation.result events among the events (the store turns them into scores)', () => {
    const s = byName(spans, 'chat gpt-4o');
    assert.deepEqual(s.events, [
      {
        name: 'gen_ai.evaluation.result',
        time: s.start_time + 1200,
        attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.9, 'gen_ai.evaluation.score.label': 'relevant', 'gen_ai.evaluation.explanation': 'Answers the question asked.' },
      },
    ]);
  });

  it('reads invoke_agent as an agent with its code location and conversation id', () => {
    const s = byName(spans, 'invoke_agent WeatherAgent');
    assert.equal(s.kind, 'agent');
    assert.deepEqual([s.code_file, s.code_line, s.code_function], ['/app/agent.py', 42, 'run_agent']);
    assert.equal(s.session_id, 'conv_5j66UpCpwteGg4YSxUnt7lPY');
    assert.equal(s.cost_usd, null, 'a model without usage costs nothing known');
    assert.equal(s.cost_source, null);
  });

  it('reads execute_tool as a tool with its arguments as input and its result as output', () => {
    const s = byName(spans, 'execute_tool get_weather');
    assert.equal(s.kind, 'tool');
    assert.equal(s.input, '{"location":"Paris"}');
    assert.equal(s.output, 'rainy, 57°F');
  });

  it('reads embeddings and retrieval spans', () => {
    const e = byName(spans, 'embeddings text-embedding-3-small');
    assert.equal(e.kind, 'embedding');
    assert.equal(e.input_tokens, 12);
    assert.equal(e.cost_source, 'computed');
    const r = byName(spans, 'retrieval weather-index');
    assert.equal(r.kind, 'retrieval');
    assert.equal(r.input, 'weather Paris today');
    assert.equal(r.output, '[{"id":"doc-1","score":0.92},{"id":"doc-2","score":0.71}]');
  });

  it('reads cache-creation and reasoning tokens, and an error status with its message', () => {
    const s = byName(spans, 'chat claude-sonnet-4-20250514');
    assert.deepEqual([s.input_tokens, s.cache_read_tokens, s.cache_write_tokens, s.output_tokens, s.reasoning_tokens], [5000, 3000, 1000, 400, 120]);
    assert.equal(s.provider, 'anthropic');
    assert.equal(s.status, 'error');
    assert.equal(s.status_message, 'Overloaded');
  });
});

describe('OTel GenAI conventions, legacy names (fixture genai-legacy.json)', () => {
  const spans = fixtureSpans('genai-legacy.json');

  it('reads gen_ai.system, prompt_tokens / completion_tokens and the code.filepath family', () => {
    const s = byName(spans, 'chat gpt-4o-mini');
    assert.equal(s.provider, 'openai');
    assert.equal(s.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual([s.input_tokens, s.output_tokens, s.total_tokens], [300, 40, 340]);
    assert.deepEqual([s.code_file, s.code_line, s.code_function], ['/app/legacy.py', 7, 'answer']);
  });

  it('reads indexed gen_ai.prompt.N / gen_ai.completion.N attributes with tool calls', () => {
    const s = byName(spans, 'chat gpt-4o-mini');
    assert.deepEqual(messages(s.input), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Oslo?' },
    ]);
    assert.deepEqual(messages(s.output), [{ role: 'assistant', content: '', tool_calls: [{ id: 'call_9', name: 'get_weather', arguments: '{"city":"Oslo"}' }], finish_reason: 'tool_calls' }]);
  });

  it('reads content from gen_ai.content.prompt / gen_ai.content.completion events', () => {
    const s = byName(spans, 'chat claude-3-5-haiku');
    assert.equal(s.kind, 'llm', 'model usage and nothing else means an LLM call');
    assert.deepEqual(messages(s.input), [{ role: 'user', content: 'Hi' }]);
    assert.deepEqual(messages(s.output), [{ role: 'assistant', content: 'Hello!' }]);
  });

  it('reads content from gen_ai.system.message / gen_ai.user.message / gen_ai.choice events', () => {
    const s = byName(spans, 'chat gemini-1.5-flash');
    assert.equal(s.provider, 'google');
    assert.deepEqual(messages(s.input), [
      { role: 'system', content: 'Answer with a number.' },
      { role: 'user', content: '2+2?' },
    ]);
    assert.deepEqual(messages(s.output), [{ role: 'assistant', content: '4', finish_reason: 'stop' }]);
  });

  it('marks a span with an exception event as an error even when its status is unset', () => {
    const s = byName(spans, 'chat gpt-4o');
    assert.equal(s.provider, 'openai', 'capitalised gen_ai.system "OpenAI"');
    assert.equal(s.status, 'error');
    assert.equal(s.status_message, 'openai.RateLimitError: Rate limit reached for gpt-4o');
    assert.equal(s.events[0].name, 'exception');
  });
});

describe('OpenInference conventions (fixture openinference.json)', () => {
  const spans = fixtureSpans('openinference.json');

  it('maps every openinference.span.kind to a span kind', () => {
    const kinds = Object.fromEntries([...spans.values()].map((s) => [s.attributes['openinference.span.kind'], s.kind]));
    assert.deepEqual(kinds, { CHAIN: 'internal', LLM: 'llm', TOOL: 'tool', RETRIEVER: 'retrieval', EMBEDDING: 'embedding', AGENT: 'agent', RERANKER: 'retrieval', GUARDRAIL: 'eval', EVALUATOR: 'eval' });
  });

  it('reads model, provider, token counts with cache and reasoning details, and a reported llm.cost.total', () => {
    const s = byName(spans, 'ChatOpenAI');
    assert.equal(s.model, 'gpt-4o');
    assert.equal(s.provider, 'azure', 'llm.provider (who serves it) before llm.system (whose model)');
    assert.deepEqual([s.input_tokens, s.output_tokens, s.total_tokens, s.cache_read_tokens, s.reasoning_tokens], [900, 50, 950, 512, 0]);
    assert.equal(s.cost_usd, 0.0123);
    assert.equal(s.cost_source, 'reported');
    assert.equal(s.status, 'ok');
  });

  it('reads llm.input_messages / llm.output_messages over input.value, keeping images and tool calls', () => {
    const s = byName(spans, 'ChatOpenAI');
    assert.deepEqual(messages(s.input), [
      { role: 'system', content: 'Use the tools.' },
      { role: 'user', content: 'What is in this picture?', parts: [{ type: 'image', image: { image: { url: 'https://example.com/paris.png' } } }] },
    ]);
    assert.deepEqual(messages(s.output), [{ role: 'assistant', content: '', tool_calls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city": "Paris"}' }] }]);
  });

  it('reads input.value / output.value as plain text, and session, user and tags', () => {
    const s = byName(spans, 'RunnableSequence');
    assert.equal(s.input, 'What is the weather in Paris?');
    assert.equal(s.output, 'It is rainy.');
    assert.equal(s.session_id, 'sess-42');
    assert.equal(s.user_id, 'user-7');
    assert.deepEqual(s.tags, ['beta', 'rag']);
    assert.equal(s.attributes.metadata, '{"team":"search"}');
  });

  it('reads retrieved documents as the output of a retriever', () => {
    const s = byName(spans, 'VectorStoreRetriever');
    assert.equal(s.input, 'weather Paris');
    assert.deepEqual(JSON.parse(s.output!), [
      { id: 'd1', content: 'Paris: rain expected.', score: 0.92 },
      { id: 'd2', content: 'Lyon: sunny.', score: 0.41 },
    ]);
  });

  it('reads embedding.model_name and prices the embedding', () => {
    const s = byName(spans, 'OpenAIEmbeddings');
    assert.equal(s.model, 'text-embedding-3-small');
    assert.equal(s.provider, 'openai');
    assert.equal(s.input_tokens, 3);
    assert.equal(s.cost_source, 'computed');
  });
});

describe('OpenLLMetry / Traceloop conventions (fixture openllmetry.json)', () => {
  const spans = fixtureSpans('openllmetry.json');

  it('maps traceloop.span.kind workflow / task / agent / tool', () => {
    assert.equal(byName(spans, 'joke_generator.workflow').kind, 'internal');
    assert.equal(byName(spans, 'create_joke.task').kind, 'internal');
    assert.equal(byName(spans, 'joke_critic.agent').kind, 'agent');
    assert.equal(byName(spans, 'rate_joke.tool').kind, 'tool');
  });

  it('reads traceloop.entity.input / output and association properties', () => {
    const s = byName(spans, 'joke_generator.workflow');
    assert.equal(s.input, '{"args":[],"kwargs":{"topic":"cats"}}');
    assert.equal(s.output, '"Why did the cat sit on the computer?"');
    assert.equal(s.session_id, 's-9');
    assert.equal(s.user_id, 'u-9');
  });

  it('reads llm.request.type chat spans with gen_ai.prompt.N content and llm.usage.total_tokens', () => {
    const s = byName(spans, 'openai.chat');
    assert.equal(s.kind, 'llm');
    assert.equal(s.operation, 'chat');
    assert.equal(s.provider, 'openai');
    assert.deepEqual([s.input_tokens, s.output_tokens, s.total_tokens, s.cache_read_tokens], [15, 25, 40, 0]);
    assert.deepEqual(messages(s.input), [{ role: 'user', content: 'Tell me a joke about cats' }]);
    assert.deepEqual(messages(s.output), [{ role: 'assistant', content: 'Why did the cat sit on the computer?', finish_reason: 'stop' }]);
  });

  it('adds cache tokens to an input count that plainly excludes them (Anthropic style) and prices cache apart', () => {
    const s = byName(spans, 'anthropic.chat');
    assert.deepEqual([s.input_tokens, s.cache_read_tokens, s.cache_write_tokens], [2350, 2000, 300]);
    const expected = calcPrice({ input_tokens: 2350, cache_read_tokens: 2000, cache_write_tokens: 300, output_tokens: 100 }, 'claude-3-5-sonnet-20241022', { providerId: 'anthropic', timestamp: new Date(s.start_time) })!;
    // uncached 50 × $3 + cache read 2000 × $0.30 + cache write 300 × $3.75 + output 100 × $15, per million
    assert.ok(Math.abs(expected.total_price - (50 * 3 + 2000 * 0.3 + 300 * 3.75 + 100 * 15) / 1e6) < 1e-12);
    assert.ok(Math.abs(s.cost_usd! - expected.total_price) < 1e-12);
  });
});

describe('Vercel AI SDK conventions (fixture vercel-ai.json, recorded from ai 6 generateText with a tool)', () => {
  const result = normaliseTraceRequest(decodeTraceRequest(fixture('vercel-ai.json'), 'application/json'), createPricer());
  const [firstCall, toolCall, secondCall, outer, embed] = result.spans;

  it('reads ai.generateText as an agent over doGenerate LLM calls and an ai.toolCall tool', () => {
    assert.deepEqual(result.spans.map((s) => [s.name, s.kind]), [
      ['ai.generateText.doGenerate', 'llm'],
      ['ai.toolCall', 'tool'],
      ['ai.generateText.doGenerate', 'llm'],
      ['ai.generateText', 'agent'],
      ['ai.embed.doEmbed', 'embedding'],
    ]);
  });

  it('reads the model, the provider without its API flavour, and total-input token counts', () => {
    assert.equal(firstCall.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(firstCall.request_model, 'gpt-4o-mini');
    assert.equal(firstCall.provider, 'openai', 'ai.model.provider "openai.chat"');
    assert.deepEqual([firstCall.input_tokens, firstCall.output_tokens, firstCall.total_tokens, firstCall.cache_read_tokens, firstCall.reasoning_tokens], [100, 10, 110, 64, 0]);
    assert.equal(outer.input_tokens, 200);
    assert.equal(firstCall.cost_source, 'computed');
  });

  it('reads prompt messages, tool calls in the response, and tool results in the next prompt', () => {
    assert.deepEqual(messages(firstCall.input), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
    ]);
    assert.deepEqual(messages(firstCall.output), [{ role: 'assistant', content: '', tool_calls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] }]);
    assert.deepEqual(messages(secondCall.input).slice(2), [
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', content: '{"city":"Paris","weather":"rainy"}', tool_call_id: 'call_1' },
    ]);
    assert.equal(secondCall.output, 'It is rainy in Paris.');
  });

  it('reads ai.prompt of the outer call, and tool arguments and result', () => {
    assert.deepEqual(messages(outer.input), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
    ]);
    assert.equal(outer.output, 'It is rainy in Paris.');
    assert.equal(toolCall.input, '{"city":"Paris"}');
    assert.equal(toolCall.output, '{"city":"Paris","weather":"rainy"}');
  });

  it('reads telemetry metadata: tags, session and user', () => {
    for (const s of [firstCall, toolCall, outer]) {
      assert.deepEqual(s.tags, ['demo', 'weather']);
      assert.equal(s.session_id, 's-1');
      assert.equal(s.user_id, 'u-1');
    }
  });

  it('reads embeddings: ai.usage.tokens and ai.values', () => {
    assert.equal(embed.model, 'text-embedding-3-small');
    assert.equal(embed.input_tokens, 5);
    assert.equal(embed.input, '["sunny day at the beach"]');
  });
});

describe('stacklens.* attributes (fixture stacklens.json)', () => {
  const s = byName(fixtureSpans('stacklens.json'), 'summarise');

  it('win over every other convention', () => {
    assert.equal(s.kind, 'agent');
    assert.equal(s.model, 'gpt-4o-mini');
    assert.equal(s.provider, 'openai');
    assert.deepEqual([s.input_tokens, s.output_tokens], [850, 120]);
    assert.equal(s.cost_usd, 0.0012);
    assert.equal(s.cost_source, 'reported');
    assert.equal(s.input, 'Summarise the document.');
    assert.equal(s.output, 'A short summary.');
    assert.deepEqual([s.code_file, s.code_line, s.code_function], ['/src/summarise.ts', 12, 'summarise']);
    assert.equal(s.session_id, 'sess-1');
    assert.equal(s.user_id, 'user-1');
    assert.equal(s.status, 'error');
    assert.equal(s.status_message, 'quota exceeded');
  });

  it('merges tags from every convention without duplicates', () => {
    assert.deepEqual(s.tags, ['summarisation', 'production', 'beta']);
  });

  it('keeps every attribute, unknown ones included', () => {
    assert.equal(s.attributes.document_id, 'doc_abc123');
    assert.equal(s.attributes['gen_ai.usage.output_tokens'], 999);
    assert.equal(s.attributes['llm.cost.total'], 0.5);
  });
});

describe('precedence between conventions on one span', () => {
  it('OTel GenAI before OpenInference before OpenLLMetry before the Vercel AI SDK', () => {
    const all = {
      'gen_ai.request.model': 'm-genai',
      'llm.model_name': 'm-oi',
      'ai.model.id': 'm-ai',
      'gen_ai.usage.input_tokens': 1,
      'llm.token_count.prompt': 2,
      'ai.usage.inputTokens': 3,
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"genai"}]}]',
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'oi',
      'traceloop.entity.input': 'traceloop',
      'ai.prompt.messages': '[{"role":"user","content":"ai"}]',
      'gen_ai.operation.name': 'embeddings',
      'openinference.span.kind': 'TOOL',
      'traceloop.span.kind': 'agent',
      'ai.operationId': 'ai.toolCall',
    };
    const s = oneSpan(all);
    assert.deepEqual([s.kind, s.input_tokens, messages(s.input)[0].content], ['embedding', 1, 'genai']);
    assert.equal(s.model, 'm-oi', 'a response model (llm.model_name) beats any request model');
    assert.equal(s.request_model, 'm-genai');

    const noGenAI = oneSpan(Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('gen_ai.'))));
    assert.deepEqual([noGenAI.kind, noGenAI.input_tokens, messages(noGenAI.input)[0].content], ['tool', 2, 'oi']);

    const onlyTraceloopAndAi = oneSpan(Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('traceloop.') || k.startsWith('ai.'))));
    assert.deepEqual([onlyTraceloopAndAi.kind, onlyTraceloopAndAi.input], ['agent', 'traceloop']);

    const onlyAi = oneSpan(Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('ai.'))));
    assert.deepEqual([onlyAi.kind, onlyAi.input_tokens, messages(onlyAi.input)[0].content, onlyAi.model], ['tool', 3, 'ai', 'm-ai']);
  });

  it('takes current gen_ai names before their legacy names', () => {
    const s = oneSpan({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.prompt_tokens': 20, 'code.file.path': '/new.py', 'code.filepath': '/old.py', 'code.line.number': 3, 'code.lineno': 4, 'code.function.name': 'new', 'code.function': 'old' });
    assert.deepEqual([s.provider, s.input_tokens, s.code_file, s.code_line, s.code_function], ['anthropic', 10, '/new.py', 3, 'new']);
  });
});

describe('span kinds and status', () => {
  const kindCases: Array<[Record<string, unknown>, string]> = [
    [{ 'gen_ai.operation.name': 'text_completion' }, 'llm'],
    [{ 'gen_ai.operation.name': 'generate_content' }, 'llm'],
    [{ 'gen_ai.operation.name': 'create_agent' }, 'agent'],
    [{ 'gen_ai.tool.name': 'search' }, 'tool'],
    [{ 'gen_ai.usage.output_tokens': 5 }, 'llm'],
    [{ 'http.method': 'GET' }, 'internal'],
    [{ 'stacklens.kind': 'eval' }, 'eval'],
    [{ 'stacklens.kind': 'not-a-kind', 'gen_ai.operation.name': 'chat' }, 'llm'],
  ];
  for (const [attributes, kind] of kindCases) {
    it(`reads ${JSON.stringify(attributes)} as ${kind}`, () => assert.equal(oneSpan(attributes).kind, kind));
  }

  it('does not let the OTel span kind (CLIENT, SERVER) decide the span kind', () => {
    assert.equal(oneSpan({}, { kind: 3 }).kind, 'internal');
    assert.equal(oneSpan({}, { kind: 'SPAN_KIND_SERVER' }).kind, 'internal');
  });

  it('reads status codes 0, 1 and 2 as unset, ok and error', () => {
    assert.equal(oneSpan({}).status, 'unset');
    assert.equal(oneSpan({}, { status: { code: 1 } }).status, 'ok');
    assert.equal(oneSpan({}, { status: { code: 2 } }).status, 'error');
  });

  it('reads error.type as an error and uses it as the message when there is none', () => {
    const s = oneSpan({ 'error.type': 'timeout' });
    assert.deepEqual([s.status, s.status_message], ['error', 'timeout']);
  });

  it('keeps an explicit OK even with an exception event (the developer handled it)', () => {
    const s = oneSpan({}, { status: { code: 1 }, events: [{ name: 'exception', attributes: { 'exception.message': 'retried' } }] });
    assert.equal(s.status, 'ok');
  });

  it('accepts token counts sent as decimal text and ignores counts that are not counts', () => {
    const s = oneSpan({ 'gen_ai.usage.input_tokens': '120', 'gen_ai.usage.output_tokens': -3, 'gen_ai.usage.prompt_tokens': 7.5, 'gen_ai.usage.completion_tokens': 9 });
    assert.deepEqual([s.input_tokens, s.output_tokens], [120, 9]);
    assert.equal(s.attributes['gen_ai.usage.output_tokens'], -3, 'the attribute itself is kept');
  });

  it('reads tags given as a JSON array string (OpenInference) or as comma-separated text', () => {
    assert.deepEqual(oneSpan({ 'tag.tags': '["a","b"]' }).tags, ['a', 'b']);
    assert.deepEqual(oneSpan({ 'stacklens.tags': 'x, y' }).tags, ['x', 'y']);
  });
});

describe('usage scope', () => {
  it('marks a span whose usage is its own call with stacklens.usage_scope = "self", and no other', () => {
    const own = oneSpan({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'stacklens.usage_scope': 'self' });
    assert.equal(own.own_usage, true);
    const plain = oneSpan({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 });
    assert.equal(plain.own_usage, undefined);
  });
});

import assert from 'node:assert/strict';
import { toMessages, unflatten } from '../../../extension/server/ingest/messages';
import { oneSpan } from './otlp-body';

describe('message lists in the normalised shape', () => {
  it('reads OpenAI chat messages with tool calls and tool results', () => {
    assert.deepEqual(
      toMessages([
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'snow' },
      ]),
      [
        { role: 'user', content: 'Weather?', parts: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: 'snow', tool_call_id: 'call_1' },
      ],
    );
  });

  it('reads Anthropic content blocks: text, thinking, tool_use and tool_result', () => {
    assert.deepEqual(
      toMessages([
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Need the weather.' }, { type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'snow' }] },
      ]),
      [
        { role: 'assistant', content: 'Checking.', reasoning: 'Need the weather.', tool_calls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'user', content: 'snow', tool_call_id: 'toolu_1' },
      ],
    );
  });

  it('reads Gemini parts with text and functionCall', () => {
    assert.deepEqual(toMessages([{ role: 'model', parts: [{ text: 'Let me look.' }, { functionCall: { name: 'weather', args: { city: 'Rome' } } }] }]), [
      { role: 'model', content: 'Let me look.', tool_calls: [{ name: 'weather', arguments: '{"city":"Rome"}' }] },
    ]);
  });

  it('reads Vercel AI SDK tool-call and tool-result parts', () => {
    assert.deepEqual(
      toMessages([
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { type: 'json', value: { t: -3 } } }] },
      ]),
      [
        { role: 'assistant', content: '', tool_calls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: '{"t":-3}', tool_call_id: 'c1' },
      ],
    );
  });

  it('reads OTel GenAI parts: text, tool_call, tool_call_response, reasoning and blobs', () => {
    assert.deepEqual(
      toMessages([
        { role: 'assistant', parts: [{ type: 'reasoning', content: 'hmm' }, { type: 'tool_call', id: 'c', name: 'f', arguments: { a: 1 } }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c', response: { ok: true } }] },
        { role: 'user', parts: [{ type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0' }, { type: 'text', content: 'what is this' }] },
      ]),
      [
        { role: 'assistant', content: '', reasoning: 'hmm', tool_calls: [{ id: 'c', name: 'f', arguments: '{"a":1}' }] },
        { role: 'tool', content: '{"ok":true}', tool_call_id: 'c' },
        { role: 'user', content: 'what is this', parts: [{ type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0' }] },
      ],
    );
  });

  it('reads content flattened to JSON text of its parts (OpenLLMetry multimodal)', () => {
    const s = oneSpan({ 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': '[{"type":"text","text":"Describe"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]' });
    assert.deepEqual(JSON.parse(s.input!), [{ role: 'user', content: 'Describe', parts: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }]);
  });

  it('joins several text parts of one message with newlines', () => {
    assert.deepEqual(toMessages([{ role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] }]), [{ role: 'user', content: 'one\ntwo' }]);
  });

  it('does not call a list of things that are not messages a message list', () => {
    assert.equal(toMessages('[1, 2, 3]'), null);
    assert.equal(toMessages('just text'), null);
    assert.equal(toMessages('[]'), null);
    assert.equal(toMessages([{ id: 'doc-1', score: 0.9 }]), null);
  });

  it('rebuilds flattened attributes in index order, ignoring keys that would reach the prototype', () => {
    const list = unflatten(
      {
        'gen_ai.prompt.1.content': 'second',
        'gen_ai.prompt.0.content': 'first',
        'gen_ai.prompt.0.__proto__.polluted': 'yes',
        'gen_ai.prompt.name': 'not an index',
        'other.0.content': 'other prefix',
      },
      'gen_ai.prompt.',
    );
    assert.deepEqual(list, [{ content: 'first' }, { content: 'second' }]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('span content', () => {
  it('keeps a plain string source as that string, byte for byte', () => {
    const text = '  Résumé:\n<b>not html</b> {"not": "parsed"} \u0000 ';
    assert.equal(oneSpan({ 'input.value': text, 'output.value': text }).input, text);
  });

  it('keeps a structured value that is not a message list as its JSON text', () => {
    assert.equal(oneSpan({ 'gen_ai.tool.call.arguments': { city: 'Oslo', days: [1, 2] } }).input, '{"city":"Oslo","days":[1,2]}');
  });

  it('reads gen_ai.client.inference.operation.details events', () => {
    const s = oneSpan(
      {},
      {
        events: [
          {
            name: 'gen_ai.client.inference.operation.details',
            attributes: {
              'gen_ai.system_instructions': [{ type: 'text', content: 'Be kind.' }],
              'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }],
              'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'stop' }],
            },
          },
        ],
      },
    );
    assert.deepEqual(JSON.parse(s.input!), [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi' },
    ]);
    assert.deepEqual(JSON.parse(s.output!), [{ role: 'assistant', content: 'Hello', finish_reason: 'stop' }]);
  });

  it('reads gen_ai.*.message events whose body arrives as gen_ai.event.content JSON', () => {
    const s = oneSpan(
      {},
      {
        events: [
          { name: 'gen_ai.user.message', attributes: { 'gen_ai.event.content': '{"content":"What is 2+2?"}' } },
          { name: 'gen_ai.assistant.message', attributes: { 'gen_ai.event.content': '{"tool_calls":[{"id":"c","type":"function","function":{"name":"calc","arguments":"{}"}}]}' } },
          { name: 'gen_ai.tool.message', attributes: { id: 'c', content: '4' } },
          { name: 'gen_ai.choice', attributes: { 'gen_ai.event.content': '{"index":0,"finish_reason":"stop","message":{"content":"4"}}' } },
        ],
      },
    );
    assert.deepEqual(JSON.parse(s.input!), [
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c', name: 'calc', arguments: '{}' }] },
      { role: 'tool', content: '4', tool_call_id: 'c' },
    ]);
    assert.deepEqual(JSON.parse(s.output!), [{ role: 'assistant', content: '4', finish_reason: 'stop' }]);
  });

  it('reads Vercel AI SDK ai.prompt with a bare prompt as that prompt, and reasoning with the response', () => {
    assert.equal(oneSpan({ 'ai.prompt': '{"prompt":"Tell me a joke"}' }).input, 'Tell me a joke');
    const s = oneSpan({ 'ai.response.text': 'Done.', 'ai.response.reasoning': 'Thought about it.' });
    assert.deepEqual(JSON.parse(s.output!), [{ role: 'assistant', content: 'Done.', reasoning: 'Thought about it.' }]);
  });

  it('leaves input and output null when no convention carries content', () => {
    const s = oneSpan({ 'http.route': '/x' });
    assert.equal(s.input, null);
    assert.equal(s.output, null);
  });
});

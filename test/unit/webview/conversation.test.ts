import assert from 'node:assert/strict';
import { parseConversation } from '../../../webview/layout/conversation';

describe('conversation view of span content', () => {
  it('reads an OpenAI chat message list, tool calls and tool results included', () => {
    const text = JSON.stringify([
      { role: 'system', content: 'Be brief.\n\tAlways.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"id":1}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"ok":true}' },
      { role: 'user', content: [{ type: 'text', text: 'and this?' }, { type: 'image_url', image_url: { url: 'data:...' } }] },
    ]);
    const m = parseConversation(text)!;
    assert.deepEqual(m.map((x) => x.role), ['system', 'assistant', 'tool', 'user']);
    assert.deepEqual(m[0].blocks, [{ kind: 'text', text: 'Be brief.\n\tAlways.' }]);
    assert.deepEqual(m[1].blocks, [{ kind: 'tool_call', name: 'lookup', id: 'call_1', arguments: '{"id":1}' }]);
    assert.deepEqual(m[2].blocks, [{ kind: 'tool_result', id: 'call_1', content: '{"ok":true}' }]);
    assert.equal(m[3].blocks[0].kind, 'text');
    assert.equal(m[3].blocks[1].kind, 'other');
  });

  it('reads Anthropic content blocks: text, thinking, tool_use and tool_result', () => {
    const m = parseConversation(
      JSON.stringify([
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'tool_use', id: 'tu_1', name: 'search', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] },
      ]),
    )!;
    assert.deepEqual(m[0].blocks, [
      { kind: 'reasoning', text: 'hmm' },
      { kind: 'tool_call', name: 'search', id: 'tu_1', arguments: '{\n  "q": "x"\n}' },
    ]);
    assert.deepEqual(m[1].blocks, [{ kind: 'tool_result', id: 'tu_1', content: 'a\nb' }]);
  });

  it('reads OpenTelemetry GenAI messages with parts and a finish reason', () => {
    const m = parseConversation(JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Hi' }, { type: 'tool_call', id: 't', name: 'f', arguments: { a: 1 } }], finish_reason: 'stop' }]))!;
    assert.equal(m[0].finishReason, 'stop');
    assert.deepEqual(m[0].blocks[0], { kind: 'text', text: 'Hi' });
    assert.equal(m[0].blocks[1].kind, 'tool_call');
  });

  it('reads the messages of an OpenAI chat completion response', () => {
    const m = parseConversation(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'ok' }, finish_reason: 'length' }] }))!;
    assert.deepEqual(m, [{ role: 'assistant', name: null, blocks: [{ kind: 'text', text: 'ok' }], finishReason: 'length' }]);
  });

  it('leaves plain text, other JSON and malformed JSON as raw text', () => {
    assert.equal(parseConversation('Hello [world]'), null);
    assert.equal(parseConversation('{"answer": 42}'), null);
    assert.equal(parseConversation('[1, 2, 3]'), null);
    assert.equal(parseConversation('[{"role": "user", "content": "x"}'), null);
    assert.equal(parseConversation('[]'), null);
    assert.equal(parseConversation('[{"role": "user"}, {"content": "no role"}]'), null, 'one message without a role: the whole text stays raw');
    assert.equal(parseConversation(null), null);
  });

  it('keeps text blocks byte for byte, whitespace and unicode included', () => {
    const content = '  leading\r\n\ttab 👍🏽 退款 \u200b trailing  ';
    assert.equal((parseConversation(JSON.stringify([{ role: 'user', content }]))![0].blocks[0] as { text: string }).text, content);
  });
});

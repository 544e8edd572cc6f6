// The fake OpenAI server the client tests (and anyone else) rely on, held to what the real
// `openai` client needs from it: if this drifts, every compatibility test would prove nothing.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { DEFAULT_REPLY, EMBEDDING_DIMENSIONS, startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';

describe('fake OpenAI server', function () {
  this.timeout(10_000);
  let fake: FakeOpenAI;
  let client: OpenAI;
  before(async () => {
    fake = await startFakeOpenAI({ fail: (_route, body) => (body.model === 'missing-model' ? { status: 404, message: 'The model `missing-model` does not exist' } : undefined) });
    client = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  });
  after(async () => {
    await fake?.close();
  });

  it('answers a chat completion with the default reply, usage and the requested model', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hallo' }] });
    assert.equal(r.choices[0].message.content, DEFAULT_REPLY);
    assert.equal(r.model, 'gpt-4o-mini');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens, r.usage?.total_tokens], [21, 9, 30]);
    assert.equal(fake.requests.at(-1)?.headers.authorization, 'Bearer sk-test', 'requests are recorded with their headers');
  });

  it('streams a chat completion whose deltas rebuild the reply, usage last when asked for', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hallo' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, DEFAULT_REPLY);
    assert.equal(usage?.completion_tokens, 9);
  });

  it('calls the first offered tool, then answers once the tool result is in', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Wetter?' }], tools });
    const call = first.choices[0].message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Wetter?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '12 °C' }],
      tools,
    });
    assert.equal(second.choices[0].message.content, DEFAULT_REPLY);
  });

  it('answers the Responses API, plain and streamed', async () => {
    const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hallo' });
    assert.equal(r.output_text, DEFAULT_REPLY);
    assert.equal(r.usage?.input_tokens, 21);
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hallo', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    assert.equal(text, DEFAULT_REPLY);
  });

  it('returns embeddings the client decodes from base64, one per input', async () => {
    const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['eins', 'zwei drei'] });
    assert.equal(r.data.length, 2);
    assert.equal(r.data[0].embedding.length, EMBEDDING_DIMENSIONS);
    assert.ok(r.data[0].embedding.every((x) => typeof x === 'number' && x >= 0 && x < 1));
    assert.equal(r.usage.prompt_tokens, 3);
  });

  it('fails a request as the test asks, with an OpenAI-shaped error', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'missing-model', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.match(err.message, /missing-model` does not exist/);
      return true;
    });
  });
});

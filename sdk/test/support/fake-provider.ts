// A small local LLM provider that speaks enough of the OpenAI (chat completions, responses)
// and Anthropic (messages) HTTP APIs for the real client libraries, streaming (SSE) included.
// Replies and token counts are fixed, so tests can check exactly what the wrappers recorded.
// The last user message steers it: "[fail:429]" answers that error status, "[tool]" asks
// for a tool call.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeProvider {
  url: string;
  /** every request body received, with its path */
  requests: Array<{ path: string; body: any }>;
  close(): Promise<void>;
}

export const REPLY = 'The capital of France is Paris.';
export const OPENAI_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 2 } };
export const RESPONSES_USAGE = { input_tokens: 13, output_tokens: 8, total_tokens: 21, input_tokens_details: { cached_tokens: 4 }, output_tokens_details: { reasoning_tokens: 1 } };
export const ANTHROPIC_USAGE = { input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 5, cache_creation_input_tokens: 4 };
/** the model the fake answers with: the requested one, dated, as real providers do */
export const answeredModel = (requested: string): string => `${requested}-2025-01-01`;

export async function startFakeProvider(): Promise<FakeProvider> {
  const requests: FakeProvider['requests'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      const path = (req.url ?? '').split('?')[0];
      requests.push({ path, body });
      const steer = lastUserText(body);
      const failure = /\[fail:(\d{3})\]/.exec(steer);
      if (failure) return fail(res, path, Number(failure[1]));
      if (path === '/v1/chat/completions') return chat(res, body, steer.includes('[tool]'));
      if (path === '/v1/responses') return responses(res, body);
      if (path === '/v1/messages') return messages(res, body);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${path}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function lastUserText(body: any): string {
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  if (typeof body.input === 'string') return body.input;
  const user = [...list].reverse().find((m: any) => m?.role === 'user');
  if (!user) return '';
  return typeof user.content === 'string' ? user.content : JSON.stringify(user.content);
}

function fail(res: http.ServerResponse, path: string, status: number): void {
  const message = status === 429 ? 'Rate limit reached, retry later' : `fake provider failure ${status}`;
  const body = path === '/v1/messages' ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } } : { error: { message, type: 'fake_error', code: String(status) } };
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function json(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sse(res: http.ServerResponse, events: Array<{ event?: string; data: unknown }>, done = false): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

const words = (text: string): string[] => text.split(/(?<= )/);

function chat(res: http.ServerResponse, body: any, tool: boolean): void {
  const model = answeredModel(body.model);
  const id = 'chatcmpl-fake1';
  const toolCalls = [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-17"}' } }];
  if (!body.stream) {
    const message = tool ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: REPLY };
    return json(res, { id, object: 'chat.completion', created: 1, model, choices: [{ index: 0, message, finish_reason: tool ? 'tool_calls' : 'stop' }], usage: OPENAI_USAGE });
  }
  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: unknown, finish: string | null) => ({ id, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) });
  const events: Array<{ data: unknown }> = [{ data: chunk({ role: 'assistant', content: '' }, null) }];
  if (tool) {
    events.push({ data: chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '' } }] }, null) });
    events.push({ data: chunk({ tool_calls: [{ index: 0, function: { arguments: '{"order_id":' } }] }, null) });
    events.push({ data: chunk({ tool_calls: [{ index: 0, function: { arguments: '"A-17"}' } }] }, null) });
    events.push({ data: chunk({}, 'tool_calls') });
  } else {
    for (const word of words(REPLY)) events.push({ data: chunk({ content: word }, null) });
    events.push({ data: chunk({}, 'stop') });
  }
  if (withUsage) events.push({ data: { id, object: 'chat.completion.chunk', created: 1, model, choices: [], usage: OPENAI_USAGE } });
  sse(res, events, true);
}

function responses(res: http.ServerResponse, body: any): void {
  const model = answeredModel(body.model);
  const response = (status: string, text: string) => ({
    id: 'resp_fake1',
    object: 'response',
    created_at: 1,
    status,
    model,
    output: text ? [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }] : [],
    usage: status === 'completed' ? RESPONSES_USAGE : null,
    incomplete_details: null,
    error: null,
  });
  if (!body.stream) return json(res, response('completed', REPLY));
  let sequence = 0;
  const events: Array<{ event: string; data: unknown }> = [];
  const push = (type: string, data: object) => events.push({ event: type, data: { type, sequence_number: sequence++, ...data } });
  push('response.created', { response: response('in_progress', '') });
  for (const word of words(REPLY)) push('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: word });
  push('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: REPLY });
  push('response.completed', { response: response('completed', REPLY) });
  sse(res, events);
}

function messages(res: http.ServerResponse, body: any): void {
  const model = answeredModel(body.model);
  const message = (content: unknown[], stopReason: string | null, usage: object) => ({ id: 'msg_fake1', type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage });
  if (!body.stream) return json(res, message([{ type: 'text', text: REPLY }], 'end_turn', ANTHROPIC_USAGE));
  const events: Array<{ event: string; data: unknown }> = [];
  const push = (type: string, data: object) => events.push({ event: type, data: { type, ...data } });
  push('message_start', { message: message([], null, { ...ANTHROPIC_USAGE, output_tokens: 1 }) });
  push('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  for (const word of words(REPLY)) push('content_block_delta', { index: 0, delta: { type: 'text_delta', text: word } });
  push('content_block_stop', { index: 0 });
  push('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: ANTHROPIC_USAGE.output_tokens } });
  push('message_stop', {});
  sse(res, events);
}

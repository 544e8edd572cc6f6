// A small OpenAI-compatible server on loopback, so real clients (openai, the Vercel AI SDK,
// instrumentations wrapping them) run their real code paths without an API key or network.
// Speaks /v1/chat/completions (JSON and SSE streaming with usage), /v1/responses (JSON and SSE)
// and /v1/embeddings (float and base64). Replies are deterministic and scriptable per test.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  [key: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  /** part of prompt_tokens served from the provider's prompt cache */
  cached_tokens?: number;
}

/** What the fake model answers to one chat request: text, or tool calls (then no text). */
export interface ChatReply {
  content?: string;
  toolCalls?: Array<{ id?: string; name: string; arguments: unknown }>;
  usage?: Usage;
  /** the model name the response reports; default: the requested one */
  model?: string;
}

export interface FakeOpenAIOptions {
  /** decides each chat reply; default: `defaultReply` */
  chat?: (request: ChatRequest) => ChatReply;
  /** answer of /v1/responses; default: text "Hello from the fake model." */
  responses?: (request: Record<string, unknown>) => { text: string; usage?: { input_tokens: number; output_tokens: number } };
  /** make a request fail with this HTTP status and OpenAI-style error message */
  fail?: (route: string, body: Record<string, unknown>) => { status: number; message: string } | undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeOpenAI {
  /** base URL with /v1, what `new OpenAI({ baseURL })` and createOpenAICompatible want */
  baseURL: string;
  /** every request received, in order */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const DEFAULT_REPLY = 'Hello from the fake model.';
export const DEFAULT_USAGE: Usage = { prompt_tokens: 21, completion_tokens: 9 };
export const EMBEDDING_DIMENSIONS = 8;

/** Text for a plain request; when tools are offered and none was called yet, call the first one. */
export function defaultReply(request: ChatRequest): ChatReply {
  const toolCalled = request.messages.some((m) => m.role === 'tool');
  if (request.tools?.length && !toolCalled) return { toolCalls: [{ name: request.tools[0].function.name, arguments: {} }] };
  return { content: DEFAULT_REPLY };
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  let nextId = 1;
  const id = (prefix: string) => `${prefix}-fake${String(nextId++).padStart(4, '0')}`;

  const server = createServer(async (req, res) => {
    try {
      const text = await readBody(req);
      const body = text ? JSON.parse(text) : {};
      const route = (req.url ?? '').split('?')[0];
      requests.push({ method: req.method ?? 'GET', path: route, headers: req.headers, body });
      const failure = options.fail?.(route, body);
      if (failure) return sendJson(res, failure.status, { error: { message: failure.message, type: 'invalid_request_error', code: null, param: null } });
      if (req.method === 'POST' && route === '/v1/chat/completions') return chat(res, body as ChatRequest, options.chat ?? defaultReply, id);
      if (req.method === 'POST' && route === '/v1/responses') return responses(res, body, options, id);
      if (req.method === 'POST' && route === '/v1/embeddings') return embeddings(res, body);
      sendJson(res, 404, { error: { message: `fake OpenAI server: no route ${req.method} ${route}`, type: 'invalid_request_error', code: null, param: null } });
    } catch (err) {
      sendJson(res, 500, { error: { message: `fake OpenAI server failed: ${(err as Error).message}`, type: 'server_error', code: null, param: null } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function chat(res: ServerResponse, request: ChatRequest, decide: (r: ChatRequest) => ChatReply, id: (p: string) => string): void {
  const reply = decide(request);
  const model = reply.model ?? request.model;
  const usage = reply.usage ?? DEFAULT_USAGE;
  const created = Math.floor(Date.now() / 1000);
  const completionId = id('chatcmpl');
  const toolCalls = (reply.toolCalls ?? []).map((c) => ({
    id: c.id ?? id('call'),
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  const finishReason = toolCalls.length ? 'tool_calls' : 'stop';
  const usageJson = {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };

  if (!request.stream) {
    const message = toolCalls.length ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: reply.content ?? '' };
    return sendJson(res, 200, {
      id: completionId,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: usageJson,
      system_fingerprint: 'fp_fake',
    });
  }

  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ id: completionId, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices, ...extra });
  const events: unknown[] = [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }])];
  if (toolCalls.length) {
    toolCalls.forEach((c, index) => {
      events.push(chunk([{ index: 0, delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] }, finish_reason: null }]));
      events.push(chunk([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: c.function.arguments } }] }, finish_reason: null }]));
    });
  } else {
    for (const piece of splitWords(reply.content ?? '')) events.push(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
  }
  events.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
  if (request.stream_options?.include_usage) events.push(chunk([], { usage: usageJson }));
  sendSse(res, events.map((e) => ({ data: e })), true);
}

function responses(res: ServerResponse, request: Record<string, unknown>, options: FakeOpenAIOptions, id: (p: string) => string): void {
  const answer = options.responses?.(request) ?? { text: DEFAULT_REPLY };
  const usage = answer.usage ?? { input_tokens: DEFAULT_USAGE.prompt_tokens, output_tokens: DEFAULT_USAGE.completion_tokens };
  const responseId = id('resp');
  const messageId = id('msg');
  const base = {
    id: responseId,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model: String(request.model),
    instructions: request.instructions ?? null,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    error: null,
    incomplete_details: null,
    metadata: {},
    temperature: 1,
    top_p: 1,
  };
  const outputText = { type: 'output_text', text: answer.text, annotations: [] };
  const message = { type: 'message', id: messageId, status: 'completed', role: 'assistant', content: [outputText] };
  const completed = {
    ...base,
    status: 'completed',
    output: [message],
    usage: {
      input_tokens: usage.input_tokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.output_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input_tokens + usage.output_tokens,
    },
  };
  if (!request.stream) return sendJson(res, 200, completed);

  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>) => ({ event: type, data: { type, sequence_number: sequence++, ...fields } });
  const events = [
    event('response.created', { response: { ...base, status: 'in_progress', output: [], usage: null } }),
    event('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
    event('response.content_part.added', { output_index: 0, item_id: messageId, content_index: 0, part: { ...outputText, text: '' } }),
    ...splitWords(answer.text).map((delta) => event('response.output_text.delta', { output_index: 0, item_id: messageId, content_index: 0, delta })),
    event('response.output_text.done', { output_index: 0, item_id: messageId, content_index: 0, text: answer.text }),
    event('response.content_part.done', { output_index: 0, item_id: messageId, content_index: 0, part: outputText }),
    event('response.output_item.done', { output_index: 0, item: message }),
    event('response.completed', { response: completed }),
  ];
  sendSse(res, events, false);
}

function embeddings(res: ServerResponse, request: Record<string, unknown>): void {
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  // A vector that depends on the text, so callers can tell inputs apart.
  const vectorOf = (text: unknown) => Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => ((String(text).length + i) % 10) / 10);
  const data = inputs.map((text, index) => {
    const vector = vectorOf(text);
    const embedding = request.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const promptTokens = inputs.reduce<number>((n, text) => n + String(text).split(/\s+/).filter(Boolean).length, 0);
  sendJson(res, 200, { object: 'list', data, model: String(request.model), usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
}

/** Words with their trailing space, so the streamed deltas concatenate to the exact text. */
function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendSse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>, done: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

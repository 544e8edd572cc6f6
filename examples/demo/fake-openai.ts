// A scripted stand-in for the OpenAI API, so the demo runs with no key and no network. It
// speaks /v1/chat/completions (plain and streamed, with usage) and plays three parts of the
// support agent's conversation: the planner (asks for tools), the writer (drafts the reply)
// and the reviewer (grades it). The writer is rate limited once per ticket, as real APIs are.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAI {
  url: string;
  close(): Promise<void>;
}

interface Message {
  role: string;
  content?: string | null;
  tool_calls?: unknown[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tokens = (text: string) => Math.max(1, Math.round(text.length / 4));

export async function startFakeOpenAI(port = 0): Promise<FakeOpenAI> {
  const rateLimited = new Set<string>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      void answer(req.url ?? '', raw, res, rateLimited).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: error.message, type: 'server_error' } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(url: string, raw: string, res: http.ServerResponse, rateLimited: Set<string>): Promise<void> {
  if (!url.startsWith('/v1/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `the demo provider only knows /v1/chat/completions, not ${url}` } }));
    return;
  }
  const body = JSON.parse(raw) as { model: string; messages: Message[]; tools?: unknown[]; stream?: boolean; stream_options?: { include_usage?: boolean } };
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  const ticket = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const promptTokens = tokens(body.messages.map((m) => m.content ?? JSON.stringify(m.tool_calls ?? '')).join('\n'));
  // the system prompt repeats on every call: providers serve it from their prompt cache
  const cached = Math.min(promptTokens, tokens(system)) >= 64 ? tokens(system) - (tokens(system) % 64) : 0;

  if (body.tools?.length) {
    await sleep(180 + Math.random() * 120);
    return reply(res, body.model, { role: 'assistant', content: null, tool_calls: planTools(ticket) }, 'tool_calls', promptTokens, cached, 38);
  }
  if (/review/i.test(system)) {
    await sleep(120 + Math.random() * 80);
    const draft = body.messages.at(-1)?.content ?? '';
    const score = draft.includes('refund') || draft.includes('tracking') ? 0.92 : 0.71;
    const verdict = JSON.stringify({ score, reason: score > 0.9 ? 'Answers the question with the order facts and a next step.' : 'Polite, but does not say what happens next.' });
    return reply(res, body.model, { role: 'assistant', content: verdict }, 'stop', promptTokens, 0, tokens(verdict));
  }
  const ticketId = /\[(T-\d+)\]/.exec(ticket)?.[1] ?? ticket.slice(0, 40);
  if (!rateLimited.has(ticketId)) {
    rateLimited.add(ticketId);
    await sleep(40);
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '150' });
    res.end(JSON.stringify({ error: { message: 'Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29950. Please try again in 150ms.', type: 'tokens', code: 'rate_limit_exceeded' } }));
    return;
  }
  const text = draftReply(body.messages);
  if (!body.stream) {
    await sleep(400);
    return reply(res, body.model, { role: 'assistant', content: text }, 'stop', promptTokens, cached, tokens(text));
  }
  await streamReply(res, body.model, text, body.stream_options?.include_usage === true, promptTokens, cached);
}

function planTools(ticket: string): unknown[] {
  const calls: Array<{ name: string; args: Record<string, string> }> = [];
  const order = /#?(A-\d+)/.exec(ticket)?.[1];
  if (order) calls.push({ name: 'lookup_order', args: { order_id: order } });
  const customer = /customer (C-\d+)/.exec(ticket)?.[1];
  if (customer) calls.push({ name: 'customer_history', args: { customer_id: customer } });
  const topic = /refund/i.test(ticket) ? 'refund policy' : /late|where/i.test(ticket) ? 'delivery times' : 'account help';
  calls.push({ name: 'search_help_center', args: { query: topic } });
  return calls.map((c, i) => ({ id: `call_${i + 1}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
}

function draftReply(messages: Message[]): string {
  const facts = messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '').join(' ');
  const order = /"status":"([^"]+)"/.exec(facts)?.[1];
  const tracking = /"tracking":"([^"]+)"/.exec(facts)?.[1];
  const parts = ['Hi, thanks for reaching out.'];
  if (order === 'delayed') parts.push(`Your order is delayed at the carrier; tracking ${tracking} will update within 24 hours.`);
  else if (order) parts.push(`Your order is ${order}${tracking ? ` (tracking ${tracking})` : ''}.`);
  if (/refund/i.test(facts)) parts.push('If it has not arrived in 5 days you can ask for a full refund from your orders page.');
  parts.push('Anything else I can help with?');
  return parts.join(' ');
}

function reply(res: http.ServerResponse, model: string, message: Message, finish: string, prompt: number, cached: number, completion: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: `chatcmpl-demo${Date.now()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message, finish_reason: finish }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } },
    }),
  );
}

async function streamReply(res: http.ServerResponse, model: string, text: string, withUsage: boolean, prompt: number, cached: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = `chatcmpl-demo${Date.now()}`;
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
  await sleep(250); // time to first token
  res.write(chunk({ role: 'assistant', content: '' }, null));
  for (const word of text.split(/(?<= )/)) {
    res.write(chunk({ content: word }, null));
    await sleep(12);
  }
  res.write(chunk({}, 'stop'));
  if (withUsage) {
    const completion = tokens(text);
    const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [], usage })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

// A small customer-support agent, traced with the StackLens SDK. Each ticket becomes one
// trace: the planner asks the model which tools to use, the tools run in parallel, the writer
// drafts the reply (streamed, retried when rate limited), and a reviewer grades it.
//
// Run it through `npm run demo`, which starts a collector and a local stand-in for the OpenAI
// API. Like any program started in a StackLens terminal, it is configured by the environment:
// STACKLENS_ENDPOINT and STACKLENS_API_KEY.
import OpenAI from 'openai';
import * as stacklens from '../../sdk/src/index'; // in your app: import * as stacklens from 'stacklens';
import { customers, helpCenter, orders, tickets, type Ticket } from './shop-data';

const openai = stacklens.wrapOpenAI(
  new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'demo-key', baseURL: process.env.DEMO_OPENAI_BASE_URL, maxRetries: 0 }),
);

const FALLBACK_SYSTEM_PROMPT = 'You are a helpful, concise support agent. Use only the facts the tools returned.';
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- tools: each call is a span of its own, drawn under the step that ran it -------------
// (named explicitly: bundlers may rename functions, and these names match the model's tools)

const lookupOrder = stacklens.traced(
  async function lookupOrder(orderId: string) {
    await wait(60 + Math.random() * 60); // the orders service
    return orders[orderId] ?? { status: 'not found' };
  },
  { name: 'lookup_order', kind: 'tool' },
);

const customerHistory = stacklens.traced(
  async function customerHistory(customerId: string) {
    await wait(90 + Math.random() * 40);
    return customers[customerId] ?? { tickets: 0 };
  },
  { name: 'customer_history', kind: 'tool' },
);

const searchHelpCenter = stacklens.traced(
  async function searchHelpCenter(query: string) {
    await wait(120 + Math.random() * 60); // vector search
    return helpCenter.filter((article) => article.topics.some((topic) => query.includes(topic))).slice(0, 2);
  },
  { name: 'search_help_center', kind: 'retrieval' },
);

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup_order', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } } },
  { type: 'function', function: { name: 'customer_history', parameters: { type: 'object', properties: { customer_id: { type: 'string' } } } } },
  { type: 'function', function: { name: 'search_help_center', parameters: { type: 'object', properties: { query: { type: 'string' } } } } },
];

// ---- the agent --------------------------------------------------------------------------

export class SupportAgent {
  constructor(private readonly systemPrompt: string) {}

  /** One ticket, one trace. */
  handle(ticket: Ticket) {
    return stacklens.startTrace('support-ticket', async (run) => {
      run.setAttribute('ticket_id', ticket.id);
      run.setAttribute('customer_id', ticket.customerId);
      run.addTag('support', 'demo');

      const toolCalls = await this.plan(ticket);
      const findings = await stacklens.span('gather-facts', () => Promise.all(toolCalls.map((call) => this.runTool(call))));
      const reply = await this.writeReply(ticket, toolCalls, findings);
      const review = await this.review(ticket, reply);
      run.score('helpfulness', review.score, { reason: review.reason, label: review.score >= 0.8 ? 'pass' : 'fail' });

      return { traceId: run.traceId, ticket: ticket.id, reply, score: review.score };
    });
  }

  @stacklens.traced({ kind: 'agent' })
  async plan(ticket: Ticket): Promise<OpenAI.Chat.Completions.ChatCompletionMessageToolCall[]> {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0,
      tools: TOOLS,
      messages: [
        { role: 'system', content: 'Pick the tools that give the facts needed to answer this support ticket.' },
        { role: 'user', content: ticket.text },
      ],
    });
    return completion.choices[0].message.tool_calls ?? [];
  }

  async runTool(call: OpenAI.Chat.Completions.ChatCompletionMessageToolCall): Promise<unknown> {
    if (call.type !== 'function') return null;
    const args = JSON.parse(call.function.arguments) as Record<string, string>;
    switch (call.function.name) {
      case 'lookup_order':
        return lookupOrder(args.order_id);
      case 'customer_history':
        return customerHistory(args.customer_id);
      case 'search_help_center':
        return searchHelpCenter(args.query);
      default:
        return { error: `unknown tool ${call.function.name}` };
    }
  }

  @stacklens.traced({ kind: 'agent' })
  async writeReply(ticket: Ticket, toolCalls: OpenAI.Chat.Completions.ChatCompletionMessageToolCall[], findings: unknown[]): Promise<string> {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'system', content: this.systemPrompt },
      { role: 'user', content: `[${ticket.id}] ${ticket.text}` },
      { role: 'assistant', tool_calls: toolCalls },
      ...toolCalls.map((call, i) => ({ role: 'tool' as const, tool_call_id: call.id, content: JSON.stringify(findings[i]) })),
    ];
    return withRetry(async () => {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o', temperature: 0.4, max_tokens: 300, messages, stream: true });
      let reply = '';
      for await (const chunk of stream) reply += chunk.choices[0]?.delta?.content ?? '';
      return reply;
    });
  }

  @stacklens.traced({ kind: 'eval' })
  async review(ticket: Ticket, reply: string): Promise<{ score: number; reason: string }> {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: 'You review support replies. Answer {"score": 0..1, "reason": "..."}.' },
        { role: 'user', content: `Ticket: ${ticket.text}` },
        { role: 'assistant', content: reply },
      ],
    });
    return JSON.parse(completion.choices[0].message.content ?? '{"score":0,"reason":"no verdict"}');
  }
}

/** Rate limits are normal under load: wait and try again, a few times. Each try is its own span. */
async function withRetry<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof OpenAI.RateLimitError) || i >= tries) throw error;
      stacklens.currentSpan()?.addEvent('retry', { attempt: i, reason: error.message });
      await wait(150 * 2 ** (i - 1));
    }
  }
}

async function loadSystemPrompt(): Promise<string> {
  try {
    return await stacklens.prompts.get('support-agent-system', { env: 'dev' });
  } catch (error) {
    // a collector without this prompt (e.g. the one VS Code runs) is fine: use the built-in one
    if (error instanceof stacklens.ApiError && error.statusCode === 404) return FALLBACK_SYSTEM_PROMPT;
    throw error;
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || tickets.length;
  const agent = new SupportAgent(await loadSystemPrompt());
  for (const ticket of tickets.slice(0, runs)) {
    const result = await agent.handle(ticket);
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  // No flush() needed: the SDK sends what is left before the process exits.
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`support agent failed: ${error.message}\n`);
    process.exit(1);
  });
}

// A failed agent run for the postmortem tests, in the simple span form (POST /api/v1/spans):
// a tool retried three times (two timeouts, then a success), the deepest error under the second
// attempt, and a final model call that fails on its context length.
export const POSTMORTEM_TRACE_ID = 'f0'.repeat(16);
export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

const id = (n: number) => n.toString(16).padStart(16, '0');
export const IDS = { root: id(1), plan: id(2), search1: id(3), search2: id(4), http: id(5), search3: id(6), answer: id(7), tokenize: id(8) };

export interface FixtureSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  start_time: number;
  end_time: number;
  status: 'ok' | 'error';
  status_message?: string;
  model?: string;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  events?: Array<{ name: string; time: number; attributes: Record<string, string> }>;
}

function s(spanId: string, parent: string | null, name: string, kind: string, from: number, to: number, more: Partial<FixtureSpan> = {}): FixtureSpan {
  return { trace_id: POSTMORTEM_TRACE_ID, span_id: spanId, parent_span_id: parent, name, kind, start_time: T0 + from, end_time: T0 + to, status: 'ok', ...more };
}

export function postmortemSpans(): FixtureSpan[] {
  return [
    s(IDS.root, null, 'support-agent', 'agent', 0, 5000, { status: 'error', status_message: 'agent gave up' }),
    s(IDS.plan, IDS.root, 'plan', 'llm', 0, 800, { model: 'gpt-4o', input_tokens: 500, output_tokens: 100, cost_usd: 0.002 }),
    s(IDS.search1, IDS.root, 'search-docs', 'tool', 900, 1900, { status: 'error', status_message: 'timeout after 1000 ms' }),
    s(IDS.search2, IDS.root, 'search-docs', 'tool', 2000, 3000, { status: 'error', status_message: 'timeout after 1000 ms' }),
    s(IDS.http, IDS.search2, 'http GET /search', 'internal', 2000, 3000, {
      status: 'error',
      // no status message: the reason comes from the exception event
      events: [{ name: 'exception', time: T0 + 3000, attributes: { 'exception.type': 'ETIMEDOUT', 'exception.message': 'connect ETIMEDOUT 10.0.0.7:443' } }],
    }),
    s(IDS.search3, IDS.root, 'search-docs', 'tool', 3100, 3600),
    s(IDS.answer, IDS.root, 'answer', 'llm', 3700, 5000, {
      status: 'error',
      status_message: 'context_length_exceeded',
      model: 'gpt-4o',
      input_tokens: 12000,
      output_tokens: 0,
      cost_usd: 0.01,
    }),
    // as deep as the http error, but later: the earlier one is the root cause
    s(IDS.tokenize, IDS.answer, 'tokenize', 'internal', 3700, 3710, { status: 'error', status_message: 'too many tokens' }),
  ];
}

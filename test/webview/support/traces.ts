// Trace fixtures for the panel, generated in code: a realistic support-agent run (screenshots,
// content, replay), and large traces (10,000 / 100,000 spans) with nesting, parallel spans, every
// kind, errors, message lists and hostile strings.
import { spanDefaults } from '../../support/spans';
import type { Score, SpanKind, StoredSpan, TraceDetail } from '../../../extension/server/model';

export const XSS = `<img src=x onerror="window.__xss=1">`;
export const XSS_SCRIPT = `<script>window.__xss=2</script>`;

/** Deterministic ids and numbers, so a failing test fails the same way twice. */
function ids(seed: number): { span: () => string; trace: () => string; rand: () => number } {
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  return { span: () => hex(16), trace: () => hex(32), rand };
}

const T0 = Date.UTC(2025, 5, 3, 14, 7, 12, 250);

export function makeSpan(traceId: string, spanId: string, parent: string | null, name: string, kind: SpanKind, start: number, durationMs: number, extra: Partial<StoredSpan> = {}): StoredSpan {
  return {
    trace_id: traceId,
    span_id: spanId,
    ...spanDefaults(),
    parent_span_id: parent,
    name,
    kind,
    start_time: start,
    end_time: start + durationMs,
    duration_ms: durationMs,
    service_name: 'support-bot',
    usage_counted: true,
    ...extra,
  };
}

function llm(model: string, provider: string, inTok: number, outTok: number, cost: number | null): Partial<StoredSpan> {
  return {
    operation: 'chat',
    model,
    request_model: model,
    provider,
    input_tokens: inTok,
    output_tokens: outTok,
    total_tokens: inTok + outTok,
    cost_usd: cost,
    cost_source: cost === null ? 'unpriced' : 'computed',
  };
}

/** Summarises spans the way the store does, so the KPI row has something true to show. */
export function summarise(traceId: string, spans: StoredSpan[], name: string): TraceDetail['trace'] {
  let start = Infinity;
  let end = -Infinity;
  let cost = 0;
  let unpriced = 0;
  let calls = 0;
  let errors = 0;
  let inTok = 0;
  let outTok = 0;
  const models = new Set<string>();
  for (const s of spans) {
    start = Math.min(start, s.start_time);
    end = Math.max(end, s.end_time);
    if (s.status === 'error') errors++;
    if (!s.usage_counted || s.cost_source === null) continue;
    calls++;
    inTok += s.input_tokens ?? 0;
    outTok += s.output_tokens ?? 0;
    if (s.model) models.add(s.model);
    if (s.cost_source === 'unpriced') unpriced++;
    else cost += s.cost_usd ?? 0;
  }
  return {
    trace_id: traceId,
    name,
    start_time: start,
    end_time: end,
    duration_ms: end - start,
    span_count: spans.length,
    llm_call_count: calls,
    error_count: errors,
    total_cost_usd: cost,
    unpriced_call_count: unpriced,
    input_tokens: inTok,
    output_tokens: outTok,
    status: errors > 0 ? 'error' : 'ok',
    tags: ['feature:refunds', 'env:dev'],
    models: [...models],
    service_name: 'support-bot',
    session_id: 'sess-42',
    user_id: 'u-7',
  };
}

export const CHAT_INPUT = JSON.stringify([
  { role: 'system', content: 'You are a refunds assistant.\nAnswer in the customer\'s language.\n\tBe brief.' },
  { role: 'user', content: 'Bonjour ! Ma commande #A-1043 est arrivée cassée 😞 — je voudrais un remboursement.' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_7Qx', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1043"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_7Qx', content: '{"status":"delivered","total":"49.90 EUR","items":2}' },
]);

export const PLAIN_OUTPUT = `Bien sûr ! J'ai ouvert le remboursement n° R-2291 pour 49,90 €.\n\n  • délai : 3–5 jours ouvrés\n  • référence : A-1043\n\nTrailing spaces kept →   \n\t(tab) and CJK 退款 and emoji 👍🏽 and ${XSS}`;

/** A refunds agent run: the trace the screenshots show. */
export function supportAgentTrace(): TraceDetail {
  const { span } = ids(7);
  const tid = 'a3f1c2d4e5b60718293a4b5c6d7e8f90';
  const s: StoredSpan[] = [];
  const root = span();
  s.push(makeSpan(tid, root, null, 'refund-agent', 'agent', T0, 4820, { code_file: 'src/agents/refund.ts', code_line: 42, code_function: 'runRefundAgent', attributes: { 'gen_ai.agent.name': 'refund-agent', 'app.customer_tier': 'gold' } }));
  const plan = span();
  s.push(makeSpan(tid, plan, root, 'plan', 'llm', T0 + 12, 1180, {
    ...llm('claude-sonnet-4-5', 'anthropic', 1840, 212, 0.008706),
    input: CHAT_INPUT,
    output: PLAIN_OUTPUT,
    cache_read_tokens: 1024,
    code_file: 'src/agents/refund.ts',
    code_line: 57,
    code_function: 'plan',
    attributes: { 'gen_ai.request.temperature': 0.2, 'gen_ai.response.finish_reasons': ['stop'], 'http.route': '/v1/messages', 'note.long': 'x'.repeat(30) + ' a long attribute value that wraps instead of overflowing the table: ' + 'lorem ipsum '.repeat(12) },
    events: [{ name: 'gen_ai.content.first_token', time: T0 + 410, attributes: { 'gen_ai.response.id': 'msg_01H' } }],
  }));
  const lookup = span();
  s.push(makeSpan(tid, lookup, root, 'lookup_order', 'tool', T0 + 1200, 340, { operation: 'execute_tool', attributes: { 'gen_ai.tool.name': 'lookup_order', 'order.id': 'A-1043' }, input: '{"order_id":"A-1043"}', output: '{"status":"delivered","total":"49.90 EUR"}' }));
  const search = span();
  s.push(makeSpan(tid, search, root, 'policy search', 'retrieval', T0 + 1210, 520, { attributes: { 'retrieval.top_k': 4, 'db.system': 'qdrant' } }));
  s.push(makeSpan(tid, span(), search, 'embed query', 'embedding', T0 + 1215, 140, { ...llm('text-embedding-3-small', 'openai', 18, 0, 0.00000036), operation: 'embeddings' }));
  s.push(makeSpan(tid, span(), search, 'vector query', 'internal', T0 + 1360, 360, { attributes: { 'db.operation': 'search' } }));
  const carrier = span();
  s.push(makeSpan(tid, carrier, root, 'carrier api', 'tool', T0 + 1750, 900, { status: 'error', status_message: 'CarrierTimeout: no answer from api.carrier.example within 900 ms\n  at fetchTracking (src/tools/carrier.ts:31)', attributes: { 'http.status_code': 504, 'error.type': 'CarrierTimeout' } }));
  const decide = span();
  s.push(makeSpan(tid, decide, root, 'decide refund', 'llm', T0 + 2700, 1450, {
    ...llm('gpt-4.1-mini', 'openai', 2210, 388, 0.0015048),
    input: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Order A-1043, damaged. Policy: refund ≤ 50 EUR without review.' }] }]),
    output: JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'tc_1', name: 'issue_refund', arguments: { order_id: 'A-1043', amount: 49.9 } }], finish_reason: 'tool_call' }]),
    code_file: 'src/agents/refund.ts',
    code_line: 88,
    code_function: 'decide',
  }));
  s.push(makeSpan(tid, span(), root, 'issue_refund', 'tool', T0 + 4160, 380, { attributes: { 'gen_ai.tool.name': 'issue_refund', amount: 49.9 } }));
  s.push(makeSpan(tid, span(), root, 'draft reply', 'llm', T0 + 4200, 560, { ...llm('llama-3.1-8b-local', 'ollama', 640, 150, null), output: PLAIN_OUTPUT }));
  s.push(makeSpan(tid, span(), root, 'faithfulness', 'eval', T0 + 4770, 48, { attributes: { 'gen_ai.evaluation.name': 'faithfulness' } }));
  const scores: Score[] = [
    { score_id: 'sc1', trace_id: tid, span_id: s[1].span_id, name: 'helpfulness', value: 0.87, label: 'good', reason: 'Answers in French, states the delay and the reference.', source: 'eval', created_at: T0 + 5000 },
    { score_id: 'sc2', trace_id: tid, span_id: null, name: 'resolved', value: 1, label: null, reason: null, source: 'human', created_at: T0 + 6000 },
  ];
  return { trace: summarise(tid, s, 'refund-agent'), spans: s, scores };
}

const KINDS: SpanKind[] = ['agent', 'llm', 'tool', 'retrieval', 'embedding', 'eval', 'internal'];

/**
 * A big trace: one root, `steps` agent steps in sequence, each with children that overlap in
 * time (parallel tool calls), nested two levels deep. Every 97th span errors; every 50th LLM
 * call carries a message list; some names and attributes are hostile.
 */
export function bigTrace(spanCount: number, seed = 1): TraceDetail {
  const { span, trace, rand } = ids(seed);
  const tid = trace();
  const spans: StoredSpan[] = [];
  const root = span();
  spans.push(makeSpan(tid, root, null, `batch run (${spanCount} spans)`, 'agent', T0, 0));
  let t = T0 + 5;
  let parentStep = root;
  let stepChildren = 0;
  while (spans.length < spanCount) {
    const n = spans.length;
    if (stepChildren === 0 || stepChildren > 12) {
      parentStep = span();
      spans.push(makeSpan(tid, parentStep, root, `step ${n}`, 'agent', t, 0));
      stepChildren = 1;
      continue;
    }
    const kind = KINDS[n % KINDS.length];
    const dur = 20 + Math.floor(rand() * 400);
    // siblings start 30 ms apart but last longer: they run in parallel
    const start = t + stepChildren * 30;
    const extra: Partial<StoredSpan> = { attributes: { index: n, 'note.html': n % 500 === 3 ? XSS : 'plain' } };
    if (kind === 'llm') Object.assign(extra, llm(n % 3 ? 'gpt-4.1-mini' : 'claude-haiku-4-5', n % 3 ? 'openai' : 'anthropic', 300 + n, 40, n % 11 ? 0.0001 * (1 + (n % 7)) : null));
    if (kind === 'llm' && n % 50 === 1) extra.input = CHAT_INPUT;
    if (n % 97 === 0) Object.assign(extra, { status: 'error', status_message: `step failed at span ${n}` });
    const id = span();
    spans.push(makeSpan(tid, id, parentStep, n % 500 === 3 ? `${XSS} span ${n}` : `${kind} ${n}`, kind, start, dur, extra));
    if (kind === 'retrieval' && spans.length < spanCount) spans.push(makeSpan(tid, span(), id, `chunk read ${n}`, 'internal', start + 2, dur - 4));
    stepChildren++;
    if (stepChildren > 12) t = start + dur + 5;
  }
  // steps and root end when their last child does
  const end = new Map<string, number>();
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i];
    const e = Math.max(s.end_time, end.get(s.span_id) ?? 0);
    if (e > s.end_time) Object.assign(s, { end_time: e, duration_ms: e - s.start_time });
    if (s.parent_span_id) end.set(s.parent_span_id, Math.max(end.get(s.parent_span_id) ?? 0, e));
  }
  return { trace: summarise(tid, spans, spans[0].name), spans, scores: [] };
}

const HOSTILE_TRACE_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
export const TRAP = `${XSS} ${XSS_SCRIPT} <a href="javascript:window.__xss=3">x</a> {{constructor.constructor('window.__xss=4')()}}`;

/** Every string field of a span (and its trace, score, events) carries markup or script. */
export function hostileTrace(): TraceDetail {
  const root = makeSpan(HOSTILE_TRACE_ID, '1111111111111111', null, `agent ${XSS}`, 'agent', 1_700_000_000_000, 900, {
    tags: [XSS],
    attributes: { [XSS]: TRAP, 'nested.json': { html: XSS, list: [XSS_SCRIPT] } },
    events: [{ name: `event ${XSS}`, time: 1_700_000_000_100, attributes: { payload: XSS_SCRIPT } }],
    code_file: `src/${XSS}.ts`,
    code_line: 3,
    code_function: XSS,
  });
  const call = makeSpan(HOSTILE_TRACE_ID, '2222222222222222', root.span_id, `llm ${XSS_SCRIPT}`, 'llm', 1_700_000_000_010, 500, {
    model: `gpt-${XSS}`,
    provider: XSS_SCRIPT,
    input_tokens: 10,
    output_tokens: 5,
    cost_usd: 0.001,
    cost_source: 'computed',
    status: 'error',
    status_message: TRAP,
    input: JSON.stringify([{ role: 'user', content: TRAP }, { role: `assistant${XSS}`, tool_calls: [{ id: XSS, function: { name: XSS, arguments: TRAP } }] }]),
    output: TRAP,
  });
  const spans = [root, call];
  const trace = summarise(HOSTILE_TRACE_ID, spans, `trace ${XSS}`);
  return {
    trace: { ...trace, tags: [XSS_SCRIPT] },
    spans,
    scores: [{ score_id: 's1', trace_id: HOSTILE_TRACE_ID, span_id: call.span_id, name: XSS, value: 0.5, label: XSS_SCRIPT, reason: TRAP, source: 'eval', created_at: 0 }],
  };
}


// Three weeks of a small team's agents, as simple spans for POST /api/v1/spans: three features
// (tags), four models, costs reported, latencies and a few rate-limit failures. Deterministic,
// ending at `now`, so the dashboard's charts have something real to draw.
const DAY = 86_400_000;

export interface FixtureCall {
  trace_id: string;
  model: string;
  start_time: number;
  duration_ms: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  tag: string;
}

export interface UsageFixture {
  spans: Array<Record<string, unknown>>;
  /** every model call, for hand-computed expectations */
  calls: FixtureCall[];
  traces: Array<{ trace_id: string; name: string; start_time: number; duration_ms: number; cost_usd: number; status: 'ok' | 'error' }>;
}

const PRICES: Record<string, [number, number]> = {
  'gpt-4o': [2.5e-6, 10e-6],
  'gpt-4o-mini': [0.15e-6, 0.6e-6],
  'claude-3-5-sonnet': [3e-6, 15e-6],
  'o3-mini': [1.1e-6, 4.4e-6],
};

const FEATURES = [
  { name: 'support-agent', tag: 'support', steps: [['plan', 'gpt-4o'], ['answer', 'gpt-4o-mini']] },
  { name: 'search-agent', tag: 'search', steps: [['rewrite query', 'gpt-4o-mini'], ['rank', 'o3-mini']] },
  { name: 'summarise-doc', tag: 'summarise', steps: [['summarise', 'claude-3-5-sonnet']] },
] as const;

export function usageFixture(now: number, days = 21): UsageFixture {
  let state = 0x5eed;
  const rand = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const spans: UsageFixture['spans'] = [];
  const calls: FixtureCall[] = [];
  const traces: UsageFixture['traces'] = [];
  let n = 0;
  for (let d = days - 1; d >= 0; d--) {
    // busier on recent days, so the chart has a shape
    const perDay = 2 + ((days - d) % 3) + (d < 7 ? 2 : 0);
    for (let k = 0; k < perDay; k++) {
      const feature = FEATURES[(d + k) % FEATURES.length];
      const traceId = hex(32);
      const rootId = hex(16);
      const start = now - d * DAY - (k + 1) * 47 * 60_000 - Math.floor(rand() * 600_000);
      let t = start + 20;
      let cost = 0;
      let failed = false;
      for (const [step, model] of feature.steps) {
        const input = Math.round(600 + rand() * (model === 'claude-3-5-sonnet' ? 6000 : 1800));
        const output = Math.round(80 + rand() * 420);
        const duration = Math.round((model === 'gpt-4o-mini' ? 300 : model === 'claude-3-5-sonnet' ? 2200 : 900) * (0.6 + rand() * 1.4));
        const [pin, pout] = PRICES[model];
        const c = Number((input * pin + output * pout).toFixed(8));
        const error = ++n % 9 === 0;
        failed ||= error;
        spans.push({
          trace_id: traceId, span_id: hex(16), parent_span_id: rootId, name: step, kind: 'llm', model, provider: model.startsWith('claude') ? 'anthropic' : 'openai',
          start_time: t, duration_ms: duration, input_tokens: input, output_tokens: output, cost_usd: c,
          ...(error ? { status: 'error', status_message: 'rate limited (429)' } : {}),
        });
        calls.push({ trace_id: traceId, model, start_time: t, duration_ms: duration, cost_usd: c, input_tokens: input, output_tokens: output, tag: feature.tag });
        cost += c;
        t += duration + 15;
      }
      spans.push({ trace_id: traceId, span_id: rootId, name: feature.name, kind: 'agent', start_time: start, duration_ms: t - start, tags: [feature.tag], ...(failed ? { status: 'error', status_message: 'a step failed' } : {}) });
      traces.push({ trace_id: traceId, name: feature.name, start_time: start, duration_ms: t - start, cost_usd: cost, status: failed ? 'error' : 'ok' });
    }
  }
  return { spans, calls, traces };
}

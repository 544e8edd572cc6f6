// What an LLM call cost, from its tokens, with the dated price data of @pydantic/genai-prices
// (bundled; nothing is fetched) or a per-model override from the user's settings.
//
// Tokens follow the genai-prices convention: input_tokens is the whole input, cache-read and
// cache-write tokens included; they are priced apart at their own rates. A model without a price
// is 'unpriced' with cost null, never $0.
//
// Hot path: resolving a (model, provider) pair against the price data takes ~15 µs and calcPrice
// itself ~20 µs, so neither runs per span. Within one price period (between two start dates of a
// dated price) and one tier (a range of input tokens of a tiered price) a model's cost is a fixed
// amount plus a rate per token of each kind; those rates are read back from genai-prices itself the
// first time a span falls there, and pricing a span is then a few multiplications. Only prices that
// depend on the time of day still go through calcPrice each time.
import { calcPrice, type ModelInfo, type ModelPrice, type PriceCalculation } from '@pydantic/genai-prices';
import type { CostSource, Span } from './model';
import { canonicalProvider } from './ingest/provider';

export interface PriceOverride {
  input_per_mtok: number;
  output_per_mtok: number;
  /** default: input_per_mtok */
  cache_read_per_mtok?: number;
  /** default: input_per_mtok */
  cache_write_per_mtok?: number;
}

export type PricedSpan = Pick<Span, 'model' | 'provider' | 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens'>;

export interface Price {
  cost_usd: number | null;
  cost_source: CostSource | null;
}

export interface Pricer {
  price(span: PricedSpan, at: Date): Price;
}

/** Our canonical provider names (ingest/provider.ts) → genai-prices provider ids. */
const GENAI_PRICES_PROVIDER: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  azure: 'azure',
  aws: 'aws',
  mistral: 'mistral',
  groq: 'groq',
  deepseek: 'deepseek',
  cohere: 'cohere',
  'x-ai': 'x-ai',
  perplexity: 'perplexity',
  together: 'together',
  fireworks: 'fireworks',
  openrouter: 'openrouter',
  cerebras: 'cerebras',
};

/** Models served on the developer's machine: a hosted price would be wrong, so never guess one. */
const LOCAL_PROVIDERS = new Set(['ollama', 'lmstudio', 'llamacpp', 'llama.cpp', 'vllm', 'local']);

/**
 * USD per token of each kind where a model's price is flat: cost = fixed + (input - from - cache
 * tokens) × input + cache tokens × their rate + output × output. `from` is where the tier being
 * priced begins (0 for an untiered price), so `fixed` is measured there instead of extrapolated.
 */
interface Rates {
  from: number;
  fixed: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

interface Resolution {
  modelId: string;
  providerId: string;
  /** null when the price depends on the time of day: calcPrice decides per call */
  schedule: Schedule | null;
}

/**
 * A model's price over time. genai-prices picks a dated price by comparing the time with each
 * start date only, so every time between two consecutive start dates gets the same price.
 */
interface Schedule {
  /** the start dates (epoch ms), ascending */
  starts: number[];
  /** by the number of start dates at or before a time: that period's price, once measured */
  periods: Array<Period | null | undefined>;
}

/**
 * One period's price. A tiered price applies a tier's rate to every token once the input tokens
 * exceed its start, so between two consecutive starts the price is flat again.
 */
interface Period {
  /** a time inside the period, to ask genai-prices about it */
  at: Date;
  /** every tier start of the period's prices, ascending */
  tierStarts: number[];
  /** by the number of tier starts the input tokens exceed; null: calcPrice decides */
  tiers: Array<Rates | null | undefined>;
}

interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

const NO_PRICE: Price = { cost_usd: null, cost_source: null };
const UNPRICED: Price = { cost_usd: null, cost_source: 'unpriced' };
const MAX_CACHED = 10_000;
const ZERO: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
const M = 1_000_000;

export function createPricer(overrides: Record<string, PriceOverride> = {}): Pricer {
  const overrideRates = new Map<string, Rates>();
  for (const [model, o] of Object.entries(overrides)) overrideRates.set(model.trim().toLowerCase(), overrideToRates(model, o));
  // provider → model → resolution; two lookups are cheaper than building a key string per span
  const resolutions = new Map<string, Map<string, Resolution | null>>();
  let cached = 0;

  function resolution(model: string, provider: string | null): Resolution | null {
    let byModel = resolutions.get(provider ?? '');
    if (byModel === undefined) {
      byModel = new Map();
      resolutions.set(provider ?? '', byModel);
    }
    let r = byModel.get(model);
    if (r === undefined) {
      r = resolve(model, provider);
      if (++cached > MAX_CACHED) {
        resolutions.clear();
        cached = 0;
      }
      byModel.set(model, r);
    }
    return r;
  }

  return {
    price(span: PricedSpan, at: Date): Price {
      const usage = usageOf(span);
      if (usage === null) return NO_PRICE;
      if (!span.model) return UNPRICED;
      const override = overrideRates.size === 0 ? undefined : overrideRates.get(span.model.trim().toLowerCase());
      if (override) return { cost_usd: cost(override, usage), cost_source: 'computed' };
      const r = resolution(span.model, span.provider);
      if (r === null) return UNPRICED;
      const rates = r.schedule === null ? null : ratesAt(r, r.schedule, usage, at);
      if (rates) return { cost_usd: cost(rates, usage), cost_source: 'computed' };
      const result = safeCalc(usage, r.modelId, r.providerId, at);
      return result ? { cost_usd: result.total_price, cost_source: 'computed' } : UNPRICED;
    },
  };
}

/** null when the span reports no token usage at all. */
function usageOf(span: PricedSpan): Usage | null {
  const { input_tokens, output_tokens, cache_read_tokens, cache_write_tokens } = span;
  if (input_tokens === null && output_tokens === null && cache_read_tokens === null && cache_write_tokens === null) return null;
  const cacheRead = cache_read_tokens ?? 0;
  const cacheWrite = cache_write_tokens ?? 0;
  let input = input_tokens ?? 0;
  // Cache tokens are part of the input; a total smaller than its parts was counted without them
  // (Anthropic's raw usage does that), so add them back rather than refuse to price.
  if (cacheRead + cacheWrite > input) input += cacheRead + cacheWrite;
  return { input, output: output_tokens ?? 0, cacheRead, cacheWrite };
}

function cost(rates: Rates, u: Usage): number {
  return rates.fixed + (u.input - rates.from - u.cacheRead - u.cacheWrite) * rates.input + u.cacheRead * rates.cacheRead + u.cacheWrite * rates.cacheWrite + u.output * rates.output;
}

function safeCalc(u: Usage, modelId: string, providerId: string | undefined, at: Date): PriceCalculation | null {
  try {
    return calcPrice({ input_tokens: u.input, output_tokens: u.output, cache_read_tokens: u.cacheRead, cache_write_tokens: u.cacheWrite }, modelId, { providerId, timestamp: at });
  } catch {
    return null; // genai-prices refuses inconsistent usage; unpriced is the honest answer
  }
}

function resolve(model: string, provider: string | null): Resolution | null {
  const canonical = provider ? canonicalProvider(provider) : null;
  if (canonical !== null && LOCAL_PROVIDERS.has(canonical)) return null;
  const attempts: Array<[string, string | undefined]> = [];
  if (canonical !== null) attempts.push([model, GENAI_PRICES_PROVIDER[canonical] ?? canonical]);
  const slash = model.indexOf('/');
  if (slash > 0) attempts.push([model.slice(slash + 1), GENAI_PRICES_PROVIDER[canonicalProvider(model.slice(0, slash))] ?? model.slice(0, slash)]);
  attempts.push([model, undefined]);
  for (const [modelId, providerId] of attempts) {
    const found = safeCalc(ZERO, modelId, providerId, new Date());
    if (found) return { modelId, providerId: found.provider.id, schedule: scheduleOf(found.model) };
  }
  return null;
}

function scheduleOf(model: ModelInfo): Schedule | null {
  if (!Array.isArray(model.prices)) return { starts: [], periods: [] };
  const starts = new Set<number>();
  for (const { constraint } of model.prices) {
    if (constraint === undefined) continue;
    if (constraint.type !== 'start_date') return null;
    // parsed as genai-prices parses it; a date it cannot read matches no time at all
    const ms = new Date(constraint.start_date).getTime();
    if (!Number.isNaN(ms)) starts.add(ms);
  }
  return { starts: [...starts].sort((a, b) => a - b), periods: [] };
}

/** The flat rates that price `u` at `at`; null when calcPrice must decide. */
function ratesAt(r: Resolution, schedule: Schedule, u: Usage, at: Date): Rates | null {
  const t = at.getTime();
  if (Number.isNaN(t)) return null; // genai-prices refuses it; so does calcPrice below
  let p = 0;
  while (p < schedule.starts.length && t >= schedule.starts[p]) p++;
  let period = schedule.periods[p];
  if (period === undefined) period = schedule.periods[p] = measurePeriod(r, at);
  if (period === null) return null;
  let tier = 0;
  while (tier < period.tierStarts.length && u.input > period.tierStarts[tier]) tier++;
  let rates = period.tiers[tier];
  if (rates === undefined) rates = period.tiers[tier] = measureTier(r, period, tier);
  return rates;
}

function measurePeriod(r: Resolution, at: Date): Period | null {
  const found = safeCalc(ZERO, r.modelId, r.providerId, at);
  return found ? { at, tierStarts: tierStartsOf(found.model_price), tiers: [] } : null;
}

function tierStartsOf(prices: ModelPrice): number[] {
  const starts = new Set<number>();
  for (const price of Object.values(prices)) {
    if (price === null || typeof price !== 'object' || !Array.isArray(price.tiers)) continue;
    for (const t of price.tiers) if (typeof t?.start === 'number') starts.add(t.start);
  }
  return [...starts].sort((a, b) => a - b);
}

/**
 * The rates of one tier of one period, measured by asking genai-prices for the cost of tokens of
 * each kind at input counts inside the tier, so that its own rules (which unit a price key covers,
 * what cache tokens cost when a model has no cache price) stay the authority. An untiered price is
 * measured from 0 to a million input tokens.
 */
function measureTier(r: Resolution, period: Period, tier: number): Rates | null {
  const starts = period.tierStarts;
  // token counts are whole numbers, so the first count above a start is start + 1
  const from = tier === 0 ? 0 : starts[tier - 1] + 1;
  const to = tier < starts.length ? starts[tier] : from + M;
  const span = to - from;
  if (!(span > 0)) return null;
  const total = (u: Usage): number | null => safeCalc(u, r.modelId, r.providerId, period.at)?.total_price ?? null;
  const fixed = total({ input: from, output: 0, cacheRead: 0, cacheWrite: 0 });
  const input = total({ input: to, output: 0, cacheRead: 0, cacheWrite: 0 });
  const cacheRead = total({ input: to, output: 0, cacheRead: span, cacheWrite: 0 });
  const cacheWrite = total({ input: to, output: 0, cacheRead: 0, cacheWrite: span });
  const output = total({ input: from, output: span, cacheRead: 0, cacheWrite: 0 });
  if (fixed === null || input === null || cacheRead === null || cacheWrite === null || output === null) return null;
  return { from, fixed, input: (input - fixed) / span, cacheRead: (cacheRead - fixed) / span, cacheWrite: (cacheWrite - fixed) / span, output: (output - fixed) / span };
}

function overrideToRates(model: string, o: PriceOverride): Rates {
  const rate = (field: keyof PriceOverride, fallback?: number): number => {
    const v = o[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`price override for model "${model}": ${field} must be a non-negative number of USD per million tokens, got ${JSON.stringify(o[field])}`);
    }
    return v / 1_000_000;
  };
  const input = rate('input_per_mtok');
  return { from: 0, fixed: 0, input, output: rate('output_per_mtok'), cacheRead: rate('cache_read_per_mtok', o.input_per_mtok), cacheWrite: rate('cache_write_per_mtok', o.input_per_mtok) };
}

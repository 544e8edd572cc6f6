// What an LLM call cost, from its tokens, with the dated price data of @pydantic/genai-prices
// (bundled; nothing is fetched) or a per-model override from the user's settings.
//
// Tokens follow the genai-prices convention: input_tokens is the whole input, cache-read and
// cache-write tokens included; they are priced apart at their own rates. A model without a price
// is 'unpriced' with cost null, never $0.
//
// Hot path: resolving a (model, provider) pair against the price data takes ~15 µs, so the
// resolution is cached. For models whose price is plain per-token numbers (most), the cached
// entry also holds the rates read back from genai-prices itself, and pricing a span is a few
// multiplications; dated or tiered prices go through calcPrice each time.
import { calcPrice, type PriceCalculation } from '@pydantic/genai-prices';
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

/** USD per token of each kind, read back from genai-prices for a model with flat prices. */
interface Rates {
  fixed: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

interface Resolution {
  modelId: string;
  providerId: string;
  /** null when the price is dated or tiered: calcPrice decides per call */
  rates: Rates | null;
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
      if (r.rates) return { cost_usd: cost(r.rates, usage), cost_source: 'computed' };
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
  return rates.fixed + (u.input - u.cacheRead - u.cacheWrite) * rates.input + u.cacheRead * rates.cacheRead + u.cacheWrite * rates.cacheWrite + u.output * rates.output;
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
  const zero: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const [modelId, providerId] of attempts) {
    const found = safeCalc(zero, modelId, providerId, new Date());
    if (found) return { modelId, providerId: found.provider.id, rates: flatRates(found, modelId) };
  }
  return null;
}

/**
 * For a model whose price is one set of plain numbers, the per-token rates, measured by asking
 * genai-prices for a million tokens of each kind so that its own rules (which unit a price key
 * covers, what cache tokens cost when a model has no cache price) stay the authority.
 */
function flatRates(found: PriceCalculation, modelId: string): Rates | null {
  const prices = found.model.prices;
  if (Array.isArray(prices) || Object.values(prices).some((p) => p !== undefined && typeof p !== 'number')) return null;
  const at = new Date();
  const providerId = found.provider.id;
  const total = (u: Usage): number | null => safeCalc(u, modelId, providerId, at)?.total_price ?? null;
  const M = 1_000_000;
  const fixed = total({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  const input = total({ input: M, output: 0, cacheRead: 0, cacheWrite: 0 });
  const cacheRead = total({ input: M, output: 0, cacheRead: M, cacheWrite: 0 });
  const cacheWrite = total({ input: M, output: 0, cacheRead: 0, cacheWrite: M });
  const output = total({ input: 0, output: M, cacheRead: 0, cacheWrite: 0 });
  if (fixed === null || input === null || cacheRead === null || cacheWrite === null || output === null) return null;
  return { fixed, input: (input - fixed) / M, cacheRead: (cacheRead - fixed) / M, cacheWrite: (cacheWrite - fixed) / M, output: (output - fixed) / M };
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
  return { fixed: 0, input, output: rate('output_per_mtok'), cacheRead: rate('cache_read_per_mtok', o.input_per_mtok), cacheWrite: rate('cache_write_per_mtok', o.input_per_mtok) };
}

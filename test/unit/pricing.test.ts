import assert from 'node:assert/strict';
import { calcPrice } from '@pydantic/genai-prices';
import { createPricer, type PricedSpan } from '../../extension/server/pricing';

const at = new Date('2025-09-04T12:00:00Z');

function span(fields: Partial<PricedSpan>): PricedSpan {
  return { model: null, provider: null, input_tokens: null, output_tokens: null, cache_read_tokens: null, cache_write_tokens: null, ...fields };
}

function close(actual: number | null, expected: number): void {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);
}

describe('pricing', () => {
  const pricer = createPricer();

  it('prices a known model from its tokens (gpt-4o: $2.50 in, $10 out per million)', () => {
    const price = pricer.price(span({ model: 'gpt-4o', provider: 'openai', input_tokens: 1000, output_tokens: 100 }), at);
    assert.equal(price.cost_source, 'computed');
    close(price.cost_usd, (1000 * 2.5 + 100 * 10) / 1e6);
  });

  it('prices cache-read tokens at the cache rate (gpt-4o: $1.25 per million)', () => {
    const price = pricer.price(span({ model: 'gpt-4o', provider: 'openai', input_tokens: 10_000, cache_read_tokens: 8_000, output_tokens: 0 }), at);
    close(price.cost_usd, (2_000 * 2.5 + 8_000 * 1.25) / 1e6);
  });

  it('prices cache-read and cache-write tokens apart (claude-sonnet-4: $3 in, $0.30 read, $3.75 write, $15 out)', () => {
    const tokens = { input_tokens: 4740, cache_read_tokens: 1000, cache_write_tokens: 3000, output_tokens: 255 };
    const price = pricer.price(span({ model: 'claude-sonnet-4-20250514', provider: 'anthropic', ...tokens }), at);
    const byHand = (740 * 3 + 1000 * 0.3 + 3000 * 3.75 + 255 * 15) / 1e6;
    close(price.cost_usd, byHand);
    close(calcPrice(tokens, 'claude-sonnet-4-20250514', { providerId: 'anthropic', timestamp: at })!.total_price, byHand);
  });

  it('prices the way genai-prices does for models across providers, with and without provider', () => {
    const cases: Array<[string, string | null, string | undefined]> = [
      ['gpt-4o-mini', 'openai', 'openai'],
      ['gpt-4o-mini', null, undefined],
      ['claude-3-5-haiku-20241022', 'anthropic', 'anthropic'],
      ['gemini-2.0-flash', 'gemini', 'google'],
      ['gemini-2.0-flash', 'gcp.vertex_ai', 'google'],
      ['mistral-large-latest', 'mistral_ai', 'mistral'],
      ['deepseek-reasoner', 'deepseek', 'deepseek'],
      ['gpt-4o', 'azure.ai.openai', 'azure'],
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws.bedrock', 'aws'],
      ['llama-3.3-70b-versatile', 'groq', 'groq'],
    ];
    const usage = { input_tokens: 12_345, cache_read_tokens: 2_000, output_tokens: 678 };
    for (const [model, provider, providerId] of cases) {
      const expected = calcPrice(usage, model, { providerId, timestamp: at });
      assert.ok(expected, `genai-prices knows ${model}`);
      const price = pricer.price(span({ model, provider, ...usage }), at);
      assert.equal(price.cost_source, 'computed', model);
      close(price.cost_usd, expected.total_price);
    }
  });

  it('uses the price in force at the span start date (o3 dropped from $10/$40 to $2/$8 on 2025-06-10)', () => {
    const tokens = { model: 'o3', provider: 'openai', input_tokens: 1_000_000, output_tokens: 1_000_000 };
    close(pricer.price(span(tokens), new Date('2025-05-01T00:00:00Z')).cost_usd, 10 + 40);
    close(pricer.price(span(tokens), new Date('2025-07-01T00:00:00Z')).cost_usd, 2 + 8);
  });

  it('applies tiered prices by the prompt size (gemini-2.5-pro above 200k input tokens)', () => {
    const small = pricer.price(span({ model: 'gemini-2.5-pro', provider: 'google', input_tokens: 100_000, output_tokens: 0 }), at);
    const large = pricer.price(span({ model: 'gemini-2.5-pro', provider: 'google', input_tokens: 300_000, output_tokens: 0 }), at);
    close(small.cost_usd, (100_000 * 1.25) / 1e6);
    close(large.cost_usd, (300_000 * 2.5) / 1e6);
  });

  it('calls a model with tokens but no known price unpriced, never $0', () => {
    assert.deepEqual(pricer.price(span({ model: 'my-finetune-v3', provider: 'acme', input_tokens: 100, output_tokens: 10 }), at), { cost_usd: null, cost_source: 'unpriced' });
    assert.deepEqual(pricer.price(span({ model: null, input_tokens: 100 }), at), { cost_usd: null, cost_source: 'unpriced' });
  });

  it('does not guess a hosted price for a model served locally', () => {
    assert.deepEqual(pricer.price(span({ model: 'gpt-4o', provider: 'ollama', input_tokens: 100, output_tokens: 10 }), at), { cost_usd: null, cost_source: 'unpriced' });
  });

  it('gives no cost at all to a span without token usage', () => {
    assert.deepEqual(pricer.price(span({ model: 'gpt-4o', provider: 'openai' }), at), { cost_usd: null, cost_source: null });
  });

  it('reads provider/model names (OpenRouter style) and tries the model alone when the provider lacks it', () => {
    close(pricer.price(span({ model: 'openai/gpt-4o', input_tokens: 1000, output_tokens: 0 }), at).cost_usd, (1000 * 2.5) / 1e6);
    close(pricer.price(span({ model: 'gpt-4o', provider: 'openrouter', input_tokens: 1000, output_tokens: 0 }), at).cost_usd, (1000 * 2.5) / 1e6);
  });

  it('adds cache tokens to an input count smaller than them instead of refusing to price', () => {
    const exclusive = pricer.price(span({ model: 'claude-sonnet-4-20250514', provider: 'anthropic', input_tokens: 50, cache_read_tokens: 2000, output_tokens: 0 }), at);
    close(exclusive.cost_usd, (50 * 3 + 2000 * 0.3) / 1e6);
  });

  it('lets a per-model override win over the price data, with cache rates defaulting to the input rate', () => {
    const overridden = createPricer({ 'gpt-4o': { input_per_mtok: 1, output_per_mtok: 2, cache_read_per_mtok: 0.1 }, 'My-Local-Model': { input_per_mtok: 0.5, output_per_mtok: 0.5 } });
    close(overridden.price(span({ model: 'gpt-4o', provider: 'openai', input_tokens: 3000, cache_read_tokens: 1000, output_tokens: 500 }), at).cost_usd, (2000 * 1 + 1000 * 0.1 + 500 * 2) / 1e6);
    const local = overridden.price(span({ model: 'my-local-model', input_tokens: 1000, cache_write_tokens: 1000, output_tokens: 1000 }), at);
    assert.equal(local.cost_source, 'computed');
    close(local.cost_usd, (1000 * 0.5 + 1000 * 0.5) / 1e6);
  });

  it('refuses an override that is not a price, naming the model and field', () => {
    assert.throws(() => createPricer({ 'gpt-4o': { input_per_mtok: -1, output_per_mtok: 2 } }), /^Error: price override for model "gpt-4o": input_per_mtok must be a non-negative number of USD per million tokens, got -1$/);
    assert.throws(() => createPricer({ x: { input_per_mtok: 1 } as never }), /output_per_mtok must be a non-negative number/);
  });

  it('gives what calcPrice gives for flat, dated, tiered, dated-and-tiered and time-of-day prices, on both sides of every boundary', () => {
    const models: Array<[string, string]> = [
      ['gpt-4o', 'openai'], // flat
      ['o3', 'openai'], // dated: 2025-06-10
      ['claude-sonnet-4-5', 'anthropic'], // tiered above 200k input tokens
      ['gemini-2.5-pro', 'google'], // tiered above 200k input tokens
      ['claude-sonnet-4-6', 'anthropic'], // tiered, and dated: 2026-03-13
      ['deepseek-chat', 'deepseek'], // off-peak hours: priced by calcPrice each time
    ];
    const times = ['2025-06-09T23:59:59.999Z', '2025-06-10T00:00:00Z', '2025-09-04T12:00:00Z', '2026-03-12T23:59:59.999Z', '2026-03-13T00:00:00Z', '2026-03-13T17:45:00Z', '2026-03-13T02:00:00Z'].map((t) => new Date(t));
    const usages = [
      { input_tokens: 0, output_tokens: 1 },
      { input_tokens: 1234, output_tokens: 567, cache_read_tokens: 1000 },
      { input_tokens: 199_999, output_tokens: 10, cache_write_tokens: 50_000 },
      { input_tokens: 200_000, output_tokens: 10 },
      { input_tokens: 200_001, output_tokens: 10 },
      { input_tokens: 200_002, output_tokens: 1, cache_read_tokens: 150_000, cache_write_tokens: 40_000 },
      { input_tokens: 350_000, output_tokens: 4_000, cache_read_tokens: 300_000 },
      { input_tokens: 5_000_000, output_tokens: 1_000_000 },
    ];
    // a fresh pricer meets each period and tier first on a different usage, in varying order
    const fresh = createPricer();
    for (const [model, provider] of models) {
      for (const when of [...times].reverse()) {
        for (const usage of usages) {
          const expected = calcPrice({ cache_read_tokens: 0, cache_write_tokens: 0, ...usage }, model, { providerId: provider, timestamp: when });
          assert.ok(expected, `genai-prices knows ${model}`);
          const got = fresh.price(span({ model, provider, ...usage }), when);
          assert.equal(got.cost_source, 'computed');
          assert.ok(Math.abs(got.cost_usd! - expected.total_price) <= 1e-12 * Math.max(1, expected.total_price), `${model} at ${when.toISOString()} for ${JSON.stringify(usage)}: ${got.cost_usd} instead of ${expected.total_price}`);
        }
      }
    }
  });

  it('calls an invalid span time unpriced, as calcPrice does', () => {
    assert.deepEqual(createPricer().price(span({ model: 'o3', provider: 'openai', input_tokens: 10 }), new Date(NaN)), { cost_source: 'unpriced', cost_usd: null });
  });

  it('prices dated and tiered models in well under 10 µs once their period and tier are known', () => {
    for (const model of ['claude-sonnet-4-5', 'claude-sonnet-4-6', 'o3']) {
      const s = span({ model, provider: model === 'o3' ? 'openai' : 'anthropic', input_tokens: 1500, output_tokens: 200, cache_read_tokens: 1000 });
      pricer.price(s, at);
      const n = 20_000;
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) pricer.price(s, at);
      const perSpanUs = Number(process.hrtime.bigint() - started) / n / 1000;
      assert.ok(perSpanUs < 10, `${model}: ${perSpanUs.toFixed(2)} µs per span`);
    }
  });

  it('prices a span in well under 10 µs once its model is known (cached resolution)', () => {
    const s = span({ model: 'gpt-4o-mini', provider: 'openai', input_tokens: 1500, output_tokens: 200, cache_read_tokens: 1000 });
    pricer.price(s, at);
    const n = 20_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) pricer.price(s, at);
    const perSpanUs = Number(process.hrtime.bigint() - started) / n / 1000;
    assert.ok(perSpanUs < 10, `${perSpanUs.toFixed(2)} µs per span`);
  });
});

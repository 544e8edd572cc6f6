// Budget enforcement: with a hard limit reached on the real collector (GET /api/v1/budget),
// wrapped clients refuse new calls before they reach the provider; per-tag limits refuse only the
// calls of traces with that tag; the opt-out lets calls through; a call already made is recorded.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import * as stacklens from '../src/index';
import { arrivedTrace, useCollector } from './support/collector-session';
import { startFakeProvider, type FakeProvider } from './support/fake-provider';

const thisMonth = () => new Date().toISOString().slice(0, 7);
const ask = [{ role: 'user' as const, content: 'Capital of France?' }];

function isBudgetError(e: unknown, limit: number, tag: string | null = null): boolean {
  return (
    e instanceof stacklens.BudgetExceededError &&
    e instanceof stacklens.StackLensError &&
    e.limitUsd === limit &&
    e.spentUsd >= limit &&
    e.month === thisMonth() &&
    e.tag === tag &&
    /was not sent/.test(e.message) &&
    /enforceBudget: false/.test(e.message)
  );
}

describe('SDK budget enforcement (monthly hard limit)', () => {
  const session = useCollector({ extraArgs: ['--budget-usd', '0.05', '--budget-hard'] }, { budgetRefreshMs: 0 });
  let provider: FakeProvider;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    provider = await startFakeProvider();
    openai = stacklens.wrapOpenAI(new OpenAI({ apiKey: 'sk-fake', baseURL: `${provider.url}/v1`, maxRetries: 0 }));
    anthropic = stacklens.wrapAnthropic(new Anthropic({ apiKey: 'sk-ant-fake', baseURL: provider.url, maxRetries: 0 }));
  });
  after(async () => {
    await provider.close();
  });
  afterEach(() => stacklens.configure({ apiKey: session.collector.token, endpoint: session.collector.url, budgetRefreshMs: 0 }));

  it('lets calls through while spend is under the limit', async () => {
    const status = await stacklens.refreshBudget();
    assert.ok(status, 'the collector answered GET /api/v1/budget');
    assert.equal(status.hard_limit, true);
    assert.equal(status.exceeded, false);
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
    assert.ok(completion.choices[0].message.content);
  });

  it('records a call already made with trace() even when it crosses the limit', async () => {
    // the money is spent: refusing to record it would only hide it
    const traceId = stacklens.trace('expensive-call', { model: 'gpt-4o', provider: 'openai', inputTokens: 10_000, outputTokens: 2_000, costUsd: 0.06 });
    await arrivedTrace(session.collector, traceId);
    const status = await stacklens.refreshBudget();
    assert.equal(status?.exceeded, true);
    assert.ok(status.spent_usd >= 0.06);
    assert.doesNotThrow(() => stacklens.trace('after-the-limit', { model: 'gpt-4o', provider: 'openai', inputTokens: 1, outputTokens: 1, costUsd: 0.001 }));
  });

  it('refuses a wrapped OpenAI call with BudgetExceededError before it is sent', async () => {
    await stacklens.refreshBudget();
    const sent = provider.requests.length;
    let traceId = '';
    await assert.rejects(
      stacklens.startTrace('over-budget-agent', async (span) => {
        traceId = span.traceId;
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
      }),
      (e) => isBudgetError(e, 0.05) && /chat\.completions\.create \(gpt-4o-mini\)/.test((e as Error).message),
    );
    assert.throws(() => openai.responses.create({ model: 'gpt-4o-mini', input: 'hi' }), (e) => isBudgetError(e, 0.05));
    assert.equal(provider.requests.length, sent, 'nothing reached the provider');
    // the refusal is on the agent's span; no llm span pretends a call happened
    const detail = await arrivedTrace(session.collector, traceId);
    assert.deepEqual(detail.spans.map((s) => s.kind), ['agent']);
    assert.equal(detail.spans[0].status, 'error');
    assert.match(detail.spans[0].status_message ?? '', /budget exceeded/);
  });

  it('refuses Anthropic messages.create and messages.stream() synchronously, before anything is sent', async () => {
    await stacklens.refreshBudget();
    const sent = provider.requests.length;
    assert.throws(() => anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 50, messages: ask }), (e) => isBudgetError(e, 0.05));
    assert.throws(() => anthropic.messages.stream({ model: 'claude-3-5-haiku-latest', max_tokens: 50, messages: ask }), (e) => isBudgetError(e, 0.05));
    assert.equal(provider.requests.length, sent);
  });

  it('lets calls through with configure({ enforceBudget: false })', async () => {
    stacklens.configure({ apiKey: session.collector.token, endpoint: session.collector.url, enforceBudget: false });
    await stacklens.refreshBudget();
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
    assert.ok(completion.choices[0].message.content);
    assert.doesNotThrow(() => stacklens.checkBudget());
  });

  it('checkBudget() refuses for calls made without a wrapped client', async () => {
    await stacklens.refreshBudget();
    assert.throws(() => stacklens.checkBudget(), (e) => isBudgetError(e, 0.05));
    assert.throws(() => stacklens.checkBudget({ tags: 'x' as unknown as string[] }), /tags must be an array of strings/);
  });

  it('never waits on the network: a process decides from the answer it has, and asks again in the background', async () => {
    // a fresh configuration has no answer yet: its first call goes through while the answer is fetched
    stacklens.configure({ apiKey: session.collector.token, endpoint: session.collector.url, budgetRefreshMs: 60_000 });
    const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
    assert.ok(first.choices[0].message.content);
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        stacklens.checkBudget();
      } catch (e) {
        assert.ok(isBudgetError(e, 0.05));
        break;
      }
      assert.ok(Date.now() < deadline, 'the background answer arrived within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('enforces nothing when the collector cannot be asked', async () => {
    stacklens.configure({ apiKey: session.collector.token, endpoint: 'http://127.0.0.1:9', budgetRefreshMs: 0, onExportError: () => {}, export: { maxAttempts: 1 } });
    assert.equal(await stacklens.refreshBudget(), null);
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
    assert.ok(completion.choices[0].message.content);
    await stacklens.flush().catch(() => {});
  });

  it('refuses a bad enforceBudget or budgetRefreshMs with the field named', () => {
    assert.throws(() => stacklens.configure({ apiKey: 'k', enforceBudget: 'no' as unknown as boolean }), /enforceBudget must be true or false/);
    assert.throws(() => stacklens.configure({ apiKey: 'k', budgetRefreshMs: -1 }), /budgetRefreshMs must be a whole number/);
  });
});

describe('SDK budget enforcement (per-tag hard limit)', () => {
  const session = useCollector({ extraArgs: ['--budget-usd', '100', '--budget-hard', '--budget-tags', 'support=0.02'] }, { budgetRefreshMs: 0 });
  let provider: FakeProvider;
  let openai: OpenAI;

  before(async () => {
    provider = await startFakeProvider();
    openai = stacklens.wrapOpenAI(new OpenAI({ apiKey: 'sk-fake', baseURL: `${provider.url}/v1`, maxRetries: 0 }));
    const traceId = stacklens.trace('support-reply', { model: 'gpt-4o', provider: 'openai', inputTokens: 5000, outputTokens: 500, costUsd: 0.03, tags: ['support'] });
    await arrivedTrace(session.collector, traceId);
  });
  after(async () => {
    await provider.close();
  });

  it('refuses only calls whose trace carries the exceeded tag', async () => {
    const status = await stacklens.refreshBudget();
    assert.equal(status?.exceeded, false);
    assert.deepEqual(status?.tags.map((t) => [t.tag, t.exceeded]), [['support', true]]);
    const sent = provider.requests.length;
    await assert.rejects(
      stacklens.startTrace('support-agent', async () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask }), { tags: ['support'] }),
      (e) => isBudgetError(e, 0.02, 'support') && /tag "support"/.test((e as Error).message),
    );
    // a tag added on an outer span counts for the calls below it
    await assert.rejects(
      stacklens.startTrace('tagged-later', async (root) => {
        root.addTag('support');
        return stacklens.span('step', async () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask }));
      }),
      (e) => isBudgetError(e, 0.02, 'support'),
    );
    assert.equal(provider.requests.length, sent);
    const other = await stacklens.startTrace('search-agent', async () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask }), { tags: ['search'] });
    assert.ok(other.choices[0].message.content, 'a call of another feature goes through');
  });
});

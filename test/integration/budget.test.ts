// GET /api/v1/budget against hand-computed numbers: this month's counted calls only, limits and
// warnings from `serve --budget-*`, breakdowns by model and tag, and the cache expiring on change.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { checkBudgetOptions, monthOf } from '../../extension/server/budget';
import { CLI, startCollector, tempDir, type RunningCollector } from '../support/collector';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

describe('budget: month and options', () => {
  it('takes the calendar month in UTC', () => {
    assert.deepEqual(monthOf(Date.UTC(2026, 11, 31, 23, 59, 59, 999)), { month: '2026-12', since: Date.UTC(2026, 11, 1), until: Date.UTC(2027, 0, 1) });
    assert.deepEqual(monthOf(Date.UTC(2024, 1, 29, 12)).month, '2024-02');
  });

  it('refuses wrong options naming the field', () => {
    assert.throws(() => checkBudgetOptions({ monthlyUsd: -5 }), /^Error: budget\.monthlyUsd: expected an amount in USD ≥ 0, got -5$/);
    assert.throws(() => checkBudgetOptions({ warnAtPct: 0 }), /budget\.warnAtPct: expected a percent from 1 to 100, got 0/);
    assert.throws(() => checkBudgetOptions({ perTag: { support: Number.NaN } }), /budget\.perTag\["support"\]: expected an amount in USD ≥ 0/);
    assert.deepEqual(checkBudgetOptions(undefined), { monthlyUsd: null, warnAtPct: 80, hardLimit: false, perTag: {} });
  });
});

describe('GET /api/v1/budget', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  const { month, since } = monthOf(Date.now());
  const now = Date.now();

  before(async () => {
    c = await startCollector({ extraArgs: ['--budget-usd', '1', '--budget-hard', '--budget-warn-pct', '50', '--budget-tags', 'support=0.5,search=2'] });
    const res = await c.request('POST', '/api/v1/spans', {
      spans: [
        { trace_id: hex(1, 32), name: 'a', model: 'gpt-4o', input_tokens: 10, output_tokens: 1, cost_usd: 0.25, tags: ['support'], start_time: now - 1000 },
        { trace_id: hex(2, 32), name: 'b', model: 'claude-sonnet-4', input_tokens: 10, output_tokens: 1, cost_usd: 0.125, tags: ['support', 'search'], start_time: now - 1000 },
        { trace_id: hex(3, 32), name: 'c', model: 'gpt-4o', input_tokens: 10, output_tokens: 1, cost_usd: 0.0625, start_time: now - 1000 },
        // tokens but no price known: counted as a call, spent stays a lower bound
        { trace_id: hex(4, 32), name: 'd', model: 'my-private-finetune', input_tokens: 10, output_tokens: 1, start_time: now - 1000 },
        // last month: not this month's spend
        { trace_id: hex(5, 32), name: 'e', model: 'gpt-4o', input_tokens: 10, output_tokens: 1, cost_usd: 5, tags: ['support'], start_time: since - 86_400_000 },
        // a tool span is not a model call
        { trace_id: hex(6, 32), name: 'f', kind: 'tool', start_time: now - 1000 },
      ],
    });
    assert.equal(res.status, 200);
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
  });

  it('sums this month\'s calls against the limits, by model and by tag', async () => {
    const res = await c.request('GET', '/api/v1/budget');
    assert.equal(res.status, 200);
    const b = res.body;
    assert.equal(b.month, month);
    assert.equal(b.spent_usd, 0.4375);
    assert.equal(b.calls, 4);
    assert.equal(b.unpriced_calls, 1);
    assert.deepEqual([b.limit_usd, b.pct_used, b.warn_at_pct, b.warn, b.hard_limit, b.exceeded], [1, 43.75, 50, false, true, false]);
    assert.deepEqual(b.by_model, [
      { model: 'gpt-4o', calls: 2, spent_usd: 0.3125 },
      { model: 'claude-sonnet-4', calls: 1, spent_usd: 0.125 },
      { model: 'my-private-finetune', calls: 1, spent_usd: 0 },
    ]);
    assert.deepEqual(b.by_tag, [
      { tag: 'support', calls: 2, spent_usd: 0.375 },
      { tag: 'search', calls: 1, spent_usd: 0.125 },
    ]);
    assert.deepEqual(b.tags, [
      { tag: 'support', spent_usd: 0.375, limit_usd: 0.5, pct_used: 75, warn: true, exceeded: false },
      { tag: 'search', spent_usd: 0.125, limit_usd: 2, pct_used: 6.25, warn: false, exceeded: false },
    ]);
  });

  it('says exceeded once the spend reaches the limit (the cache follows new spans)', async () => {
    await c.request('POST', '/api/v1/spans', { trace_id: hex(7, 32), name: 'g', model: 'gpt-4o', input_tokens: 10, output_tokens: 1, cost_usd: 0.5625, tags: ['support'] });
    const deadline = Date.now() + 5000;
    let b;
    do {
      b = (await c.request('GET', '/api/v1/budget')).body;
    } while (b.spent_usd !== 1 && Date.now() < deadline);
    assert.deepEqual([b.spent_usd, b.pct_used, b.warn, b.exceeded, b.hard_limit], [1, 100, true, true, true]);
    assert.deepEqual(b.tags[0], { tag: 'support', spent_usd: 0.9375, limit_usd: 0.5, pct_used: 187.5, warn: true, exceeded: true });
  });

  it('refuses query parameters it does not take', async () => {
    const res = await c.request('GET', '/api/v1/budget?month=2020-01');
    assert.equal(res.status, 400);
    assert.match(res.body.error, /unknown query parameter "month"/);
  });
});

describe('serve --budget-* usage errors', () => {
  it('refuses a malformed --budget-tags before listening', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--data', tempDir(), '--budget-tags', 'support'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--budget-tags: "support" is not tag=USD/);
  });
});

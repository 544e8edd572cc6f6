// The usage dashboard and SQL console in a real Chromium, answered by the host's DashboardHost
// over a real collector (`stacklens serve`, real loopback HTTP) holding three weeks of traces.
// Screenshots go to test-results/dashboard-*.png for a person to look at.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { HttpCollector } from '../../extension/client/http-collector';
import { formatCost, formatCount, formatDuration } from '../../webview/layout/format';
import { startCollector, type RunningCollector } from '../support/collector';
import { openDashboard, startDashboardHarness, type DashboardHarness, type DashboardPage } from './support/dashboard-harness';
import { resultsDir } from './support/harness';
import { XSS } from './support/traces';
import { usageFixture } from './support/usage-fixture';

const DAY = 86_400_000;

async function collectorApi(c: RunningCollector): Promise<HttpCollector> {
  return new HttpCollector(Number(new URL(c.url).port), c.token, c.dataDir);
}

/** Elements whose box pokes out of the viewport on the right (what a person sees as overflow). */
function overflowing(p: DashboardPage): Promise<string[]> {
  return p.page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1).map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  );
}

const kpi = (p: DashboardPage, id: string) => p.page.locator(`[data-kpi="${id}"] .kpi-value`).innerText();

describe('usage dashboard (Chromium harness, real collector)', function () {
  this.timeout(60_000);
  let h: DashboardHarness;
  let c: RunningCollector;
  let api: HttpCollector;
  const now = Date.now();
  const fixture = usageFixture(now);

  before(async () => {
    [h, c] = await Promise.all([startDashboardHarness(), startCollector({ extraArgs: ['--budget-usd', '1', '--budget-warn-pct', '80', '--budget-tags', 'support=0.25,search=0.1'] })]);
    api = await collectorApi(c);
    const posted = await c.request('POST', '/api/v1/spans', { spans: fixture.spans });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    mkdirSync(resultsDir, { recursive: true });
  });
  after(async () => {
    await h?.close();
    await c?.stop();
  });

  async function open(opts: Parameters<typeof openDashboard>[2] = {}): Promise<DashboardPage> {
    const p = await openDashboard(h, api, opts);
    if ((opts.view ?? 'usage') === 'usage') await p.page.waitForSelector('[data-card="by-day"] svg rect');
    return p;
  }

  it('asks for the last 7 days at start and shows their totals, as the collector counts them', async () => {
    const p = await open();
    const ask = (await p.posted()).find((m) => m.type === 'requestUsage')!;
    assert.equal(ask.until, null);
    assert.ok(Math.abs((ask.since as number) - (Date.now() - 7 * DAY)) < 60_000, 'since: 7 days ago');
    const inRange = fixture.calls.filter((x) => x.start_time >= (ask.since as number));
    const cost = inRange.reduce((s, x) => s + x.cost_usd, 0);
    assert.equal(await kpi(p, 'cost'), formatCost(cost));
    assert.equal(await kpi(p, 'calls'), formatCount(inRange.length));
    const input = inRange.reduce((s, x) => s + x.input_tokens, 0);
    const output = inRange.reduce((s, x) => s + x.output_tokens, 0);
    assert.equal(await kpi(p, 'tokens'), `${formatCount(input)} / ${formatCount(output)}`);
    const stats = await api.stats({ since: ask.since as number });
    assert.equal(await kpi(p, 'latency'), `${formatDuration(stats.latency_ms.p50)} / ${formatDuration(stats.latency_ms.p95)}`);
    assert.deepEqual(p.problems, []);
    await p.page.close();
  });

  it('draws cost by model by day as stacked bars, one bar per UTC day, biggest model at the bottom', async () => {
    const p = await open();
    const days = await p.page.locator('[data-card="by-day"] .chart-bar').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-day')));
    assert.equal(days.length, 8, 'the 7 days up to now touch 8 UTC days');
    assert.equal(days.at(-1), new Date().toISOString().slice(0, 10));
    // a day's segments, bottom to top, are in the legend's order, and their heights add up to the day's cost
    const legend = await p.page.locator('[data-card="by-day"] .chart-legend li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-legend')));
    const today = days.at(-2)!;
    const segs = await p.page.locator(`[data-card="by-day"] .chart-bar[data-day="${today}"] rect`).evaluateAll((rs) => rs.map((r) => ({ model: r.getAttribute('data-model')!, y: Number(r.getAttribute('y')), h: Number(r.getAttribute('height')) })));
    assert.ok(segs.length >= 2);
    assert.deepEqual(segs.map((s) => s.model), legend.filter((m) => segs.some((s) => s.model === m)));
    for (let i = 1; i < segs.length; i++) assert.ok(Math.abs(segs[i].y + segs[i].h - segs[i - 1].y) < 0.01, 'stacked without gaps');
    const dayCost = fixture.calls.filter((x) => new Date(x.start_time).toISOString().slice(0, 10) === today).reduce((s, x) => s + x.cost_usd, 0);
    const perModel = new Map<string, number>();
    for (const x of fixture.calls.filter((y) => new Date(y.start_time).toISOString().slice(0, 10) === today)) perModel.set(x.model, (perModel.get(x.model) ?? 0) + x.cost_usd);
    const pxPerUsd = segs[0].h / perModel.get(segs[0].model)!;
    assert.ok(Math.abs(segs.reduce((s, x) => s + x.h, 0) - dayCost * pxPerUsd) < 0.5, 'heights proportional to cost');
    assert.match((await p.page.locator(`[data-card="by-day"] rect[data-model="${segs[0].model}"]`).first().locator('title').textContent()) ?? '', new RegExp(`^${segs[0].model} · `));

    await p.page.locator('button[data-metric="tokens"]').click();
    await p.page.waitForSelector('svg[data-chart="tokens"]');
    assert.equal(await p.page.locator('[data-card="by-day"] h2').innerText(), 'TOKENS BY MODEL BY DAY');
    await p.page.close();
  });

  it('shows latency percentiles overall and per model, cost by tag, and the most expensive and slowest traces', async () => {
    const p = await open();
    const since = (await p.posted()).find((m) => m.type === 'requestUsage')!.since as number;
    const stats = await api.stats({ since });
    const all = p.page.locator('[data-latency-model="All models"]');
    for (const q of ['p50', 'p90', 'p95', 'p99'] as const) assert.equal(await all.locator(`[data-p="${q}"]`).innerText(), formatDuration(stats.latency_ms[q]));
    assert.equal(await p.page.locator('[data-latency-model]').count(), 1 + stats.by_model.length);
    // a few calls: exact percentiles, and the card does not claim otherwise
    assert.equal(stats.latency_exact, true);
    assert.equal(await p.page.locator('[data-card="latency"] .card-head .muted').innerText(), 'per model call');
    assert.deepEqual(await p.page.locator('[data-card="tags"] tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag'))), stats.by_tag.map((t) => t.tag));

    const recent = fixture.traces.filter((t) => t.start_time >= since);
    const dearest = [...recent].sort((a, b) => b.cost_usd - a.cost_usd).slice(0, 8);
    const slowest = [...recent].sort((a, b) => b.duration_ms - a.duration_ms).slice(0, 8);
    assert.deepEqual(await p.page.locator('[data-card="expensive"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id'))), dearest.map((t) => t.trace_id));
    assert.deepEqual(await p.page.locator('[data-card="slowest"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id'))), slowest.map((t) => t.trace_id));
    await p.page.locator(`[data-card="expensive"] tr[data-trace-id="${dearest[0].trace_id}"] button`).click();
    await p.page.waitForFunction(() => true);
    assert.deepEqual(p.opened, [dearest[0].trace_id], 'a click opens the trace');
    await p.page.close();
  });

  it('shows this month against the budget, the warning past the threshold, and the per-tag budgets', async () => {
    const p = await open();
    const budget = await api.budget();
    const card = p.page.locator('[data-card="budget"]');
    assert.equal(await card.locator('[data-budget="month"] .budget-spent').innerText(), `${formatCost(budget.spent_usd)} / ${formatCost(1)}`);
    assert.equal(await card.locator('[data-budget="month"] .budget-pct').getAttribute('class'), `budget-pct is-${budget.exceeded ? 'exceeded' : budget.warn ? 'warn' : 'ok'}`);
    assert.deepEqual(await card.locator('[data-budget-tag]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-budget-tag'))), ['support', 'search']);
    assert.equal(await card.locator('[data-budget-tag="search"] .budget-pct').getAttribute('class'), `budget-pct is-${budget.tags[1].exceeded ? 'exceeded' : budget.tags[1].warn ? 'warn' : 'ok'}`);
    await p.page.close();
  });

  it('asks the host for each preset and a custom range, and names a custom range it cannot use', async () => {
    const p = await open();
    const asks = async () => (await p.posted()).filter((m) => m.type === 'requestUsage');
    await p.page.locator('button[data-range="30d"]').click();
    await p.page.waitForFunction(() => document.querySelector('button[data-range="30d"]')?.getAttribute('aria-pressed') === 'true');
    await p.page.waitForFunction((n) => document.querySelector('[data-kpi="calls"] .kpi-value')?.textContent === n, formatCount(fixture.calls.length));
    assert.ok(Math.abs(((await asks()).at(-1)!.since as number) - (Date.now() - 30 * DAY)) < 60_000);

    await p.page.locator('button[data-range="custom"]').click();
    const day = (t: number) => { const d = new Date(t); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; };
    await p.page.locator('input[data-range-from]').fill(day(now - 3 * DAY));
    await p.page.locator('input[data-range-to]').fill(day(now - DAY));
    await p.page.locator('button[data-action="apply-range"]').click();
    const from = new Date(now - 3 * DAY); from.setHours(0, 0, 0, 0);
    const to = new Date(now); to.setHours(0, 0, 0, 0);
    await p.page.waitForFunction((since) => (window as unknown as { __posted: Array<{ type: string; since?: number }> }).__posted.some((m) => m.type === 'requestUsage' && m.since === since), from.getTime());
    const last = (await asks()).at(-1)!;
    assert.deepEqual([last.since, last.until], [from.getTime(), to.getTime()]);
    const expected = fixture.calls.filter((x) => x.start_time >= from.getTime() && x.start_time < to.getTime()).length;
    await p.page.waitForFunction((n) => document.querySelector('[data-kpi="calls"] .kpi-value')?.textContent === n, formatCount(expected));

    const count = (await asks()).length;
    await p.page.locator('input[data-range-from]').fill(day(now - DAY));
    await p.page.locator('input[data-range-to]').fill(day(now - 3 * DAY));
    await p.page.locator('button[data-action="apply-range"]').click();
    assert.equal(await p.page.locator('.range-problem').innerText(), 'The last day comes before the first day.');
    assert.equal((await asks()).length, count, 'nothing was asked for a range that cannot be');
    await p.page.close();
  });

  it('says so when a range has no calls', async () => {
    const p = await openDashboard(h, api);
    await p.page.waitForSelector('[data-card="by-day"]');
    await p.page.locator('button[data-range="custom"]').click();
    await p.page.locator('input[data-range-from]').fill('2020-01-01');
    await p.page.locator('input[data-range-to]').fill('2020-01-02');
    await p.page.locator('button[data-action="apply-range"]').click();
    await p.page.waitForSelector('.panel-message');
    assert.match(await p.page.locator('.panel-message').innerText(), /No model calls in this range/);
    await p.page.close();
  });

  it('runs read-only SQL in the console and shows a refusal as the line the store gave', async () => {
    const p = await open({ view: 'sql' });
    await p.page.waitForSelector('textarea.sql-text');
    await p.page.locator('textarea.sql-text').fill("SELECT model, COUNT(*) AS calls FROM llm_calls GROUP BY model ORDER BY model");
    await p.page.locator('vscode-button[data-action="run-sql"]').click();
    await p.page.waitForSelector('.sql-table tbody tr');
    const models = [...new Set(fixture.calls.map((x) => x.model))].sort();
    assert.deepEqual(await p.page.locator('.sql-table thead th').allInnerTexts(), ['model', 'calls']);
    assert.deepEqual(await p.page.locator('.sql-table tbody td:first-child').allInnerTexts(), models);
    assert.match(await p.page.locator('[data-sql-summary]').innerText(), new RegExp(`^${models.length} rows · \\d+ ms$`));
    await p.page.locator('vscode-button[data-action="copy-tsv"]').click();
    await p.page.waitForFunction(() => true);
    assert.equal(p.copied.at(-1)!.split('\n')[0], 'model\tcalls');

    await p.page.locator('textarea.sql-text').fill('DELETE FROM spans');
    await p.page.locator('textarea.sql-text').press('Control+Enter');
    await p.page.waitForSelector('[data-sql-error]');
    assert.equal(await p.page.locator('[data-sql-error]').innerText(), 'query refused: only SELECT, WITH or EXPLAIN statements are allowed, not DELETE');
    assert.equal((await api.sql('SELECT COUNT(*) FROM spans')).rows[0][0], fixture.spans.length, 'nothing was deleted');

    await p.page.locator('select[data-sql-examples]').selectOption({ label: 'Slowest calls' });
    assert.match(await p.page.locator('textarea.sql-text').inputValue(), /ORDER BY latency_ms DESC/);
    assert.deepEqual(p.problems, []);
    await p.page.close();
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`looks right in the ${theme} theme, nothing overflowing (screenshot)`, async () => {
      const p = await open({ theme, height: 1500 });
      await p.page.waitForSelector('[data-card="expensive"] tbody tr');
      assert.deepEqual(await overflowing(p), []);
      await p.page.screenshot({ path: path.join(resultsDir, `dashboard-${theme}.png`) });
      await p.page.close();
    });
  }

  it('fits a narrow editor group: cards stack, nothing overflows (screenshot)', async () => {
    const p = await open({ theme: 'dark', width: 620, height: 1600 });
    assert.deepEqual(await overflowing(p), []);
    await p.page.screenshot({ path: path.join(resultsDir, 'dashboard-narrow.png') });
    await p.page.close();
  });

  it('shows the SQL console with a result (screenshot)', async () => {
    const p = await open({ view: 'sql', theme: 'dark' });
    await p.page.locator('select[data-sql-examples]').selectOption({ label: 'Costliest traces' });
    await p.page.locator('vscode-button[data-action="run-sql"]').click();
    await p.page.waitForSelector('.sql-table tbody tr');
    assert.deepEqual(await overflowing(p), []);
    await p.page.screenshot({ path: path.join(resultsDir, 'dashboard-sql.png') });
    await p.page.close();
  });
});

describe('usage dashboard with hostile trace names (Chromium harness)', function () {
  this.timeout(60_000);
  let h: DashboardHarness;
  let c: RunningCollector;

  before(async () => {
    [h, c] = await Promise.all([startDashboardHarness(), startCollector()]);
    const trace = 'f'.repeat(32);
    const posted = await c.request('POST', '/api/v1/spans', {
      spans: [
        { trace_id: trace, span_id: '1'.repeat(16), name: XSS, kind: 'agent', duration_ms: 2000, tags: [`<b>tag</b>`] },
        { trace_id: trace, span_id: '2'.repeat(16), parent_span_id: '1'.repeat(16), name: 'call', model: `<img src=x onerror="window.__xss=3">`, input_tokens: 10, output_tokens: 5, cost_usd: 0.5, duration_ms: 900 },
      ],
    });
    assert.equal(posted.status, 200);
  });
  after(async () => {
    await h?.close();
    await c?.stop();
  });

  it('draws names, models and tags from spans as text, and SQL results too', async () => {
    const p = await openDashboard(h, await collectorApi(c));
    await p.page.waitForSelector('[data-card="expensive"] tbody tr');
    assert.equal(await p.page.locator('[data-card="expensive"] .trace-label').innerText(), XSS);
    assert.equal(await p.page.locator('[data-card="tags"] .tag').innerText(), '<b>tag</b>');
    assert.ok((await p.page.locator('[data-latency-model]').allInnerTexts()).some((t) => t.includes('<img src=x onerror=')));
    await p.page.locator('button[data-view="sql"]').click();
    await p.page.locator('textarea.sql-text').fill('SELECT name FROM spans ORDER BY name');
    await p.page.locator('vscode-button[data-action="run-sql"]').click();
    await p.page.waitForSelector('.sql-table tbody tr');
    assert.deepEqual(await p.page.locator('.sql-table tbody td').allInnerTexts(), [XSS, 'call'].sort());
    await p.page.waitForTimeout(100);
    assert.equal(await p.page.evaluate(() => document.querySelectorAll('img, script:not([src]), b').length), 0);
    assert.equal(await p.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(p.problems, []);
    await p.page.close();
  });
});

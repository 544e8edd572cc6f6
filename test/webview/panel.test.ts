// The trace panel in a real Chromium, driven the way the extension host drives it.
import assert from 'node:assert/strict';
import type { StoredSpan, TraceDetail } from '../../extension/server/model';
import { openPanel, startHarness, type Harness, type PanelPage } from './support/harness';
import { CHAT_INPUT, PLAIN_OUTPUT, makeSpan, summarise, supportAgentTrace } from './support/traces';

const byName = (d: TraceDetail, name: string): StoredSpan => d.spans.find((s) => s.name === name)!;
const row = (p: PanelPage, spanId: string) => p.page.locator(`.wf-row[data-span-id="${spanId}"]`);
const detailTitle = (p: PanelPage) => p.page.locator('.detail-title').textContent();
const position = (p: PanelPage) => p.page.locator('[data-testid="replay-position"]').textContent();

describe('trace panel (Chromium harness)', function () {
  this.timeout(30_000);
  let h: Harness;
  let p: PanelPage;
  const trace = supportAgentTrace();

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    p = await openPanel(h, { fixture: trace });
    await p.page.waitForSelector('.wf-row');
  });
  afterEach(async () => {
    const problems = p.problems;
    await p.page.close();
    assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
  });

  it('shows a hint until a trace arrives, and tells the host it is ready', async () => {
    const empty = await openPanel(h);
    assert.match((await empty.page.locator('.panel-message').textContent()) ?? '', /No trace selected/);
    assert.deepEqual(await empty.posted(), [{ type: 'ready' }]);
    await empty.send({ type: 'showTrace', detail: trace });
    await empty.page.waitForSelector('.wf-row');
    await empty.page.close();
  });

  it('renders the KPI row from the trace summary, cost marked as a lower bound when calls are unpriced', async () => {
    const kpi = (id: string) => p.page.locator(`[data-kpi="${id}"]`).innerText();
    assert.match(await kpi('duration'), /4\.82 s/);
    assert.match(await kpi('cost'), /≥ \$0\.0102/);
    assert.match(await kpi('cost'), /1 unpriced call/);
    assert.match(await kpi('spans'), /\b11\b/);
    assert.match(await kpi('tokens'), /4,708 \/ 750/);
    assert.match(await kpi('errors'), /\b1\b/);
  });

  it('draws one row per span with bars proportional to start offset and duration', async () => {
    assert.equal(await p.page.locator('.wf-row').count(), trace.spans.length);
    const plan = byName(trace, 'plan');
    const lane = await row(p, plan.span_id).locator('.wf-lane').boundingBox();
    const bar = await row(p, plan.span_id).locator('.wf-bar').boundingBox();
    const total = trace.trace.duration_ms;
    assert.ok(lane && bar);
    assert.ok(Math.abs(bar.x - lane.x - (lane.width * (plan.start_time - trace.trace.start_time)) / total) < 1.5, 'left from (start - traceStart) / duration');
    assert.ok(Math.abs(bar.width - (lane.width * plan.duration_ms) / total) < 1.5, 'width from duration');
    // parallel spans: lookup_order and policy search overlap in time, on separate rows
    const a = await row(p, byName(trace, 'lookup_order').span_id).locator('.wf-bar').boundingBox();
    const b = await row(p, byName(trace, 'policy search').span_id).locator('.wf-bar').boundingBox();
    assert.ok(a && b && b.x < a.x + a.width && a.y !== b.y);
    const errorRow = row(p, byName(trace, 'carrier api').span_id);
    assert.match((await errorRow.getAttribute('class')) ?? '', /is-error/);
    assert.equal(await errorRow.locator('.err-icon').count(), 1, 'errors carry an icon, not only a colour');
    assert.ok((await p.page.locator('.wf-tick').count()) >= 2, 'a time axis with ticks');
  });

  it("shows the selected span's input and output byte for byte, as conversation and as raw text", async () => {
    await row(p, byName(trace, 'plan').span_id).click();
    assert.equal(await detailTitle(p), 'plan');
    const input = p.page.locator('[data-content="input"]');
    const messages = input.locator('.msg');
    assert.equal(await messages.count(), 4);
    assert.equal(await messages.nth(0).locator('.msg-text').textContent(), JSON.parse(CHAT_INPUT)[0].content);
    assert.match((await messages.nth(2).innerText()) ?? '', /tool call lookup_order/);
    await input.locator('button[data-view="raw"]').click();
    assert.equal(await input.locator('pre.content-raw').textContent(), CHAT_INPUT);
    assert.equal(await p.page.locator('[data-content="output"] pre.content-raw').textContent(), PLAIN_OUTPUT);
    const facts = p.page.locator('.facts');
    assert.match(await facts.innerText(), /claude-sonnet-4-5 \(anthropic\)/);
    assert.match(await facts.innerText(), /1,840 in · 212 out · 1,024 cache read/);
    assert.match(await facts.innerText(), /\$0\.0087 · computed/);
    assert.match(await facts.innerText(), /\+12 ms/);
    assert.match(await p.page.locator('[data-section="scores"]').innerText(), /helpfulness[\s\S]*0\.870[\s\S]*Answers in French/);
    const keys = await p.page.locator('[data-section="attributes"] th').allTextContents();
    assert.deepEqual(keys, [...keys].sort(), 'attributes sorted by key');
  });

  it('shows an unpriced call as unpriced, never as $0', async () => {
    await row(p, byName(trace, 'draft reply').span_id).click();
    const cost = await p.page.locator('[data-fact="cost"]').innerText();
    assert.match(cost, /unpriced/);
    assert.doesNotMatch(cost, /\$0/);
  });

  it('collapses a span to hide its children and expands it to show them again', async () => {
    const search = byName(trace, 'policy search');
    const child = byName(trace, 'embed query');
    await row(p, search.span_id).locator('.wf-toggle').click();
    assert.equal(await row(p, child.span_id).count(), 0);
    assert.equal(await p.page.locator('.wf-row').count(), trace.spans.length - 2);
    assert.equal(await row(p, search.span_id).getAttribute('aria-expanded'), 'false');
    await row(p, search.span_id).locator('.wf-toggle').click();
    assert.equal(await row(p, child.span_id).count(), 1);
  });

  it('navigates by keyboard: arrows select and collapse, Enter opens the detail, Space plays', async () => {
    await p.page.locator('.wf-scroll').focus();
    const selected = () => p.page.locator('.wf-row.is-selected .wf-label').textContent();
    assert.equal(await selected(), 'refund-agent');
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    assert.equal(await selected(), 'policy search');
    assert.equal(await detailTitle(p), 'policy search');
    await p.page.keyboard.press('ArrowLeft');
    assert.equal(await row(p, byName(trace, 'embed query').span_id).count(), 0, '← collapses');
    await p.page.keyboard.press('ArrowLeft');
    assert.equal(await selected(), 'refund-agent', '← on a collapsed row goes to its parent');
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await row(p, byName(trace, 'embed query').span_id).count(), 1, '→ expands');
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await selected(), 'embed query', '→ on an expanded row enters it');
    await p.page.keyboard.press('ArrowUp');
    assert.equal(await selected(), 'policy search');
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'span-detail');
    await p.page.locator('.wf-scroll').focus();
    await p.page.keyboard.press(' ');
    assert.equal(await position(p), '1 / 11', 'Space starts the replay at the first span');
    await p.page.keyboard.press(' ');
    assert.equal(await p.page.locator('vscode-button[data-action="play"]').getAttribute('title'), 'Play (Space)', 'Space again pauses');
  });

  it('replays spans in start order: the playhead moves, later spans dim, the detail follows', async () => {
    const started = [...trace.spans].sort((a, b) => a.start_time - b.start_time);
    const forward = p.page.locator('vscode-button[data-action="step-forward"]');
    for (let k = 0; k < 4; k++) await forward.click();
    assert.equal(await position(p), '4 / 11');
    assert.equal(await p.page.locator('.wf-row.is-playhead').getAttribute('data-span-id'), started[3].span_id);
    assert.equal(await detailTitle(p), started[3].name);
    const dimmed = await p.page.locator('.wf-row.is-ahead').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-span-id')));
    assert.deepEqual(dimmed.sort(), started.slice(4).map((s) => s.span_id).sort());
    await p.page.locator('vscode-button[data-action="step-back"]').click();
    assert.equal(await position(p), '3 / 11');
    assert.equal(await detailTitle(p), started[2].name);

    await p.page.locator('.replay select').selectOption('10');
    await p.page.locator('vscode-button[data-action="play"]').click();
    await p.page.waitForFunction(() => document.querySelector('[data-testid="replay-position"]')?.textContent === '6 / 11');
    await p.page.locator('vscode-button[data-action="play"]').click();
    const paused = await position(p);
    await p.page.waitForTimeout(300);
    assert.equal(await position(p), paused, 'pause stops the playhead');
    await p.page.locator('vscode-button[data-action="stop"]').click();
    assert.equal(await p.page.locator('.wf-row.is-ahead').count(), 0, 'leaving replay undims every span');
  });

  it('posts openSource with the span file and line when Go to source is clicked', async () => {
    await row(p, byName(trace, 'decide refund').span_id).click();
    await p.page.locator('vscode-button[data-action="open-source"]').click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'openSource', file: 'src/agents/refund.ts', line: 88 });
  });

  it('copies ids and content through the host, exactly', async () => {
    const plan = byName(trace, 'plan');
    await row(p, plan.span_id).click();
    await p.page.locator('vscode-button[data-action="copy-span-id"]').click();
    await p.page.locator('vscode-button[data-action="copy-output"]').click();
    await p.page.locator('vscode-button[data-action="copy-trace-id"]').click();
    assert.deepEqual((await p.posted()).slice(-3), [
      { type: 'copy', text: plan.span_id },
      { type: 'copy', text: PLAIN_OUTPUT },
      { type: 'copy', text: trace.trace.trace_id },
    ]);
  });

  it('lists cost by model, most expensive first, unpriced models marked as such', async () => {
    await p.page.locator('.tabs button[data-tab="costs"]').click();
    const models = await p.page.locator('table.costs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')));
    assert.deepEqual(models, ['claude-sonnet-4-5', 'gpt-4.1-mini', 'text-embedding-3-small', 'llama-3.1-8b-local']);
    assert.match(await p.page.locator('tr[data-model="llama-3.1-8b-local"]').innerText(), /unpriced/);
    assert.match(await p.page.locator('tr[data-model="claude-sonnet-4-5"]').innerText(), /\$0\.0087[\s\S]*85%/);
  });

  it('keeps selection and collapsed subtrees when the running trace gets new spans', async () => {
    const search = byName(trace, 'policy search');
    await row(p, search.span_id).locator('.wf-toggle').click();
    await row(p, byName(trace, 'decide refund').span_id).click();
    const late = makeSpan(trace.trace.trace_id, 'feedfacefeedface', trace.spans[0].span_id, 'late follow-up', 'llm', trace.trace.end_time - 10, 5);
    const spans = [...trace.spans, late];
    await p.send({ type: 'traceUpdated', detail: { trace: summarise(trace.trace.trace_id, spans, 'refund-agent'), spans, scores: trace.scores } });
    await p.page.waitForSelector('.wf-row[data-span-id="feedfacefeedface"]');
    assert.equal(await detailTitle(p), 'decide refund');
    assert.equal(await row(p, byName(trace, 'embed query').span_id).count(), 0, 'still collapsed');
    assert.match(await p.page.locator('[data-kpi="spans"]').innerText(), /\b12\b/);
  });

  it('selects and reveals the span the host focuses, expanding collapsed ancestors', async () => {
    const search = byName(trace, 'policy search');
    await row(p, search.span_id).locator('.wf-toggle').click();
    await p.send({ type: 'focusSpan', spanId: byName(trace, 'vector query').span_id });
    await p.page.waitForSelector('.wf-row.is-selected[aria-level="3"]');
    assert.equal(await detailTitle(p), 'vector query');
    await p.send({ type: 'focusSpan', spanId: '0000000000000000' });
    assert.equal(await detailTitle(p), 'vector query', 'an unknown span changes nothing');
    assert.match(((await p.posted()).at(-1) as { message: string }).message, /span 0000000000000000 is not in the trace on screen/);
  });

  it('opens at the span a CodeLens asked for', async () => {
    await p.send({ type: 'showTrace', detail: trace, focusSpanId: byName(trace, 'issue_refund').span_id });
    await p.page.waitForFunction(() => document.querySelector('.detail-title')?.textContent === 'issue_refund');
  });

  it('asks for its trace again after VS Code re-creates it, and reopens at the same span', async () => {
    const fresh = await openPanel(h);
    await fresh.send({ type: 'showTrace', detail: trace });
    await row(fresh, byName(trace, 'decide refund').span_id).click();
    await fresh.page.reload();
    await fresh.page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length >= 2);
    assert.deepEqual(await fresh.posted(), [{ type: 'ready' }, { type: 'requestTrace', traceId: trace.trace.trace_id }]);
    await fresh.send({ type: 'showTrace', detail: trace });
    assert.equal(await detailTitle(fresh), 'decide refund');
    await fresh.page.close();
  });

  it("shows a loading state and the host's error message", async () => {
    const fresh = await openPanel(h);
    await fresh.send({ type: 'loadingTrace', traceId: 'b'.repeat(32) });
    assert.match(await fresh.page.locator('.panel-message').innerText(), /Loading trace/);
    await fresh.send({ type: 'traceError', traceId: 'b'.repeat(32), message: 'Trace bbbb… was deleted by retention. Pick another trace.' });
    assert.match(await fresh.page.locator('.panel-message[role="alert"]').innerText(), /deleted by retention/);
    await fresh.page.close();
  });
});

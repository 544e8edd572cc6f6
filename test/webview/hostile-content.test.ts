// LLM output is untrusted input: every string of a span is drawn as text, none of it as markup.
import assert from 'node:assert/strict';
import { openPanel, startHarness, type Harness } from './support/harness';
import { TRAP, XSS, XSS_SCRIPT, hostileTrace, supportAgentTrace } from './support/traces';

describe('hostile span content (Chromium harness)', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('shows markup in names, attributes, content, models, messages and scores as literal text and runs none of it', async () => {
    const p = await openPanel(h, { fixture: hostileTrace() });
    const { page } = p;
    await page.waitForSelector('.wf-row');
    const injected = () => page.evaluate(() => document.querySelectorAll('img, iframe, object, embed, a[href], script:not([src])').length);
    const visits: Array<() => Promise<void>> = [
      async () => {
        await page.locator('.wf-row[data-span-id="1111111111111111"]').click();
        assert.equal(await page.locator('[data-section="attributes"] th').first().textContent(), XSS);
        assert.equal(await page.locator('[data-section="attributes"] td').first().textContent(), TRAP);
      },
      async () => page.locator('.wf-row[data-span-id="2222222222222222"]').click(),
      async () => page.locator('[data-content="input"] button[data-view="raw"]').click(),
      async () => page.locator('.tabs button[data-tab="costs"]').click(),
    ];
    for (const visit of visits) {
      await visit();
      assert.equal(await injected(), 0, 'no element was created from span content');
    }
    await page.locator('.tabs button[data-tab="span"]').click();
    await page.locator('[data-content="input"] button[data-view="raw"]').click();
    assert.equal(await page.locator('[data-content="output"] pre.content-raw').textContent(), TRAP);
    assert.equal(await page.locator('[data-content="input"] pre.content-raw').textContent(), hostileTrace().spans[1].input);
    assert.equal(await page.locator('.callout.is-error .status-message').textContent(), TRAP);
    assert.equal(await page.locator('.detail-title').textContent(), `!llm ${XSS_SCRIPT}`);
    assert.match(await page.locator('[data-fact="model"]').innerText(), /gpt-<img src=x onerror=/);
    assert.match(await page.locator('.trace-title h1').innerText(), /^trace <img src=x onerror="window.__xss=1">$/);
    assert.match(await page.locator('[data-section="scores"]').innerText(), /<script>window.__xss=2<\/script>/);
    await page.waitForTimeout(100); // an onerror handler would have fired by now
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(p.problems, []);
    await page.close();
  });

  it('says what failed when a span cannot be drawn, tells the host, and recovers with the next trace', async () => {
    const p = await openPanel(h);
    const good = supportAgentTrace();
    const broken = { ...good, spans: good.spans.map((s, i) => (i === 0 ? { ...s, attributes: null } : s)) };
    await p.send({ type: 'showTrace', detail: broken as unknown as typeof good });
    assert.match(await p.page.locator('.panel-message[role="alert"]').innerText(), /could not draw this trace/);
    const log = (await p.posted()).find((m) => (m as { type: string }).type === 'log') as { level: string; message: string };
    assert.equal(log.level, 'error');
    await p.send({ type: 'showTrace', detail: good });
    await p.page.waitForSelector('.wf-row');
    assert.equal(await p.page.locator('.detail-title').textContent(), 'refund-agent');
    await p.page.close();
  });
});

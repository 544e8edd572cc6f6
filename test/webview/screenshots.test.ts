// Light and dark screenshots of the panel, saved to test-results/webview-*.png for a person to
// look at, plus the checks a person would make: theme colours applied, nothing overflowing.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openPanel, resultsDir, startHarness, type Harness, type PanelPage } from './support/harness';
import { makeSpan, summarise, supportAgentTrace } from './support/traces';

/** Elements whose box pokes out of the viewport on the right (what a person sees as overflow). */
function overflowing(p: PanelPage): Promise<string[]> {
  return p.page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  );
}

describe('panel screenshots (Chromium harness)', function () {
  this.timeout(30_000);
  let h: Harness;
  const trace = supportAgentTrace();
  const plan = trace.spans.find((s) => s.name === 'plan')!;
  before(async () => {
    h = await startHarness();
    mkdirSync(resultsDir, { recursive: true });
  });
  after(async () => {
    await h?.close();
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`renders the ${theme} theme from VS Code's colour variables, nothing overflowing`, async () => {
      const p = await openPanel(h, { theme, fixture: trace });
      await p.page.locator(`.wf-row[data-span-id="${plan.span_id}"]`).click();
      const background = await p.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, theme === 'dark' ? 'rgb(30, 30, 30)' : 'rgb(255, 255, 255)');
      assert.deepEqual(await overflowing(p), []);
      await p.page.screenshot({ path: path.join(resultsDir, `webview-${theme}.png`) });

      await p.page.locator('.tabs button[data-tab="costs"]').click();
      for (let k = 0; k < 5; k++) await p.page.locator('vscode-button[data-action="step-forward"]').click();
      await p.page.locator('.tabs button[data-tab="costs"]').click();
      assert.deepEqual(await overflowing(p), []);
      await p.page.screenshot({ path: path.join(resultsDir, `webview-${theme}-replay-costs.png`) });
      assert.deepEqual(p.problems, []);
      await p.page.close();
    });
  }

  it('stacks the waterfall above the detail in a narrow editor group', async () => {
    const p = await openPanel(h, { theme: 'dark', fixture: trace, width: 720, height: 900 });
    await p.page.locator(`.wf-row[data-span-id="${trace.spans.find((s) => s.name === 'carrier api')!.span_id}"]`).click();
    const wf = await p.page.locator('.wf').boundingBox();
    const side = await p.page.locator('.side').boundingBox();
    assert.ok(wf && side && side.y >= wf.y + wf.height - 1, 'detail below the waterfall');
    assert.deepEqual(await overflowing(p), []);
    await p.page.screenshot({ path: path.join(resultsDir, 'webview-narrow.png') });
    await p.page.close();
  });

  it('shows a short hint when no trace is selected', async () => {
    const p = await openPanel(h, { theme: 'light', width: 900, height: 500 });
    await p.page.screenshot({ path: path.join(resultsDir, 'webview-empty.png') });
    assert.match(await p.page.locator('.panel-message').innerText(), /No trace selected/);
    await p.page.close();
  });
  it('gives a short trace\'s spare height to the span detail in a narrow editor group', async () => {
    const id = 'c0'.repeat(16);
    const t0 = Date.UTC(2026, 10, 23, 12);
    const spans = [
      makeSpan(id, '1'.repeat(16), null, 'support-agent', 'agent', t0, 164),
      makeSpan(id, '2'.repeat(16), '1'.repeat(16), 'search-docs', 'retrieval', t0 + 2, 44),
      makeSpan(id, '3'.repeat(16), '1'.repeat(16), 'draft-answer', 'llm', t0 + 46, 118, { model: 'gpt-4o-mini', input: 'How long do refunds take?', output: 'Refunds reach your card within 5 business days.' }),
    ];
    const short = { trace: summarise(id, spans, 'support-agent'), spans, scores: [] };
    const p = await openPanel(h, { theme: 'dark', fixture: short, width: 520, height: 860 });
    await p.page.locator('.wf-row[data-span-id="' + '3'.repeat(16) + '"]').click();
    const wf = (await p.page.locator('.wf').boundingBox())!;
    const side = (await p.page.locator('.side').boundingBox())!;
    assert.ok(wf.height < 200, `three rows take ${wf.height}px, not half the panel`);
    assert.ok(side.height > 860 * 0.45, `the detail gets the rest (${side.height}px)`);
    await p.page.screenshot({ path: path.join(resultsDir, 'webview-narrow-short.png') });
    await p.page.close();
  });
});

// The model's written postmortem in the panel's Postmortem tab, in a real Chromium: offered only
// when the host says a model is configured, progress while it writes, then its answer as TEXT (it
// read the run's untrusted prompts and completions: markup in it must stay characters), copyable.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { postmortem } from '../../extension/server/postmortem';
import { openPanel, resultsDir, startHarness, type Harness, type PanelPage } from './support/harness';
import { XSS, XSS_SCRIPT, supportAgentTrace } from './support/traces';

const ASK = 'vscode-button[data-action="write-postmortem"]';

describe('the written postmortem in the trace panel (Chromium harness)', function () {
  this.timeout(30_000);
  let h: Harness;
  let p: PanelPage;
  const trace = supportAgentTrace();
  const traceId = trace.trace.trace_id;
  const pm = postmortem(trace);

  before(async () => {
    h = await startHarness();
    mkdirSync(resultsDir, { recursive: true });
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

  it('offers no model when the host says none is configured', async () => {
    await p.send({ type: 'showPostmortem', postmortem: pm, canWrite: false });
    await p.page.waitForSelector('.whys');
    assert.equal(await p.page.locator(ASK).count(), 0);
    await p.send({ type: 'showPostmortem', postmortem: pm });
    assert.equal(await p.page.locator(ASK).count(), 0, 'an older host that does not say: no button either');
  });

  it('asks the host, shows progress, then the answer as text with its markup inert, and copies it', async () => {
    await p.send({ type: 'showPostmortem', postmortem: pm, canWrite: true });
    assert.equal(await p.page.locator(ASK).innerText(), 'Ask the model for a written postmortem');
    await p.page.locator(ASK).click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'requestWrittenPostmortem' });
    assert.equal(await p.page.locator('[data-section="written"] [role="status"]').innerText(), 'Asking the model for a written postmortem…');
    assert.equal(await p.page.locator(ASK).count(), 0, 'no second request while the first is out');

    const text = `## Five whys\n1. Why did "carrier api" fail? Because it timed out.\n\n${XSS}\n${XSS_SCRIPT}\n<b>bold?</b> [link](javascript:window.__xss=5)`;
    await p.send({ type: 'writtenPostmortem', traceId, text });
    const shown = p.page.locator('[data-section="written"] pre.pm-written');
    assert.equal(await shown.innerText(), text);
    assert.equal(await p.page.evaluate(() => document.querySelectorAll('[data-section="written"] *:not(header):not(h3):not(pre):not(vscode-button)').length), 0, 'no element made from the answer');
    await p.page.waitForTimeout(50); // an <img onerror> would have fired by now
    assert.equal(await p.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await p.page.screenshot({ path: path.join(resultsDir, 'webview-postmortem-written.png') });

    await p.page.locator('vscode-button[data-action="copy-written"]').click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'copy', text });

    // rebuilding the analysis keeps the text already written
    await p.send({ type: 'showPostmortem', postmortem: pm, canWrite: true });
    assert.equal(await shown.innerText(), text);
  });

  it('says why the model wrote nothing and lets the user ask again', async () => {
    await p.send({ type: 'showPostmortem', postmortem: pm, canWrite: true });
    await p.page.locator(ASK).click();
    await p.send({ type: 'writtenPostmortemError', traceId, message: `The model could not write the postmortem: ${XSS}` });
    assert.equal(await p.page.locator('[data-section="written"] [role="alert"]').innerText(), `The model could not write the postmortem: ${XSS}`);
    assert.equal(await p.page.locator('[data-section="written"] img').count(), 0);
    assert.equal(await p.page.locator(ASK).innerText(), 'Ask the model again');
  });

  it('drops an answer written for another trace than the one on screen', async () => {
    await p.send({ type: 'showPostmortem', postmortem: pm, canWrite: true });
    await p.page.locator(ASK).click();
    await p.send({ type: 'writtenPostmortem', traceId: 'b'.repeat(32), text: 'about another run' });
    assert.equal(await p.page.locator('[data-section="written"] pre').count(), 0);
    assert.equal(await p.page.locator('[data-section="written"] [role="status"]').count(), 1);
  });
});

// The trace panel's judging side in a real Chromium: Run evals and Postmortem in the header, the
// five whys (computed by the collector's own postmortem()) in their tab, each pointing at its
// span, copyable as Markdown; eval verdicts in the span detail with label and reason.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Score, TraceDetail } from '../../extension/server/model';
import { postmortem } from '../../extension/server/postmortem';
import { openPanel, resultsDir, startHarness, type Harness, type PanelPage } from './support/harness';
import { XSS, supportAgentTrace } from './support/traces';

const byName = (d: TraceDetail, name: string) => d.spans.find((s) => s.name === name)!;

/** The trace with eval verdicts on one span, as Run evals stores them. */
function judged(): TraceDetail {
  const d = supportAgentTrace();
  const carrier = byName(d, 'carrier api');
  const verdict = (name: string, value: number, reason: string): Score => ({
    score_id: `eval:${d.trace.trace_id}:${carrier.span_id}:${name}`, trace_id: d.trace.trace_id, span_id: carrier.span_id, name, value,
    label: value >= 0.5 ? 'pass' : 'fail', reason, source: 'eval', created_at: 1,
  });
  return { ...d, scores: [...d.scores, verdict('fast', 0, 'took 1500 ms, over the 1000 ms limit'), verdict('json-ok', 1, 'the output parses as JSON')] };
}

describe('postmortem and eval verdicts in the trace panel (Chromium harness)', function () {
  this.timeout(30_000);
  let h: Harness;
  let p: PanelPage;
  const trace = judged();

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

  it('asks the host to run the evals and to build the postmortem from the header', async () => {
    await p.page.locator('vscode-button[data-action="run-evals"]').click();
    await p.page.locator('vscode-button[data-action="postmortem"]').click();
    const posted = (await p.posted()).map((m) => (m as { type: string }).type);
    assert.deepEqual(posted.slice(-2), ['runEvals', 'requestPostmortem']);
    assert.match(await p.page.locator('.side-body').innerText(), /Building the postmortem/);
  });

  it('shows the five whys, each going to its span, and the facts behind them', async () => {
    const pm = postmortem(trace);
    await p.send({ type: 'showPostmortem', postmortem: pm });
    assert.equal(await p.page.locator('.tabs button[data-tab="postmortem"]').getAttribute('aria-selected'), 'true');
    assert.equal(await p.page.locator('.why').count(), pm.whys.length);
    assert.equal(await p.page.locator('.why .why-q').first().innerText(), pm.whys[0].why);
    assert.equal(await p.page.locator('.why .why-a').first().innerText(), pm.whys[0].because);
    assert.equal(await p.page.locator('[data-section="root-cause"] .status-message').innerText(), pm.root_cause!.error);
    await p.page.screenshot({ path: path.join(resultsDir, 'webview-postmortem.png') });

    const target = pm.whys.find((w) => w.span_id)!.span_id!;
    await p.page.locator(`.pm-goto[data-goto-span="${target}"]`).first().click();
    assert.equal(await p.page.locator('.wf-row.is-selected').getAttribute('data-span-id'), target);
    assert.equal(await p.page.locator('.tabs button[data-tab="span"]').getAttribute('aria-selected'), 'true');
    await p.page.locator('.tabs button[data-tab="postmortem"]').click();
    await p.page.locator('vscode-button[data-action="copy-postmortem"]').click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'copy', text: pm.markdown });
  });

  it('says why a postmortem could not be built', async () => {
    await p.send({ type: 'postmortemError', message: 'The postmortem could not be built: the collector is not running' });
    assert.equal(await p.page.locator('.side-body [role="alert"]').innerText(), 'The postmortem could not be built: the collector is not running');
  });

  it('ignores a postmortem of another trace than the one on screen', async () => {
    const other = supportAgentTrace();
    const pm = postmortem({ ...other, trace: { ...other.trace, trace_id: 'b'.repeat(32) } });
    await p.send({ type: 'showPostmortem', postmortem: pm });
    assert.equal(await p.page.locator('.tabs button[data-tab="postmortem"]').count(), 0);
  });

  it('shows eval verdicts in the span detail with pass/fail label and reason', async () => {
    await p.page.locator(`.wf-row[data-span-id="${byName(trace, 'carrier api').span_id}"]`).click();
    const scores = p.page.locator('[data-section="scores"] .score');
    assert.equal(await scores.count(), 2);
    const fast = scores.filter({ hasText: 'fast' });
    assert.equal(await fast.locator('.score-label').innerText(), 'fail');
    assert.match((await fast.locator('.score-label').getAttribute('class')) ?? '', /is-fail/);
    assert.equal(await fast.locator('.score-reason').innerText(), 'took 1500 ms, over the 1000 ms limit');
    assert.match((await scores.filter({ hasText: 'json-ok' }).locator('.score-label').getAttribute('class')) ?? '', /is-pass/);
  });

  it('draws untrusted span names and errors in the whys as text', async () => {
    const hostile = supportAgentTrace();
    const carrier = byName(hostile, 'carrier api');
    carrier.name = XSS;
    carrier.status_message = `<script>window.__xss=7</script>`;
    await p.send({ type: 'showTrace', detail: hostile });
    await p.send({ type: 'showPostmortem', postmortem: postmortem(hostile) });
    assert.match(await p.page.locator('.whys').innerText(), /<img src=x onerror=/);
    assert.equal(await p.page.locator('[data-section="root-cause"] .status-message').innerText(), '<script>window.__xss=7</script>');
    assert.equal(await p.page.evaluate(() => document.querySelectorAll('.postmortem img, .postmortem script').length), 0);
    assert.equal(await p.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  });
});

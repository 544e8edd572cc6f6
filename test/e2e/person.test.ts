// A person's path through StackLens in a real VS Code (code-server) with the packaged .vsix
// installed: open a project, run a traced program in the integrated terminal, and find its runs
// in the Traces tree, in the CodeLens above the call site, in the trace panel (Replay, Go to
// source). Each step saves test-results/e2e-<n>-<step>.png: look at them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newWorkbenchPage, screenshot } from './support/browser';
import { freePort, installExtension, processesOfRun, runEnv, startCodeServer, type CodeServer } from './support/code-server';
import { makeRunFolder, removeRunFolder, workspaceFor } from './support/run-folder';
import { repoRoot, requireTools } from './support/tools';
import { COMPLETION, LLM_SPAN_NAME, PROGRAM_FILE, QUESTIONS, TRACE_NAME, lineOf, writeTracedProgram } from './support/traced-program';
import { waitFor } from './support/wait';
import * as workbench from './support/workbench';

const RUNS = QUESTIONS.length;

describe('a person using StackLens in VS Code (installed .vsix, code-server + Chromium)', function () {
  this.timeout(90_000);

  let runDir = '';
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let collectorPort = 0;
  let programLines: string[] = [];
  let failedStep: string | undefined;
  let shot = 0;

  const snap = (name: string) => screenshot(page, `${++shot}-${name}`);

  /** A step of the path; once one fails the later ones fail at once, naming it. */
  function step(title: string, body: () => Promise<void>): void {
    it(title, async function () {
      if (failedStep) throw new Error(`not reached: the earlier step "${failedStep}" failed`);
      await body();
    });
  }

  before(async function () {
    this.timeout(180_000);
    requireTools();
    assert.ok(existsSync(path.join(repoRoot, 'dist', 'extension.js')), 'dist/extension.js is missing: run `npm run build` first (npm test does)');
    runDir = makeRunFolder('person');
    const vsix = path.join(runDir, 'stacklens.vsix');
    const packaged = spawnSync(process.execPath, ['scripts/package-vsix.mjs', '--no-build', '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(packaged.status, 0, `packaging the .vsix failed:\n${packaged.stdout}${packaged.stderr}`);
    installExtension(runDir, vsix);

    const workspace = workspaceFor(runDir);
    programLines = writeTracedProgram(workspace);
    // Never the default 4318: a StackLens the developer runs would make this one its client.
    collectorPort = await freePort();
    server = await startCodeServer({ runDir, settings: { 'stacklens.port': collectorPort } });
    browser = await launchBrowser(runEnv(runDir, server.runId));
    page = await newWorkbenchPage(browser);
    await workbench.openWorkbench(page, server.url(workspace));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && !failedStep) {
      failedStep = this.currentTest.title;
      if (page) await screenshot(page, `${shot + 1}-failure`);
    }
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close().catch(() => undefined);
    if (server) {
      await server.stop();
      assert.deepEqual(processesOfRun(server.runId), [], 'processes of the e2e run are still alive after stop()');
    }
    if (failedStep) console.log(`      (run folder kept for diagnosis: ${runDir})`);
    else if (runDir) removeRunFolder(runDir);
  });

  step('sees the StackLens status bar item with the collector port once the extension is active', async () => {
    const text = await workbench.statusBarText(page, `the StackLens status bar item ("StackLens :${collectorPort}")`, new RegExp(`StackLens :${collectorPort}\\b`), 60_000);
    await snap('workbench');
    assert.doesNotMatch(text, /stopped|failed|in use/i, `the status bar says the collector is not running: ${text}`);
  });

  step(`runs the traced program in the integrated terminal and its ${RUNS} traces appear in the Traces tree`, async () => {
    await workbench.runInTerminal(page, `node ${PROGRAM_FILE}`);
    await waitFor(
      'the program to finish ("answered … questions" in the terminal)',
      30_000,
      async () => /answered \d+ questions, traced to http:\/\/127\.0\.0\.1:\d+/.test(await workbench.terminalText(page)) || undefined,
      () => workbench.terminalText(page),
    );
    const terminal = await workbench.terminalText(page);
    assert.ok(terminal.includes(`127.0.0.1:${collectorPort}`), `the terminal's STACKLENS_ENDPOINT is not this window's collector (port ${collectorPort}):\n${terminal}`);
    await workbench.openActivity(page, 'StackLens');
    const rows = workbench.viewRows(page, 'Traces');
    await waitFor(
      `${RUNS} "${TRACE_NAME}" rows in the Traces tree`,
      30_000,
      async () => (await rows.allInnerTexts()).filter((t) => t.includes(TRACE_NAME)).length >= RUNS || undefined,
      async () => `rows: ${(await rows.allInnerTexts()).join(' | ') || 'none'}`,
    );
    await snap('traces-tree');
    // the person closes the terminal's panel to give the editor and the trace panel the height
    await workbench.runCommand(page, 'View: Hide Panel');
  });

  step('shows "N runs · p50 …" in the CodeLens above the call site', async () => {
    await workbench.openFile(page, PROGRAM_FILE);
    const lens = page.locator('.codelens-decoration a', { hasText: new RegExp(`^${RUNS} runs · p50 `) }).first();
    await lens.waitFor({ timeout: 30_000 }).catch(async () => {
      const lenses = await page.locator('.codelens-decoration').allInnerTexts();
      throw new Error(`timed out after 30 s waiting for a "${RUNS} runs · p50 …" CodeLens; lenses shown: ${lenses.join(' | ') || 'none'}`);
    });
    await snap('codelens');
  });

  step('clicking the CodeLens lists the latest runs, and choosing one opens the trace panel at that span', async () => {
    const llmLine = lineOf(programLines, `span('${LLM_SPAN_NAME}'`);
    // the lens of the LLM call: the one in the view zone just above its line. Lenses refresh
    // (debounced) as aggregates change, so wait for the one that carries the cost.
    const lensAbove = async () => {
      const lenses = await page.locator('.monaco-editor .codelens-decoration a').all();
      const tops = await Promise.all(lenses.map((l) => l.boundingBox().then((b) => b?.y ?? 0)));
      const lineTop = await page.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^${llmLine}$`) }).first().boundingBox();
      assert.ok(lineTop, `line ${llmLine} of ${PROGRAM_FILE} is not visible in the editor`);
      return lenses.map((l, i) => ({ l, dy: lineTop.y - tops[i]! })).filter((x) => x.dy > 0).sort((a, b) => a.dy - b.dy)[0];
    };
    const costed = new RegExp(`^${RUNS} runs · p50 .*\\$`);
    const above = await waitFor(
      `the lens above line ${llmLine} (${LLM_SPAN_NAME}) to show ${RUNS} runs and their cost`,
      15_000,
      async () => {
        const found = await lensAbove();
        return found && costed.test(await found.l.innerText()) ? found : undefined;
      },
      async () => (await page.locator('.codelens-decoration').allInnerTexts()).join(' | '),
    );
    // Lenses re-render as aggregates refresh: a click can land on a lens being replaced (VS Code then
    // finds no command for it and nothing opens), and a late Quick Open can still be on screen. A
    // person clicks again until the runs' pick opens; so does the test (up to 6 clicks), then waits
    // for the runs in it.
    const picks = page.locator('.quick-input-widget .monaco-list-row');
    const runsTitle = page.locator('.quick-input-widget .quick-input-title', { hasText: `Latest runs of ${LLM_SPAN_NAME}` });
    const runsShown = async () => {
      const rows = await picks.allInnerTexts();
      return rows.length >= RUNS && !rows.some((r) => r.includes(PROGRAM_FILE)) ? true : undefined;
    };
    let lens = above;
    for (let click = 1; ; click++) {
      await workbench.closeQuickInput(page);
      await lens.l.click();
      const opened = await runsTitle.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
      if (opened) break;
      if (click >= 6) throw new Error(`the runs' quick pick did not open after ${click} clicks on the lens "${await lens.l.innerText()}"`);
      lens = (await lensAbove()) ?? lens;
    }
    await waitFor(`${RUNS} runs in the quick pick`, 15_000, runsShown, async () => (await picks.allInnerTexts()).join(' | '));
    await snap('runs-quick-pick');
    await picks.first().click();

    const panel = workbench.webviewContent(page);
    await panel.locator('#span-detail').waitFor({ timeout: 30_000 }).catch(() => {
      throw new Error('timed out after 30 s waiting for the trace panel (webview) to show a span');
    });
    await waitFor(`the panel's selected span to be "${LLM_SPAN_NAME}"`, 10_000, async () => (await panel.locator('.detail-title').innerText()).trim() === LLM_SPAN_NAME || undefined, () => panel.locator('.detail-title').innerText());
    const detail = await panel.locator('#span-detail').innerText();
    assert.ok(detail.includes(COMPLETION), `the span detail does not show the completion "${COMPLETION}":\n${detail.slice(0, 800)}`);
    await snap('trace-panel');
  });

  step('Replay steps through the spans in time order', async () => {
    const panel = workbench.webviewContent(page);
    const position = panel.locator('[data-testid="replay-position"]');
    const title = panel.locator('.detail-title');
    assert.match(await position.innerText(), /^– \/ 3$/, 'before replay the position shows no step of the 3 spans');
    const seen: string[] = [];
    for (let k = 1; k <= 3; k++) {
      await panel.locator('[data-action="step-forward"]').click();
      await waitFor(`replay position ${k} / 3`, 5000, async () => (await position.innerText()).trim() === `${k} / 3` || undefined, () => position.innerText());
      seen.push((await title.innerText()).trim());
      if (k === 2) await snap('replay');
    }
    assert.deepEqual(seen, [TRACE_NAME, 'search-docs', LLM_SPAN_NAME], 'replay selects the spans in the order they started');
  });

  step('Go to source moves the cursor to the line of the call', async () => {
    const llmLine = lineOf(programLines, `span('${LLM_SPAN_NAME}'`);
    const panel = workbench.webviewContent(page);
    await panel.locator('[data-action="open-source"]').first().click();
    await waitFor(`the cursor on line ${llmLine} of ${PROGRAM_FILE}`, 10_000, async () => (await workbench.cursorLine(page)) === llmLine || undefined, async () => `cursor on line ${await workbench.cursorLine(page)}`);
    await page.locator('.tabs-container .tab.active', { hasText: PROGRAM_FILE }).waitFor({ timeout: 5000 });
    await snap('go-to-source');
  });

  step('the usage dashboard counts the program\'s model calls and draws their cost by model by day', async () => {
    // one webview on screen, so the dashboard's frame is the one found
    await workbench.runCommand(page, 'View: Close All Editors');
    await workbench.runCommand(page, 'StackLens: Open Usage Dashboard');
    const dashboard = workbench.webviewContent(page);
    const calls = dashboard.locator('[data-kpi="calls"] .kpi-value');
    await waitFor(`${RUNS} model calls on the dashboard`, 30_000, async () => (await calls.innerText().catch(() => '')).trim() === String(RUNS) || undefined, () => calls.innerText().catch(() => 'no dashboard yet'));
    await dashboard.locator('[data-card="by-day"] rect[data-model="gpt-4o-mini"]').first().waitFor({ timeout: 10_000 });
    await snap('dashboard');
  });
});

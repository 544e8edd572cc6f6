// What a person does in the VS Code workbench, as Playwright steps against code-server's DOM.
// Selectors are the workbench's own (stable across 1.9x releases); every wait names its target.
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { waitFor } from './wait';

const isMac = process.platform === 'darwin';
const mod = isMac ? 'Meta' : 'Control';

export async function openWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 }).catch(() => {
    throw new Error(`timed out after 60 s waiting for the VS Code workbench (.monaco-workbench) at ${url}`);
  });
}

/** Waits until a status bar item's text matches and returns that text. */
export async function statusBarText(page: Page, what: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const items = page.locator('.statusbar-item');
  return waitFor(
    what,
    timeoutMs,
    async () => (await items.allInnerTexts()).map((t) => t.trim()).find((t) => pattern.test(t)),
    async () => `status bar: ${(await items.allInnerTexts()).map((t) => t.trim()).filter(Boolean).join(' | ')}`,
  );
}

/** The command palette, as F1 opens it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 10_000 }).catch(async () => {
    const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
    throw new Error(`the command palette has no command "${title}"; it offers: ${rows.slice(0, 8).join(' | ') || 'nothing'}`);
  });
  await input.press('Enter');
}

/** Quick Open (Ctrl+P) a file by name and wait for its editor tab. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press(`${mod}+P`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 }).catch(() => {
    throw new Error(`Quick Open did not find ${name} in the workspace`);
  });
  await input.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 15_000 }).catch(() => {
    throw new Error(`timed out waiting for the editor tab of ${name}`);
  });
  // The tab may have been active before (the file was open already): make sure Quick Open closed,
  // or the next click lands on it instead of on the editor.
  await closeQuickInput(page);
}

/** Closes Quick Open / a quick pick if one is still showing. */
export async function closeQuickInput(page: Page): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  if (await widget.isVisible()) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {
      throw new Error('the quick input did not close on Escape');
    });
  }
}

/** Opens a new integrated terminal and types a command line into it. */
export async function runInTerminal(page: Page, commandLine: string): Promise<void> {
  await runCommand(page, 'Terminal: Create New Terminal');
  const terminal = page.locator('.terminal-wrapper.active .xterm');
  await terminal.waitFor({ timeout: 20_000 }).catch(() => {
    throw new Error('timed out after 20 s waiting for the integrated terminal to open');
  });
  // the shell prints its prompt once it is ready for input; typing before that may be lost
  await waitFor('the terminal shell prompt', 20_000, async () => (await terminalText(page)).trim().length > 0 || undefined, () => terminalText(page));
  await terminal.click();
  await page.keyboard.type(commandLine);
  await page.keyboard.press('Enter');
}

/** The visible text of the active terminal (DOM renderer: terminal.integrated.gpuAcceleration off). */
export async function terminalText(page: Page): Promise<string> {
  const rows = page.locator('.terminal-wrapper.active .xterm-rows > div');
  return (await rows.allInnerTexts().catch(() => [])).map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
}

/** Opens a view container from the activity bar by its title. */
export async function openActivity(page: Page, title: string): Promise<void> {
  const entry = page.locator(`.activitybar [aria-label*="${title}"]`).first();
  await entry.waitFor({ timeout: 20_000 }).catch(async () => {
    const labels = await page.locator('.activitybar .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    throw new Error(`no "${title}" entry in the activity bar; it has: ${labels.join(' | ')}`);
  });
  const selected = await entry.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
  if (!selected) await entry.click();
}

/** The rows of a view (a tree or list) in the side bar, by the view's title. */
export function viewRows(page: Page, viewTitle: string): Locator {
  return page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: viewTitle }) }).locator('.monaco-list-row');
}

/** The panel's DOM inside a webview: two iframes deep. */
export function webviewContent(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** The 1-based line of the cursor, from the status bar's "Ln 12, Col 3". */
export async function cursorLine(page: Page): Promise<number | undefined> {
  const text = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText().catch(() => '');
  const match = /Ln (\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

// Debian's Chromium driven by playwright-core plays the person at the screen. Playwright's own
// browser builds are a download, which these machines cannot do.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot, requireTools } from './tools';

export const screenshotDir = path.join(repoRoot, 'test-results');

export async function launchBrowser(env: NodeJS.ProcessEnv): Promise<Browser> {
  return chromium.launch({
    executablePath: requireTools().chromium,
    env,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export async function newWorkbenchPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  return context.newPage();
}

/** Saves test-results/e2e-<name>.png: the way to see what a person saw at that step. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `e2e-${name}.png`);
  await page.screenshot({ path: file }).catch((error: unknown) => console.error(`      (screenshot ${name} failed: ${String(error)})`));
  return file;
}

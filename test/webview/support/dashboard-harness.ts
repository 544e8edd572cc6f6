// The dashboard in a real headless Chromium: its bundle (built from webview/dashboard/main.tsx
// with esbuild.mjs's webview options) on the page and CSP the extension host uses, answered by
// the host's real DashboardHost over a real collector. The one stand-in is VS Code's
// acquireVsCodeApi (the webview boundary), which forwards what the page posts to DashboardHost.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { CollectorApi } from '../../../extension/server/rpc';
import { DashboardHost } from '../../../extension/ui/dashboard-host';
import { panelHtml, type DashboardView } from '../../../webview/protocol';
import { webviewBundle } from './bundle';


const dashboardBundle = () => webviewBundle('webview/dashboard/main.tsx');

/** VS Code's API as the page sees it: what it posts goes to the host (and window.__posted); its state survives a reload. */
const HOST_STUB = `
window.__posted = [];
(function () {
  var theme = new URLSearchParams(location.search).get('theme') || 'dark';
  document.body.classList.add('vscode-' + theme);
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) {
        var copy = JSON.parse(JSON.stringify(m));
        window.__posted.push(copy);
        if (window.__toHost) window.__toHost(copy);
      },
      getState: function () { var s = sessionStorage.getItem('vscode-state'); return s === null ? undefined : JSON.parse(s); },
      setState: function (s) { sessionStorage.setItem('vscode-state', JSON.stringify(s)); },
    };
  };
})();
`;

export interface DashboardHarness {
  url: string;
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

export async function startDashboardHarness(): Promise<DashboardHarness> {
  const bundle = await dashboardBundle();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (type: string, body: string): void => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/dashboard.js') return send('text/javascript', bundle);
    if (url.pathname === '/host-stub.js') return send('text/javascript', HOST_STUB);
    if (url.pathname === '/') {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return send('text/html', panelHtml({ cspSource: origin, nonce: randomBytes(18).toString('base64url'), scriptUri: '/dashboard.js', preludeScriptUris: ['/host-stub.js'], title: 'StackLens dashboard' }));
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    browser,
    context: await browser.newContext(),
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface DashboardPage {
  page: Page;
  host: DashboardHost;
  /** what the page posted, in order */
  posted(): Promise<Array<{ type: string; [key: string]: unknown }>>;
  /** traces the page asked to open, text it asked to copy */
  opened: string[];
  copied: string[];
  /** console errors, page errors, CSP violations, and warnings the host logged */
  problems: string[];
}

export async function openDashboard(
  h: DashboardHarness,
  collector: Pick<CollectorApi, 'stats' | 'budget' | 'query' | 'sql'>,
  opts: { theme?: 'light' | 'dark'; width?: number; height?: number; view?: DashboardView } = {},
): Promise<DashboardPage> {
  const page = await h.context.newPage();
  await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 900 });
  page.setDefaultTimeout(5000);
  const problems: string[] = [];
  const opened: string[] = [];
  const copied: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  const host = new DashboardHost({
    collector,
    post: (message) => void page.evaluate((m) => window.postMessage(m, '*'), message).catch(() => undefined),
    openTrace: (id) => void opened.push(id),
    openBudgetSettings: () => void opened.push('settings:stacklens.budget'),
    copy: (text) => void copied.push(text),
    log: (level, message) => {
      if (level !== 'info') problems.push(`host ${level}: ${message}`);
    },
  });
  host.showView(opts.view ?? 'usage');
  await page.exposeFunction('__toHost', (m: unknown) => host.receive(m));
  await page.goto(`${h.url}?theme=${opts.theme ?? 'dark'}`);
  await page.evaluate(() => customElements.whenDefined('vscode-button'));
  return {
    page,
    host,
    problems,
    opened,
    copied,
    posted: () => page.evaluate(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted),
  };
}

// The browser harness: the panel bundle served over loopback HTTP with the page and CSP the
// extension host uses (panelHtml from webview/protocol.ts), in a real headless Chromium. The one
// stand-in is VS Code's acquireVsCodeApi (the host boundary), which records what the panel posts.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TraceDetail } from '../../../extension/server/model';
import { panelHtml, type HostToWebview } from '../../../webview/protocol';
import { build } from 'esbuild';
import { repo, webviewBundle } from './bundle';

export const resultsDir = path.join(repo, 'test-results');

const panelBundle = () => webviewBundle('webview/main.tsx');

/**
 * VS Code's API as the panel sees it: everything posted lands in window.__posted; the webview
 * state survives a reload (VS Code keeps it when it re-creates a hidden panel).
 */
const HOST_STUB = `
window.__posted = [];
(function () {
  var theme = new URLSearchParams(location.search).get('theme') || 'dark';
  document.body.classList.add('vscode-' + theme);
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) { window.__posted.push(JSON.parse(JSON.stringify(m))); },
      getState: function () { var s = sessionStorage.getItem('vscode-state'); return s === null ? undefined : JSON.parse(s); },
      setState: function (s) { sessionStorage.setItem('vscode-state', JSON.stringify(s)); },
    };
  };
})();
`;

export interface Harness {
  url: string;
  browser: Browser;
  /** one context for all pages: a new context per page costs a second on a busy machine */
  context: BrowserContext;
  /** traces served to pages opened with ?fixture=<name> (as window.__STACKLENS_FIXTURE__) */
  fixtures: Map<string, string>;
  close(): Promise<void>;
}

/** The fixture generators, for the page: a 100,000-span trace is made in the page in a second, where sending 75 MB through playwright's protocol takes twenty. */
async function tracesBundle(): Promise<string> {
  const result = await build({
    absWorkingDir: repo,
    entryPoints: ['test/webview/support/traces.ts'],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: '__traces',
    target: 'es2022',
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

export async function startHarness(): Promise<Harness> {
  const [bundle, traces] = await Promise.all([panelBundle(), tracesBundle()]);
  const fixtures = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (type: string, body: string): void => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/webview.js') return send('text/javascript', bundle);
    if (url.pathname === '/host-stub.js') return send('text/javascript', HOST_STUB);
    if (url.pathname === '/traces.js') return send('text/javascript', traces);
    if (url.pathname === '/fixture.js') return send('text/javascript', `window.__STACKLENS_FIXTURE__ = ${fixtures.get(url.searchParams.get('name') ?? '') ?? 'undefined'};`);
    if (url.pathname === '/') {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const prelude = ['/host-stub.js', '/traces.js'];
      if (url.searchParams.get('fixture')) prelude.push(`/fixture.js?name=${encodeURIComponent(url.searchParams.get('fixture')!)}`);
      return send('text/html', panelHtml({ cspSource: origin, nonce: randomBytes(18).toString('base64url'), scriptUri: '/webview.js', preludeScriptUris: prelude }));
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    browser,
    context: await browser.newContext(),
    fixtures,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface PanelPage {
  page: Page;
  /** messages the panel posted to the host, in order */
  posted(): Promise<unknown[]>;
  /** deliver a host message the way VS Code does (a window message event) */
  send(message: HostToWebview): Promise<void>;
  /** console errors and CSP violations seen so far */
  problems: string[];
}

export async function openPanel(h: Harness, opts: { theme?: 'light' | 'dark'; fixture?: TraceDetail; width?: number; height?: number } = {}): Promise<PanelPage> {
  const page = await h.context.newPage();
  await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 800 });
  // fail a missing element in seconds, well inside mocha's timeout, with playwright's own message
  page.setDefaultTimeout(5000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  let query = `?theme=${opts.theme ?? 'dark'}`;
  if (opts.fixture) {
    const name = randomBytes(6).toString('hex');
    h.fixtures.set(name, JSON.stringify(opts.fixture));
    query += `&fixture=${name}`;
  }
  await page.goto(h.url + query);
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted?.length > 0);
  await page.evaluate(() => customElements.whenDefined('vscode-button'));
  return {
    page,
    problems,
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted),
    async send(message) {
      // As a JSON string (one structured clone of 10,000 spans is cheaper than playwright's
      // serialiser); resolves once the panel's own listener has run and Preact has re-rendered.
      await page.evaluate(async (json) => {
        const handled = new Promise<void>((resolve) => window.addEventListener('message', () => resolve(), { once: true }));
        window.postMessage(JSON.parse(json), '*');
        await handled;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }, JSON.stringify(message));
    },
  };
}

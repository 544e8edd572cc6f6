// The messages between the extension host (extension/ui/) and the trace panel (webview/).
// This is the only module the two sides share: message types, the validator the host runs on
// everything the webview posts (a webview is a browser page: treat what it says as untrusted),
// and panelHtml(), the page the host gives the webview.
//
// The host's side, in short:
//   panel.webview.options = { enableScripts: true, localResourceRoots: [<extension>/dist] }
//   panel.webview.html = panelHtml({ cspSource: panel.webview.cspSource, nonce: <new random>,
//                                    scriptUri: String(panel.webview.asWebviewUri(<extension>/dist/webview.js)) })
//   webview.onDidReceiveMessage(data => { const m = parseWebviewMessage(data); if (!m) return; ... })
//   on { type: 'ready' }: post { type: 'showTrace', detail } (anything posted before is lost).
//
// CSP decision: no 'unsafe-inline' anywhere. The bundle (dist/webview.js, CSS inside it) adds its
// stylesheet as a <style> element carrying the script's nonce, so style-src allows that nonce.
// Per-element geometry (bar left/width) is set through the CSSOM (element.style), which CSP does
// not restrict. No eval, no inline handlers, no HTML strings: span content is always text.
// retainContextWhenHidden is not needed: a re-created panel posts `ready` again and restores its
// selection from the webview state.
import type { TraceDetail } from '../extension/server/model';

/** Host → panel. */
export type HostToWebview =
  /** Show a trace; the selection moves to focusSpanId (e.g. from a CodeLens click) or to the root. */
  | { type: 'showTrace'; detail: TraceDetail; focusSpanId?: string }
  /** The trace on screen got new spans (it is still running): selection, collapse and scroll stay. */
  | { type: 'traceUpdated'; detail: TraceDetail }
  /** Select and scroll to a span of the trace on screen. */
  | { type: 'focusSpan'; spanId: string }
  /** A trace is being fetched (slow store): the panel shows a loading state until showTrace. */
  | { type: 'loadingTrace'; traceId: string }
  /** The trace could not be loaded (deleted, store unavailable): the panel shows this text. */
  | { type: 'traceError'; traceId: string; message: string };

/** Panel → host. */
export type WebviewToHost =
  | { type: 'ready' }
  /** Open a span's code location; line is 1-based as in code.line.number. */
  | { type: 'openSource'; file: string; line: number }
  | { type: 'copy'; text: string }
  /** Sent after `ready` by a panel VS Code re-created: the trace it was showing before. */
  | { type: 'requestTrace'; traceId: string }
  | { type: 'log'; level: LogLevel; message: string };

export type LogLevel = 'info' | 'warn' | 'error';

const LOG_LEVELS: readonly string[] = ['info', 'warn', 'error'];
/** Bounds on what the host accepts: a clipboard copy of a whole completion fits, a flood does not. */
export const MAX_COPY_CHARS = 10_000_000;
export const MAX_LOG_CHARS = 10_000;
const MAX_PATH_CHARS = 4096;
const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * Validates a message received from the webview. Returns null for anything that is not exactly
 * one of the WebviewToHost shapes (unknown type, missing or mistyped field, oversize text), so the
 * host can ignore it — and log it — without trusting a single field.
 */
export function parseWebviewMessage(data: unknown): WebviewToHost | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openSource': {
      const { file, line } = m;
      if (typeof file !== 'string' || file.length === 0 || file.length > MAX_PATH_CHARS || file.includes('\0')) return null;
      if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) return null;
      return { type: 'openSource', file, line };
    }
    case 'copy':
      if (typeof m.text !== 'string' || m.text.length > MAX_COPY_CHARS) return null;
      return { type: 'copy', text: m.text };
    case 'requestTrace':
      if (typeof m.traceId !== 'string' || !TRACE_ID.test(m.traceId)) return null;
      return { type: 'requestTrace', traceId: m.traceId };
    case 'log':
      if (typeof m.level !== 'string' || !LOG_LEVELS.includes(m.level)) return null;
      if (typeof m.message !== 'string') return null;
      return { type: 'log', level: m.level as LogLevel, message: m.message.slice(0, MAX_LOG_CHARS) };
    default:
      return null;
  }
}

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** fresh random value for every render: 32 characters of [A-Za-z0-9] */
  nonce: string;
  /** webview.asWebviewUri(<extension>/dist/webview.js) */
  scriptUri: string;
  /** scripts to run before the panel, with the same nonce (the browser harness uses this only) */
  preludeScriptUris?: string[];
}

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The trace panel's HTML page. */
export function panelHtml(o: PanelHtmlOptions): string {
  const scripts = [...(o.preludeScriptUris ?? []), o.scriptUri].map((src) => `<script nonce="${attr(o.nonce)}" src="${attr(src)}"></script>`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(o.cspSource, o.nonce))}">
    <meta property="csp-nonce" content="${attr(o.nonce)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>StackLens trace</title>
  </head>
  <body>
    <div id="root"></div>
    ${scripts}
  </body>
</html>
`;
}

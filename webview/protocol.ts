// The messages between the extension host (extension/ui/) and its two webviews: the trace panel
// (webview/) and the usage dashboard with its SQL console (webview/dashboard/). This is the only
// module the two sides share: message types, the validators the host runs on everything a
// webview posts (a webview is a browser page: treat what it says as untrusted), and panelHtml(),
// the page the host gives either webview.
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
import type { BudgetStatus } from '../extension/server/budget';
import type { Stats, TraceDetail } from '../extension/server/model';
import type { Postmortem } from '../extension/server/postmortem';
import type { ConsoleResult } from '../extension/server/sql-console';

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
  | { type: 'traceError'; traceId: string; message: string }
  /**
   * The 5-whys postmortem of the trace on screen: the panel shows its Postmortem tab. `canWrite`:
   * a language model is configured, so the tab offers to ask it for a written postmortem.
   */
  | { type: 'showPostmortem'; postmortem: Postmortem; canWrite?: boolean }
  | { type: 'postmortemError'; message: string }
  /** The model's written postmortem of a trace: Markdown-looking text, shown as text. */
  | { type: 'writtenPostmortem'; traceId: string; text: string }
  /** Why the model wrote nothing for a trace: one line a user can act on. */
  | { type: 'writtenPostmortemError'; traceId: string; message: string };

/** Panel → host. */
export type WebviewToHost =
  | { type: 'ready' }
  /** Open a span's code location; line is 1-based as in code.line.number. */
  | { type: 'openSource'; file: string; line: number }
  | { type: 'copy'; text: string }
  /** Sent after `ready` by a panel VS Code re-created: the trace it was showing before. */
  | { type: 'requestTrace'; traceId: string }
  /** Run the workspace's evaluators on the trace on screen (the toolbar's Run evals). */
  | { type: 'runEvals' }
  /** Build the postmortem of the trace on screen. */
  | { type: 'requestPostmortem' }
  /** Ask the configured language model for a written postmortem of the trace on screen. */
  | { type: 'requestWrittenPostmortem' }
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
    case 'runEvals':
      return { type: 'runEvals' };
    case 'requestPostmortem':
      return { type: 'requestPostmortem' };
    case 'requestWrittenPostmortem':
      return { type: 'requestWrittenPostmortem' };
    case 'log':
      return parseLog(m);
    default:
      return null;
  }
}

function parseLog(m: Record<string, unknown>): { type: 'log'; level: LogLevel; message: string } | null {
  if (typeof m.level !== 'string' || !LOG_LEVELS.includes(m.level)) return null;
  if (typeof m.message !== 'string') return null;
  return { type: 'log', level: m.level as LogLevel, message: m.message.slice(0, MAX_LOG_CHARS) };
}

// ---- the usage dashboard and SQL console (webview/dashboard/) ----

/** A trace in the dashboard's most-expensive and slowest lists. */
export interface TraceRow {
  trace_id: string;
  name: string;
  start_time: number;
  duration_ms: number;
  total_cost_usd: number;
  unpriced_call_count: number;
  call_count: number;
  status: string;
}

/** Everything the Usage view draws for one date range. */
export interface UsageReport {
  /** epoch ms, inclusive */
  since: number;
  /** epoch ms, exclusive */
  until: number;
  stats: Stats;
  /** null when the collector could not say (an older collector) */
  budget: BudgetStatus | null;
  expensive: TraceRow[];
  slowest: TraceRow[];
}

export type DashboardView = 'usage' | 'sql';

/** Host → dashboard. */
export type HostToDashboard =
  | { type: 'showView'; view: DashboardView }
  | { type: 'loadingUsage' }
  | { type: 'showUsage'; report: UsageReport }
  | { type: 'usageError'; message: string }
  /** the answer to runSql `id`; `elapsed_ms` is how long the store took */
  | { type: 'sqlResult'; id: number; result: ConsoleResult; elapsed_ms: number }
  /** why query `id` was refused or failed: one line, shown as it is */
  | { type: 'sqlError'; id: number; message: string };

/** Dashboard → host. */
export type DashboardToHost =
  | { type: 'ready' }
  /** usage of [since, until): until null means now */
  | { type: 'requestUsage'; since: number; until: number | null }
  | { type: 'openTrace'; traceId: string }
  | { type: 'runSql'; id: number; sql: string }
  | { type: 'openBudgetSettings' }
  | { type: 'copy'; text: string }
  | { type: 'log'; level: LogLevel; message: string };

/** A query longer than this is not something a person typed into the console. */
export const MAX_SQL_CHARS = 100_000;
const EPOCH_MS_MAX = 8.64e15;
const epochMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= EPOCH_MS_MAX;

/** Validates a message from the dashboard webview, as parseWebviewMessage does for the panel. */
export function parseDashboardMessage(data: unknown): DashboardToHost | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openBudgetSettings':
      return { type: 'openBudgetSettings' };
    case 'requestUsage': {
      if (!epochMs(m.since)) return null;
      if (m.until !== null && (!epochMs(m.until) || m.until <= m.since)) return null;
      return { type: 'requestUsage', since: m.since, until: m.until as number | null };
    }
    case 'openTrace':
      if (typeof m.traceId !== 'string' || !TRACE_ID.test(m.traceId)) return null;
      return { type: 'openTrace', traceId: m.traceId };
    case 'runSql':
      if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id) || m.id < 0) return null;
      if (typeof m.sql !== 'string' || m.sql.trim() === '' || m.sql.length > MAX_SQL_CHARS) return null;
      return { type: 'runSql', id: m.id, sql: m.sql };
    case 'copy':
      if (typeof m.text !== 'string' || m.text.length > MAX_COPY_CHARS) return null;
      return { type: 'copy', text: m.text };
    case 'log':
      return parseLog(m);
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
  /** the document title (default "StackLens trace") */
  title?: string;
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
    <title>${attr(o.title ?? 'StackLens trace')}</title>
  </head>
  <body>
    <div id="root"></div>
    ${scripts}
  </body>
</html>
`;
}

// The dashboard's side of the postMessage boundary (the panel's webview/host.ts holds VS Code's
// API; one page may acquire it only once). Messages from the host get a shape check: the host is
// trusted, but other frames may post noise.
import { vsCodeApi } from '../host';
import type { DashboardToHost, DashboardView, HostToDashboard } from '../protocol';
import type { RangeChoice } from './range';

export function postToHost(message: DashboardToHost): void {
  vsCodeApi()?.postMessage(message);
}

export function logToHost(level: 'info' | 'warn' | 'error', message: string): void {
  postToHost({ type: 'log', level, message });
}

/** What the dashboard remembers across a reload of the webview. */
export interface SavedDashboardState {
  view: DashboardView;
  range: RangeChoice;
  sql: string;
}

export function savedState(): Partial<SavedDashboardState> {
  const s = vsCodeApi()?.getState() as Partial<SavedDashboardState> | undefined;
  return s && typeof s === 'object' ? s : {};
}

export function saveState(state: SavedDashboardState): void {
  vsCodeApi()?.setState(state);
}

const TYPES = new Set(['showView', 'loadingUsage', 'showUsage', 'usageError', 'sqlResult', 'sqlError']);

export function isDashboardMessage(data: unknown): data is HostToDashboard {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { type?: unknown; report?: { stats?: unknown }; result?: { rows?: unknown; columns?: unknown } };
  if (typeof m.type !== 'string' || !TYPES.has(m.type)) return false;
  if (m.type === 'showUsage') return typeof m.report === 'object' && m.report !== null && typeof m.report.stats === 'object';
  if (m.type === 'sqlResult') return typeof m.result === 'object' && m.result !== null && Array.isArray(m.result.rows) && Array.isArray(m.result.columns);
  return true;
}

export function onHostMessage(handler: (message: HostToDashboard) => void): () => void {
  const listener = (event: MessageEvent): void => {
    if (isDashboardMessage(event.data)) handler(event.data);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

// The panel's side of the postMessage boundary. In VS Code the host API comes from
// acquireVsCodeApi() (callable once per page); in the browser harness it may be absent, and
// messages arrive through window.postMessage exactly as VS Code delivers them.
import type { TraceDetail } from '../extension/server/model';
import type { HostToWebview, WebviewToHost } from './protocol';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => VsCodeApi;
    /** harness only: a trace to show at start, as if the host had sent showTrace */
    __STACKLENS_FIXTURE__?: TraceDetail;
  }
}

/** What the panel remembers across a reload of the webview (VS Code drops hidden webviews). */
export interface SavedPanelState {
  traceId: string;
  selectedSpanId: string | null;
}

let api: VsCodeApi | null | undefined;

/** VS Code's API for this page (acquireVsCodeApi may be called once): the dashboard shares it. */
export function vsCodeApi(): VsCodeApi | null {
  if (api === undefined) api = typeof window.acquireVsCodeApi === 'function' ? window.acquireVsCodeApi() : null;
  return api;
}
const vscode = vsCodeApi;

export function postToHost(message: WebviewToHost): void {
  vscode()?.postMessage(message);
}

export function savedState(): SavedPanelState | null {
  const s = vscode()?.getState() as Partial<SavedPanelState> | undefined;
  return s && typeof s.traceId === 'string' ? { traceId: s.traceId, selectedSpanId: typeof s.selectedSpanId === 'string' ? s.selectedSpanId : null } : null;
}

export function saveState(state: SavedPanelState): void {
  vscode()?.setState(state);
}

const HOST_TYPES = new Set(['showTrace', 'traceUpdated', 'focusSpan', 'loadingTrace', 'traceError', 'showPostmortem', 'postmortemError', 'writtenPostmortem', 'writtenPostmortemError']);

/** A shape check, not a full validation: the host is trusted, but other frames may post noise. */
export function isHostMessage(data: unknown): data is HostToWebview {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { type?: unknown; detail?: { spans?: unknown; trace?: unknown } };
  if (typeof m.type !== 'string' || !HOST_TYPES.has(m.type)) return false;
  if (m.type === 'showTrace' || m.type === 'traceUpdated') return typeof m.detail === 'object' && m.detail !== null && Array.isArray(m.detail.spans) && typeof m.detail.trace === 'object';
  if (m.type === 'showPostmortem') {
    const pm = (data as { postmortem?: { whys?: unknown; trace_id?: unknown } }).postmortem;
    return typeof pm === 'object' && pm !== null && Array.isArray(pm.whys) && typeof pm.trace_id === 'string';
  }
  if (m.type === 'writtenPostmortem' || m.type === 'writtenPostmortemError') {
    const w = data as { traceId?: unknown; text?: unknown; message?: unknown };
    return typeof w.traceId === 'string' && typeof (m.type === 'writtenPostmortem' ? w.text : w.message) === 'string';
  }
  return true;
}

export function onHostMessage(handler: (message: HostToWebview) => void): () => void {
  const listener = (event: MessageEvent): void => {
    if (isHostMessage(event.data)) handler(event.data);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

export function logToHost(level: 'info' | 'warn' | 'error', message: string): void {
  postToHost({ type: 'log', level, message });
}

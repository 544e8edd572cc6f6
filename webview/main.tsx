// Entry of the trace panel bundle (dist/webview.js). Wires the host messages to the store and
// renders; the host's HTML and CSP it expects are in protocol.ts's header comment.
import { effect } from '@preact/signals';
import { render } from 'preact';
import { PanelRoot } from './components/TracePanel';
import { logToHost, onHostMessage, postToHost, saveState, savedState } from './host';
import type { HostToWebview } from './protocol';
import { detail, selectSpan, selectedId, showError, showLoading, showPostmortem, showPostmortemError, showTrace, showWritten, traceUpdated } from './store';
import baseCss from './styles/base.css';
import detailCss from './styles/detail.css';
import panelCss from './styles/panel.css';
import evalsCss from './styles/evals.css';
import themeCss from './styles/theme.css';
import waterfallCss from './styles/waterfall.css';
import { registerToolkit } from './ui/toolkit';
import { installStyles } from './ui/styles';

// Read while this script is executing: currentScript is null once it has finished.
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';


function handle(message: HostToWebview): void {
  switch (message.type) {
    case 'showTrace': {
      const saved = savedState();
      const focus = message.focusSpanId ?? (saved?.traceId === message.detail.trace.trace_id ? (saved.selectedSpanId ?? undefined) : undefined);
      showTrace(message.detail, focus);
      break;
    }
    case 'traceUpdated':
      traceUpdated(message.detail);
      break;
    case 'focusSpan':
      if (!selectSpan(message.spanId)) logToHost('warn', `StackLens panel: span ${message.spanId} is not in the trace on screen; nothing was selected.`);
      break;
    case 'loadingTrace':
      showLoading(message.traceId);
      break;
    case 'traceError':
      showError(message.message);
      break;
    case 'showPostmortem':
      showPostmortem(message.postmortem, message.canWrite === true);
      break;
    case 'postmortemError':
      showPostmortemError(message.message);
      break;
    case 'writtenPostmortem':
      showWritten(message.traceId, { text: message.text });
      break;
    case 'writtenPostmortemError':
      showWritten(message.traceId, { message: message.message });
      break;
  }
}

function start(): void {
  installStyles(nonce, [themeCss, baseCss, panelCss, waterfallCss, detailCss, evalsCss]);
  registerToolkit().catch((e: unknown) => logToHost('warn', `StackLens panel: the toolkit's buttons could not be registered (${String(e)}); buttons show unstyled.`));
  window.addEventListener('error', (e) => logToHost('error', `StackLens panel: ${e.message} (${e.filename}:${e.lineno})`));

  const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
  render(<PanelRoot />, root);
  onHostMessage(handle);

  effect(() => {
    const d = detail.value;
    if (d) saveState({ traceId: d.trace.trace_id, selectedSpanId: selectedId.value });
  });

  const fixture = window.__STACKLENS_FIXTURE__;
  if (fixture) showTrace(fixture);
  postToHost({ type: 'ready' });
  // VS Code re-creates a hidden panel from scratch: ask again for the trace it was showing
  const saved = savedState();
  if (!fixture && saved) postToHost({ type: 'requestTrace', traceId: saved.traceId });
}

start();

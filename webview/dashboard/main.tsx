// Entry of the dashboard bundle (dist/dashboard.js): the usage dashboard and the SQL console. The
// page and its CSP are the trace panel's (protocol.ts panelHtml); so are the styles it shares.
import { render } from 'preact';
import { registerToolkit } from '../ui/toolkit';
import baseCss from '../styles/base.css';
import detailCss from '../styles/detail.css';
import panelCss from '../styles/panel.css';
import themeCss from '../styles/theme.css';
import type { HostToDashboard } from '../protocol';
import { Dashboard } from './components/Dashboard';
import dashboardCss from './dashboard.css';
import { logToHost, onHostMessage, postToHost } from './host';
import { requestUsage, showUsage, showUsageError, showView, sqlAnswered, usage, usageLoading, view } from './store';
import { installStyles } from '../ui/styles';

// Read while this script is executing: currentScript is null once it has finished.
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';


function handle(message: HostToDashboard): void {
  switch (message.type) {
    case 'showView':
      if (message.view !== view.peek()) showView(message.view);
      else if (message.view === 'usage' && usage.peek().kind === 'idle') requestUsage();
      break;
    case 'loadingUsage':
      usageLoading();
      break;
    case 'showUsage':
      showUsage(message.report);
      break;
    case 'usageError':
      showUsageError(message.message);
      break;
    case 'sqlResult':
      sqlAnswered({ id: message.id, result: message.result, elapsedMs: message.elapsed_ms });
      break;
    case 'sqlError':
      sqlAnswered({ id: message.id, message: message.message });
      break;
  }
}

function start(): void {
  installStyles(nonce, [themeCss, baseCss, panelCss, detailCss, dashboardCss]);
  registerToolkit().catch((e: unknown) => logToHost('warn', `StackLens dashboard: the toolkit's buttons could not be registered (${String(e)}); buttons show unstyled.`));
  window.addEventListener('error', (e) => logToHost('error', `StackLens dashboard: ${e.message} (${e.filename}:${e.lineno})`));
  const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
  render(<Dashboard />, root);
  onHostMessage(handle);
  postToHost({ type: 'ready' });
}

start();

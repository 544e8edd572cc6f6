// The dashboard frame: title, the Usage / SQL console tabs, the date range (Usage only), and the
// view, behind an error boundary so a report it cannot draw says so instead of going blank.
import type { JSX } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import { PanelMessage } from '../../components/PanelMessage';
import type { DashboardView } from '../../protocol';
import { logToHost } from '../host';
import { showView, usage, view } from '../store';
import { RangePicker } from './RangePicker';
import { SqlConsole } from './SqlConsole';
import { UsageView } from './UsageView';

const TABS: Array<{ id: DashboardView; label: string }> = [
  { id: 'usage', label: 'Usage' },
  { id: 'sql', label: 'SQL console' },
];

export function Dashboard(): JSX.Element {
  const [error, reset] = useErrorBoundary((e: unknown) => logToHost('error', `StackLens dashboard could not draw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const current = view.value;
  const loading = usage.value.kind === 'loading';
  return (
    <div class="dashboard">
      <header class="dash-head">
        <h1>StackLens</h1>
        <div class="tabs" role="tablist" aria-label="Dashboard views">
          {TABS.map((t) => (
            <button key={t.id} type="button" role="tab" aria-selected={current === t.id} data-view={t.id} onClick={() => (reset(), showView(t.id))}>
              {t.label}
            </button>
          ))}
        </div>
        <span class="spacer" />
        {current === 'usage' && loading && <span class="muted" role="status">updating…</span>}
        {current === 'usage' && <RangePicker />}
      </header>
      <div class="dash-body" role="tabpanel">
        {error ? (
          <PanelMessage tone="error" title="The dashboard could not draw this" body={`${error instanceof Error ? error.message : String(error)}\nThe StackLens output channel has the details.`} />
        ) : current === 'usage' ? (
          <UsageView />
        ) : (
          <SqlConsole />
        )}
      </div>
    </div>
  );
}

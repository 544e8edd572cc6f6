// The whole panel: trace header, KPI row, replay bar and legend, then the waterfall beside the
// span detail (or the cost breakdown). Empty, loading and error states replace it all.
import type { JSX } from 'preact';
import { useEffect, useErrorBoundary } from 'preact/hooks';
import type { TraceDetail } from '../../extension/server/model';
import { logToHost, postToHost } from '../host';
import { detail, layout, modelCosts, postmortem, postmortemRequested, selectedIndex, sideTab, status } from '../store';
import { Button } from '../ui/toolkit';
import { CostBreakdown } from './CostBreakdown';
import { Icon } from './Icon';
import { KpiRow } from './KpiRow';
import { Legend } from './Legend';
import { PanelMessage } from './PanelMessage';
import { PostmortemView } from './PostmortemView';
import { ReplayBar } from './ReplayBar';
import { SpanDetail } from './SpanDetail';
import { Waterfall } from './Waterfall';

function TraceHeader({ d }: { d: TraceDetail }): JSX.Element {
  const t = d.trace;
  const s = status.value;
  return (
    <header class="trace-head">
      <div class="trace-title">
        <h1 title={t.name}>{t.name}</h1>
        <span class={`status-badge status-${t.status}`}>
          {t.status === 'error' && <span class="err-icon" aria-hidden="true">!</span>}
          {t.status === 'error' ? 'error' : t.status === 'ok' ? 'ok' : 'running or unset'}
        </span>
        {s.kind === 'loading' && <span class="muted">loading {s.traceId}…</span>}
        <span class="spacer" />
        <div class="trace-actions">
          <Button appearance="secondary" data-action="run-evals" title="Run the workspace's evaluators (.stacklens/evals.json) on every span of this trace" onClick={() => postToHost({ type: 'runEvals' })}>
            Run evals
          </Button>
          <Button
            appearance="secondary"
            data-action="postmortem"
            title="Five whys: the failing chain, root cause, retries, critical path and the most expensive spans"
            onClick={() => {
              postmortemRequested();
              postToHost({ type: 'requestPostmortem' });
            }}
          >
            Postmortem
          </Button>
        </div>
      </div>
      <div class="trace-meta">
        <span class="mono">trace {t.trace_id}</span>
        <Button appearance="icon" title="Copy trace id" data-action="copy-trace-id" onClick={() => postToHost({ type: 'copy', text: t.trace_id })}>
          <Icon name="copy" />
        </Button>
        <span class="muted">{new Date(t.start_time).toLocaleString()}</span>
        {t.service_name && <span class="muted">· {t.service_name}</span>}
        {t.tags.map((tag, i) => (
          <span key={i} class="tag">
            {tag}
          </span>
        ))}
      </div>
    </header>
  );
}

function SidePane({ d }: { d: TraceDetail }): JSX.Element {
  const tab = sideTab.value;
  const l = layout.value!;
  const i = selectedIndex.value;
  const costs = modelCosts.value;
  return (
    <aside class="side">
      <div class="tabs" role="tablist" aria-label="Details">
        <button type="button" role="tab" aria-selected={tab === 'span'} data-tab="span" onClick={() => (sideTab.value = 'span')}>
          Span
        </button>
        <button type="button" role="tab" aria-selected={tab === 'costs'} data-tab="costs" onClick={() => (sideTab.value = 'costs')}>
          Cost by model <span class="count">{costs.length}</span>
        </button>
        {postmortem.value.kind !== 'none' && (
          <button type="button" role="tab" aria-selected={tab === 'postmortem'} data-tab="postmortem" onClick={() => (sideTab.value = 'postmortem')}>
            Postmortem
          </button>
        )}
      </div>
      <div class="side-body" role="tabpanel">
        {tab === 'postmortem' ? (
          <PostmortemView />
        ) : tab === 'costs' ? (
          <CostBreakdown rows={costs} />
        ) : i >= 0 ? (
          <SpanDetail span={l.spans[i]} traceStart={l.traceStart} scores={d.scores} isRoot={l.parent[i] < 0} />
        ) : (
          <p class="muted pad">Select a span in the waterfall to see its input, output and attributes.</p>
        )}
      </div>
    </aside>
  );
}

export function TracePanel(): JSX.Element {
  const s = status.value;
  const d = detail.value;
  if (s.kind === 'error') return <PanelMessage tone="error" title="This trace could not be shown" body={s.message} />;
  if (!d && s.kind === 'loading') return <PanelMessage tone="loading" title="Loading trace…" body={s.traceId} />;
  if (!d) {
    return (
      <PanelMessage
        title="No trace selected"
        body="Pick a trace in the StackLens Traces view, or click a CodeLens above a traced call, to see its waterfall, cost and content here."
      />
    );
  }
  if (d.spans.length === 0) return <PanelMessage title={d.trace.name || 'Empty trace'} body="This trace has no spans yet. They appear here as they arrive." />;
  return (
    <div class="panel">
      <TraceHeader d={d} />
      <KpiRow trace={d.trace} />
      <div class="toolbar">
        <ReplayBar />
        <Legend />
      </div>
      <div class="workspace">
        <Waterfall />
        <SidePane d={d} />
      </div>
    </div>
  );
}

/**
 * The panel behind an error boundary: a trace the panel cannot draw shows what failed instead of
 * a blank page, tells the host (output channel), and the next trace gets a fresh start.
 */
export function PanelRoot(): JSX.Element {
  const [error, reset] = useErrorBoundary((e: unknown) => logToHost('error', `StackLens panel could not draw the trace: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const d = detail.value;
  useEffect(() => {
    if (error) reset();
  }, [d]);
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    return <PanelMessage tone="error" title="The panel could not draw this trace" body={`${message}\nOpen the trace again; if it keeps failing, the StackLens output channel has the details.`} />;
  }
  return <TracePanel />;
}

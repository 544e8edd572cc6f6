// Commands on traces: open (by id, from the tree, from a lens's runs), copy the id, delete,
// refresh, load more.
import * as vscode from 'vscode';
import type { CollectorApi } from '../server/rpc';
import { formatTime, noIcons } from './format';
import type { LensTarget } from './lens-index';
import { latestRuns, runRow, type Run } from './runs';
import type { TraceTreeNode } from './trace-items';
import type { TracePanels } from './trace-panel';
import type { TraceTreeProvider } from './traces-view';

export interface TraceCommandDeps {
  collector: CollectorApi;
  traces: TraceTreeProvider;
  panels: TracePanels;
  refreshLenses(): void;
}

/** A trace id as users paste it: 32 hex, a UUID with dashes, any case, spaces around. */
export function parseTraceId(text: string): string | null {
  const id = text.trim().replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(id) ? id : null;
}

/** The trace a command was given: an id (pasted, from a panel), or a node of the Traces tree. */
export function traceIdOf(arg: unknown): string | null {
  if (typeof arg === 'string') return parseTraceId(arg);
  const node = arg as TraceTreeNode | undefined;
  if (node?.type === 'trace') return node.summary.trace_id;
  if (node?.type === 'span') return node.traceId;
  return null;
}

export function registerTraceCommands(deps: TraceCommandDeps): vscode.Disposable[] {
  const { collector, traces, panels } = deps;
  return [
    vscode.commands.registerCommand('stacklens.openTracesView', () => vscode.commands.executeCommand('stacklens.traces.focus')),
    vscode.commands.registerCommand('stacklens.refresh', () => {
      traces.refresh();
      deps.refreshLenses();
    }),
    vscode.commands.registerCommand('stacklens.loadMoreTraces', () => traces.loadMore()),
    vscode.commands.registerCommand('stacklens.openTrace', async (arg?: unknown, spanId?: unknown) => {
      let traceId = traceIdOf(arg);
      if (!traceId) {
        const typed = await vscode.window.showInputBox({
          title: 'Open Trace by ID',
          prompt: 'The trace id: 32 hex characters (a UUID with dashes is fine too)',
          value: typeof arg === 'string' ? arg : '',
          validateInput: (text) => (parseTraceId(text) ? null : 'A trace id is 32 hex characters, e.g. 4bf92f3577b34da6a3ce929d0e0e4736'),
        });
        if (!typed) return;
        traceId = parseTraceId(typed)!;
      }
      const node = arg as TraceTreeNode | undefined;
      const focus = typeof spanId === 'string' ? spanId : node?.type === 'span' ? node.tree.span.span_id : undefined;
      panels.open(traceId, focus);
    }),
    vscode.commands.registerCommand('stacklens.copyTraceId', async (arg?: unknown) => {
      const traceId = traceIdOf(arg);
      if (!traceId) return;
      await vscode.env.clipboard.writeText(traceId);
      vscode.window.setStatusBarMessage(`$(check) Copied trace id ${traceId}`, 3000);
    }),
    vscode.commands.registerCommand('stacklens.deleteTrace', async (arg?: unknown) => {
      const traceId = traceIdOf(arg);
      if (!traceId) return;
      const summary = traces.traces.find((t) => t.trace_id === traceId);
      const what = summary ? `"${summary.name}" (${summary.span_count} span${summary.span_count === 1 ? '' : 's'}, ${formatTime(summary.start_time, Date.now())})` : traceId;
      const answer = await vscode.window.showWarningMessage(`Delete trace ${what}?`, { modal: true, detail: 'Its spans and scores are removed from the store. This cannot be undone.' }, 'Delete');
      if (answer !== 'Delete') return;
      try {
        const deleted = await collector.deleteTrace(traceId);
        traces.forget(traceId);
        deps.refreshLenses();
        if (!deleted) void vscode.window.showInformationMessage(`StackLens: trace ${traceId} was already gone.`);
      } catch (err) {
        void vscode.window.showErrorMessage(`StackLens: could not delete trace ${traceId}: ${(err as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('stacklens.showRuns', (target?: LensTarget) => (target ? showRuns(collector, panels, target) : undefined)),
  ];
}

/** A lens click: the latest runs of that call site, newest first; picking one opens it. */
async function showRuns(collector: CollectorApi, panels: TracePanels, target: LensTarget): Promise<void> {
  type RunItem = vscode.QuickPickItem & { open?: { traceId: string; spanId?: string } };
  const pick = vscode.window.createQuickPick<RunItem>();
  pick.title = `Latest runs of ${noIcons(target.name)}`;
  pick.placeholder = 'Pick a run to open its trace';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.busy = true;
  pick.show();
  const picked = new Promise<RunItem['open']>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]?.open));
    pick.onDidHide(() => resolve(undefined));
  });
  try {
    // Text search finds traces with a span of that name; their details hold the runs themselves.
    const found = await collector.listTraces({ q: target.name, limit: 25 });
    const details = await Promise.all(found.map((t) => collector.getTrace(t.trace_id)));
    const runs = latestRuns(details, target);
    const now = Date.now();
    pick.items = runs.map((run: Run) => ({ ...runRow(run, now), open: { traceId: run.traceId, spanId: run.span.span_id } }));
    if (runs.length === 0) {
      // The runs are older than what the search returns: the lens still knows the latest one.
      const open = { traceId: target.lastTraceId, spanId: target.lastSpanId ?? undefined };
      pick.items = [{ label: '$(go-to-file) Open the latest run', description: target.lastTraceId, open }];
    }
  } catch (err) {
    pick.items = [{ label: '$(error) Could not load the runs', detail: (err as Error).message }];
  }
  pick.busy = false;
  const open = await picked;
  pick.dispose();
  if (open) panels.open(open.traceId, open.spanId);
}

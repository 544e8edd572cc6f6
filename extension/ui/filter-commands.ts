// Filtering and searching the Traces view: Quick Picks offer the models, tags and statuses that
// occur in recent traces; the date range takes a preset or a typed range.
import * as vscode from 'vscode';
import type { SpanStatus } from '../server/model';
import type { CollectorApi } from '../server/rpc';
import { noIcons } from './format';
import { parseDateRange, RANGE_PRESETS, type DateRange, type FilterState } from './trace-filter';
import type { TraceTreeProvider } from './traces-view';

type Facet = 'model' | 'status' | 'range' | 'tag';

/** Models and tags of the most recent traces, most frequent first. */
async function recentValues(collector: CollectorApi, facet: 'model' | 'tag'): Promise<string[]> {
  const traces = await collector.listTraces({ limit: 1000 });
  const counts = new Map<string, number>();
  for (const t of traces) for (const v of facet === 'model' ? t.models : t.tags) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}

async function pickValue(collector: CollectorApi, facet: 'model' | 'tag', current?: string): Promise<string | null | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { value?: string | null }>();
  pick.title = facet === 'model' ? 'Filter traces by model' : 'Filter traces by tag';
  pick.placeholder = 'Loading the values seen in recent traces…';
  pick.busy = true;
  pick.show();
  const chosen = new Promise<string | null | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      // Typing a value that is not in the list uses the typed value.
      resolve(item ? (item.value ?? null) : pick.value.trim() || undefined);
    });
    pick.onDidHide(() => resolve(undefined));
  });
  try {
    const values = await recentValues(collector, facet);
    pick.items = [
      { label: '$(close) Any', description: current ? `clear "${noIcons(current)}"` : undefined, value: null },
      ...values.map((value) => ({ label: noIcons(value), value })),
    ];
    pick.placeholder = values.length ? `Pick a ${facet}, or type one` : `No ${facet}s in recent traces: type one`;
  } catch (err) {
    pick.placeholder = `Could not list recent ${facet}s (${(err as Error).message}): type one`;
  }
  pick.busy = false;
  const value = await chosen;
  pick.dispose();
  return value;
}

async function pickStatus(): Promise<SpanStatus | null | undefined> {
  const items: Array<vscode.QuickPickItem & { value: SpanStatus | null }> = [
    { label: '$(error) Errors only', value: 'error' },
    { label: '$(pass) Succeeded', value: 'ok' },
    { label: '$(circle-outline) Status not set', value: 'unset' },
    { label: '$(close) Any status', value: null },
  ];
  const item = await vscode.window.showQuickPick(items, { title: 'Filter traces by status' });
  return item ? item.value : undefined;
}

async function pickRange(): Promise<DateRange | null | undefined> {
  const items: Array<vscode.QuickPickItem & { range?: DateRange | null }> = [
    ...RANGE_PRESETS.map((range) => ({ label: range.label[0].toUpperCase() + range.label.slice(1), range })),
    { label: '$(calendar) Custom range…', description: 'YYYY-MM-DD..YYYY-MM-DD' },
    { label: '$(close) Any time', range: null },
  ];
  const item = await vscode.window.showQuickPick(items, { title: 'Filter traces by date' });
  if (!item) return undefined;
  if (item.range !== undefined) return item.range;
  const typed = await vscode.window.showInputBox({
    title: 'Traces between two days (both included)',
    prompt: 'YYYY-MM-DD..YYYY-MM-DD, or one day, or leave a side empty: 2025-05-01..',
    validateInput: (text) => {
      const parsed = parseDateRange(text);
      return typeof parsed === 'string' ? parsed : null;
    },
  });
  if (!typed) return undefined;
  const parsed = parseDateRange(typed);
  return typeof parsed === 'string' ? undefined : parsed;
}

/** Sets (value), clears (null) or keeps (undefined: the user cancelled) one facet. */
function withFacet(filter: FilterState, facet: Facet, value: unknown): FilterState {
  if (value === undefined) return filter;
  const next: FilterState = { ...filter };
  if (value === null) delete next[facet];
  else (next as Record<Facet, unknown>)[facet] = value;
  return next;
}

async function filterBy(collector: CollectorApi, traces: TraceTreeProvider, facet: Facet): Promise<void> {
  const current = traces.filterState;
  const value =
    facet === 'model' ? await pickValue(collector, 'model', current.model)
      : facet === 'tag' ? await pickValue(collector, 'tag', current.tag)
        : facet === 'status' ? await pickStatus()
          : await pickRange();
  const next = withFacet(traces.filterState, facet, value);
  if (next !== traces.filterState) traces.setFilter(next);
}

export function registerFilterCommands(collector: CollectorApi, traces: TraceTreeProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('stacklens.filter', async () => {
      const f = traces.filterState;
      const items: Array<vscode.QuickPickItem & { facet: Facet }> = [
        { label: '$(symbol-class) Model…', description: f.model && noIcons(f.model), facet: 'model' },
        { label: '$(pulse) Status…', description: f.status, facet: 'status' },
        { label: '$(calendar) Date range…', description: f.range?.label, facet: 'range' },
        { label: '$(tag) Tag…', description: f.tag && noIcons(f.tag), facet: 'tag' },
      ];
      const item = await vscode.window.showQuickPick(items, { title: 'Filter traces' });
      if (item) await filterBy(collector, traces, item.facet);
    }),
    vscode.commands.registerCommand('stacklens.filterByModel', () => filterBy(collector, traces, 'model')),
    vscode.commands.registerCommand('stacklens.filterByStatus', () => filterBy(collector, traces, 'status')),
    vscode.commands.registerCommand('stacklens.filterByDate', () => filterBy(collector, traces, 'range')),
    vscode.commands.registerCommand('stacklens.filterByTag', () => filterBy(collector, traces, 'tag')),
    vscode.commands.registerCommand('stacklens.search', async () => {
      const q = await vscode.window.showInputBox({
        title: 'Search traces',
        prompt: 'Text in trace or span names, ids or models (empty clears the search)',
        value: traces.filterState.q ?? '',
      });
      if (q === undefined) return;
      traces.setFilter(withFacetQ(traces.filterState, q.trim()));
    }),
    vscode.commands.registerCommand('stacklens.clearFilters', () => traces.setFilter({})),
  ];
}

function withFacetQ(filter: FilterState, q: string): FilterState {
  const next: FilterState = { ...filter };
  if (q) next.q = q;
  else delete next.q;
  return next;
}

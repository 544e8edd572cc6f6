// The Traces view: newest traces first, live, paged, filterable; a trace expands to its spans
// (fetched when expanded). Changes fire onDidChangeTreeData and VS Code asks again for what is
// visible — the view is never rebuilt by hand.
import * as vscode from 'vscode';
import type { CollectorApi } from '../server/rpc';
import type { StoreChange } from '../server/store/api';
import type { TraceDetail, TraceSummary } from '../server/model';
import { coalesce } from './coalesce';
import { describeFilter, isFiltered, toTraceFilter, type FilterState } from './trace-filter';
import { moreItem, noticeItem, spanItem, traceItem, type TraceTreeNode } from './trace-items';
import { appendOlderPage, mergeNewestPage, nextPageBefore, oldestStart, PAGE_SIZE, traceChildren, type TraceList } from './trace-pages';

const DETAIL_CACHE = 50;

export class TraceTreeProvider implements vscode.TreeDataProvider<TraceTreeNode>, vscode.Disposable {
  private list: TraceList = { traces: [], hasMore: false };
  /** the newest page must be fetched again before the root is shown */
  private stale = true;
  private filter: FilterState = {};
  private readonly details = new Map<string, TraceDetail>();
  private readonly changed = new vscode.EventEmitter<TraceTreeNode | undefined>();
  private readonly refreshSoon = coalesce(() => this.refresh(), 300);
  private view: vscode.TreeView<TraceTreeNode> | undefined;
  private readonly loadedOnce = new vscode.EventEmitter<void>();

  readonly onDidChangeTreeData = this.changed.event;
  /** fires after the root list was fetched (tests and the walkthrough wait on it) */
  readonly onDidLoad = this.loadedOnce.event;

  constructor(private readonly collector: CollectorApi) {}

  attach(view: vscode.TreeView<TraceTreeNode>): void {
    this.view = view;
    this.updateViewText(null);
  }

  get filterState(): FilterState {
    return this.filter;
  }

  get traces(): readonly TraceSummary[] {
    return this.list.traces;
  }

  setFilter(filter: FilterState): void {
    this.filter = filter;
    this.list = { traces: [], hasMore: false };
    void vscode.commands.executeCommand('setContext', 'stacklens.filterActive', isFiltered(filter));
    this.refresh();
  }

  /** Re-fetches the newest page and whatever is expanded. */
  refresh(): void {
    this.stale = true;
    this.changed.fire(undefined);
  }

  /** A change announced by the collector: drop what it invalidates, refresh once per burst. */
  onStoreChange(change: StoreChange): void {
    for (const id of change.trace_ids) this.details.delete(id);
    this.refreshSoon();
  }

  async loadMore(): Promise<void> {
    const before = nextPageBefore(this.list);
    if (before === undefined) return;
    try {
      const page = await this.collector.listTraces(toTraceFilter(this.filter, Date.now(), PAGE_SIZE, before));
      this.list = appendOlderPage(this.list, page);
      this.changed.fire(undefined);
    } catch (err) {
      void vscode.window.showErrorMessage(`StackLens: could not load older traces: ${(err as Error).message}`);
    }
  }

  forget(traceId: string): void {
    this.list = { ...this.list, traces: this.list.traces.filter((t) => t.trace_id !== traceId) };
    this.details.delete(traceId);
    this.changed.fire(undefined);
  }

  getTreeItem(node: TraceTreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'trace':
        return traceItem(node.summary, Date.now());
      case 'span':
        return spanItem(node.traceId, node.tree);
      case 'more':
        return moreItem(node.before);
      case 'notice':
        return noticeItem(node.text, node.detail);
    }
  }

  async getChildren(node?: TraceTreeNode): Promise<TraceTreeNode[]> {
    if (!node) return this.rootChildren();
    if (node.type === 'trace') {
      try {
        const detail = await this.detail(node.summary.trace_id);
        if (!detail) return [{ type: 'notice', text: 'This trace is gone (deleted or removed by retention)' }];
        return traceChildren(detail).map((tree) => ({ type: 'span', traceId: node.summary.trace_id, tree }));
      } catch (err) {
        return [{ type: 'notice', text: 'Could not load the spans', detail: (err as Error).message }];
      }
    }
    if (node.type === 'span') return node.tree.children.map((tree) => ({ type: 'span', traceId: node.traceId, tree }));
    return [];
  }

  getParent(): undefined {
    return undefined;
  }

  private async rootChildren(): Promise<TraceTreeNode[]> {
    if (this.stale) {
      this.stale = false;
      try {
        const page = await this.collector.listTraces(toTraceFilter(this.filter, Date.now(), PAGE_SIZE));
        this.list = mergeNewestPage(this.list, page);
        this.updateViewText(null);
      } catch (err) {
        this.updateViewText(`Could not list traces: ${(err as Error).message}`);
      }
      this.loadedOnce.fire();
    }
    const nodes: TraceTreeNode[] = this.list.traces.map((summary) => ({ type: 'trace', summary }));
    const before = oldestStart(this.list);
    if (this.list.hasMore && before !== undefined) nodes.push({ type: 'more', before });
    return nodes;
  }

  private async detail(traceId: string): Promise<TraceDetail | null> {
    const cached = this.details.get(traceId);
    if (cached) return cached;
    const detail = await this.collector.getTrace(traceId);
    if (detail) {
      this.details.set(traceId, detail);
      // Map order is insertion order: the first key is the least recently fetched.
      if (this.details.size > DETAIL_CACHE) this.details.delete(this.details.keys().next().value as string);
    }
    return detail;
  }

  private updateViewText(error: string | null): void {
    if (!this.view) return;
    const filtered = isFiltered(this.filter);
    const filter = describeFilter(this.filter);
    this.view.description = filtered ? filter : undefined;
    // The description is hidden when the view's title is merged into its container's: say it
    // in the message as well, so a filtered list never passes for the whole list.
    if (error) this.view.message = error;
    else if (filtered && this.list.traces.length === 0) this.view.message = `No traces match: ${filter}. Clear the filters to see all traces.`;
    else if (filtered) this.view.message = `Filtered: ${filter}`;
    else this.view.message = undefined;
  }

  dispose(): void {
    this.refreshSoon.dispose();
    this.changed.dispose();
    this.loadedOnce.dispose();
  }
}

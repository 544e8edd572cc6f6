// The status bar item: collector state and port, today's calls and cost; a click opens the
// Traces view (or, when the collector is in trouble, says what is wrong and what to do).
import * as vscode from 'vscode';
import type { CollectorConnection } from '../client/collector-connection';
import { coalesce } from './coalesce';
import { startOfDay } from './trace-filter';
import type { ForwardingStatus } from '../server/rpc';
import { statusText, type TodayFigures } from './status-text';

/** Forwarding retries on its own between spans: its health is polled this often while it is on. */
const FORWARDING_POLL_MS = 15_000;

export class CollectorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('stacklens.status', vscode.StatusBarAlignment.Left, 50);
  private today: TodayFigures | null = null;
  private forwardingStatus: ForwardingStatus | null = null;
  private readonly forwardingPoll = setInterval(() => {
    if (this.forwardingStatus?.enabled) this.refreshSoon();
  }, FORWARDING_POLL_MS);
  private readonly refreshSoon = coalesce(() => void this.refreshToday(), 1000);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly connection: CollectorConnection) {
    this.item.name = 'StackLens Collector';
    this.subscriptions.push(connection.onState((state) => {
      if (state.phase === 'ready') this.refreshSoon();
      this.render();
    }));
    this.render();
    this.item.show();
  }

  onStoreChange(): void {
    this.refreshSoon();
  }

  get text(): string {
    return this.item.text;
  }

  /** the tooltip's lines as plain text, for the test suite */
  get tooltipText(): string {
    return this.tooltipLines.join('\n');
  }
  private tooltipLines: string[] = [];

  /** Reads today's figures and the forwarding health now (also for the test suite). */
  refresh(): Promise<void> {
    return this.refreshToday();
  }

  private async refreshToday(): Promise<void> {
    if (this.connection.state.phase !== 'ready') return;
    try {
      const stats = await this.connection.stats({ since: startOfDay(Date.now()) });
      this.today = { calls: stats.totals.calls, cost_usd: stats.totals.cost_usd };
    } catch {
      this.today = null;
    }
    try {
      this.forwardingStatus = await this.connection.forwarding();
    } catch {
      // a collector of an older StackLens (another window) has no forwarding route
      this.forwardingStatus = null;
    }
    this.render();
  }

  private render(): void {
    const state = this.connection.state;
    const view = statusText(state, state.phase === 'ready' ? this.today : null, state.phase === 'ready' ? this.forwardingStatus : null);
    this.item.text = view.text;
    this.tooltipLines = view.tooltip;
    const tooltip = new vscode.MarkdownString();
    view.tooltip.forEach((line) => tooltip.appendText(line).appendMarkdown('  \n'));
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      view.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.command = state.phase === 'ready' && !state.error ? 'stacklens.openTracesView' : 'stacklens.showCollectorStatus';
  }

  dispose(): void {
    this.refreshSoon.dispose();
    clearInterval(this.forwardingPoll);
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}

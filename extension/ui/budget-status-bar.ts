// The budget status bar item: `$842 / $1,000`, the warning colour from the threshold on, and a
// notification once per month and threshold when one is crossed. Hidden when nothing is budgeted.
import * as vscode from 'vscode';
import type { CollectorConnection } from '../client/collector-connection';
import type { BudgetStatus } from '../server/budget';
import { budgetNotices, budgetView, type NoticeMemory } from './budget-text';
import { coalesce } from './coalesce';

const MEMORY_KEY = 'stacklens.budget.noticed';
const OPEN_DASHBOARD = 'Open Dashboard';
const OPEN_SETTINGS = 'Budget Settings';
/** the month turns over with no store change to announce it */
const ROLLOVER_CHECK_MS = 10 * 60_000;

export class BudgetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('stacklens.budget', vscode.StatusBarAlignment.Left, 49);
  private readonly refreshSoon = coalesce(() => void this.refresh(), 1000);
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly ticker: NodeJS.Timeout;
  private last: BudgetStatus | null = null;

  constructor(
    private readonly connection: CollectorConnection,
    private readonly memory: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'StackLens Budget';
    this.item.command = 'stacklens.openDashboard';
    this.subscriptions.push(connection.onState((state) => {
      if (state.phase === 'ready') this.refreshSoon();
      else this.item.hide();
    }));
    this.ticker = setInterval(() => this.refreshSoon(), ROLLOVER_CHECK_MS);
  }

  onStoreChange(): void {
    this.refreshSoon();
  }

  /** What the item shows, '' while hidden (for the in-VS Code tests). */
  get text(): string {
    return this.last && budgetView(this.last) ? this.item.text : '';
  }

  get status(): BudgetStatus | null {
    return this.last;
  }

  async refresh(): Promise<void> {
    if (this.connection.state.phase !== 'ready') return;
    let status: BudgetStatus;
    try {
      status = await this.connection.budget();
    } catch (err) {
      this.log.warn(`the budget could not be read: ${(err as Error).message}`);
      return;
    }
    this.last = status;
    this.render(status);
    this.announce(status);
  }

  private render(status: BudgetStatus): void {
    const view = budgetView(status);
    if (!view) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString();
    view.tooltip.forEach((line) => tooltip.appendText(line).appendMarkdown('  \n'));
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      view.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
  }

  private announce(status: BudgetStatus): void {
    const { notices, memory } = budgetNotices(status, this.memory.get<NoticeMemory>(MEMORY_KEY) ?? null);
    void this.memory.update(MEMORY_KEY, memory);
    for (const notice of notices) {
      this.log.info(notice.message);
      const show = notice.level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
      void show(notice.message, OPEN_DASHBOARD, OPEN_SETTINGS).then((answer) => {
        if (answer === OPEN_DASHBOARD) void vscode.commands.executeCommand('stacklens.openDashboard');
        if (answer === OPEN_SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', 'stacklens.budget');
      });
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.refreshSoon.dispose();
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}

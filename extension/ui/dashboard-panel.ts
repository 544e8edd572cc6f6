// The usage dashboard and SQL console in VS Code: one webview panel (dist/dashboard.js) with two
// views, talking through DashboardHost (dashboard-host.ts). A store change brings a fresh report
// while the panel is visible.
import * as vscode from 'vscode';
import type { CollectorApi } from '../server/rpc';
import { panelHtml, type DashboardView } from '../../webview/protocol';
import { coalesce } from './coalesce';
import { DashboardHost } from './dashboard-host';
import { createNonce } from './panel-html';

export const DASHBOARD_VIEW_TYPE = 'stacklens.dashboard';

export interface DashboardContext {
  extensionUri: vscode.Uri;
  collector: CollectorApi;
  log: vscode.LogOutputChannel;
}

export class Dashboard implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private readonly host: DashboardHost;
  private readonly panelSubscriptions: vscode.Disposable[] = [];
  private readonly refreshSoon = coalesce(() => void this.host.sendUsage(), 2000);

  constructor(private readonly ctx: DashboardContext) {
    this.host = new DashboardHost({
      collector: ctx.collector,
      post: (message) => void this.panel?.webview.postMessage(message),
      openTrace: async (traceId) => void (await vscode.commands.executeCommand('stacklens.openTrace', traceId)),
      openBudgetSettings: async () => void (await vscode.commands.executeCommand('workbench.action.openSettings', 'stacklens.budget')),
      copy: async (text) => {
        await vscode.env.clipboard.writeText(text);
        vscode.window.setStatusBarMessage('$(check) Copied to the clipboard', 2000);
      },
      log: (level, message) => ctx.log[level](message),
    });
  }

  get isOpen(): boolean {
    return this.panel !== null;
  }

  /** Opens (or brings forward) the dashboard on a view. */
  open(view: DashboardView = 'usage'): void {
    this.host.showView(view);
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const dist = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'StackLens Dashboard', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist],
      enableFindWidget: true,
    });
    this.panel = panel;
    this.host.reset();
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extensionUri, 'media', 'stacklens.svg');
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'dashboard.js')).toString(),
      nonce: createNonce(),
      title: 'StackLens dashboard',
    });
    this.panelSubscriptions.push(
      panel.webview.onDidReceiveMessage((data) => void this.host.receive(data)),
      panel.onDidDispose(() => this.closed()),
    );
  }

  /** New spans or scores: the visible dashboard shows them (once per burst). */
  onStoreChange(): void {
    if (this.panel?.visible && this.host.showsUsage) this.refreshSoon();
  }

  private closed(): void {
    this.refreshSoon.dispose();
    this.panelSubscriptions.splice(0).forEach((s) => s.dispose());
    this.panel = null;
    this.host.reset();
  }

  dispose(): void {
    this.panel?.dispose();
    this.closed();
  }
}

export function registerDashboardCommands(dashboard: Dashboard): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('stacklens.openDashboard', () => dashboard.open('usage')),
    vscode.commands.registerCommand('stacklens.openSqlConsole', () => dashboard.open('sql')),
  ];
}

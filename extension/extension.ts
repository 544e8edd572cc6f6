// StackLens in VS Code: the composition root. It wires the parts and registers what they need
// disposed; each part lives in its own module (client/: the collector; ui/: what the user sees).
// Activation does no heavy work: the collector starts in a worker thread, nothing here waits on it.
import * as vscode from 'vscode';
import { CollectorConnection } from './client/collector-connection';
import { newToken, resolveToken } from './client/token';
import { BudgetStatusBar } from './ui/budget-status-bar';
import { CallSiteLensProvider } from './ui/call-site-lenses';
import { coalesce } from './ui/coalesce';
import { CollectorNotices, registerCollectorCommands } from './ui/collector-commands';
import { Dashboard, registerDashboardCommands } from './ui/dashboard-panel';
import { registerFilterCommands } from './ui/filter-commands';
import { registerForwardCommands } from './ui/forward-commands';
import { registerMcpCommands, StackLensMcpServer } from './ui/mcp-server';
import { privacyOptions } from './ui/privacy-options';
import { registerTraceFileCommands } from './ui/trace-file-commands';
import { TRACE_FILE_VIEW_TYPE, TraceFileEditor } from './ui/trace-file-editor';
import { registerJudgeCommands } from './ui/judge-commands';
import { languageModelJudge } from './ui/language-model-judge';
import { COLLECTOR_SETTINGS, evalsFilePath, judgeOption, readSettings, type StackLensSettings } from './ui/settings';
import { CollectorStatusBar } from './ui/status-bar';
import { TerminalEnvironment } from './ui/terminal-env';
import { registerTraceCommands } from './ui/trace-commands';
import { TracePanels } from './ui/trace-panel';
import { openSource } from './ui/source-opener';
import { TraceTreeProvider } from './ui/traces-view';

/** What activate() returns: the parts, for the test suite inside VS Code and for other extensions. */
export interface StackLensApi {
  connection: CollectorConnection;
  traces: TraceTreeProvider;
  lenses: CallSiteLensProvider;
  panels: TracePanels;
  statusBar: CollectorStatusBar;
  budgetBar: BudgetStatusBar;
  dashboard: Dashboard;
  terminals: TerminalEnvironment;
  mcp: StackLensMcpServer;
  traceFiles: TraceFileEditor;
}

let connection: CollectorConnection | undefined;

export function activate(context: vscode.ExtensionContext): StackLensApi {
  const log = vscode.window.createOutputChannel('StackLens', { log: true });
  const dataDir = context.globalStorageUri.fsPath;
  const settings = currentSettings(log);

  // The collector: owned by this window, or shared with the window that owns it.
  connection = new CollectorConnection({
    workerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'collector-worker.js').fsPath,
    dataDir, ...collectorOptions(settings), token: '',
  });
  const collector = connection;
  // privacy, forwarding and the store key: from settings and SecretStorage (the encrypted store has its own folder)
  const privacy = async (next: StackLensSettings) => {
    const { options, problems } = await privacyOptions(next, context.secrets, dataDir);
    warn(log, problems);
    return options;
  };
  const restart = async () => {
    const next = currentSettings(log);
    await collector.restart({ ...collectorOptions(next), ...(await privacy(next)), token: await tokenFor(next, dataDir, log) });
  };
  // setting a forwarding header changes a secret and a setting at once: one restart for both
  const restartSoon = coalesce(() => void restart().catch((err: Error) => log.error(`StackLens could not restart its collector: ${err.message}`)), 300);

  // What the user sees.
  const traces = new TraceTreeProvider(collector);
  const tracesView = vscode.window.createTreeView('stacklens.traces', { treeDataProvider: traces, showCollapseAll: true });
  traces.attach(tracesView);
  const lenses = new CallSiteLensProvider(collector, settings.codeLensEnabled, log);
  const panels = new TracePanels({ extensionUri: context.extensionUri, collector, openSource, log });
  const statusBar = new CollectorStatusBar(collector);
  const budgetBar = new BudgetStatusBar(collector, context.globalState, log);
  const dashboard = new Dashboard({ extensionUri: context.extensionUri, collector, log });
  const terminals = new TerminalEnvironment(context.environmentVariableCollection);
  const notices = new CollectorNotices({ connection: collector, extensionUri: context.extensionUri, restart, log });
  const mcp = new StackLensMcpServer(collector);
  const traceFiles = new TraceFileEditor({ extensionUri: context.extensionUri, collector, openSource, log });

  // Live: the collector announces changes, every view refreshes what it shows.
  const refreshLenses = () => lenses.onStoreChange();
  context.subscriptions.push(
    log, tracesView, traces, { dispose: restartSoon.dispose }, lenses, panels, statusBar, budgetBar, dashboard, mcp, traceFiles,
    vscode.window.registerCustomEditorProvider(TRACE_FILE_VIEW_TYPE, traceFiles, { supportsMultipleEditorsPerDocument: true }),
    vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'untitled' }], lenses),
    collector.onChange((change) => {
      traces.onStoreChange(change);
      lenses.onStoreChange();
      panels.onStoreChange(change);
      statusBar.onStoreChange();
      budgetBar.onStoreChange();
      dashboard.onStoreChange();
    }),
    collector.onState((state) => {
      if (state.phase === 'ready' && state.url) {
        terminals.apply(state.url, state.token);
        traces.refresh();
        refreshLenses();
      }
      notices.stateChanged(state);
    }),
    ...registerTraceCommands({ collector, traces, panels, refreshLenses }),
    ...registerFilterCommands(collector, traces),
    ...registerJudgeCommands({ collector, panels, log }),
    ...registerDashboardCommands(dashboard),
    ...registerTraceFileCommands({ collector, traces, panels, fileEditor: traceFiles }),
    ...registerForwardCommands(context.secrets),
    ...registerMcpCommands(collector),
    context.secrets.onDidChange((e) => {
      if (e.key.startsWith('stacklens.forward.header.')) restartSoon();
    }),
    ...registerCollectorCommands({ connection: collector, extensionUri: context.extensionUri, restart, log }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (COLLECTOR_SETTINGS.some((key) => e.affectsConfiguration(key))) restartSoon();
      if (e.affectsConfiguration('stacklens.codeLens.enabled')) lenses.setEnabled(currentSettings(log).codeLensEnabled);
    }),
    // the default evals file is the first folder's .stacklens/evals.json
    vscode.workspace.onDidChangeWorkspaceFolders(() => restartSoon()),
  );

  // Start in the background: the token is read (or made) from the data folder, then the
  // collector starts; terminals get the expected address at once and the real one when known.
  void (async () => {
    const token = await tokenFor(settings, dataDir, log);
    if (settings.port !== 0) terminals.apply(`http://127.0.0.1:${settings.port}`, token);
    await collector.restart({ ...(await privacy(settings)), token });
  })().catch((err: Error) => log.error(`StackLens could not start its collector: ${err.message}`));

  return { connection: collector, traces, lenses, panels, statusBar, budgetBar, dashboard, terminals, mcp, traceFiles };
}

/** Flushes the journal, snapshots the store and stops the worker (or stops polling the owner). */
export async function deactivate(): Promise<void> {
  await connection?.dispose();
  connection = undefined;
}

function currentSettings(log: vscode.LogOutputChannel): StackLensSettings {
  const config = vscode.workspace.getConfiguration('stacklens');
  const { settings, problems } = readSettings((key) => config.get(key));
  warn(log, problems);
  return settings;
}

function warn(log: vscode.LogOutputChannel, problems: string[]): void {
  for (const problem of problems) {
    log.warn(problem);
    void vscode.window.showWarningMessage(`StackLens: ${problem}`);
  }
}

function collectorOptions(settings: StackLensSettings) {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return {
    port: settings.port, retention: settings.retention, priceOverrides: settings.priceOverrides,
    budget: settings.budget,
    evalsFile: evalsFilePath(settings.evals.file, folder?.scheme === 'file' ? folder.fsPath : undefined),
    judge: judgeOption(settings.evals.judge, process.env.STACKLENS_JUDGE_API_KEY || undefined),
    mainThreadJudge: languageModelJudge(settings.evals.judge.model),
  };
}

async function tokenFor(settings: StackLensSettings, dataDir: string, log: vscode.LogOutputChannel): Promise<string> {
  try {
    return await resolveToken(settings.token, dataDir);
  } catch (err) {
    // Without a kept token the collector still runs for this session with a fresh one.
    log.error((err as Error).message);
    void vscode.window.showWarningMessage(`StackLens: ${(err as Error).message}`);
    return newToken();
  }
}

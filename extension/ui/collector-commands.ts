// The collector as the user sees it: its status and what to do when it is in trouble (a port
// taken by another program → offer a free one), restart, the environment for other shells, and
// the demo of the walkthrough.
import { access } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { CollectorConnection, ConnectionState } from '../client/collector-connection';
import { collectorEnvironment, exportLines } from '../client/collector-env';
import { isStoreKeyError, storeKeyAdvice } from '../client/store-key';

export interface CollectorCommandDeps {
  connection: CollectorConnection;
  extensionUri: vscode.Uri;
  /** re-reads the settings and the token, then reconnects */
  restart(): Promise<void>;
  log: vscode.LogOutputChannel;
}

const USE_FREE_PORT = 'Use a Free Port';
const OPEN_SETTINGS = 'Open Settings';
const RESTART = 'Restart Collector';
const SHOW_LOG = 'Show Log';

/** Says once per distinct failure what went wrong and offers the way out. */
export class CollectorNotices {
  private lastShown: string | null = null;

  constructor(private readonly deps: CollectorCommandDeps) {}

  stateChanged(state: ConnectionState): void {
    if (state.phase === 'ready') this.deps.log.info(`collector ${state.role === 'owner' ? 'running' : 'shared'} at ${state.url} (data: ${state.dataDir})`);
    if (state.phase !== 'failed' || !state.error || state.error === this.lastShown) {
      if (state.phase === 'ready') this.lastShown = null;
      return;
    }
    this.lastShown = state.error;
    this.deps.log.error(`collector: ${state.error}`);
    void this.offer(state);
  }

  private async offer(state: ConnectionState): Promise<void> {
    if (state.conflictPort !== null) {
      const answer = await vscode.window.showWarningMessage(`StackLens: ${state.error}`, USE_FREE_PORT, OPEN_SETTINGS);
      if (answer === USE_FREE_PORT) await this.deps.connection.useFreePort();
      if (answer === OPEN_SETTINGS) await vscode.commands.executeCommand('workbench.action.openSettings', 'stacklens.port');
      return;
    }
    if (isStoreKeyError(state.error)) {
      // never a silent empty store: the traces are there, locked; say how to get at them
      const answer = await vscode.window.showErrorMessage(`StackLens cannot open its encrypted store: ${state.error}. ${storeKeyAdvice(state.dataDir)}`, OPEN_SETTINGS, SHOW_LOG);
      if (answer === OPEN_SETTINGS) await vscode.commands.executeCommand('workbench.action.openSettings', 'stacklens.privacy.encryptAtRest');
      if (answer === SHOW_LOG) this.deps.log.show();
      return;
    }
    const answer = await vscode.window.showErrorMessage(`StackLens: the collector is not running: ${state.error}`, RESTART, SHOW_LOG);
    if (answer === RESTART) await this.deps.restart();
    if (answer === SHOW_LOG) this.deps.log.show();
  }
}

export function describeState(state: ConnectionState): string {
  switch (state.phase) {
    case 'ready':
      return state.role === 'owner'
        ? `StackLens collector: listening on ${state.url}, run by this window. Data folder: ${state.dataDir}.`
        : `StackLens collector: using the one another VS Code window runs at ${state.url}; this window takes over when that one closes.${state.error ? ` Problem: ${state.error}` : ''}`;
    case 'starting':
      return 'StackLens collector: starting…';
    case 'stopped':
      return 'StackLens collector: stopped.';
    case 'failed':
      return `StackLens collector: not running — ${state.error ?? 'unknown reason'}`;
  }
}

export function registerCollectorCommands(deps: CollectorCommandDeps): vscode.Disposable[] {
  const { connection } = deps;
  return [
    vscode.commands.registerCommand('stacklens.showCollectorStatus', async () => {
      const state = connection.state;
      const actions = [RESTART, 'Copy Environment', SHOW_LOG];
      if (state.conflictPort !== null) actions.unshift(USE_FREE_PORT);
      const answer = state.phase === 'failed'
        ? await vscode.window.showWarningMessage(describeState(state), ...actions)
        : await vscode.window.showInformationMessage(describeState(state), ...actions);
      if (answer === RESTART) await deps.restart();
      if (answer === USE_FREE_PORT) await connection.useFreePort();
      if (answer === 'Copy Environment') await vscode.commands.executeCommand('stacklens.copyEnvironment');
      if (answer === SHOW_LOG) deps.log.show();
    }),
    vscode.commands.registerCommand('stacklens.restartCollector', () => deps.restart()),
    vscode.commands.registerCommand('stacklens.useFreePort', () => connection.useFreePort()),
    vscode.commands.registerCommand('stacklens.copyEnvironment', async () => {
      const state = connection.state;
      if (state.phase !== 'ready' || !state.url) {
        void vscode.window.showErrorMessage(`StackLens: there is no collector address to copy yet (${describeState(state)})`);
        return;
      }
      const env = collectorEnvironment(state.url, state.token);
      await vscode.env.clipboard.writeText(`${exportLines(env)}\n`);
      void vscode.window.showInformationMessage(
        `StackLens: copied ${Object.keys(env).length} export lines. Paste them into a shell outside VS Code; integrated terminals have them already.`,
      );
    }),
    vscode.commands.registerCommand('stacklens.runDemo', () => runDemo(deps.extensionUri, connection.state)),
  ];
}

/** The demo agent needs no API key: it runs in a terminal, like the user's own program would. */
async function runDemo(extensionUri: vscode.Uri, state: ConnectionState): Promise<void> {
  if (state.phase !== 'ready' || state.port === null) {
    void vscode.window.showErrorMessage(`StackLens: start the collector before the demo (${describeState(state)})`);
    return;
  }
  const candidates = ['dist/demo.js', 'examples/demo/run.mjs'].map((p) => vscode.Uri.joinPath(extensionUri, p).fsPath);
  let script: string | undefined;
  for (const candidate of candidates) {
    if (await access(candidate).then(() => true, () => false)) {
      script = candidate;
      break;
    }
  }
  if (!script) {
    void vscode.window.showErrorMessage(`StackLens: the demo is not part of this installation (looked for ${candidates.join(', ')}).`);
    return;
  }
  const terminal = vscode.window.createTerminal({ name: 'StackLens demo' });
  terminal.show();
  // The demo reuses the collector on --port (this window's, or the one it shares) instead of
  // starting its own; the terminal's environment carries the token.
  terminal.sendText(`node ${JSON.stringify(script)} --port ${state.port}`);
}

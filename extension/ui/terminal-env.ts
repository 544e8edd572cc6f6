// Every integrated terminal gets the collector's address and token, so a program started there
// traces with no setup. Updated whenever the collector's URL changes (a free port, a takeover);
// VS Code offers to relaunch terminals that were opened before.
import type * as vscode from 'vscode';
import { collectorEnvironment } from '../client/collector-env';

export class TerminalEnvironment {
  private applied = '';

  constructor(private readonly collection: vscode.GlobalEnvironmentVariableCollection) {
    // Not persisted: a port from an earlier session may no longer be ours.
    collection.persistent = false;
    collection.description = 'Sends traces of programs run here to StackLens';
  }

  /** The value terminals get for `name`, or undefined. */
  variable(name: string): string | undefined {
    return this.collection.get(name)?.value;
  }

  apply(url: string, token: string): void {
    const key = `${url}\0${token}`;
    if (key === this.applied) return;
    this.applied = key;
    for (const [name, value] of Object.entries(collectorEnvironment(url, token))) this.collection.replace(name, value);
  }
}

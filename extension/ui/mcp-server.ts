// The collector's MCP server registered with VS Code (where the editor has the MCP API, 1.101+),
// so agent mode finds "StackLens" without a config file; and the command that copies the
// `.vscode/mcp.json` snippet for every other setup.
import * as vscode from 'vscode';
import type { CollectorConnection, ConnectionState } from '../client/collector-connection';
import { MCP_PROVIDER_ID, MCP_SERVER_LABEL, mcpEndpoint, mcpJsonSnippet } from './mcp-config';

// @types/vscode is 1.100, older than the MCP API: what is used of it, declared here.
interface McpHttpServerDefinitionClass {
  new (label: string, uri: vscode.Uri, headers?: Record<string, string>, version?: string): McpHttpDefinition;
}
export interface McpHttpDefinition {
  label: string;
  uri: vscode.Uri;
  headers: Record<string, string>;
}
interface McpProvider {
  onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): McpHttpDefinition[];
}
interface McpLanguageModelApi {
  registerMcpServerDefinitionProvider(id: string, provider: McpProvider): vscode.Disposable;
}

export class StackLensMcpServer implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  private shown = '';
  /** false where this VS Code has no MCP API (then only the copy command helps) */
  readonly registered: boolean;

  constructor(private readonly connection: CollectorConnection) {
    const lm = vscode.lm as unknown as Partial<McpLanguageModelApi>;
    const Definition = (vscode as unknown as { McpHttpServerDefinition?: McpHttpServerDefinitionClass }).McpHttpServerDefinition;
    this.registered = typeof lm.registerMcpServerDefinitionProvider === 'function' && typeof Definition === 'function';
    if (this.registered) {
      this.subscriptions.push(lm.registerMcpServerDefinitionProvider!(MCP_PROVIDER_ID, {
        onDidChangeMcpServerDefinitions: this.changed.event,
        provideMcpServerDefinitions: () => this.definitions(Definition!),
      }));
    }
    this.shown = this.key(connection.state);
    this.subscriptions.push(connection.onState((state) => {
      // a new port or token is a new server for VS Code: tell it to ask again
      const key = this.key(state);
      if (key === this.shown) return;
      this.shown = key;
      this.changed.fire();
    }));
  }

  private key(state: ConnectionState): string {
    return state.phase === 'ready' ? `${state.url} ${state.token}` : '';
  }

  /** What VS Code is given now: the collector's /mcp with its token, or nothing while it is not running. */
  definitions(Definition?: McpHttpServerDefinitionClass): McpHttpDefinition[] {
    const state = this.connection.state;
    const endpoint = state.phase === 'ready' ? mcpEndpoint(state.url, state.token) : null;
    if (!endpoint) return [];
    const uri = vscode.Uri.parse(endpoint.url);
    if (Definition) return [new Definition(MCP_SERVER_LABEL, uri, endpoint.headers)];
    return [{ label: MCP_SERVER_LABEL, uri, headers: endpoint.headers }];
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}

export function registerMcpCommands(connection: CollectorConnection): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('stacklens.copyMcpConfiguration', async () => {
      const state = connection.state;
      if (state.phase !== 'ready' || !state.url) {
        void vscode.window.showErrorMessage(`StackLens: the collector is not running (${state.error ?? state.phase}), so there is no MCP address to copy yet. Run "StackLens: Restart Collector".`);
        return undefined;
      }
      const snippet = mcpJsonSnippet(state.url);
      await vscode.env.clipboard.writeText(snippet);
      void vscode.window.showInformationMessage('StackLens: copied the .vscode/mcp.json configuration. VS Code asks for the token when the server starts: it is STACKLENS_API_KEY in StackLens terminals ("StackLens: Copy Environment").');
      return snippet;
    }),
  ];
}

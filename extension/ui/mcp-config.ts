// The collector's MCP server (docs/mcp.md) as agents configure it: the definition VS Code gets
// from the extension, and the `.vscode/mcp.json` snippet for setups without that API.

export const MCP_SERVER_LABEL = 'StackLens';
export const MCP_PROVIDER_ID = 'stacklens.mcp';

export interface McpEndpoint {
  url: string;
  headers: Record<string, string>;
}

/** `${collector url}/mcp` with the collector's token; null while no collector is reachable. */
export function mcpEndpoint(collectorUrl: string | null, token: string): McpEndpoint | null {
  if (!collectorUrl) return null;
  return { url: `${collectorUrl.replace(/\/+$/, '')}/mcp`, headers: { Authorization: `Bearer ${token}` } };
}

/**
 * The `.vscode/mcp.json` of docs/mcp.md for this collector. The token is asked for as an input
 * (VS Code keeps it as a secret) so the file can be committed without it.
 */
export function mcpJsonSnippet(collectorUrl: string): string {
  const config = {
    servers: {
      stacklens: {
        type: 'http',
        url: `${collectorUrl.replace(/\/+$/, '')}/mcp`,
        headers: { Authorization: 'Bearer ${input:stacklens-token}' },
      },
    },
    inputs: [
      { id: 'stacklens-token', type: 'promptString', description: 'StackLens token (STACKLENS_API_KEY)', password: true },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

// POST /mcp: the Model Context Protocol over streamable HTTP, served by the official SDK's
// McpServer and StreamableHTTPServerTransport on the collector's own node:http server, so the
// Host/Origin checks, the bearer token and the body limits of every route apply to it too.
// Stateless: each request gets its own server and transport (no sessions to keep or leak), and
// answers as plain JSON; GET /mcp (a server-to-client event stream) is answered 405, which the
// protocol allows for servers that send nothing unasked.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Route } from '../api-routes';
import { VERSION } from '../version';
import { registerTools, type McpToolDeps } from './tools';

const INSTRUCTIONS =
  'StackLens holds the traces of the LLM calls and agent runs of the app being developed on this machine (prompts, completions, ' +
  'tokens, cost, latency, errors, code locations). To find out why the last run failed: list_traces with status "error" and limit 1, ' +
  'then get_trace with its trace_id; get_span reads one span in full. get_callsite_stats tells how the LLM calls made from a file behave.';

export function createMcpServer(deps: McpToolDeps): McpServer {
  const server = new McpServer({ name: 'stacklens', title: 'StackLens', version: VERSION }, { instructions: INSTRUCTIONS });
  registerTools(server, deps);
  return server;
}

export function mcpRoute(deps: McpToolDeps): Route {
  return {
    method: 'POST',
    pattern: /^\/mcp$/,
    async handle(ctx) {
      const raw = (await ctx.body()).toString('utf8');
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch (err) {
        // JSON-RPC's own answer to unreadable JSON, so MCP clients show it as such
        const body = { jsonrpc: '2.0', id: null, error: { code: -32700, message: `the body is not valid JSON: ${(err as Error).message}` } };
        return { status: 400, body };
      }
      const server = createMcpServer(deps);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      ctx.res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(ctx.req, ctx.res, message);
      return null;
    },
  };
}

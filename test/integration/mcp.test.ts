// The collector's MCP server, called by the official MCP TypeScript SDK client over streamable
// HTTP against the real CLI collector (run `npm run build` first).
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startCollector, type RunningCollector } from '../support/collector';

const FAILED = '1f'.repeat(16);
const OK = '2e'.repeat(16);
const RECOVERED = '3d'.repeat(16);
const LONG_PROMPT = 'Summarise the refund policy. ' + 'Context paragraph. '.repeat(200);

function textOf(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text: string }> }).content;
  return content.map((c) => c.text).join('\n');
}
const parsed = (result: unknown) => JSON.parse(textOf(result));

async function connect(c: RunningCollector, token = c.token): Promise<Client> {
  const client = new Client({ name: 'stacklens-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(c.url + '/mcp'), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  return client;
}

describe('MCP server (official MCP SDK client)', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let client: Client;
  const now = Date.now();

  before(async () => {
    c = await startCollector();
    const spans = [
      { trace_id: OK, span_id: '0000000000000a01', name: 'weather-agent', kind: 'agent', start_time: now - 60_000, duration_ms: 900 },
      { trace_id: OK, span_id: '0000000000000a02', parent_span_id: '0000000000000a01', name: 'chat gpt-4o-mini', model: 'gpt-4o-mini', provider: 'openai', input_tokens: 40, output_tokens: 9, prompt: 'Weather in Paris?', completion: 'Rainy.', start_time: now - 59_900, duration_ms: 500, code_file: 'src/weather.ts', code_line: 12, code_function: 'ask' },
      { trace_id: RECOVERED, span_id: '0000000000000c01', name: 'retrying-agent', kind: 'agent', start_time: now - 120_000, duration_ms: 3000, status: 'ok' },
      { trace_id: RECOVERED, span_id: '0000000000000c02', parent_span_id: '0000000000000c01', name: 'flaky_tool', kind: 'tool', start_time: now - 119_000, duration_ms: 1000, status: 'error', status_message: 'TimeoutError: no answer in 1 s' },
      { trace_id: FAILED, span_id: '0000000000000b01', name: 'support-agent', kind: 'agent', start_time: now - 1000, duration_ms: 800, status: 'error', status_message: 'tool lookup_order failed' },
      { trace_id: FAILED, span_id: '0000000000000b02', parent_span_id: '0000000000000b01', name: 'chat claude-sonnet-4', model: 'claude-sonnet-4-20250514', provider: 'anthropic', input_tokens: 1200, output_tokens: 30, prompt: LONG_PROMPT, completion: 'Calling lookup_order.', start_time: now - 950, duration_ms: 400, code_file: 'src/support/agent.ts', code_line: 41, code_function: 'answer' },
      {
        trace_id: FAILED, span_id: '0000000000000b03', parent_span_id: '0000000000000b01', name: 'lookup_order', kind: 'tool', start_time: now - 500, duration_ms: 120,
        status: 'error', status_message: 'OrderNotFound: order 8812 does not exist', code_file: 'src/support/tools.ts', code_line: 77, code_function: 'lookupOrder',
        events: [{ name: 'exception', attributes: { 'exception.type': 'OrderNotFound', 'exception.message': 'order 8812 does not exist', 'exception.stacktrace': 'OrderNotFound: order 8812 does not exist\n    at lookupOrder (src/support/tools.ts:77:11)' } }],
      },
    ];
    const res = await c.request('POST', '/api/v1/spans', { spans });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    client = await connect(c);
  });
  after(async () => {
    await client?.close();
    assert.equal(await c.stop(), 0);
  });

  it('offers the seven tools, each with a description and an input schema', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add_score', 'get_callsite_stats', 'get_span', 'get_trace', 'list_traces', 'record_span', 'search_traces']);
    for (const t of tools) {
      assert.ok((t.description ?? '').length > 60, `${t.name} is described for an agent`);
      assert.equal(t.inputSchema.type, 'object');
    }
    const getTrace = tools.find((t) => t.name === 'get_trace')!;
    assert.deepEqual(getTrace.inputSchema.required, ['trace_id']);
    assert.match(client.getInstructions() ?? '', /why the last run failed/);
  });

  it('answers "why did the last run fail?" in one call: list_traces with status error names the failing span, message and code', async () => {
    const result = parsed(await client.callTool({ name: 'list_traces', arguments: { status: 'error', limit: 1 } }));
    assert.equal(result.traces.length, 1);
    const t = result.traces[0];
    assert.equal(t.trace_id, FAILED);
    assert.equal(t.status, 'error');
    assert.equal(t.first_error, 'lookup_order: OrderNotFound: order 8812 does not exist (src/support/tools.ts:77 in lookupOrder)');
    assert.deepEqual(t.models, ['claude-sonnet-4-20250514']);
  });

  it('lists newest first with filters, and refuses a bad time with a message the agent can act on', async () => {
    const all = parsed(await client.callTool({ name: 'list_traces', arguments: {} }));
    assert.deepEqual(all.traces.map((t: { trace_id: string }) => t.trace_id), [FAILED, OK, RECOVERED]);
    const recovered = all.traces[2];
    assert.equal(recovered.status, 'ok', 'the root recovered');
    assert.equal(recovered.first_error, 'flaky_tool: TimeoutError: no answer in 1 s', 'a failure under a recovered root is still named');
    assert.equal(all.traces[1].first_error, undefined);
    const byModel = parsed(await client.callTool({ name: 'list_traces', arguments: { model: 'gpt-4o-mini', since: '1h' } }));
    assert.deepEqual(byModel.traces.map((t: { trace_id: string }) => t.trace_id), [OK]);
    const bad = await client.callTool({ name: 'list_traces', arguments: { since: 'last tuesday' } });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /since: "last tuesday" is not a time/);
  });

  it('search_traces finds a trace by span name', async () => {
    const result = parsed(await client.callTool({ name: 'search_traces', arguments: { q: 'lookup_order' } }));
    assert.deepEqual(result.traces.map((t: { trace_id: string }) => t.trace_id), [FAILED]);
  });

  it('get_trace puts the errors first with stack trace and path, outlines the tree, and cuts long content with a flag', async () => {
    const view = parsed(await client.callTool({ name: 'get_trace', arguments: { trace_id: FAILED } }));
    assert.deepEqual(Object.keys(view).slice(0, 3), ['trace', 'errors', 'outline']);
    const cause = view.errors.find((e: { name: string }) => e.name === 'lookup_order');
    assert.equal(cause.message, 'OrderNotFound: order 8812 does not exist');
    assert.equal(cause.path, 'support-agent > lookup_order');
    assert.equal(cause.code, 'src/support/tools.ts:77 in lookupOrder');
    assert.match(cause.stacktrace, /at lookupOrder \(src\/support\/tools\.ts:77:11\)/);
    const lines = view.outline.split('\n');
    assert.match(lines[0], /^support-agent \[agent\]/);
    assert.match(lines[1], /^ {2}chat claude-sonnet-4 \[llm\] .* claude-sonnet-4-20250514 · 1200→30 tok/);
    assert.match(lines[2], /^ {2}lookup_order \[tool\] .*ERROR: OrderNotFound/);
    const llm = view.spans.find((s: { name: string }) => s.name === 'chat claude-sonnet-4');
    assert.equal(llm.input_truncated, true);
    assert.ok(llm.input.length < 700 && llm.input.startsWith('Summarise the refund policy.'));
    assert.match(view.notes.join(' '), /get_span/);

    const full = parsed(await client.callTool({ name: 'get_trace', arguments: { trace_id: FAILED, full_content: true } }));
    assert.equal(full.spans.find((s: { name: string }) => s.name === 'chat claude-sonnet-4').input, LONG_PROMPT);
  });

  it('get_span returns the full content and attributes, found from the span id alone', async () => {
    const result = parsed(await client.callTool({ name: 'get_span', arguments: { span_id: '0000000000000b02' } }));
    assert.equal(result.span.trace_id, FAILED);
    assert.equal(result.span.input, LONG_PROMPT);
    assert.equal(result.span.output, 'Calling lookup_order.');
    assert.equal(result.span.cost_source, 'computed');
    const missing = await client.callTool({ name: 'get_span', arguments: { span_id: 'ffffffffffffffff' } });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /span ffffffffffffffff not found/);
  });

  it('get_trace of an unknown trace is a tool error that says what to do', async () => {
    const result = await client.callTool({ name: 'get_trace', arguments: { trace_id: '9'.repeat(32) } });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /not found.*list_traces/);
  });

  it('get_callsite_stats tells runs and errors of the calls made from a file', async () => {
    const result = parsed(await client.callTool({ name: 'get_callsite_stats', arguments: { file: 'src/support/tools.ts' } }));
    assert.equal(result.callsites.length, 1);
    assert.equal(result.callsites[0].code_line, 77);
    assert.equal(result.callsites[0].runs, 1);
    assert.equal(result.callsites[0].error_count, 1);
  });

  it('add_score stores a score that the HTTP API shows on the trace', async () => {
    const result = parsed(await client.callTool({ name: 'add_score', arguments: { trace_id: OK, span_id: '0000000000000a02', name: 'correctness', value: 0.5, reason: 'right city, no temperature' } }));
    assert.match(result.score_id, /.+/);
    const detail = await c.request('GET', `/api/v1/traces/${OK}`);
    const score = detail.body.scores.find((s: { score_id: string }) => s.score_id === result.score_id);
    assert.equal(score.value, 0.5);
    assert.equal(score.reason, 'right city, no temperature');
    assert.equal(score.span_id, '0000000000000a02');
  });

  it('record_span stores a priced span in the simple form; a wrong field comes back as a tool error naming it', async () => {
    const result = parsed(await client.callTool({ name: 'record_span', arguments: { name: 'agent check', model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 100, prompt: 'q', completion: 'a', tags: ['mcp'] } }));
    assert.match(result.trace_id, /^[0-9a-f]{32}$/);
    assert.equal(result.kind, 'llm');
    assert.equal(result.cost_source, 'computed');
    assert.ok(result.cost_usd > 0);
    const listed = await c.request('GET', '/api/v1/traces?tag=mcp');
    assert.deepEqual(listed.body.traces.map((t: { trace_id: string }) => t.trace_id), [result.trace_id]);

    const bad = await client.callTool({ name: 'record_span', arguments: { name: 'x', input_tokens: -3 } });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /input_tokens/);
  });

  it('is behind the same bearer token as every route', async () => {
    await assert.rejects(connect(c, 'wrong-token'), /401|token/i);
    const res = await fetch(c.url + '/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.equal(res.status, 401);
  });

  it('answers GET /mcp with 405 (no server-initiated stream) and unreadable JSON with a JSON-RPC parse error', async () => {
    const get = await fetch(c.url + '/mcp', { headers: { authorization: `Bearer ${c.token}`, accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    const bad = await c.request('POST', '/mcp', '{not json', { 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, -32700);
  });
});

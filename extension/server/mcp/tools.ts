// The tools a coding agent (Copilot agent mode, Claude Code, Cursor) calls on the collector. The
// descriptions are written for the model that chooses among them: what each answers, which to
// call first for "why did the last run fail?", and how the answers point to the next call.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { parseTime } from '../http/params';
import type { Span, TraceFilter } from '../model';
import type { Store } from '../store/api';
import { DEFAULT_VIEW, firstErrorLine, scoreView, summaryView, traceView } from './trace-view';

export interface McpToolDeps {
  store: Store;
  /** stores one span in the simple form of POST /api/v1/spans (validated, priced, redacted) */
  recordSpan(body: Record<string, unknown>): Promise<Span>;
}

const TRACE_ID = z.string().regex(/^[0-9a-fA-F]{32}$|^[0-9a-fA-F-]{36}$/, 'a trace id is 32 hex characters').describe('trace id: 32 hex characters, as list_traces returns it');
const SPAN_ID = z.string().regex(/^[0-9a-fA-F]{16}$/, 'a span id is 16 hex characters').describe('span id: 16 hex characters, as get_trace returns it');
const TIME = z.string().describe('a time: "15m", "24h", "7d" (that long ago), ISO 8601, or epoch milliseconds');
const LIMIT = z.number().int().min(1).max(100).optional().describe('how many traces, newest first (default 20)');

const json = (value: unknown): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(value, null, 1) }] });
const failure = (message: string): CallToolResult => ({ content: [{ type: 'text', text: message }], isError: true });

/** Tool errors go back to the agent as text it can act on, never as a protocol failure. */
function tool<A>(run: (args: A) => Promise<CallToolResult>): (args: A) => Promise<CallToolResult> {
  return async (args) => {
    try {
      return await run(args);
    } catch (err) {
      return failure((err as Error).message);
    }
  };
}

const normaliseTraceId = (id: string) => id.replace(/-/g, '').toLowerCase();

export function registerTools(server: McpServer, deps: McpToolDeps): void {
  const { store } = deps;

  /** Summaries, with the first error of each failed trace so one call answers "what failed?". */
  async function summaries(filter: TraceFilter): Promise<CallToolResult> {
    const traces = await store.listTraces(filter);
    let lookups = 0;
    const out = [];
    for (const t of traces) {
      let firstError: string | null = null;
      // a trace whose root recovered (status ok) can still hold failed spans: say so too
      if ((t.status === 'error' || t.error_count > 0) && lookups++ < 10) {
        const detail = await store.getTrace(t.trace_id);
        firstError = detail ? firstErrorLine(detail) : null;
      }
      out.push(summaryView(t, firstError));
    }
    return json({ traces: out, hint: out.length === 0 ? 'no traces match: widen since, or check that the app sends to this collector' : 'get_trace(trace_id) shows the span tree, errors first' });
  }

  function filterOf(args: { limit?: number; model?: string; status?: string; tag?: string; since?: string; until?: string; q?: string }): TraceFilter {
    const filter: TraceFilter = { limit: args.limit ?? 20 };
    if (args.model) filter.model = args.model;
    if (args.status) filter.status = args.status as TraceFilter['status'];
    if (args.tag) filter.tag = args.tag;
    if (args.q) filter.q = args.q;
    if (args.since) filter.since = parseTime('since', args.since);
    if (args.until) filter.until = parseTime('until', args.until);
    return filter;
  }

  server.registerTool(
    'list_traces',
    {
      title: 'List recent traces',
      description:
        'Lists the most recent LLM / agent traces the local StackLens collector received from the app under development, newest first: ' +
        'name, start, duration, status, error count, cost, tokens, models. A trace with a failed span carries first_error (the failing span, its message and code location), even when its root recovered. ' +
        'Start here for "why did the last run fail?" (status: "error", limit: 1) or "what did my last run do?" (limit: 1), then call get_trace.',
      inputSchema: {
        limit: LIMIT,
        status: z.enum(['ok', 'error', 'unset']).optional().describe('only traces with this status; "error" = any span failed'),
        model: z.string().optional().describe('only traces that called this model, e.g. gpt-4o-mini'),
        tag: z.string().optional().describe('only traces with this tag'),
        since: TIME.optional(),
        until: TIME.optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    tool((args) => summaries(filterOf(args))),
  );

  server.registerTool(
    'search_traces',
    {
      title: 'Search traces',
      description:
        'Finds traces by text over trace names, span names, ids and models (e.g. "checkout", "summarize", "claude"), newest first. ' +
        'Use it when you know what the code does but not when it ran; then call get_trace.',
      inputSchema: { q: z.string().min(1).describe('text to look for'), limit: LIMIT, since: TIME.optional(), status: z.enum(['ok', 'error', 'unset']).optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    tool((args) => summaries(filterOf(args))),
  );

  server.registerTool(
    'get_trace',
    {
      title: 'Read one trace',
      description:
        'One trace in full: summary; errors first (failing span, message, exception stack trace, code file:line, path from the root); ' +
        'an indented outline of the span tree (kind, offset, duration, model, tokens, cost); every span with its input and output ' +
        '(cut to max_chars, marked input_truncated / output_truncated); scores. Use get_span for one span\'s full content and attributes.',
      inputSchema: {
        trace_id: TRACE_ID,
        full_content: z.boolean().optional().describe('true: inputs and outputs uncut (can be very long)'),
        max_chars: z.number().int().min(50).max(100_000).optional().describe(`characters of each input/output shown (default ${DEFAULT_VIEW.maxChars})`),
        max_spans: z.number().int().min(1).max(5000).optional().describe(`spans listed (default ${DEFAULT_VIEW.maxSpans}); errors are always listed`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    tool(async (args) => {
      const id = normaliseTraceId(args.trace_id);
      const detail = await store.getTrace(id);
      if (!detail) return failure(`trace ${id} not found: it may not have arrived yet, or retention removed it; list_traces shows what is there`);
      return json(traceView(detail, { fullContent: args.full_content ?? false, maxChars: args.max_chars ?? DEFAULT_VIEW.maxChars, maxSpans: args.max_spans ?? DEFAULT_VIEW.maxSpans }));
    }),
  );

  server.registerTool(
    'get_span',
    {
      title: 'Read one span',
      description:
        'One span with everything StackLens holds: full input (prompt) and output (completion), every attribute, events (exceptions, messages), ' +
        'status message, model, tokens, cost and its source, code location, and its scores.',
      inputSchema: { span_id: SPAN_ID, trace_id: TRACE_ID.optional().describe('its trace id (found from the span id when left out)') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    tool(async (args) => {
      const spanId = args.span_id.toLowerCase();
      const traceId = args.trace_id ? normaliseTraceId(args.trace_id) : await traceOfSpan(store, spanId);
      const detail = traceId ? await store.getTrace(traceId) : null;
      const span = detail?.spans.find((s) => s.span_id === spanId);
      if (!detail || !span) return failure(`span ${spanId} not found${traceId ? ` in trace ${traceId}` : ''}: get_trace lists a trace's span ids`);
      return json({ span, scores: detail.scores.filter((s) => s.span_id === spanId).map(scoreView) });
    }),
  );

  server.registerTool(
    'get_callsite_stats',
    {
      title: 'Call-site statistics',
      description:
        'Per traced code location (file, line, function): runs, errors, last run (with its trace and span id), p50 latency, total cost, average eval score. ' +
        'Give a file to see the LLM calls made from it (a workspace-relative or absolute path; matched by path suffix).',
      inputSchema: { file: z.string().optional().describe('source file, e.g. src/agent.ts') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    tool(async (args) => {
      const sites = await store.callSites(args.file || undefined);
      return json({
        callsites: sites.map((c) => ({ ...c, last_run: new Date(c.last_run).toISOString() })),
        hint: sites.length === 0 ? 'no traced call sites here: spans carry a code location when sent by the stacklens SDK or with code.file.path attributes' : undefined,
      });
    }),
  );

  server.registerTool(
    'add_score',
    {
      title: 'Score a trace or span',
      description: 'Records an evaluation score on a trace (or one of its spans), e.g. after checking an answer: name, value (0..1 by convention), optional reason. It shows in the trace panel and the CodeLens average.',
      inputSchema: {
        trace_id: TRACE_ID,
        span_id: SPAN_ID.optional(),
        name: z.string().min(1).max(200).describe('what is scored, e.g. correctness'),
        value: z.number().describe('the score, usually 0..1'),
        reason: z.string().max(10_000).optional().describe('why, in a sentence'),
        label: z.string().max(200).optional().describe('a category, e.g. pass / fail'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    tool(async (args) => {
      const traceId = normaliseTraceId(args.trace_id);
      if (!(await store.getTrace(traceId))) return failure(`trace ${traceId} not found: scores go on traces the collector holds (list_traces)`);
      const score = await store.addScore({ trace_id: traceId, span_id: args.span_id?.toLowerCase() ?? null, name: args.name, value: args.value, reason: args.reason ?? null, label: args.label ?? null, source: 'api' });
      return json({ score_id: score.score_id });
    }),
  );

  server.registerTool(
    'record_span',
    {
      title: 'Record a span',
      description:
        'Stores one span in StackLens\'s simple form, like the SDK\'s trace(): a name plus what is known (model, tokens, prompt, completion, status, duration, tags). ' +
        'Use it to record an LLM call or step you ran yourself so it shows with the app\'s traces. Give trace_id / parent_span_id to add it to an existing trace.',
      inputSchema: {
        name: z.string().min(1).describe('operation name'),
        trace_id: TRACE_ID.optional().describe('add to this trace (a new trace when left out)'),
        parent_span_id: SPAN_ID.optional(),
        kind: z.enum(['agent', 'llm', 'tool', 'retrieval', 'embedding', 'eval', 'internal']).optional(),
        model: z.string().optional(),
        provider: z.string().optional(),
        input_tokens: z.number().int().min(0).optional(),
        output_tokens: z.number().int().min(0).optional(),
        cost_usd: z.number().min(0).optional().describe('leave out to have it priced from the tokens'),
        prompt: z.string().optional(),
        completion: z.string().optional(),
        duration_ms: z.number().min(0).optional(),
        status: z.enum(['ok', 'error']).optional(),
        status_message: z.string().optional(),
        tags: z.array(z.string()).optional(),
        attributes: z.record(z.string(), z.unknown()).optional(),
        code_file: z.string().optional(),
        code_line: z.number().int().min(1).optional(),
        code_function: z.string().optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    tool(async (args) => {
      const body: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(args)) if (value !== undefined) body[key] = value;
      if (typeof body.trace_id === 'string') body.trace_id = normaliseTraceId(body.trace_id);
      const span = await deps.recordSpan(body);
      return json({ trace_id: span.trace_id, span_id: span.span_id, kind: span.kind, cost_usd: span.cost_usd, cost_source: span.cost_source });
    }),
  );
}

/** The trace a span belongs to, for get_span called with a span id alone. */
async function traceOfSpan(store: Store, spanId: string): Promise<string | null> {
  if (!/^[0-9a-f]{16}$/.test(spanId)) return null; // checked: it is put into the SQL text
  const result = await store.query(`SELECT trace_id FROM spans WHERE span_id = '${spanId}' LIMIT 1`);
  const value = result.rows[0]?.[0];
  return typeof value === 'string' ? value : null;
}

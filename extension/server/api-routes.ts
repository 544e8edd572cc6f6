// The routes of the collector's HTTP API (DESIGN.md "HTTP API of the collector") and the types
// every route module shares. The collector (./collector.ts) owns the server, the guards and the
// lifecycle; what each route answers is here and in the feature modules that add routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BudgetWatch } from './budget';
import type { EvalRunner } from './evals/runner';
import type { Judge } from './evals/judge';
import { openInferenceScores } from './evals/openinference';
import { callSiteScores, evalSummary, parseEvalSummaryQuery } from './evals/summary';
import { HttpError } from './http/errors';
import { parseStatsQuery, parseTraceFilter, pathParam } from './http/params';
import { decodeTraceRequest, encodeTraceResponse, normaliseTraceRequest, otlpEncoding, parseSimpleSpans } from './ingest';
import type { Pricer } from './pricing';
import { postmortem } from './postmortem';
import { withWritten } from './postmortem/narrative';
import { readPrompt } from './prompts';
import { runConsoleQuery } from './sql-console';
import { parseScore } from './score-input';
import type { Store } from './store/api';
import { VERSION } from './version';

export type Json = Record<string, unknown>;
export interface Route {
  method: string;
  pattern: RegExp;
  /** served without the token: only what reveals nothing (liveness, for other windows and scripts) */
  public?: boolean;
  /** null: the handler wrote the response itself (the MCP transport streams its own) */
  handle(ctx: RequestContext): Promise<{ status?: number; body: Json | Uint8Array; contentType?: string } | null>;
}
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  match: RegExpExecArray;
  body(): Promise<Buffer>;
}

export function buildRoutes(store: Store, pricer: Pricer, promptsDir: string | undefined, judged: { evals: EvalRunner; budget: BudgetWatch; judge: Judge | null }): Route[] {
  const json = async (ctx: RequestContext): Promise<unknown> => {
    const type = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, `content-type "${type}" is not accepted here: send application/json`);
    const text = (await ctx.body()).toString('utf8');
    if (!text.trim()) throw new HttpError(400, 'the body is empty: send a JSON object');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
    }
  };

  return [
    {
      method: 'GET',
      pattern: /^\/healthz$/,
      public: true,
      handle: async () => ({ body: { service: 'stacklens', version: VERSION, status: 'ok' } }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/traces$/,
      async handle(ctx) {
        const contentType = ctx.req.headers['content-type'] ?? '';
        const encoding = otlpEncoding(contentType); // 415 before the body is read
        const request = decodeTraceRequest(await ctx.body(), contentType);
        const result = normaliseTraceRequest(request, pricer);
        if (result.spans.length > 0) await ingest(store, result.spans);
        // OTLP/HTTP answers in the encoding of the request
        const answer = encodeTraceResponse(result, encoding);
        return { body: answer.body, contentType: answer.contentType };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/spans$/,
      async handle(ctx) {
        const { spans, single } = parseSimpleSpans(await json(ctx), pricer);
        await ingest(store, spans);
        if (single) return { body: { trace_id: spans[0].trace_id, span_id: spans[0].span_id } };
        return { body: { trace_ids: spans.map((s) => s.trace_id), span_ids: spans.map((s) => s.span_id) } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/scores$/,
      async handle(ctx) {
        const score = await store.addScore(parseScore(await json(ctx)));
        return { body: { score_id: score.score_id } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/traces$/,
      handle: async (ctx) => ({ body: { traces: await store.listTraces(parseTraceFilter(ctx.url.searchParams)) } }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/traces\/([^/]+)$/,
      async handle(ctx) {
        const id = traceIdParam(ctx.match[1]);
        const detail = await store.getTrace(id);
        if (!detail) throw new HttpError(404, `trace ${id} not found (it may not have arrived yet, or retention removed it)`);
        return { body: detail as unknown as Json };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/v1\/traces\/([^/]+)$/,
      async handle(ctx) {
        const id = traceIdParam(ctx.match[1]);
        if (!(await store.deleteTrace(id))) throw new HttpError(404, `trace ${id} not found`);
        return { body: { deleted: id } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/callsites$/,
      async handle(ctx) {
        onlyParams(ctx.url.searchParams, ['file']);
        return { body: { callsites: await store.callSites(ctx.url.searchParams.get('file') || undefined) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/stats$/,
      handle: async (ctx) => ({ body: (await store.stats(parseStatsQuery(ctx.url.searchParams))) as unknown as Json }),
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/traces\/([^/]+)\/evals$/,
      async handle(ctx) {
        const id = traceIdParam(ctx.match[1]);
        const run = await judged.evals.runTrace(id);
        if (!run) throw new HttpError(404, `trace ${id} not found (it may not have arrived yet, or retention removed it)`);
        return { body: run as unknown as Json };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/traces\/([^/]+)\/postmortem$/,
      async handle(ctx) {
        onlyParams(ctx.url.searchParams, ['written']);
        const written = ctx.url.searchParams.get('written') ?? '0';
        if (written !== '0' && written !== '1') throw new HttpError(400, `written=${written} is not understood: use written=1 for the model's written postmortem, or leave it out`);
        const id = traceIdParam(ctx.match[1]);
        const detail = await store.getTrace(id);
        if (!detail) throw new HttpError(404, `trace ${id} not found (it may not have arrived yet, or retention removed it)`);
        const pm = postmortem(detail);
        return { body: (written === '1' ? await withWritten(pm, detail, judged.judge) : pm) as unknown as Json };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/evals$/,
      handle: async () => ({ body: judged.evals.status() as unknown as Json }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/evals\/summary$/,
      handle: async (ctx) => ({ body: (await evalSummary(store, parseEvalSummaryQuery(ctx.url.searchParams))) as unknown as Json }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/evals\/callsites$/,
      async handle(ctx) {
        const query = { ...parseEvalSummaryQuery(ctx.url.searchParams, ['file']), file: ctx.url.searchParams.get('file') || undefined };
        return { body: { callsites: await callSiteScores(store, query) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/budget$/,
      async handle(ctx) {
        onlyParams(ctx.url.searchParams, []);
        return { body: (await judged.budget.status()) as unknown as Json };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/sql$/,
      handle: async (ctx) => ({ body: (await runConsoleQuery(store, await json(ctx))) as unknown as Json }),
    },
    {
      method: 'GET',
      pattern: /^\/api\/v1\/prompts\/([^/]+)$/,
      async handle(ctx) {
        onlyParams(ctx.url.searchParams, ['env']);
        const prompt = await readPrompt(promptsDir, pathParam(ctx.match[1]), ctx.url.searchParams.get('env') ?? 'production');
        return { body: { name: prompt.name, env: prompt.env, text: prompt.text } };
      },
    },
  ];
}

export async function ingest(store: Store, spans: Parameters<Store['ingest']>[0]): Promise<void> {
  try {
    await store.ingest(spans);
    // OpenInference evaluation attributes become scores; journaled like the spans, before the ack
    for (const span of spans) for (const score of openInferenceScores(span)) await store.addScore(score);
  } catch (err) {
    // The normaliser already refuses what the store would; a refusal here is still the client's.
    if ((err as Error).name === 'StoreInputError') throw new HttpError(400, (err as Error).message.split('\n')[0]);
    throw new HttpError(503, `the spans could not be stored: ${(err as Error).message}`);
  }
}

export function findRoute(routes: Route[], method: string, pathname: string): { route: Route; match: RegExpExecArray } {
  let pathKnown = false;
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    pathKnown = true;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, match };
  }
  if (pathKnown) {
    const allowed = routes.filter((r) => r.pattern.test(pathname)).map((r) => r.method);
    throw new HttpError(405, `${method} is not allowed on ${pathname}: use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
  }
  throw new HttpError(404, `no route ${pathname}: see GET /healthz, POST /v1/traces, /api/v1/spans, /api/v1/scores, /api/v1/sql, /api/v1/export, /api/v1/import, /api/v1/traces/:id/evals, /v1/logs, /mcp, GET /api/v1/traces, /api/v1/traces/:id/postmortem, /api/v1/traces/:id/export, /api/v1/callsites, /api/v1/stats, /api/v1/budget, /api/v1/forwarding, /api/v1/evals, /api/v1/evals/summary, /api/v1/evals/callsites, /api/v1/prompts/:name`);
}

export function traceIdParam(raw: string): string {
  const id = pathParam(raw).replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new HttpError(400, `"${raw}" is not a trace id: expected 32 hex characters`);
  return id;
}

function onlyParams(params: URLSearchParams, known: string[]): void {
  for (const key of params.keys()) {
    if (!known.includes(key)) throw new HttpError(400, `unknown query parameter "${key}": this route takes ${known.join(', ') || 'none'}`);
  }
}


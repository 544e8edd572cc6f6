// The collector's trace-file routes: export one trace or a filtered set as a `.stacklens.json`
// download, and import such a file (docs/trace-files.md).
import { traceIdParam, type Route, type RequestContext } from '../api-routes';
import { HttpError } from '../http/errors';
import { parseTraceFilter } from '../http/params';
import type { TraceDetail } from '../model';
import type { Pricer } from '../pricing';
import type { Store } from '../store/api';
import { writeTraceFile, traceFileText } from './export';
import { traceFileName, traceSetFileName, TraceFileError } from './format';
import { importTraceFile } from './import';

const FILTER_KEYS = ['limit', 'model', 'status', 'tag', 'since', 'until', 'q', 'before'];

export function traceFileRoutes(store: Store, pricer: Pricer, maxInflatedBytes: number): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/v1\/traces\/([^/]+)\/export$/,
      async handle(ctx) {
        if ([...ctx.url.searchParams.keys()].length > 0) throw new HttpError(400, 'this route takes no query parameters');
        const id = traceId(ctx.match[1]);
        const detail = await store.getTrace(id);
        if (!detail) throw new HttpError(404, `trace ${id} not found (it may not have arrived yet, or retention removed it)`);
        return download(ctx, [detail], pricer, traceFileName(detail.trace));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/export$/,
      async handle(ctx) {
        const details = await selectTraces(store, await jsonObject(ctx));
        const now = new Date();
        const name = details.length === 1 ? traceFileName(details[0].trace) : traceSetFileName(details.length, now);
        return download(ctx, details, pricer, name, now);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/import$/,
      async handle(ctx) {
        const type = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
        if (!['application/json', 'application/gzip', 'application/octet-stream'].includes(type)) {
          throw new HttpError(415, `content-type "${type}" is not accepted here: send the .stacklens.json file as application/json (gzip allowed)`);
        }
        try {
          return { body: { ...(await importTraceFile(store, await ctx.body(), pricer, maxInflatedBytes)) } };
        } catch (err) {
          if (err instanceof TraceFileError) throw new HttpError(400, err.message);
          if ((err as Error).name === 'StoreInputError') throw new HttpError(400, (err as Error).message.split('\n')[0]);
          throw err;
        }
      },
    },
  ];
}

/** `{trace_ids: [...]}` exports those traces; otherwise the body is a TraceFilter (GET /api/v1/traces's parameters). */
async function selectTraces(store: Store, body: Record<string, unknown>): Promise<TraceDetail[]> {
  if (body.trace_ids !== undefined) {
    const extra = Object.keys(body).filter((k) => k !== 'trace_ids');
    if (extra.length > 0) throw new HttpError(400, `trace_ids and a filter (${extra.join(', ')}) do not go together: send one or the other`);
    if (!Array.isArray(body.trace_ids) || body.trace_ids.length === 0 || body.trace_ids.length > 1000) throw new HttpError(400, 'trace_ids: expected an array of 1 to 1000 trace ids');
    const details: TraceDetail[] = [];
    for (const [i, raw] of body.trace_ids.entries()) {
      if (typeof raw !== 'string') throw new HttpError(400, `trace_ids[${i}]: expected a trace id string`);
      const id = traceId(raw);
      const detail = await store.getTrace(id);
      if (!detail) throw new HttpError(404, `trace_ids[${i}]: trace ${id} not found`);
      details.push(detail);
    }
    return details;
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (!FILTER_KEYS.includes(key)) throw new HttpError(400, `unknown filter field "${key}": send trace_ids, or any of ${FILTER_KEYS.join(', ')}`);
    if (typeof value !== 'string' && typeof value !== 'number') throw new HttpError(400, `${key}: expected a string or a number`);
    params.set(key, String(value));
  }
  const details: TraceDetail[] = [];
  for (const summary of await store.listTraces(parseTraceFilter(params))) {
    const detail = await store.getTrace(summary.trace_id);
    if (detail) details.push(detail); // retention may remove a trace between the list and the read
  }
  return details;
}

async function jsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const type = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, `content-type "${type}" is not accepted here: send application/json`);
  const text = (await ctx.body()).toString('utf8');
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'expected a JSON object: {trace_ids: [...]} or a filter such as {"model": "gpt-4o", "limit": 100}');
  return body as Record<string, unknown>;
}

function download(ctx: RequestContext, details: TraceDetail[], pricer: Pricer, fileName: string, now = new Date()): null {
  const text = Buffer.from(traceFileText(writeTraceFile(details, pricer, now)), 'utf8');
  ctx.res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': text.length,
    'content-disposition': `attachment; filename="${fileName}"`,
    'cache-control': 'no-store',
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : text);
  return null;
}

const traceId = traceIdParam;

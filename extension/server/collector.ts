// The collector: HTTP on 127.0.0.1 in front of the store (DESIGN.md "HTTP API of the collector").
// Decoding and normalising happen here, in the collector's thread; the store applies spans in its
// own worker. A 200 is sent only once the store has journaled the spans.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BudgetWatch, checkBudgetOptions, type BudgetOptions } from './budget';
import { EvalRunner } from './evals/runner';
import { openAiJudge, type Judge, type OpenAiJudgeOptions } from './evals/judge';
import { openInferenceScores } from './evals/openinference';
import { callSiteScores, evalSummary, parseEvalSummaryQuery } from './evals/summary';
import { DEFAULT_BODY_LIMITS, readBody, type BodyLimits } from './http/body';
import { HttpError } from './http/errors';
import { checkHost, checkOrigin, checkToken } from './http/guard';
import { parseStatsQuery, parseTraceFilter } from './http/params';
import { decodeTraceRequest, encodeTraceResponse, normaliseTraceRequest, otlpEncoding, parseSimpleSpans } from './ingest';
import { IngestError } from './ingest/errors';
import { createPricer, type PriceOverride, type Pricer } from './pricing';
import { postmortem } from './postmortem';
import { withWritten } from './postmortem/narrative';
import { readPrompt } from './prompts';
import { runConsoleQuery } from './sql-console';
import { parseScore } from './score-input';
import { openStore } from './store';
import type { RetentionOptions, Store } from './store/api';
import { loadOrCreateToken } from './token';
import { claimDataDir, releaseDataDir } from './data-dir';
import { VERSION } from './version';
import type { ForwardOptions } from './forward/endpoint';
import { Forwarder } from './forward/forwarder';
import { forwardingRoute } from './forward/route';
import { LogAttacher } from './ingest/logs-attach';
import { logsRoute } from './ingest/logs-route';
import { mcpRoute } from './mcp/route';
import { createPrivacy, type RedactionOptions } from './privacy';
import { gateStore } from './privacy/store-gate';
import { traceFileRoutes } from './trace-files';

export interface CollectorOptions {
  /** 0 picks a free port */
  port: number;
  dataDir: string;
  token?: string;
  promptsDir?: string;
  retention?: Partial<RetentionOptions>;
  priceOverrides?: Record<string, PriceOverride>;
  limits?: Partial<BodyLimits>;
  snapshotIntervalMs?: number;
  /** the workspace's `.stacklens/evals.json`, re-read when it changes */
  evalsFile?: string;
  /** how often evalsFile is checked for changes (default 1 s) */
  evalsPollMs?: number;
  /** answers llm_judge evaluators: a Judge, or an OpenAI-compatible endpoint (plain data, for a worker) */
  judge?: Judge | OpenAiJudgeOptions;
  /** monthly budget served by GET /api/v1/budget */
  budget?: BudgetOptions;
  /** sends every stored span on to an upstream OTLP/HTTP endpoint (docs/forwarding.md) */
  forward?: ForwardOptions;
  /** false: metadata only; prompts and completions are dropped before storing (docs/privacy.md) */
  captureContent?: boolean;
  /** secrets replaced with [REDACTED:kind] before storing or forwarding; the defaults are on */
  redact?: RedactionOptions;
  /** 32 bytes: the store's journal and snapshots are encrypted with it (docs/store.md "Encryption at rest") */
  encryptionKey?: Buffer;
}

export interface Collector {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly store: Store;
  readonly evals: EvalRunner;
  readonly budget: BudgetWatch;
  /** the model behind llm_judge and the written postmortem; null when none is configured */
  readonly judge: Judge | null;
  /** null when forwarding is off */
  readonly forwarder: Forwarder | null;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
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

export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const token = loadOrCreateToken(options.dataDir, options.token);
  checkBudgetOptions(options.budget); // a wrong budget fails the start, not every GET /api/v1/budget
  // so does a bad redaction pattern or forward endpoint, before the data folder is claimed
  const privacy = createPrivacy({ captureContent: options.captureContent, redact: options.redact });
  const forwarder = options.forward ? new Forwarder(options.forward) : null;
  claimDataDir(options.dataDir);
  let store: Store;
  try {
    store = await openStore({ dataDir: options.dataDir, retention: options.retention, snapshotIntervalMs: options.snapshotIntervalMs, encryptionKey: options.encryptionKey });
  } catch (err) {
    releaseDataDir(options.dataDir);
    throw err;
  }
  // every route stores through the gate: privacy before the store, forwarding after it
  const unguardedStore = store;
  store = gateStore(unguardedStore, privacy, forwarder);
  const pricer = createPricer(options.priceOverrides);
  const limits: BodyLimits = { ...DEFAULT_BODY_LIMITS, ...options.limits };
  const judge = options.judge === undefined ? null : 'ask' in options.judge ? options.judge : openAiJudge(options.judge);
  const evals = new EvalRunner({ store, file: options.evalsFile, judge, pollMs: options.evalsPollMs });
  const budget = new BudgetWatch(store, options.budget);
  const routes = buildRoutes(store, pricer, options.promptsDir, { evals, budget, judge });
  const recordSpan = async (body: Record<string, unknown>) => {
    const { spans } = parseSimpleSpans(body, pricer);
    await ingest(store, spans);
    return spans[0];
  };
  routes.push(mcpRoute({ store, recordSpan }), logsRoute(new LogAttacher(unguardedStore, privacy)), forwardingRoute(forwarder));
  routes.push(...traceFileRoutes(store, pricer, limits.maxDecompressedBytes));
  let port = options.port;

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // handle() answers every error it knows; this is the last line of defence
      process.stderr.write(`stacklens: unexpected error on ${req.method} ${req.url}: ${(err as Error).stack}\n`);
      if (!res.headersSent) send(res, 500, { error: 'internal error in the collector; see its log' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      checkHost(req);
      checkOrigin(req, port);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'OPTIONS') throw new HttpError(403, 'cross-origin requests are not served (no CORS)');
      const found = findRoute(routes, req.method ?? 'GET', url.pathname);
      if (!found.route.public) checkToken(req, token);
      const answer = await found.route.handle({ req, res, url, match: found.match, body: () => readBody(req, limits) });
      if (answer === null) return;
      if (answer.body instanceof Uint8Array) {
        res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/x-protobuf', 'content-length': answer.body.length });
        res.end(answer.body);
      } else {
        send(res, answer.status ?? 200, answer.body);
      }
    } catch (err) {
      const refusal = asHttpError(err);
      if (refusal.status >= 500) process.stderr.write(`stacklens: ${req.method} ${req.url}: ${refusal.message}\n`);
      // A refused upload may still be streaming in (its rest is read and dropped): answer once it
      // is in, or the client sees a broken pipe instead of the 413; then close the connection.
      if (refusal.headers.connection === 'close' && !req.complete) await requestEnd(req, 15_000);
      send(res, refusal.status, { error: refusal.message }, refusal.headers);
    }
  }

  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await evals.close();
    budget.close();
    await store.close();
    releaseDataDir(options.dataDir);
    throw listenError(err as NodeJS.ErrnoException, options.port);
  }
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  claimDataDir(options.dataDir, url);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    token,
    store,
    evals,
    budget,
    judge,
    forwarder,
    close() {
      closing ??= (async () => {
        await closeServer(server);
        await forwarder?.close();
        await evals.close();
        budget.close();
        await store.close();
        releaseDataDir(options.dataDir);
      })();
      return closing;
    },
  };
}

function buildRoutes(store: Store, pricer: Pricer, promptsDir: string | undefined, judged: { evals: EvalRunner; budget: BudgetWatch; judge: Judge | null }): Route[] {
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
        const prompt = await readPrompt(promptsDir, decodeURIComponent(ctx.match[1]), ctx.url.searchParams.get('env') ?? 'production');
        return { body: { name: prompt.name, env: prompt.env, text: prompt.text } };
      },
    },
  ];
}

async function ingest(store: Store, spans: Parameters<Store['ingest']>[0]): Promise<void> {
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

function findRoute(routes: Route[], method: string, pathname: string): { route: Route; match: RegExpExecArray } {
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

function traceIdParam(raw: string): string {
  const id = decodeURIComponent(raw).replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new HttpError(400, `"${raw}" is not a trace id: expected 32 hex characters`);
  return id;
}

function onlyParams(params: URLSearchParams, known: string[]): void {
  for (const key of params.keys()) {
    if (!known.includes(key)) throw new HttpError(400, `unknown query parameter "${key}": this route takes ${known.join(', ') || 'none'}`);
  }
}

function asHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof IngestError) return new HttpError(err.status, err.message);
  const message = (err as Error)?.message ?? String(err);
  return new HttpError(500, `internal error: ${message.split('\n')[0]}`);
}

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function listenError(err: NodeJS.ErrnoException, port: number): Error {
  const message =
    err.code === 'EADDRINUSE'
      ? `port ${port} on 127.0.0.1 is already in use (another StackLens collector? check http://127.0.0.1:${port}/healthz); choose another port, or 0 for a free one`
      : err.code === 'EACCES'
        ? `not allowed to listen on port ${port}: choose a port above 1024, or 0 for a free one`
        : `could not listen on 127.0.0.1:${port}: ${err.message}`;
  const wrapped = new Error(message) as NodeJS.ErrnoException;
  wrapped.code = err.code;
  return wrapped;
}

function requestEnd(req: IncomingMessage, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    req.once('end', done);
    req.once('close', done);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Connections still busy get a moment to finish, then go: shutdown must not hang on a client.
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}

// The collector: HTTP on 127.0.0.1 in front of the store (DESIGN.md "HTTP API of the collector").
// Decoding and normalising happen here, in the collector's thread; the store applies spans in its
// own worker. A 200 is sent only once the store has journaled the spans.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BudgetWatch, checkBudgetOptions, type BudgetOptions } from './budget';
import { EvalRunner } from './evals/runner';
import { openAiJudge, type Judge, type OpenAiJudgeOptions } from './evals/judge';
import { DEFAULT_BODY_LIMITS, readBody, type BodyLimits } from './http/body';
import { HttpError } from './http/errors';
import { checkHost, checkOrigin, checkToken } from './http/guard';
import { parseSimpleSpans } from './ingest';
import { IngestError } from './ingest/errors';
import { createPricer, type PriceOverride } from './pricing';
import { openStore } from './store';
import type { RetentionOptions, Store } from './store/api';
import { loadOrCreateToken } from './token';
import { claimDataDir, releaseDataDir } from './data-dir';
import type { ForwardOptions } from './forward/endpoint';
import { Forwarder } from './forward/forwarder';
import { forwardingRoute } from './forward/route';
import { LogAttacher } from './ingest/logs-attach';
import { logsRoute } from './ingest/logs-route';
import { mcpRoute } from './mcp/route';
import { createPrivacy, type RedactionOptions } from './privacy';
import { gateStore } from './privacy/store-gate';
import { traceFileRoutes } from './trace-files';
import { buildRoutes, findRoute, ingest, type Json } from './api-routes';

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

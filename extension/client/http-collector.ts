// The collector of another window, reached over its HTTP API (DESIGN.md "HTTP API"): the same
// CollectorApi as the worker, so the UI does not care which window owns the port.
import http from 'node:http';
import type { CallSite, Score, Stats, TraceDetail, TraceSummary } from '../server/model';
import type { BudgetStatus, CallSiteScores, CollectorApi, CollectorStatus, ConsoleResult, EvalSummary, EvalSummaryQuery, EvalsStatus, ForwardingStatus, ImportResult, Postmortem, PostmortemText, TraceEvalRun } from '../server/rpc';

type Api = CollectorApi;

/** An HTTP failure with the status (0 when the collector could not be reached at all). */
export class CollectorHttpError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly unreachable = false,
    /** the socket error code when unreachable, e.g. ECONNREFUSED */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'CollectorHttpError';
  }
}

// Keep-alive keeps the change poll to one socket instead of one per tick.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export interface HttpAnswer {
  statusCode: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request to 127.0.0.1:port; rejects with CollectorHttpError(unreachable) when nobody answers. */
export function requestLocal(
  port: number,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.rawBody !== undefined ? Buffer.from(options.rawBody, 'utf8') : options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent, timeout: options.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', (err) => reject(new CollectorHttpError(`reading the answer of ${method} ${path} failed: ${err.message}`, 0, true)));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'nothing listens there' : err.message;
      reject(new CollectorHttpError(`the collector at 127.0.0.1:${port} did not answer ${method} ${path}: ${why}`, 0, true, err.code ?? null));
    });
    req.end(payload);
  });
}

export class HttpCollector implements Api {
  constructor(
    readonly port: number,
    private readonly token: string,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * `notFound: 'null'` reads a 404 as "no such thing" (the default for GET); `bare` leaves the
   * route out of the error message, for answers shown to the user as they are (the SQL console).
   */
  private async call<T>(method: string, path: string, body?: unknown, options: { notFound?: 'null' | 'throw'; bare?: boolean; timeoutMs?: number; raw?: boolean } = {}): Promise<{ statusCode: number; json: T | null; answer: HttpAnswer }> {
    const answer = await requestLocal(this.port, method, path, { token: this.token, timeoutMs: options.timeoutMs, ...(options.raw ? { rawBody: body as string } : { body }) });
    const notFound = options.notFound ?? (method === 'POST' ? 'throw' : 'null');
    if (answer.statusCode === 404 && notFound === 'null') return { statusCode: 404, json: null, answer };
    if (answer.statusCode < 200 || answer.statusCode >= 300) {
      const reason = answer.statusCode === 401
        ? 'the collector of the other window refused this window\'s token: give every window the same stacklens.token setting (or leave it empty in all of them)'
        : (errorLine(answer.body) ?? `HTTP ${answer.statusCode}`);
      throw new CollectorHttpError(options.bare ? reason : `${method} ${path}: ${reason}`, answer.statusCode);
    }
    try {
      return { statusCode: answer.statusCode, json: JSON.parse(answer.body) as T, answer };
    } catch {
      throw new CollectorHttpError(`${method} ${path}: the answer is not JSON`, answer.statusCode);
    }
  }

  listTraces: Api['listTraces'] = async (filter) => {
    const { json } = await this.call<{ traces: TraceSummary[] }>('GET', `/api/v1/traces${queryString(filter)}`);
    return json?.traces ?? [];
  };

  getTrace: Api['getTrace'] = async (traceId) => {
    const { json } = await this.call<TraceDetail>('GET', `/api/v1/traces/${encodeURIComponent(traceId)}`);
    return json;
  };

  deleteTrace: Api['deleteTrace'] = async (traceId) => {
    const { statusCode } = await this.call<unknown>('DELETE', `/api/v1/traces/${encodeURIComponent(traceId)}`);
    return statusCode !== 404;
  };

  callSites: Api['callSites'] = async (file) => {
    const { json } = await this.call<{ callsites: CallSite[] }>('GET', `/api/v1/callsites${queryString({ file })}`);
    return json?.callsites ?? [];
  };

  stats: Api['stats'] = async (query) => {
    const { json } = await this.call<Stats>('GET', `/api/v1/stats${queryString(query)}`);
    if (!json) throw new CollectorHttpError('GET /api/v1/stats: the collector has no stats route', 404);
    return json;
  };

  addScore: Api['addScore'] = async (score) => {
    const { json } = await this.call<{ score_id: string }>('POST', '/api/v1/scores', score);
    const full: Score = {
      score_id: json?.score_id ?? score.score_id ?? '',
      trace_id: score.trace_id,
      span_id: score.span_id,
      name: score.name,
      value: score.value,
      label: score.label,
      reason: score.reason,
      source: score.source,
      created_at: score.created_at ?? Date.now(),
    };
    return full;
  };

  /** Over the SQL console's route, so at most its 1,000 rows come back. */
  query: Api['query'] = async (sql) => {
    const { columns, rows } = await this.sql(sql);
    return { columns, rows };
  };

  sql: Api['sql'] = async (sql) => {
    const { json } = await this.call<ConsoleResult>('POST', '/api/v1/sql', { sql }, { bare: true, timeoutMs: 60_000 });
    return json!;
  };

  runEvals: Api['runEvals'] = async (traceId) => {
    // a judge may take a while per span: more than the default 10 s for the whole trace
    const path = `/api/v1/traces/${encodeURIComponent(traceId)}/evals`;
    const { json } = await this.call<TraceEvalRun>('POST', path, undefined, { notFound: 'null', timeoutMs: 600_000 });
    return json;
  };

  postmortem: Api['postmortem'] = async (traceId, options) => {
    const path = `/api/v1/traces/${encodeURIComponent(traceId)}/postmortem`;
    if (!options?.written) return (await this.call<Postmortem>('GET', path)).json;
    // the model writes for a while: give it longer than the default 10 s (the judge's own limit is 60 s)
    return (await this.call<Postmortem & PostmortemText>('GET', `${path}?written=1`, undefined, { timeoutMs: 180_000 })).json;
  };

  budget: Api['budget'] = async () => {
    const { json } = await this.call<BudgetStatus>('GET', '/api/v1/budget', undefined, { notFound: 'throw' });
    return json!;
  };

  evalSummary: Api['evalSummary'] = async (query) => {
    const { json } = await this.call<EvalSummary>('GET', `/api/v1/evals/summary${evalQueryString(query)}`, undefined, { notFound: 'throw' });
    return json!;
  };

  evalCallSites: Api['evalCallSites'] = async (query) => {
    const { json } = await this.call<{ callsites: CallSiteScores[] }>('GET', `/api/v1/evals/callsites${evalQueryString(query)}`, undefined, { notFound: 'throw' });
    return json!.callsites;
  };

  evalsStatus: Api['evalsStatus'] = async () => {
    const { json } = await this.call<EvalsStatus>('GET', '/api/v1/evals', undefined, { notFound: 'throw' });
    return json!;
  };

  forwarding: Api['forwarding'] = async () => {
    const { json } = await this.call<ForwardingStatus>('GET', '/api/v1/forwarding', undefined, { notFound: 'throw' });
    return json!;
  };

  /** The file exactly as the collector wrote it: its text is not parsed and written again. */
  exportTraces: Api['exportTraces'] = async (selection) => {
    const { json, answer } = await this.call<{ stacklens?: { traces?: unknown[] } }>('POST', '/api/v1/export', selection, { timeoutMs: 120_000 });
    const disposition = /filename="([^"]+)"/.exec(String(answer.headers['content-disposition'] ?? ''));
    return { fileName: disposition?.[1] ?? 'stacklens-traces.stacklens.json', text: answer.body, traceCount: json?.stacklens?.traces?.length ?? 0 };
  };

  importTraces: Api['importTraces'] = async (text) => {
    const { json } = await this.call<ImportResult>('POST', '/api/v1/import', text, { raw: true, timeoutMs: 120_000 });
    return json!;
  };

  status: Api['status'] = async () => {
    const status: CollectorStatus = {
      state: 'listening', port: this.port, url: this.url, token: this.token,
      dataDir: this.dataDir, error: null, errorCode: null,
    };
    return status;
  };
}

function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The query string of the eval routes: `eval` names one evaluator, `source` is a comma list. */
function evalQueryString(query: EvalSummaryQuery & { file?: string }): string {
  return queryString({ since: query.since, until: query.until, eval: query.name, source: query.sources?.join(','), file: query.file });
}

function errorLine(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text = parsed.error ?? parsed.message;
    if (typeof text === 'string') return text;
    if (text && typeof text === 'object' && typeof (text as { message?: unknown }).message === 'string') return (text as { message: string }).message;
  } catch {
    // not JSON: fall through to the raw first line
  }
  const first = body.split('\n', 1)[0].trim();
  return first ? first.slice(0, 200) : null;
}

// Sends every stored span on to an upstream OTLP/HTTP endpoint. The collector hands spans over
// after the store acknowledged them and answers its client at once: export happens later, in
// batches, off the request path, so a slow or dead upstream never slows local ingest. The queue is
// bounded (spans beyond it are dropped and counted, as OpenTelemetry's BatchSpanProcessor does);
// a failed export is retried with exponential backoff while its spans keep their place.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Span } from '../model';
import { checkHeaders, displayEndpoint, tracesUrl, type ForwardOptions } from './endpoint';
import { spansToOtlp } from './otlp-encode';

const gzipAsync = promisify(gzip);

/** ok: the last export went through; retrying: it failed and is being retried; failing: it keeps failing, or was refused for good. */
export type ForwardState = 'ok' | 'retrying' | 'failing';

export interface ForwardHealth {
  enabled: true;
  endpoint: string;
  /** header names only: values are credentials */
  headers: string[];
  state: ForwardState;
  last_error: string | null;
  last_error_at: number | null;
  last_success_at: number | null;
  /** spans the upstream accepted */
  sent: number;
  /** spans given up on: queue full, refused for good (4xx), or left when the collector stopped */
  dropped: number;
  /** spans the upstream answered as rejected (OTLP partial success) */
  rejected: number;
  /** spans waiting, the batch being sent included */
  queued: number;
}

/** after this many failed attempts in a row the state is "failing" */
const FAILING_AFTER = 3;
/** HTTP answers OTLP/HTTP says to retry */
const RETRYABLE = new Set([429, 502, 503, 504]);

export class Forwarder {
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly settings: Required<Omit<ForwardOptions, 'endpoint' | 'headers'>>;
  private queue: Span[] = [];
  private batch: Span[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private inFlight: AbortController | null = null;
  /** ends the wait between retries early (close) */
  private wake: (() => void) | null = null;
  private closed = false;
  private failures = 0;
  private backoffMs: number;
  private stats = { sent: 0, dropped: 0, rejected: 0 };
  private state: ForwardState = 'ok';
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastSuccessAt: number | null = null;

  /** Throws ForwardConfigError for an unusable endpoint or header: a startup error. */
  constructor(
    options: ForwardOptions,
    private readonly log: (message: string) => void = (m) => process.stderr.write(`stacklens forward: ${m}\n`),
  ) {
    this.url = tracesUrl(options.endpoint);
    this.headers = checkHeaders(options.headers);
    this.settings = {
      gzip: options.gzip ?? true,
      maxQueueSpans: options.maxQueueSpans ?? 10_000,
      batchSpans: options.batchSpans ?? 512,
      delayMs: options.delayMs ?? 1000,
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 10_000,
    };
    this.backoffMs = this.settings.initialBackoffMs;
  }

  /** Queues spans for export; never waits and never throws. */
  enqueue(spans: readonly Span[]): void {
    if (this.closed || spans.length === 0) return;
    const room = this.settings.maxQueueSpans - this.queue.length - (this.batch?.length ?? 0);
    const taken = room >= spans.length ? spans : spans.slice(0, Math.max(0, room));
    if (taken.length < spans.length) this.drop(spans.length - taken.length, `the queue is full (${this.settings.maxQueueSpans} spans waiting): the upstream is slower than ingest or unreachable`);
    for (const span of taken) this.queue.push(span);
    this.schedule();
  }

  health(): ForwardHealth {
    return {
      enabled: true,
      endpoint: displayEndpoint(this.url),
      headers: Object.keys(this.headers),
      state: this.state,
      last_error: this.lastError,
      last_error_at: this.lastErrorAt,
      last_success_at: this.lastSuccessAt,
      ...this.stats,
      queued: this.queue.length + (this.batch?.length ?? 0),
    };
  }

  /** Sends what is queued for up to `graceMs`, then gives up on the rest (counted as dropped). */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wake?.();
    const deadline = setTimeout(() => this.inFlight?.abort(), graceMs);
    deadline.unref();
    const flushed = (async () => {
      // a pump waiting out a backoff stops at once: closing does not wait for the upstream to come back
      while (this.pumping) await this.pumping;
      if (this.queue.length > 0 && this.failures === 0) await this.pump(true);
    })();
    await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, graceMs + 50).unref())]);
    clearTimeout(deadline);
    const left = this.queue.length + (this.batch?.length ?? 0);
    if (left > 0) this.stats.dropped += left;
    this.queue = [];
    this.batch = null;
  }

  private schedule(): void {
    if (this.pumping || this.closed) return;
    if (this.queue.length >= this.settings.batchSpans) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.start();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.start();
      }, this.settings.delayMs);
      this.timer.unref();
    }
  }

  private start(): void {
    if (this.pumping) return;
    this.pumping = this.pump(false).finally(() => {
      this.pumping = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  /** Exports batch after batch until the queue is empty; a failed batch waits and is retried. */
  private async pump(once: boolean): Promise<void> {
    while (this.batch || this.queue.length > 0) {
      if (!this.batch) this.batch = this.queue.splice(0, this.settings.batchSpans);
      const outcome = await this.export(this.batch);
      if (outcome.kind === 'retry') {
        if (once || this.closed) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, outcome.waitMs);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
        if (this.closed) return;
        continue;
      }
      this.batch = null;
    }
  }

  private async export(spans: Span[]): Promise<{ kind: 'done' } | { kind: 'retry'; waitMs: number }> {
    let res: Response;
    this.inFlight = new AbortController();
    const timeout = setTimeout(() => this.inFlight?.abort(), this.settings.timeoutMs);
    try {
      const json = Buffer.from(JSON.stringify(spansToOtlp(spans)));
      const body = this.settings.gzip ? await gzipAsync(json) : json;
      const headers: Record<string, string> = { ...this.headers, 'content-type': 'application/json' };
      if (this.settings.gzip) headers['content-encoding'] = 'gzip';
      res = await fetch(this.url, { method: 'POST', headers, body, signal: this.inFlight.signal });
    } catch (err) {
      const reason = (err as Error).name === 'AbortError' ? `no answer within ${this.settings.timeoutMs} ms` : causeOf(err);
      return this.retryLater(`upstream ${displayEndpoint(this.url)} is unreachable: ${reason}`, null);
    } finally {
      clearTimeout(timeout);
      this.inFlight = null;
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      this.succeeded(spans.length, text);
      return { kind: 'done' };
    }
    const detail = `${res.status} ${res.statusText}${text ? `: ${oneLine(text)}` : ''}`;
    if (RETRYABLE.has(res.status)) return this.retryLater(`upstream ${displayEndpoint(this.url)} answered ${detail}`, res.headers.get('retry-after'));
    this.drop(spans.length, `upstream ${displayEndpoint(this.url)} refused the export with ${detail}${advice(res.status)}`);
    this.failures = FAILING_AFTER;
    this.setState('failing');
    return { kind: 'done' };
  }

  private succeeded(count: number, answer: string): void {
    let rejected = 0;
    let message = '';
    try {
      const partial = (JSON.parse(answer) as { partialSuccess?: { rejectedSpans?: number | string; errorMessage?: string } }).partialSuccess;
      rejected = Math.min(count, Number(partial?.rejectedSpans ?? 0) || 0);
      message = partial?.errorMessage ?? '';
    } catch {
      // an empty or non-JSON 2xx is a plain success
    }
    this.stats.sent += count - rejected;
    this.stats.rejected += rejected;
    if (rejected > 0 || message) this.noteError(`upstream rejected ${rejected} of ${count} spans${message ? `: ${oneLine(message)}` : ''}`);
    this.lastSuccessAt = Date.now();
    this.failures = 0;
    this.backoffMs = this.settings.initialBackoffMs;
    this.setState('ok');
  }

  private retryLater(message: string, retryAfter: string | null): { kind: 'retry'; waitMs: number } {
    this.noteError(message);
    this.failures++;
    this.setState(this.failures >= FAILING_AFTER ? 'failing' : 'retrying');
    // ±20 % jitter keeps several collectors from retrying in step
    let waitMs = Math.round(this.backoffMs * (0.8 + Math.random() * 0.4));
    this.backoffMs = Math.min(this.backoffMs * 2, this.settings.maxBackoffMs);
    const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : NaN;
    if (Number.isFinite(seconds)) waitMs = Math.min(Math.max(waitMs, seconds * 1000), 300_000);
    return { kind: 'retry', waitMs };
  }

  private drop(count: number, why: string): void {
    this.stats.dropped += count;
    this.noteError(`${count} span${count === 1 ? '' : 's'} not forwarded: ${why}`);
  }

  private noteError(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }

  private setState(next: ForwardState): void {
    if (next === this.state) return;
    const before = this.state;
    this.state = next;
    if (next === 'ok') this.log(`upstream ${displayEndpoint(this.url)} accepts spans again`);
    else if (before === 'ok' || next === 'failing') this.log(`${next}: ${this.lastError}`);
  }
}

/** fetch() says only "fetch failed": the reason is in its cause (or the cause's list, for a dual-stack connect). */
function causeOf(err: unknown): string {
  type Cause = { code?: string; message?: string; errors?: Cause[] };
  let cause = (err as { cause?: Cause }).cause;
  if (cause && !cause.code && Array.isArray(cause.errors) && cause.errors.length > 0) cause = cause.errors[0];
  if (!cause?.code) return cause?.message || (err as Error).message;
  return cause.message?.includes(cause.code) ? cause.message : `${cause.code} ${cause.message ?? ''}`.trim();
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function advice(status: number): string {
  if (status === 401 || status === 403) return ' — check the credentials given with --forward-header (stacklens.forward.headers)';
  if (status === 404) return ' — check the endpoint: a base URL gets /v1/traces appended';
  if (status === 413) return ' — the upstream takes smaller bodies';
  if (status === 415) return ' — the upstream does not take OTLP/JSON';
  return '';
}

// Sends finished spans to the collector off the caller's path: a bounded queue (full → drop
// and count), batches by size or after a short delay, retries with exponential backoff on
// network errors, 429 and 5xx, and a last flush when the process runs out of work
// (`beforeExit`), so a short script delivers its spans with no explicit flush(). Nothing here
// throws into traced code; failures surface from flush() and through onExportError.
import { currentConfig, type Config } from './config';
import { ApiError, AuthError, StackLensError } from './errors';
import type { ActiveSpan } from './span';
import { reason, send, type Reply } from './transport';
import { toWire } from './wire';

export interface ScoreRecord {
  trace_id: string;
  span_id: string;
  name: string;
  value: number;
  reason?: string;
  label?: string;
  source: 'sdk';
}

export interface ExportStats {
  /** spans and scores waiting to be sent */
  queued: number;
  /** spans the collector accepted */
  sentSpans: number;
  sentScores: number;
  /** spans and scores dropped because the queue was full */
  dropped: number;
  /** spans and scores that could not be delivered (refused, or the collector unreachable) */
  failed: number;
}

type Item = ActiveSpan | ScoreRecord;
const isSpan = (item: Item): item is ActiveSpan => 'traceId' in item;

class Exporter {
  private queue: Item[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private backoff: NodeJS.Timeout | null = null;
  private exiting = false;
  private errors: Error[] = [];

  constructor(readonly config: Config) {}

  get queued(): number {
    return this.queue.length;
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.running === null;
  }

  enqueue(item: Item): void {
    if (this.queue.length >= this.config.export.maxQueueSize) {
      totals.dropped++;
      return;
    }
    this.queue.push(item);
    if (this.queue.length === this.config.export.maxBatchSize) {
      // a full batch goes at once, but not on the caller's stack: encoding 512 spans takes a while
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.start();
      }, 0);
      this.timer.unref();
    } else {
      this.schedule();
    }
  }

  /** Sends everything queued; resolves when the queue is empty and nothing is in flight. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running) {
      this.start();
      await this.running;
    }
  }

  /** The process has nothing left to do: send what is queued, keeping the process alive for it. */
  onBeforeExit(): void {
    if (this.idle) return;
    this.exiting = true;
    this.backoff?.ref();
    this.start();
  }

  takeErrors(): Error[] {
    const errors = this.errors;
    this.errors = [];
    return errors;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start();
    }, this.config.export.scheduleDelayMs);
    this.timer.unref();
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.queue.length === 0) return;
    this.running = this.sendQueued()
      .catch((error: unknown) => {
        // a bug of ours must not become an unhandled rejection in the user's process
        this.fail(0, new StackLensError(`Export failed unexpectedly: ${(error as Error)?.message ?? error}. This is a bug in the StackLens SDK; please report it.`));
      })
      .finally(() => {
        this.running = null;
        if (this.queue.length > 0) (this.exiting ? this.start() : this.schedule());
        else this.exiting = false; // the program may go on (a beforeExit listener started work)
      });
  }

  private async sendQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.config.export.maxBatchSize);
      const spans = batch.filter(isSpan);
      if (spans.length > 0) await this.sendSpans(spans);
      for (const item of batch) if (!isSpan(item)) await this.sendScore(item);
    }
  }

  private async sendSpans(spans: ActiveSpan[]): Promise<void> {
    let body: string;
    try {
      body = JSON.stringify({ spans: await toWire(spans, this.config) });
    } catch (error) {
      this.fail(spans.length, new StackLensError(`Could not encode ${spans.length} span(s) for export: ${(error as Error).message}. This is a bug in the StackLens SDK; please report it.`));
      return;
    }
    const outcome = await this.deliver('api/v1/spans', body);
    if (outcome === 'ok') {
      totals.sentSpans += spans.length;
    } else if (outcome instanceof ApiError && (outcome.statusCode === 400 || outcome.statusCode === 413) && spans.length > 1) {
      // The collector stores nothing of a batch with one bad span (or one too large): halve it
      // until the bad span stands alone, so every valid span still arrives.
      const half = Math.ceil(spans.length / 2);
      await this.sendSpans(spans.slice(0, half));
      await this.sendSpans(spans.slice(half));
    } else {
      this.fail(spans.length, outcome);
    }
  }

  private async sendScore(score: ScoreRecord): Promise<void> {
    const outcome = await this.deliver('api/v1/scores', JSON.stringify(score));
    if (outcome === 'ok') totals.sentScores++;
    else this.fail(1, outcome);
  }

  private async deliver(path: string, body: string): Promise<'ok' | StackLensError> {
    const { endpoint, apiKey } = this.config;
    const { retryBaseDelayMs } = this.config.export;
    // a finished program waits for its last spans, but only briefly when the collector is away
    const maxAttempts = this.exiting ? Math.min(this.config.export.maxAttempts, 3) : this.config.export.maxAttempts;
    const timeoutMs = this.exiting ? Math.min(this.config.export.timeoutMs, 2000) : this.config.export.timeoutMs;
    // relative to the endpoint, so a collector behind a path prefix works too
    const url = new URL(path, endpoint.href.endsWith('/') ? endpoint.href : endpoint.href + '/');
    let last: StackLensError = new ApiError(0, 'not sent');
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let reply: Reply | null = null;
      try {
        reply = await send({ method: 'POST', url, apiKey, body, timeoutMs });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        last = new ApiError(
          0,
          `Could not reach the StackLens collector at ${endpoint.origin} (${code}) after ${attempt} attempt(s). ` +
            'Is it running? Start it with `stacklens serve`, or open the project in VS Code with the StackLens extension.',
          { cause: error },
        );
      }
      if (reply) {
        if (reply.status >= 200 && reply.status < 300) return 'ok';
        if (reply.status === 401 || reply.status === 403) {
          return new AuthError(
            `The StackLens collector at ${endpoint.origin} refused the API key (HTTP ${reply.status}: ${reason(reply)}). ` +
              'Use the token the collector printed when it started (the extension puts it in STACKLENS_API_KEY), or pass it to configure({ apiKey }).',
            reply.status,
          );
        }
        last = new ApiError(reply.status, `The StackLens collector at ${endpoint.origin} answered HTTP ${reply.status} to POST ${url.pathname}: ${reason(reply)}`);
        if (reply.status !== 429 && reply.status < 500) return last;
      }
      if (attempt < maxAttempts) {
        const delay = retryBaseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
        const asked = reply?.retryAfter != null ? reply.retryAfter * 1000 : 0;
        await this.pause(Math.min(Math.max(delay, asked), 10_000));
      }
    }
    return last;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.backoff = setTimeout(() => {
        this.backoff = null;
        resolve();
      }, ms);
      // a retry must not keep a finished program alive, unless it is the final flush
      if (!this.exiting) this.backoff.unref();
    });
  }

  private fail(count: number, error: StackLensError): void {
    totals.failed += count;
    const what = `${count} span${count === 1 ? '' : 's'} or score${count === 1 ? '' : 's'} not delivered`;
    const failure = Object.assign(error, { message: `${error.message} (${what})` });
    this.errors.push(failure);
    if (this.errors.length > 100) this.errors.splice(0, this.errors.length - 100);
    report(this.config, failure);
  }
}

const reported = new Set<string>();
function report(config: Config, error: Error): void {
  if (config.onExportError) {
    try {
      config.onExportError(error);
    } catch {
      /* the user's handler failing must not break export */
    }
    return;
  }
  const key = error.message.replace(/\(\d+ spans?[^)]*\)$/, '');
  if (reported.has(key)) return;
  reported.add(key);
  process.stderr.write(`[stacklens] ${error.name}: ${error.message}\n`);
}

const exporters = new Map<Config, Exporter>();
const totals = { sentSpans: 0, sentScores: 0, dropped: 0, failed: 0 };
let exitHookInstalled = false;

function onBeforeExit(): void {
  for (const exporter of exporters.values()) exporter.onBeforeExit();
}

function exporterFor(config: Config): Exporter {
  let exporter = exporters.get(config);
  if (!exporter) {
    for (const [old, e] of exporters) if (e.idle && old !== config) exporters.delete(old);
    exporter = new Exporter(config);
    exporters.set(config, exporter);
  }
  if (!exitHookInstalled) {
    process.on('beforeExit', onBeforeExit);
    exitHookInstalled = true;
  }
  return exporter;
}

export function exportSpan(span: ActiveSpan): void {
  let config: Config;
  try {
    config = currentConfig();
  } catch {
    return; // configuration vanished after the span started (env cleared); nowhere to send it
  }
  exporterFor(config).enqueue(span);
}

export function exportScore(score: ScoreRecord): void {
  let config: Config;
  try {
    config = currentConfig();
  } catch {
    return;
  }
  exporterFor(config).enqueue(score);
}

/**
 * Sends every queued span and score now. Rejects with the first export failure since the
 * previous flush (AuthError for a refused key, ApiError otherwise); the rest are counted in
 * exportStats().failed.
 */
export async function flush(): Promise<void> {
  const all = [...exporters.values()];
  await Promise.all(all.map((exporter) => exporter.drain()));
  const errors = all.flatMap((exporter) => exporter.takeErrors());
  if (errors.length > 0) throw errors[0];
}

/** flush(), then release the timers and the exit hook; tracing afterwards starts afresh. */
export async function shutdown(): Promise<void> {
  try {
    await flush();
  } finally {
    for (const exporter of exporters.values()) exporter.stop();
    exporters.clear();
    if (exitHookInstalled) process.off('beforeExit', onBeforeExit);
    exitHookInstalled = false;
  }
}

export function exportStats(): ExportStats {
  let queued = 0;
  for (const exporter of exporters.values()) queued += exporter.queued;
  return { queued, ...totals };
}

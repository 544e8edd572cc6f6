// Starting and ending spans, and the context that makes a span the parent of the spans started
// inside its callback. Context lives in one AsyncLocalStorage, so it follows the callback's
// async work through awaits, Promise.all and timers, with nothing passed by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import { CallSiteCache, type CallSiteCapture } from './call-site';
import { currentConfig, describe } from './config';
import { ValidationError } from './errors';
import { ActiveSpan, now, type Span } from './span';
import { attributeMap, llmRecord, spanKind, spanName, status as checkStatus, tagList, type Attributes, type LlmCall, type SpanKind } from './validate';

const context = new AsyncLocalStorage<ActiveSpan>();
// one cache per entry point: the same name may be a trace() here and a span() there
const callSites = { trace: new CallSiteCache(), startTrace: new CallSiteCache(), span: new CallSiteCache() };

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  tags?: string[];
}

export interface TraceOptions extends LlmCall {
  attributes?: Attributes;
  tags?: string[];
  status?: 'ok' | 'error';
  statusMessage?: string;
  /** how long the call took, when you measured it; the span then ends now and starts this long ago */
  durationMs?: number;
}

/** The span whose callback is running, if any. */
export function currentSpan(): Span | undefined {
  return context.getStore();
}

/**
 * Opens a span, a child of the running span unless `root` (a new trace even inside another
 * span's callback). `defaultKind` applies to a trace's root. Throws ConfigurationError when
 * the SDK is not configured.
 */
export function openSpan(name: string, root: boolean, defaultKind: SpanKind, callSite: CallSiteCapture | null, options: SpanOptions | undefined, where: string): ActiveSpan {
  currentConfig();
  spanName(name, where);
  const parent = root ? null : (context.getStore() ?? null);
  const span = new ActiveSpan(name, parent, parent ? 'internal' : defaultKind, callSite);
  if (options) {
    if (options.kind !== undefined) span.kind = spanKind(options.kind, where);
    if (options.attributes !== undefined) span.attributes = attributeMap(options.attributes, where);
    if (options.tags !== undefined) span.tags = [...new Set(tagList(options.tags, where))];
  }
  return span;
}

/** Runs `fn` as the span's body: ends the span when fn returns or settles, marks throws as errors. */
export function runInSpan<T>(span: ActiveSpan, fn: (span: Span) => T, self?: unknown, args?: unknown[]): T {
  let result: T;
  try {
    result = args ? context.run(span, () => (fn as unknown as (...a: unknown[]) => T).apply(self, args)) : context.run(span, fn, span);
  } catch (error) {
    span.recordError(error);
    span.end();
    throw error;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as PromiseLike<unknown>).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.recordError(error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

/**
 * Records one LLM call as a span (seed 001 trace()) and returns its trace id. Inside a running
 * span it becomes that span's child, in the same trace.
 */
export function trace(name: string, options: TraceOptions): string {
  const where = 'trace()';
  spanName(name, where);
  const llm = llmRecord(options, where);
  const duration = options.durationMs;
  if (duration !== undefined && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)) {
    throw new ValidationError('durationMs', `${where}: durationMs must be a number ≥ 0 (milliseconds), got ${describe(duration)}.`);
  }
  const span = openSpan(name, false, 'llm', callSites.trace.lookup(trace, name, null), { attributes: options.attributes, tags: options.tags }, where);
  span.setLlm(llm);
  if (options.status !== undefined) span.status = checkStatus(options.status, where);
  if (typeof options.statusMessage === 'string') span.statusMessage = options.statusMessage;
  const end = now();
  if (duration !== undefined) span.startTime = end - duration;
  span.end(end);
  return span.traceId;
}

/**
 * Runs `fn` as the root span of a new trace (seed 001 start_trace) and returns what fn returns.
 * When fn throws or rejects, the span gets status error, the message and an exception event,
 * and the error is rethrown unchanged.
 */
export function startTrace<T>(name: string, fn: (span: Span) => T, options?: SpanOptions): T {
  spanName(name, 'startTrace()');
  callback(fn, 'startTrace()');
  const span = openSpan(name, true, 'agent', callSites.startTrace.lookup(startTrace, name, fn), options, 'startTrace()');
  return runInSpan(span, fn);
}

/** Runs `fn` as a child span of the running span (a new trace when none runs). */
export function span<T>(name: string, fn: (span: Span) => T, options?: SpanOptions): T {
  spanName(name, 'span()');
  callback(fn, 'span()');
  const child = openSpan(name, false, 'internal', callSites.span.lookup(span, name, fn), options, 'span()');
  return runInSpan(child, fn);
}

function callback(fn: unknown, where: string): void {
  if (typeof fn !== 'function') {
    throw new ValidationError('fn', `${where}: the second argument must be the function to trace, like (span) => { ... }; got ${describe(fn)}.`);
  }
}

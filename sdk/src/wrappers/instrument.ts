// What the OpenAI and Anthropic wrappers share: a Proxy that swaps chosen methods of a client
// (leaving the user's client object untouched), and observers for the clients' results that
// keep their exact types: APIPromise stays an APIPromise (.withResponse() keeps working),
// a Stream stays a Stream (for await, tee(), toReadableStream()).
import { refuseOverBudget, tagsInScope } from '../budget';
import { captureCallSite, type CallSiteCapture } from '../call-site';
import { currentConfig } from '../config';
import { currentSpan, openSpan } from '../tracer';
import type { ActiveSpan } from '../span';
import type { LlmRecord } from '../validate';

export type MethodFactory = (original: (...args: any[]) => any, owner: object) => (...args: any[]) => any;
interface PathTree {
  [property: string]: PathTree | MethodFactory;
}

/**
 * A proxy of `root` whose methods at the given dotted paths ('chat.completions.create') are
 * replaced by what their factories return. Other methods are bound to the real object, so
 * clients that keep private state (#fields) work through the proxy.
 */
export function instrument<T extends object>(root: T, methods: Record<string, MethodFactory>): T {
  const tree: PathTree = {};
  for (const [dotted, factory] of Object.entries(methods)) {
    const parts = dotted.split('.');
    let node = tree;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as PathTree;
    node[parts[parts.length - 1]] = factory;
  }
  return proxy(root, tree);
}

function proxy<T extends object>(target: T, tree: PathTree): T {
  const cache = new Map<PropertyKey, { value: unknown; replacement: unknown }>();
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      const cached = cache.get(property);
      if (cached && cached.value === value) return cached.replacement;
      const node = typeof property === 'string' && Object.hasOwn(tree, property) ? tree[property] : undefined;
      let replacement: unknown = value;
      if (typeof node === 'function' && typeof value === 'function') replacement = node(value as (...args: any[]) => any, object);
      else if (node && typeof node === 'object' && value !== null && typeof value === 'object') replacement = proxy(value as object, node);
      else if (typeof value === 'function' && property !== 'constructor') replacement = (value as Function).bind(object);
      cache.set(property, { value, replacement });
      return replacement;
    },
  });
}

/** The call site of a method call reached through a wrapper another wrapper made (messages.stream → create). */
let inheritedSite: CallSiteCapture | null = null;

export function withCallSite<T>(site: CallSiteCapture, run: () => T): T {
  const previous = inheritedSite;
  inheritedSite = site;
  try {
    return run();
  } finally {
    inheritedSite = previous;
  }
}

/**
 * Before a client call is sent: BudgetExceededError when a hard budget limit is reached (see
 * ../budget.ts). Thrown synchronously, as ConfigurationError is, so no span is opened and
 * nothing is sent; the running span records the error if the caller lets it through.
 */
export function guardBudget(method: string, model: unknown): void {
  const what = `${method}${typeof model === 'string' ? ` (${model})` : ''}`;
  refuseOverBudget(currentConfig(), what, tagsInScope(currentSpan() as ActiveSpan | undefined));
}

/** Opens the llm span of one client call, as a child of the running span. */
export function openLlmSpan(name: string, boundary: Function): ActiveSpan {
  const site = inheritedSite ?? captureCallSite(boundary, true);
  inheritedSite = null;
  const span = openSpan(name, false, 'llm', site, undefined, name);
  span.kind = 'llm';
  return span;
}

/**
 * Observes a client method's result without changing its type. `onValue` sees the parsed body
 * (or the Stream) when the caller awaits it and returns what the caller gets; `onError` sees a
 * failed request. Observers never throw into the caller.
 */
export function observeResult(result: any, onValue: (value: any) => any, onError: (error: unknown) => void): any {
  const safeValue = (value: unknown) => {
    try {
      return onValue(value);
    } catch {
      return value;
    }
  };
  const safeError = (error: unknown) => {
    try {
      onError(error);
    } catch {
      /* never mask the caller's error */
    }
  };
  if (result && typeof result._thenUnwrap === 'function') {
    // Stainless APIPromise (openai, @anthropic-ai/sdk): a failed request rejects responsePromise
    if (result.responsePromise && typeof result.responsePromise.then === 'function') result.responsePromise.then(undefined, safeError);
    return result._thenUnwrap(safeValue);
  }
  if (result && typeof result.then === 'function') {
    return result.then(safeValue, (error: unknown) => {
      safeError(error);
      throw error;
    });
  }
  return safeValue(result);
}

export interface StreamObserver {
  onItem(item: unknown): void;
  /** called once: at the end, on an error, or when the caller stops early */
  onEnd(error?: unknown): void;
  /** items the caller should not see (the usage chunk the wrapper asked for on its own) */
  hide?(item: unknown): boolean;
}

/** Patches a client Stream so its items pass the observer on their way to the caller. */
export function observeStream<S extends object>(stream: S, observer: StreamObserver): S {
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    try {
      observer.onEnd(error);
    } catch {
      /* observing must not break the caller's loop */
    }
  };
  const wrapIterator = (inner: AsyncIterator<unknown>): AsyncIterableIterator<unknown> => ({
    async next() {
      try {
        for (;;) {
          const step = await inner.next();
          if (step.done) {
            end();
            return step;
          }
          try {
            observer.onItem(step.value);
          } catch {
            /* as above */
          }
          if (observer.hide?.(step.value)) continue;
          return step;
        }
      } catch (error) {
        end(error);
        throw error;
      }
    },
    async return(value?: unknown) {
      end();
      return inner.return ? inner.return(value) : { done: true, value };
    },
    async throw(error?: unknown) {
      end(error);
      if (inner.throw) return inner.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  });
  const target = stream as { iterator?: unknown; [Symbol.asyncIterator]?: unknown };
  // Stainless streams iterate through their own `iterator` property (for await, tee() and
  // toReadableStream() alike), so patching it sees every way of reading the stream.
  if (typeof target.iterator === 'function') {
    const original = target.iterator as () => AsyncIterator<unknown>;
    target.iterator = () => wrapIterator(original.call(stream));
  } else if (typeof target[Symbol.asyncIterator] === 'function') {
    const original = target[Symbol.asyncIterator] as () => AsyncIterator<unknown>;
    target[Symbol.asyncIterator] = () => wrapIterator(original.call(stream));
  }
  return stream;
}

export function isStream(value: unknown): value is object {
  return !!value && typeof value === 'object' && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function' && 'controller' in value;
}

/** Error details as attributes, beyond the exception event recordError() adds. */
export function errorAttributes(span: ActiveSpan, error: unknown): void {
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
  const type = (error as { constructor?: { name?: unknown } })?.constructor?.name;
  if (typeof type === 'string') span.setAttribute('error.type', type);
}

export const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
export const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The record of one chat call as it starts: the request's parameters now, usage and output as
 * they arrive. Also names the operation, model and server on the span.
 */
export function startChatRecord(span: ActiveSpan, provider: string, params: any, server: string | null, request: { maxTokens: unknown; prompt: string | null }): LlmRecord {
  const model = typeof params?.model === 'string' ? params.model : 'unknown';
  const record: LlmRecord = {
    model,
    provider,
    inputTokens: null,
    outputTokens: null,
    totalTokens: null,
    costUsd: null,
    temperature: numberOrNull(params?.temperature),
    maxTokens: numberOrNull(request.maxTokens),
    prompt: request.prompt,
    completion: null,
    isStreaming: params?.stream === true,
    finishReason: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
  };
  span.setAttribute('gen_ai.operation.name', 'chat');
  span.setAttribute('gen_ai.request.model', model);
  if (server) span.setAttribute('server.address', server);
  span.setLlm(record);
  return record;
}

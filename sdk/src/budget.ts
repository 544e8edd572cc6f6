// The monthly budget, as the collector states it (GET /api/v1/budget): with a hard limit reached,
// wrapped clients refuse new calls before they are sent.
//
// Trade-off: the hot path never waits on the network. Each check decides from the last answer
// and, when that answer is older than `budgetRefreshMs` (default 5 s), asks again in the
// background. So a check sees spend as of a few seconds ago plus the export delay (spans are
// batched for about a second before they reach the collector): a burst of parallel calls can
// overshoot the limit a little, and the first call of a process (no answer yet) goes through.
// `await refreshBudget()` at start-up closes that first gap. An answer that cannot be had (the
// collector down, an old collector without the route, a refused key) enforces nothing: a
// tracing tool must not stop an application because it cannot reach itself.
import { currentConfig, describe, type Config } from './config';
import { BudgetExceededError, ValidationError } from './errors';
import type { ActiveSpan } from './span';
import { currentSpan } from './tracer';
import { send } from './transport';

/** The part of the collector's answer the SDK decides from. */
export interface BudgetStatus {
  month: string;
  /** epoch ms: the month's end, after which this answer says nothing */
  until: number;
  spent_usd: number;
  limit_usd: number | null;
  hard_limit: boolean;
  exceeded: boolean;
  tags: Array<{ tag: string; spent_usd: number; limit_usd: number; exceeded: boolean }>;
}

interface Cache {
  config: Config;
  status: BudgetStatus | null;
  /** epoch ms of the last answer (or failed attempt); 0: never asked */
  askedAt: number;
  pending: Promise<BudgetStatus | null> | null;
}

let cache: Cache | null = null;

function cacheFor(config: Config): Cache {
  // configure() again (another collector, another key): the old answer is not this one's
  if (!cache || cache.config !== config) cache = { config, status: null, askedAt: 0, pending: null };
  return cache;
}

function fetchBudget(c: Cache): Promise<BudgetStatus | null> {
  if (c.pending) return c.pending;
  const { config } = c;
  const base = config.endpoint.href.endsWith('/') ? config.endpoint.href : config.endpoint.href + '/';
  c.pending = send({ method: 'GET', url: new URL('api/v1/budget', base), apiKey: config.apiKey, timeoutMs: config.export.timeoutMs, unref: true })
    .then(
      (reply) => (reply.status === 200 ? readStatus(reply.body) : null),
      () => null,
    )
    .then((status) => {
      c.status = status;
      c.askedAt = Date.now();
      c.pending = null;
      return status;
    });
  return c.pending;
}

function readStatus(body: string): BudgetStatus | null {
  try {
    const s = JSON.parse(body) as Partial<BudgetStatus>;
    if (typeof s.hard_limit !== 'boolean' || typeof s.exceeded !== 'boolean' || typeof s.spent_usd !== 'number') return null;
    return {
      month: typeof s.month === 'string' ? s.month : '',
      until: typeof s.until === 'number' ? s.until : Infinity,
      spent_usd: s.spent_usd,
      limit_usd: typeof s.limit_usd === 'number' ? s.limit_usd : null,
      hard_limit: s.hard_limit,
      exceeded: s.exceeded,
      tags: Array.isArray(s.tags) ? s.tags.filter((t) => t && typeof t.tag === 'string' && typeof t.exceeded === 'boolean') : [],
    };
  } catch {
    return null;
  }
}

/**
 * Asks the collector for the budget now and resolves with its answer (null when there is none to
 * be had); the checks that follow decide from it. Await it at start-up so the first call is
 * checked against a fresh answer too.
 */
export function refreshBudget(): Promise<BudgetStatus | null> {
  return fetchBudget(cacheFor(currentConfig()));
}

/**
 * For LLM calls made without a wrapped client: throws BudgetExceededError when a hard limit is
 * reached for a call with these tags (default: the tags of the running span and its ancestors).
 * Decides from the cached answer and never waits, as the wrappers do.
 */
export function checkBudget(options: { tags?: string[] } = {}): void {
  const tags = options?.tags;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) {
    throw new ValidationError('tags', `checkBudget(): tags must be an array of strings, got ${describe(tags)}.`);
  }
  refuseOverBudget(currentConfig(), 'the call', tags ?? tagsInScope(currentSpan() as ActiveSpan | undefined));
}

/** The tags a call carries: those of the running span and its ancestors (the trace's tags, as far as they are known yet). */
export function tagsInScope(span: ActiveSpan | undefined): string[] {
  const tags = new Set<string>();
  for (let s: ActiveSpan | null = span ?? null; s; s = s.parent) for (const t of s.tags ?? []) tags.add(t);
  return [...tags];
}

const usd = (n: number) => `$${n.toFixed(n >= 100 ? 0 : 2)}`;

/**
 * Throws BudgetExceededError when the last known answer has a hard limit reached for this call
 * (the monthly limit, or the limit of one of `tags`). Never waits: a stale answer is refreshed in
 * the background for the next call.
 */
export function refuseOverBudget(config: Config, what: string, tags: readonly string[]): void {
  if (!config.enforceBudget) return;
  const c = cacheFor(config);
  if (Date.now() - c.askedAt >= config.budgetRefreshMs) void fetchBudget(c);
  const s = c.status;
  if (!s || !s.hard_limit || Date.now() >= s.until) return;
  const optOut = 'or configure({ enforceBudget: false }) (env STACKLENS_ENFORCE_BUDGET=false) to let calls through';
  if (s.exceeded && s.limit_usd !== null) {
    throw new BudgetExceededError(
      `StackLens budget exceeded: ${usd(s.spent_usd)} spent of the ${usd(s.limit_usd)} monthly hard limit (${s.month}), so ${what} was not sent. ` +
        `Raise stacklens.budget.monthlyUsd (or turn off stacklens.budget.hardLimit) in VS Code, ${optOut}.`,
      s.spent_usd,
      s.limit_usd,
      s.month,
    );
  }
  const tag = s.tags.find((t) => t.exceeded && tags.includes(t.tag));
  if (tag) {
    throw new BudgetExceededError(
      `StackLens budget exceeded for tag "${tag.tag}": ${usd(tag.spent_usd)} spent of its ${usd(tag.limit_usd)} monthly hard limit (${s.month}), so ${what} was not sent. ` +
        `Raise stacklens.budget.perTag["${tag.tag}"] in VS Code, ${optOut}.`,
      tag.spent_usd,
      tag.limit_usd,
      s.month,
      tag.tag,
    );
  }
}

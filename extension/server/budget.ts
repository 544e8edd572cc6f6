// The monthly budget: what the counted model calls of this calendar month (UTC) cost, against the
// limits from settings or `serve --budget-usd`. GET /api/v1/budget answers it; the status bar polls
// it and the SDK reads `hard_limit` + `exceeded` to refuse calls before they are sent. The answer
// is cached until the store announces a change, so polling every few seconds costs nothing.
import type { Store } from './store/api';

export interface BudgetOptions {
  /** the monthly limit in USD; absent: spend is shown without a limit */
  monthlyUsd?: number | null;
  /** percent of a limit at which `warn` turns true (default 80) */
  warnAtPct?: number;
  /** with a hard limit, SDKs refuse new traced LLM calls once a limit is reached */
  hardLimit?: boolean;
  /** monthly limits per trace tag (feature), in USD */
  perTag?: Record<string, number>;
}

export interface BudgetStatus {
  month: string; // YYYY-MM, UTC
  since: number; // epoch ms: the month's first instant
  until: number; // epoch ms: the next month's first instant
  spent_usd: number;
  calls: number;
  /** calls whose model has no price: spent_usd is a lower bound when this is above 0 */
  unpriced_calls: number;
  limit_usd: number | null;
  /** spent as a percent of the limit, or null without a limit */
  pct_used: number | null;
  warn_at_pct: number;
  warn: boolean;
  hard_limit: boolean;
  exceeded: boolean;
  by_model: Array<{ model: string; calls: number; spent_usd: number }>;
  by_tag: Array<{ tag: string; calls: number; spent_usd: number }>;
  /** the tags that have a limit */
  tags: Array<{ tag: string; spent_usd: number; limit_usd: number; pct_used: number; warn: boolean; exceeded: boolean }>;
}

/** Checks budget options, naming the first wrong field. */
export function checkBudgetOptions(options: BudgetOptions | undefined): Required<BudgetOptions> {
  const o = options ?? {};
  const amount = (v: unknown, field: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`budget.${field}: expected an amount in USD ≥ 0, got ${JSON.stringify(v)}`);
    return v;
  };
  const monthlyUsd = o.monthlyUsd === undefined || o.monthlyUsd === null ? null : amount(o.monthlyUsd, 'monthlyUsd');
  const warnAtPct = o.warnAtPct ?? 80;
  if (typeof warnAtPct !== 'number' || !(warnAtPct > 0 && warnAtPct <= 100)) throw new Error(`budget.warnAtPct: expected a percent from 1 to 100, got ${JSON.stringify(o.warnAtPct)}`);
  if (o.hardLimit !== undefined && typeof o.hardLimit !== 'boolean') throw new Error(`budget.hardLimit: expected true or false, got ${JSON.stringify(o.hardLimit)}`);
  const perTag: Record<string, number> = {};
  for (const [tag, limit] of Object.entries(o.perTag ?? {})) {
    if (tag.trim() === '') throw new Error('budget.perTag: a tag name is empty');
    perTag[tag] = amount(limit, `perTag["${tag}"]`);
  }
  return { monthlyUsd, warnAtPct, hardLimit: o.hardLimit ?? false, perTag };
}

/** The calendar month (UTC) holding `now`. */
export function monthOf(now: number): { month: string; since: number; until: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { month: `${y}-${String(m + 1).padStart(2, '0')}`, since: Date.UTC(y, m, 1), until: Date.UTC(y, m + 1, 1) };
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export async function budgetStatus(store: Pick<Store, 'query'>, options: BudgetOptions | undefined, now = Date.now()): Promise<BudgetStatus> {
  const o = checkBudgetOptions(options);
  const { month, since, until } = monthOf(now);
  const range = `c.start_time >= ${since} AND c.start_time < ${until}`;
  const totals = await store.query(`SELECT COUNT(*), COALESCE(SUM(c.cost_usd), 0), COALESCE(SUM(c.cost_source = 'unpriced'), 0) FROM llm_calls c WHERE ${range}`);
  const models = await store.query(
    `SELECT COALESCE(c.model, '(unknown)') AS model, COUNT(*) AS calls, COALESCE(SUM(c.cost_usd), 0) AS spent FROM llm_calls c WHERE ${range}
     GROUP BY 1 ORDER BY spent DESC, calls DESC, model`,
  );
  const tagRows = await store.query(
    `SELECT g.tag AS tag, COUNT(*) AS calls, COALESCE(SUM(c.cost_usd), 0) AS spent FROM llm_calls c JOIN tags g ON g.trace_id = c.trace_id WHERE ${range}
     GROUP BY 1 ORDER BY spent DESC, calls DESC, tag`,
  );
  const [calls, spent, unpriced] = totals.rows[0] ?? [0, 0, 0];
  const spentUsd = num(spent);
  const byTag = tagRows.rows.map(([tag, n, s]) => ({ tag: tag as string, calls: num(n), spent_usd: num(s) }));
  const pctOf = (s: number, limit: number) => (limit > 0 ? (s / limit) * 100 : s > 0 ? Infinity : 0);
  const limit = o.monthlyUsd;
  const pctUsed = limit === null ? null : pctOf(spentUsd, limit);
  return {
    month,
    since,
    until,
    spent_usd: spentUsd,
    calls: num(calls),
    unpriced_calls: num(unpriced),
    limit_usd: limit,
    pct_used: pctUsed === null || Number.isFinite(pctUsed) ? pctUsed : 100,
    warn_at_pct: o.warnAtPct,
    warn: pctUsed !== null && pctUsed >= o.warnAtPct,
    hard_limit: o.hardLimit,
    exceeded: limit !== null && spentUsd >= limit && (limit > 0 || spentUsd > 0),
    by_model: models.rows.map(([model, n, s]) => ({ model: model as string, calls: num(n), spent_usd: num(s) })),
    by_tag: byTag,
    tags: Object.entries(o.perTag).map(([tag, tagLimit]) => {
      const s = byTag.find((t) => t.tag === tag)?.spent_usd ?? 0;
      const p = pctOf(s, tagLimit);
      return { tag, spent_usd: s, limit_usd: tagLimit, pct_used: Number.isFinite(p) ? p : 100, warn: p >= o.warnAtPct, exceeded: s >= tagLimit && (tagLimit > 0 || s > 0) };
    }),
  };
}

/** budgetStatus, answered from a cache that the store's change events and the month's end expire. */
export class BudgetWatch {
  private cached: BudgetStatus | null = null;
  /** bumped by every change, so an answer computed across a change is not cached */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Pick<Store, 'query' | 'onChange'>,
    private readonly options: BudgetOptions | undefined,
  ) {
    checkBudgetOptions(options);
    this.unsubscribe = store.onChange(() => {
      this.generation++;
      this.cached = null;
    });
  }

  async status(now = Date.now()): Promise<BudgetStatus> {
    const c = this.cached;
    if (c && now >= c.since && now < c.until) return c;
    const generation = this.generation;
    const status = await budgetStatus(this.store, this.options, now);
    if (generation === this.generation) this.cached = status;
    return status;
  }

  close(): void {
    this.unsubscribe();
  }
}

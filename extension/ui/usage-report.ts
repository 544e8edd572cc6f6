// The Usage view's data for one date range: stats (tokens, cost, latency percentiles, by model by
// day, by tag), the budget, and the most expensive and slowest traces. The trace lists come from
// the store's read-only SQL (trace_costs view, seed 004), which both clients answer.
import type { CollectorApi } from '../server/rpc';
import type { TraceRow, UsageReport } from '../../webview/protocol';

/** rows per list of the dashboard */
export const TOP_TRACES = 8;

const COLUMNS = 'trace_id, name, start_time, duration_ms, total_cost_usd, unpriced_call_count, call_count, status';

/** The top traces of a range by one column (both bounds are numbers we made: no text reaches the SQL). */
export function topTracesSql(order: 'total_cost_usd' | 'duration_ms', since: number, until: number, limit = TOP_TRACES): string {
  const where = `start_time >= ${Math.floor(since)} AND start_time < ${Math.ceil(until)}${order === 'total_cost_usd' ? ' AND (total_cost_usd > 0 OR unpriced_call_count > 0)' : ''}`;
  return `SELECT ${COLUMNS} FROM trace_costs WHERE ${where} ORDER BY ${order} DESC, start_time DESC LIMIT ${limit}`;
}

function rows(result: { columns: string[]; rows: unknown[][] }): TraceRow[] {
  return result.rows.map((r) => {
    const o = Object.fromEntries(result.columns.map((c, i) => [c, r[i]])) as Record<string, unknown>;
    const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : 0);
    return {
      trace_id: String(o.trace_id),
      name: typeof o.name === 'string' ? o.name : '',
      start_time: num('start_time'),
      duration_ms: num('duration_ms'),
      total_cost_usd: num('total_cost_usd'),
      unpriced_call_count: num('unpriced_call_count'),
      call_count: num('call_count'),
      status: typeof o.status === 'string' ? o.status : 'unset',
    };
  });
}

export async function usageReport(collector: Pick<CollectorApi, 'stats' | 'budget' | 'query'>, since: number, until: number): Promise<UsageReport> {
  const [stats, budget, expensive, slowest] = await Promise.all([
    collector.stats({ since, until }),
    // an older collector has no budget: the dashboard still shows usage
    collector.budget().catch(() => null),
    collector.query(topTracesSql('total_cost_usd', since, until)).then(rows),
    collector.query(topTracesSql('duration_ms', since, until)).then(rows),
  ]);
  return { since, until, stats, budget, expensive, slowest };
}

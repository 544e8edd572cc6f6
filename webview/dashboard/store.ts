// The dashboard's one source of truth: the view, the date range and its report, the chart metric,
// and the SQL console's text and last answer. Components read these signals and call the actions.
import { batch, signal } from '@preact/signals';
import type { ConsoleResult } from '../../extension/server/sql-console';
import type { DashboardView, UsageReport } from '../protocol';
import type { Metric } from './charts';
import { postToHost, saveState, savedState } from './host';
import { rangeBounds, type RangeChoice } from './range';

export type UsageState =
  | { kind: 'idle' }
  | { kind: 'loading'; previous: UsageReport | null }
  | { kind: 'ready'; report: UsageReport }
  | { kind: 'error'; message: string };

export type SqlState =
  | { kind: 'idle' }
  | { kind: 'running'; id: number }
  | { kind: 'result'; id: number; result: ConsoleResult; elapsedMs: number }
  | { kind: 'error'; id: number; message: string };

export const DEFAULT_SQL = `-- One read-only statement over the store: the llm_calls and trace_costs views, and the tables.
SELECT model, COUNT(*) AS calls, ROUND(SUM(cost_usd), 4) AS cost_usd, ROUND(AVG(latency_ms)) AS avg_ms
FROM llm_calls
GROUP BY model
ORDER BY cost_usd DESC`;

const saved = savedState();
export const view = signal<DashboardView>(saved.view === 'sql' ? 'sql' : 'usage');
export const range = signal<RangeChoice>(saved.range && typeof saved.range.preset === 'string' ? saved.range : { preset: '7d' });
export const usage = signal<UsageState>({ kind: 'idle' });
export const metric = signal<Metric>('cost');
export const sqlText = signal<string>(typeof saved.sql === 'string' && saved.sql.trim() ? saved.sql : DEFAULT_SQL);
export const sql = signal<SqlState>({ kind: 'idle' });
/** a custom range the picker could not use, said next to it */
export const rangeProblem = signal<string | null>(null);

let nextQueryId = 1;

function persist(): void {
  saveState({ view: view.peek(), range: range.peek(), sql: sqlText.peek() });
}

export function showView(next: DashboardView): void {
  view.value = next;
  persist();
  if (next === 'usage' && usage.peek().kind === 'idle') requestUsage();
}

/** Asks the host for the report of the current range. */
export function requestUsage(): void {
  const bounds = rangeBounds(range.peek(), Date.now());
  if ('error' in bounds) {
    rangeProblem.value = bounds.error;
    return;
  }
  rangeProblem.value = null;
  postToHost({ type: 'requestUsage', since: bounds.since, until: bounds.until });
}

export function setRange(next: RangeChoice): void {
  range.value = next;
  persist();
  requestUsage();
}

export function usageLoading(): void {
  const current = usage.peek();
  usage.value = { kind: 'loading', previous: current.kind === 'ready' ? current.report : current.kind === 'loading' ? current.previous : null };
}

export function showUsage(report: UsageReport): void {
  usage.value = { kind: 'ready', report };
}

export function showUsageError(message: string): void {
  usage.value = { kind: 'error', message };
}

export function setSqlText(text: string): void {
  sqlText.value = text;
  persist();
}

export function runSql(): void {
  const text = sqlText.peek();
  if (!text.trim()) return;
  const id = nextQueryId++;
  sql.value = { kind: 'running', id };
  postToHost({ type: 'runSql', id, sql: text });
}

/** Answers to an older query than the one running are dropped: the console shows the latest. */
export function sqlAnswered(answer: { id: number; result: ConsoleResult; elapsedMs: number } | { id: number; message: string }): void {
  const current = sql.peek();
  if (current.kind !== 'running' || current.id !== answer.id) return;
  batch(() => {
    sql.value = 'result' in answer ? { kind: 'result', ...answer } : { kind: 'error', ...answer };
  });
}

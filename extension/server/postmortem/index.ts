// The 5-whys postmortem of a failed or over-budget trace (GET /api/v1/traces/:id/postmortem; the
// panel renders `whys`, "Copy as Markdown" takes `markdown`).
import type { SpanStatus, TraceDetail } from '../model';
import { traceFacts, type ExpensiveSpan, type Retry, type SpanRef } from './analysis';
import { toMarkdown } from './markdown';
import { fiveWhys, type Why } from './whys';

export type { ExpensiveSpan, Retry, SpanRef } from './analysis';
export type { Why } from './whys';
export { toMarkdown } from './markdown';

export interface Postmortem {
  trace_id: string;
  trace_name: string;
  /** failure: some span failed; cost: nothing failed, so the whys follow the money */
  kind: 'failure' | 'cost';
  status: SpanStatus;
  duration_ms: number;
  total_cost_usd: number;
  span_count: number;
  whys: Why[];
  root_cause: SpanRef | null;
  /** root → root cause */
  chain: SpanRef[];
  retries: Retry[];
  critical_path: SpanRef[];
  expensive: ExpensiveSpan[];
  markdown: string;
}

export function postmortem(detail: TraceDetail, options: { top?: number } = {}): Postmortem {
  const facts = traceFacts(detail, options.top ?? 5);
  const t = detail.trace;
  const analysis: Omit<Postmortem, 'markdown'> = {
    trace_id: t.trace_id,
    trace_name: t.name,
    kind: facts.root_cause ? 'failure' : 'cost',
    status: t.status,
    duration_ms: t.duration_ms,
    total_cost_usd: t.total_cost_usd,
    span_count: t.span_count,
    whys: fiveWhys(t, facts),
    ...facts,
  };
  return { ...analysis, markdown: toMarkdown(analysis) };
}

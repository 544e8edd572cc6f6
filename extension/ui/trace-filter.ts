// The Traces view's filter: what the user picked, how it reads in the view's description, and the
// store query it becomes. Relative ranges ("last 24 hours") are resolved at query time, so a view
// left open keeps showing the last 24 hours, not the 24 hours before it was set.
import type { SpanStatus, TraceFilter } from '../server/model';

export type DateRange =
  | { kind: 'relative'; ms: number; label: string }
  | { kind: 'today'; label: string }
  | { kind: 'absolute'; since: number | null; until: number | null; label: string };

export interface FilterState {
  model?: string;
  status?: SpanStatus;
  tag?: string;
  range?: DateRange;
  /** text search over trace names, span names, ids and models */
  q?: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const RANGE_PRESETS: DateRange[] = [
  { kind: 'relative', ms: 15 * 60_000, label: 'last 15 minutes' },
  { kind: 'relative', ms: HOUR, label: 'last hour' },
  { kind: 'today', label: 'today' },
  { kind: 'relative', ms: DAY, label: 'last 24 hours' },
  { kind: 'relative', ms: 7 * DAY, label: 'last 7 days' },
];

export function isFiltered(f: FilterState): boolean {
  return Boolean(f.model || f.status || f.tag || f.range || f.q);
}

const STATUS_WORDS: Record<SpanStatus, string> = { ok: 'status ok', error: 'errors only', unset: 'status unset' };

/** One line for the view's description, e.g. `gpt-4o · errors only · last 24 hours · #prod · "refund"`. */
export function describeFilter(f: FilterState): string {
  const parts: string[] = [];
  if (f.model) parts.push(f.model);
  if (f.status) parts.push(STATUS_WORDS[f.status]);
  if (f.range) parts.push(f.range.label);
  if (f.tag) parts.push(`#${f.tag}`);
  if (f.q) parts.push(`"${f.q}"`);
  return parts.join(' · ');
}

export function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The store query for one page of the filtered list. */
export function toTraceFilter(f: FilterState, now: number, limit: number, before?: number): TraceFilter {
  const filter: TraceFilter = { limit };
  if (f.model) filter.model = f.model;
  if (f.status) filter.status = f.status;
  if (f.tag) filter.tag = f.tag;
  if (f.q) filter.q = f.q;
  if (f.range) {
    if (f.range.kind === 'relative') filter.since = now - f.range.ms;
    else if (f.range.kind === 'today') filter.since = startOfDay(now);
    else {
      if (f.range.since !== null) filter.since = f.range.since;
      if (f.range.until !== null) filter.until = f.range.until;
    }
  }
  if (before !== undefined) filter.before = before;
  return filter;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (d.getFullYear() !== Number(m[1]) || d.getMonth() !== Number(m[2]) - 1 || d.getDate() !== Number(m[3])) return null;
  return d.getTime();
}

/**
 * A custom range typed by the user: `2025-05-01..2025-05-03` (both days included), `2025-05-01..`
 * (from that day on), `..2025-05-03`, or one day `2025-05-01`. Returns the range, or an error
 * message that says what is wrong and what to type.
 */
export function parseDateRange(text: string): DateRange | string {
  const input = text.trim();
  const hint = 'type a day as YYYY-MM-DD, or a range YYYY-MM-DD..YYYY-MM-DD (either side may be left empty)';
  if (!input) return `the range is empty: ${hint}`;
  const [fromText, toText, extra] = input.includes('..') ? input.split('..') : [input, input];
  if (extra !== undefined) return `"${input}" has more than one "..": ${hint}`;
  const from = fromText.trim() ? parseDay(fromText) : null;
  const to = toText.trim() ? parseDay(toText) : null;
  if (fromText.trim() && from === null) return `"${fromText.trim()}" is not a day: ${hint}`;
  if (toText.trim() && to === null) return `"${toText.trim()}" is not a day: ${hint}`;
  if (from === null && to === null) return `the range has no day: ${hint}`;
  // The end day is included: the range stops at the start of the day after.
  const until = to === null ? null : new Date(to).setDate(new Date(to).getDate() + 1);
  if (from !== null && until !== null && until <= from) return `"${input}" ends before it starts: put the earlier day first`;
  const label = fromText.trim() === toText.trim() ? fromText.trim() : `${fromText.trim() || '…'} to ${toText.trim() || 'now'}`;
  return { kind: 'absolute', since: from, until, label };
}

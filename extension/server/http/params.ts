// Query-string parsing for the read API: every value is checked and a wrong one is named.
import type { SpanStatus, StatsQuery, TraceFilter } from '../model';
import { HttpError } from './errors';

const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** A time as epoch ms, ISO 8601, or relative to now ("15m", "24h", "7d": that long ago). */
export function parseTime(name: string, value: string, now = Date.now()): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const rel = RELATIVE.exec(v);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]];
  const t = Date.parse(v);
  if (Number.isNaN(t)) {
    throw new HttpError(400, `${name}: "${value}" is not a time: use epoch milliseconds, ISO 8601, or a duration ago such as 24h or 7d`);
  }
  return t;
}

function parseLimit(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new HttpError(400, `limit: "${value}" must be a whole number from 1 to 1000`);
  return n;
}

const STATUSES: SpanStatus[] = ['ok', 'error', 'unset'];

export function parseTraceFilter(params: URLSearchParams): TraceFilter {
  checkKnown(params, ['limit', 'model', 'status', 'tag', 'since', 'until', 'q', 'before']);
  const filter: TraceFilter = {};
  const limit = parseLimit(params.get('limit'));
  if (limit !== undefined) filter.limit = limit;
  const status = params.get('status');
  if (status !== null) {
    if (!STATUSES.includes(status as SpanStatus)) throw new HttpError(400, `status: "${status}" must be one of ${STATUSES.join(', ')}`);
    filter.status = status as SpanStatus;
  }
  for (const key of ['model', 'tag', 'q'] as const) {
    const v = params.get(key);
    if (v !== null && v !== '') filter[key] = v;
  }
  for (const key of ['since', 'until', 'before'] as const) {
    const v = params.get(key);
    if (v !== null && v !== '') filter[key] = parseTime(key, v);
  }
  return filter;
}

export function parseStatsQuery(params: URLSearchParams): StatsQuery {
  checkKnown(params, ['since', 'until', 'group']);
  const query: StatsQuery = {};
  for (const key of ['since', 'until'] as const) {
    const v = params.get(key);
    if (v !== null && v !== '') query[key] = parseTime(key, v);
  }
  const group = params.get('group');
  if (group !== null) {
    if (group !== 'day' && group !== 'model' && group !== 'tag') throw new HttpError(400, `group: "${group}" must be day, model or tag`);
    query.group = group;
  }
  return query;
}

function checkKnown(params: URLSearchParams, known: string[]): void {
  for (const key of params.keys()) {
    if (!known.includes(key)) throw new HttpError(400, `unknown query parameter "${key}": this route takes ${known.join(', ')}`);
  }
}

/** A path segment of the URL, %-decoded; a malformed escape is the client's mistake, not ours. */
export function pathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `"${raw}" is not valid percent-encoding`);
  }
}

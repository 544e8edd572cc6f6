// OTLP times are unsigned 64-bit nanoseconds since the epoch; StackLens keeps epoch milliseconds
// (fractional). A double cannot hold every nanosecond value exactly, so a decimal string is
// split into whole milliseconds and the nanosecond remainder before converting.
import { quote } from './errors';

const DIGITS = /^\d+$/;
const UINT64_MAX = '18446744073709551615';

/** ms, null when absent (0 or missing), or a problem text when the value is not a time. */
export type TimeResult = { ms: number | null; problem: null } | { ms: null; problem: string };

export function nanosTextToMs(value: unknown): TimeResult {
  if (value === undefined || value === null) return { ms: null, problem: null };
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ms: null, problem: `expected nanoseconds since the epoch, got ${quote(value)}` };
    return { ms: value === 0 ? null : value / 1e6, problem: null };
  }
  if (typeof value !== 'string' || !DIGITS.test(value)) return { ms: null, problem: `expected nanoseconds since the epoch as a decimal string, got ${quote(value)}` };
  const digits = value.replace(/^0+(?=\d)/, '');
  if (digits.length > 20 || (digits.length === 20 && digits > UINT64_MAX)) return { ms: null, problem: `${quote(value)} is out of range for a 64-bit nanosecond time` };
  if (digits === '0') return { ms: null, problem: null };
  if (digits.length <= 6) return { ms: Number(digits) / 1e6, problem: null };
  return { ms: Number(digits.slice(0, -6)) + Number(digits.slice(-6)) / 1e6, problem: null };
}

/** protobufjs hands fixed64 over as a Long (when long.js is present) or a number. */
export interface LongLike {
  low: number;
  high: number;
}

export function nanosLongToMs(value: LongLike | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value === 0 ? null : value / 1e6;
  const low = value.low >>> 0;
  const high = value.high >>> 0;
  if (low === 0 && high === 0) return null;
  // ns = high * 2^32 + low = high * 4294 * 1e6 + (high * 967296 + low); both terms are exact
  // doubles, so whole ms and the ns remainder come out exactly as from the decimal text.
  const rest = high * 967296 + low;
  return high * 4294 + Math.floor(rest / 1e6) + (rest % 1e6) / 1e6;
}

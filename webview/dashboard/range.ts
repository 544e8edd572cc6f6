// The dashboard's date range: a preset (the last 24 hours, 7 or 30 days, up to now) or a custom
// span of whole local days. Pure, so the rules are tested in node.

export type RangePreset = '24h' | '7d' | '30d' | 'custom';
export const PRESETS: Array<{ preset: Exclude<RangePreset, 'custom'>; label: string; ms: number }> = [
  { preset: '24h', label: '24 hours', ms: 86_400_000 },
  { preset: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { preset: '30d', label: '30 days', ms: 30 * 86_400_000 },
];

export interface RangeChoice {
  preset: RangePreset;
  /** custom only: first and last day, YYYY-MM-DD in local time (what <input type=date> gives) */
  from?: string;
  to?: string;
}

export type RangeBounds = { since: number; until: number | null; label: string } | { error: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight of a YYYY-MM-DD day, or null when it is not a date. */
export function localDayStart(day: string): number | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // new Date(2025, 1, 31) is March 3rd: a day that does not exist is not a date
  if (d.getFullYear() !== Number(m[1]) || d.getMonth() !== Number(m[2]) - 1 || d.getDate() !== Number(m[3])) return null;
  return d.getTime();
}

/** YYYY-MM-DD of an instant, in local time. */
export function localDay(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** [since, until) of a choice; until null: up to now (a preset follows the clock). */
export function rangeBounds(choice: RangeChoice, now: number): RangeBounds {
  const preset = PRESETS.find((p) => p.preset === choice.preset);
  if (preset) return { since: now - preset.ms, until: null, label: `Last ${preset.label}` };
  if (!choice.from || !choice.to) return { error: 'Pick the first and the last day of the range.' };
  const since = localDayStart(choice.from);
  const last = localDayStart(choice.to);
  if (since === null) return { error: `"${choice.from}" is not a date.` };
  if (last === null) return { error: `"${choice.to}" is not a date.` };
  if (last < since) return { error: 'The last day comes before the first day.' };
  if (since > now) return { error: 'The range starts in the future: there is nothing to show yet.' };
  // the end of the last day: the next local midnight (DST-safe, unlike + 24 h)
  const [y, m, d] = choice.to.split('-').map(Number);
  const until = new Date(y, m - 1, d + 1).getTime();
  return { since, until, label: choice.from === choice.to ? choice.from : `${choice.from} – ${choice.to}` };
}

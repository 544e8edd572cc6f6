// What a section reports: one row per measure, with the baseline measured in the same run. The
// runner (bench/run.mjs) turns rows into the final table, ratios and goals included; a section
// that cannot measure says why in a row of its own instead of a number. Rows are written after
// every addition so a crash keeps what was done.
import { writeFileSync } from 'node:fs';

export interface Goal {
  /** compare the ratio (value / baseline) or the value itself */
  on: 'ratio' | 'value';
  op: '>=' | '<=' | '<' | '>' | '=';
  target: number;
  /** as printed, e.g. "≥ 0.5" or "< 50 ms" */
  text: string;
}

export interface Row {
  section: string;
  measure: string;
  value: number | null;
  unit: string;
  baseline?: { value: number; label: string } | null;
  goal?: Goal | null;
  /** why there is no value, or what to know when reading it */
  note?: string;
}

export interface SectionOptions {
  /** the repository root (dist/, sdk/dist/ are found from it) */
  root: string;
  quick: boolean;
  rowsFile: string;
  outDir: string;
  profile: boolean;
}

export function sectionOptions(): SectionOptions {
  const raw = process.argv[2];
  if (!raw) throw new Error('a bench section is started by bench/run.mjs with its options as JSON');
  return JSON.parse(raw) as SectionOptions;
}

export class Rows {
  private readonly rows: Row[] = [];
  constructor(private readonly file: string, private readonly section: string) {}

  add(row: Omit<Row, 'section'>): void {
    this.rows.push({ section: this.section, ...row });
    writeFileSync(this.file, JSON.stringify(this.rows, null, 2));
    const base = row.baseline ? `  (baseline ${fmt(row.baseline.value)} ${row.unit}, ${row.baseline.label})` : '';
    process.stdout.write(`  ${row.measure}: ${row.value === null ? 'not measured' : `${fmt(row.value)} ${row.unit}`}${base}${row.note ? `  — ${row.note}` : ''}\n`);
  }

  notMeasured(measure: string, why: string, goal?: Goal): void {
    this.add({ measure, value: null, unit: '', goal: goal ?? null, note: `not measured: ${why}` });
  }
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

// OpenInference evaluation results carried as span attributes (spec "Annotations and
// Evaluations"): `evaluations.<i>.evaluation.{name, score, label, explanation}` grade the span,
// `trace.evaluations.<i>.evaluation.*` grade its trace; the `annotations.<i>.annotation.*` forms
// mean the same. Each result with a numeric score becomes a Score (source otel); a label-only
// result stays visible in the span's attributes, as label-only OTel evaluation events do.
import type { Attributes, Span } from '../model';
import { unflatten } from '../ingest/messages';
import type { NewScore } from '../store/api';

const FORMS = [
  { prefix: 'evaluations', item: 'evaluation', trace: false },
  { prefix: 'annotations', item: 'annotation', trace: false },
  { prefix: 'trace.evaluations', item: 'evaluation', trace: true },
  { prefix: 'trace.annotations', item: 'annotation', trace: true },
] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The results of one form: flattened keys, or a nested list as JSON senders give it. */
function results(attributes: Attributes, prefix: string, item: string): unknown[] {
  const nested = attributes[prefix];
  const list = unflatten(attributes, `${prefix}.`) ?? (Array.isArray(nested) ? nested : []);
  return list.map((entry) => (isObj(entry) && isObj(entry[item]) ? entry[item] : entry));
}

function numeric(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Cheap test first: this runs on every ingested span, and almost none carry evaluations. */
function mayCarryEvaluations(attributes: Attributes): boolean {
  for (const key in attributes) {
    if (key.startsWith('evaluations') || key.startsWith('annotations') || key.startsWith('trace.evaluations') || key.startsWith('trace.annotations')) return true;
  }
  return false;
}

export function openInferenceScores(span: Pick<Span, 'trace_id' | 'span_id' | 'attributes' | 'end_time'>): NewScore[] {
  const scores: NewScore[] = [];
  if (!mayCarryEvaluations(span.attributes)) return scores;
  for (const form of FORMS) {
    results(span.attributes, form.prefix, form.item).forEach((r, i) => {
      if (!isObj(r)) return;
      const value = numeric(r.score);
      if (value === null || typeof r.name !== 'string' || r.name.trim() === '') return;
      const text = (k: string) => (typeof r[k] === 'string' && (r[k] as string) !== '' ? (r[k] as string) : null);
      scores.push({
        // fixed by span and position, so a re-sent span replaces its results instead of doubling them
        score_id: `oi:${span.trace_id}:${span.span_id}:${form.prefix}.${i}`,
        trace_id: span.trace_id,
        span_id: form.trace ? null : span.span_id,
        name: r.name.trim(),
        value,
        label: text('label'),
        reason: text('explanation'),
        source: 'otel',
        created_at: span.end_time,
      });
    });
  }
  return scores;
}

// The body of POST /api/v1/scores, checked field by field.
import type { Score } from './model';
import type { NewScore } from './store/api';
import { HttpError } from './http/errors';

const SOURCES: Score['source'][] = ['sdk', 'api', 'otel', 'eval', 'human'];

export function parseScore(body: unknown): NewScore {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'expected a JSON object {trace_id, span_id?, name, value, reason?}');
  const b = body as Record<string, unknown>;
  const traceId = typeof b.trace_id === 'string' ? b.trace_id.replace(/-/g, '').toLowerCase() : '';
  if (!/^[0-9a-f]{32}$/.test(traceId)) throw new HttpError(400, `trace_id: expected 32 hex characters, got ${JSON.stringify(b.trace_id ?? null)}`);
  let spanId: string | null = null;
  if (b.span_id !== undefined && b.span_id !== null) {
    if (typeof b.span_id !== 'string' || !/^[0-9a-fA-F]{16}$/.test(b.span_id)) throw new HttpError(400, `span_id: expected 16 hex characters, got ${JSON.stringify(b.span_id)}`);
    spanId = b.span_id.toLowerCase();
  }
  if (typeof b.name !== 'string' || !b.name.trim()) throw new HttpError(400, 'name: expected a non-empty string');
  if (typeof b.value !== 'number' || !Number.isFinite(b.value)) throw new HttpError(400, `value: expected a finite number, got ${JSON.stringify(b.value ?? null)}`);
  for (const key of ['reason', 'label'] as const) {
    if (b[key] !== undefined && b[key] !== null && typeof b[key] !== 'string') throw new HttpError(400, `${key}: expected a string`);
  }
  const source = b.source ?? 'api';
  if (!SOURCES.includes(source as Score['source'])) throw new HttpError(400, `source: "${String(source)}" must be one of ${SOURCES.join(', ')}`);
  return {
    trace_id: traceId,
    span_id: spanId,
    name: b.name.trim(),
    value: b.value,
    label: (b.label as string | undefined) ?? null,
    reason: (b.reason as string | undefined) ?? null,
    source: source as Score['source'],
  };
}

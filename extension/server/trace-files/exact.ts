// What makes a trace file round trip byte for byte. The OTLP attributes of a span are what other
// tools read, and StackLens reads them back with its normaliser; whatever that read-back would get
// wrong (a time's last bits, an attribute the export added for other tools, a cost priced with
// this machine's price table) travels in one attribute, `stacklens.file.exact`, as JSON text of
// only the differences. Computing the difference by actually reading the export back means no
// list of lossy fields has to be kept in step with the encoder and the normaliser.
import type { AttributeValue, Attributes, Span, StoredSpan } from '../model';
import { SPAN_KINDS } from '../model';
import { TraceFileError } from './format';

export const EXACT_ATTRIBUTE = 'stacklens.file.exact';

/** Span fields that may be carried (ids never differ: they are how spans are matched). */
type CarriedField = Exclude<keyof Span, 'trace_id' | 'span_id' | 'attributes'>;

export interface ExactRecord {
  /** Span fields whose read-back differs, with the original value */
  fields?: Partial<Pick<Span, CarriedField>>;
  /** attribute keys the export added for other tools */
  drop?: string[];
  /** attributes whose read-back value differs */
  set?: Attributes;
  /** the original attribute key order, when the read-back's differs */
  order?: string[];
  /** the exporting store's verdict on the span's usage (StoredSpan.usage_counted) */
  usage_counted: boolean;
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const orNull = (c: Check): Check => (v) => v === null || c(v);
const obj: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = (values: readonly string[]): Check => (v) => typeof v === 'string' && values.includes(v);
const event: Check = (v) => obj(v) && str((v as Record<string, unknown>).name) && num((v as Record<string, unknown>).time) && obj((v as Record<string, unknown>).attributes);

const FIELD_CHECKS: Record<CarriedField, Check> = {
  parent_span_id: orNull((v) => typeof v === 'string' && /^[0-9a-f]{16}$/.test(v)),
  name: str,
  kind: oneOf(SPAN_KINDS),
  start_time: num,
  end_time: num,
  duration_ms: num,
  status: oneOf(['ok', 'error', 'unset']),
  status_message: orNull(str),
  service_name: orNull(str),
  operation: orNull(str),
  model: orNull(str),
  request_model: orNull(str),
  provider: orNull(str),
  input_tokens: orNull(num),
  output_tokens: orNull(num),
  total_tokens: orNull(num),
  cache_read_tokens: orNull(num),
  cache_write_tokens: orNull(num),
  reasoning_tokens: orNull(num),
  cost_usd: orNull(num),
  cost_source: orNull(oneOf(['reported', 'computed', 'unpriced'])),
  own_usage: (v) => typeof v === 'boolean',
  input: orNull(str),
  output: orNull(str),
  resource: obj,
  tags: (v) => Array.isArray(v) && v.every(str),
  events: (v) => Array.isArray(v) && v.every(event),
  code_file: orNull(str),
  code_line: orNull(num),
  code_function: orNull(str),
  session_id: orNull(str),
  user_id: orNull(str),
};
const CARRIED = Object.keys(FIELD_CHECKS) as CarriedField[];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The record that turns `readBack` (the normaliser's reading of the export) into `original`. */
export function exactRecord(original: StoredSpan, readBack: Span): ExactRecord {
  const fields: Record<string, unknown> = {};
  for (const field of CARRIED) {
    const want = field === 'own_usage' ? original.own_usage === true : original[field];
    const got = field === 'own_usage' ? readBack.own_usage === true : readBack[field];
    if (!same(want, got)) fields[field] = want;
  }
  // a computed cost is this machine's price table speaking: the importer's may differ, the file must not
  if (original.cost_source === 'computed' || original.cost_source === 'unpriced') {
    fields.cost_usd = original.cost_usd;
    fields.cost_source = original.cost_source;
  }
  const record: ExactRecord = { usage_counted: original.usage_counted };
  if (Object.keys(fields).length > 0) record.fields = fields as ExactRecord['fields'];

  const a = original.attributes;
  const b = readBack.attributes;
  const drop = Object.keys(b).filter((k) => k !== EXACT_ATTRIBUTE && !(k in a));
  const set: Attributes = {};
  for (const key of Object.keys(a)) if (!(key in b) || !same(a[key], b[key])) set[key] = a[key];
  if (drop.length > 0) record.drop = drop;
  if (Object.keys(set).length > 0) record.set = set;
  const restoredOrder = [...Object.keys(b).filter((k) => k in a), ...Object.keys(set).filter((k) => !(k in b))];
  if (!same(restoredOrder, Object.keys(a))) record.order = Object.keys(a);
  return record;
}

/**
 * Reads a span's exact record (removing the carrier attribute) and applies it. Returns the
 * exporting store's usage_counted, or null when the span has no record (an OTLP file written by
 * another tool, or hand-edited): such a span is kept as the normaliser read it.
 */
export function applyExactRecord(span: Span, where: string): boolean | null {
  const raw = span.attributes[EXACT_ATTRIBUTE];
  if (raw === undefined) return null;
  delete span.attributes[EXACT_ATTRIBUTE];
  const record = parseRecord(raw, `${where}.attributes["${EXACT_ATTRIBUTE}"]`);
  const target = span as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(record.fields ?? {})) {
    if (field === 'own_usage') {
      if (value === true) span.own_usage = true;
      else delete span.own_usage;
    } else {
      target[field] = value;
    }
  }
  const attributes = span.attributes;
  for (const key of record.drop ?? []) delete attributes[key];
  Object.assign(attributes, record.set ?? {});
  if (record.order) {
    const ordered: Attributes = {};
    for (const key of record.order) if (key in attributes) ordered[key] = attributes[key];
    for (const key of Object.keys(attributes)) if (!(key in ordered)) ordered[key] = attributes[key];
    // the same object stays the span's attributes: it is shared with nothing else after decoding
    for (const key of Object.keys(attributes)) delete attributes[key];
    Object.assign(attributes, ordered);
  }
  return record.usage_counted;
}

function parseRecord(raw: AttributeValue, where: string): ExactRecord {
  if (typeof raw !== 'string') throw new TraceFileError(`${where}: expected JSON text, got ${raw === null ? 'null' : typeof raw}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new TraceFileError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (!obj(parsed)) throw new TraceFileError(`${where}: expected a JSON object`);
  const r = parsed as Record<string, unknown>;
  if (typeof r.usage_counted !== 'boolean') throw new TraceFileError(`${where}.usage_counted: expected true or false`);
  if (r.fields !== undefined) {
    if (!obj(r.fields)) throw new TraceFileError(`${where}.fields: expected an object`);
    for (const [field, value] of Object.entries(r.fields as Record<string, unknown>)) {
      const check = FIELD_CHECKS[field as CarriedField];
      if (!check) throw new TraceFileError(`${where}.fields.${field}: not a span field that a trace file carries`);
      if (!check(value)) throw new TraceFileError(`${where}.fields.${field}: ${JSON.stringify(value)?.slice(0, 60)} is not a valid ${field}`);
    }
  }
  for (const key of ['drop', 'order'] as const) {
    if (r[key] !== undefined && !(Array.isArray(r[key]) && (r[key] as unknown[]).every(str))) throw new TraceFileError(`${where}.${key}: expected an array of attribute names`);
  }
  if (r.set !== undefined && !obj(r.set)) throw new TraceFileError(`${where}.set: expected an object of attributes`);
  return r as unknown as ExactRecord;
}

// What the journal holds: batches of spans (content as raw blobs beside the metadata), scores and
// trace deletions. Written by the client thread, read back by the worker on replay and catch-up.
import type { Attributes, Score, Span, SpanEvent } from '../model';
import type { StoreCipher } from './encryption';
import { encodeRecord, encodeRecordJson, RecordBuilder } from './journal';

/** u: the UTF-8 bytes of the string; j: the JSON text of the string (it held lone surrogates). */
export type BlobEncoding = 'u' | 'j';
/** i input, o output, a attributes, e events, r resource */
export type BlobField = 'i' | 'o' | 'a' | 'e' | 'r';
/** [offset from the record's first blob byte, byte length, encoding] */
export type BlobRef = [number, number, BlobEncoding];
export type BlobRefs = Partial<Record<BlobField, BlobRef>>;

/** A span as journaled: its content lives in blobs described by `b`; small JSON stays inline. */
export type SpanMeta = Omit<Span, 'input' | 'output' | 'attributes' | 'events' | 'resource'> & {
  attributes?: Attributes;
  events?: SpanEvent[];
  resource?: Attributes;
  b: BlobRefs;
};

export type RecordMeta =
  | { k: 'spans'; spans: SpanMeta[] }
  | { k: 'score'; score: Score }
  | { k: 'delete'; trace_id: string };

/**
 * Attribute, event and resource JSON longer than this goes to the content file instead of the row,
 * so a row stays a few hundred bytes whatever an instrumentation puts into attributes.
 */
export const INLINE_JSON_CHARS = 256;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
/** No lone surrogate: native where the runtime has it (a one-byte string is answered at once). */
const isWellFormed: (s: string) => boolean = nativeWellFormed ? (s) => nativeWellFormed.call(s) : (s) => !LONE_SURROGATE.test(s);

/** Records are encoded one at a time, in the collector's thread: one builder serves them all. */
const builder = new RecordBuilder();

/**
 * `cipher`: the store is encrypted; each span's blobs are sealed as one unit.
 *
 * Hot path (every ingested span): each blob is written as UTF-8 once, straight from its string,
 * and the meta is JSON text assembled from pieces so that attribute JSON measured for the inline
 * limit is not serialised a second time. For the spans the store journals (checkSpans' output) the
 * bytes are those of JSON.stringify of the RecordMeta and a Buffer per blob, concatenated.
 */
export function encodeSpansRecord(spans: Span[], cipher: StoreCipher | null = null): Buffer {
  builder.begin();
  // for each span, where its blobs end: a span's blobs, back to back, are the unit a content
  // read fetches (and decrypts) whole
  const unitEnds: number[] = [];
  let offset = 0;
  const add = (refs: BlobRefs, field: BlobField, text: string, enc: BlobEncoding) => {
    const bytes = builder.add(text);
    refs[field] = [offset, bytes, enc];
    offset += bytes;
  };
  // the spans of one request share their resource object
  let lastResource: Attributes | null = null;
  let lastResourceJson = '';

  let meta = '{"k":"spans","spans":[';
  for (let n = 0; n < spans.length; n++) {
    const span = spans[n];
    const { input, output, attributes, events, resource } = span;
    const b: BlobRefs = {};
    // UTF-8 cannot carry a lone surrogate; its JSON escape can, so content comes back byte for byte.
    if (input !== null) isWellFormed(input) ? add(b, 'i', input, 'u') : add(b, 'i', JSON.stringify(input), 'j');
    if (output !== null) isWellFormed(output) ? add(b, 'o', output, 'u') : add(b, 'o', JSON.stringify(output), 'j');
    const a = JSON.stringify(attributes);
    const e = JSON.stringify(events);
    if (resource !== lastResource) {
      lastResource = resource;
      lastResourceJson = JSON.stringify(resource);
    }
    const r = lastResourceJson;
    let inline = '';
    if (a.length > INLINE_JSON_CHARS) add(b, 'a', a, 'u');
    else inline += ',"attributes":' + a;
    if (e.length > INLINE_JSON_CHARS) add(b, 'e', e, 'u');
    else inline += ',"events":' + e;
    if (r.length > INLINE_JSON_CHARS) add(b, 'r', r, 'u');
    else inline += ',"resource":' + r;
    unitEnds.push(offset);
    // the head ends in '}': the inline JSON goes before it, as the object's last members
    const head = JSON.stringify(metaHead(span, b));
    meta += (n === 0 ? '' : ',') + (inline === '' ? head : head.slice(0, -1) + inline + '}');
  }
  meta += ']}';
  if (!cipher) return builder.finish(meta);
  try {
    const units: Buffer[] = [];
    let from = 0;
    for (const end of unitEnds) {
      if (end === from) continue;
      units.push(builder.blobs(from, end));
      from = end;
    }
    return encodeRecordJson(meta, units, cipher);
  } finally {
    builder.release();
  }
}

type MetaHead = Omit<SpanMeta, 'attributes' | 'events' | 'resource'>;

/**
 * A span's meta without its inline JSON: every Span field but the content, in the order checkSpans
 * builds a span, then `b`. Spelled out (the type makes a field added to Span a compile error here)
 * because copying a span with rest or spread syntax costs more than serialising the copy.
 */
function metaHead(s: Span, b: BlobRefs): { [K in keyof Required<MetaHead>]: MetaHead[K] } {
  return {
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_span_id: s.parent_span_id,
    name: s.name,
    kind: s.kind,
    start_time: s.start_time,
    end_time: s.end_time,
    duration_ms: s.duration_ms,
    status: s.status,
    status_message: s.status_message,
    service_name: s.service_name,
    operation: s.operation,
    model: s.model,
    request_model: s.request_model,
    provider: s.provider,
    input_tokens: s.input_tokens,
    output_tokens: s.output_tokens,
    total_tokens: s.total_tokens,
    cache_read_tokens: s.cache_read_tokens,
    cache_write_tokens: s.cache_write_tokens,
    reasoning_tokens: s.reasoning_tokens,
    cost_usd: s.cost_usd,
    cost_source: s.cost_source,
    own_usage: s.own_usage, // JSON leaves it out when undefined, as the store does
    tags: s.tags,
    code_file: s.code_file,
    code_line: s.code_line,
    code_function: s.code_function,
    session_id: s.session_id,
    user_id: s.user_id,
    b,
  };
}

export function encodeScoreRecord(score: Score, cipher: StoreCipher | null = null): Buffer {
  return encodeRecord({ k: 'score', score } satisfies RecordMeta, [], cipher);
}

export function encodeDeleteRecord(traceId: string, cipher: StoreCipher | null = null): Buffer {
  return encodeRecord({ k: 'delete', trace_id: traceId } satisfies RecordMeta, [], cipher);
}

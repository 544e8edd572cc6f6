// What the journal holds: batches of spans (content as raw blobs beside the metadata), scores and
// trace deletions. Written by the client thread, read back by the worker on replay and catch-up.
import type { Attributes, Score, Span, SpanEvent } from '../model';
import type { StoreCipher } from './encryption';
import { encodeRecord } from './journal';

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

/** `cipher`: the store is encrypted; each span's blobs are sealed as one unit. */
export function encodeSpansRecord(spans: Span[], cipher: StoreCipher | null = null): Buffer {
  // one span's blobs, back to back: the unit a content read fetches (and decrypts) whole
  let blobs: Buffer[] = [];
  const units: Buffer[] = [];
  let offset = 0;
  const add = (refs: BlobRefs, field: BlobField, bytes: Buffer, enc: BlobEncoding) => {
    refs[field] = [offset, bytes.length, enc];
    blobs.push(bytes);
    offset += bytes.length;
  };
  const text = (refs: BlobRefs, field: BlobField, value: string | null) => {
    if (value === null) return;
    // UTF-8 cannot carry a lone surrogate; its JSON escape can, so content comes back byte for byte.
    if (LONE_SURROGATE.test(value)) add(refs, field, Buffer.from(JSON.stringify(value), 'utf8'), 'j');
    else add(refs, field, Buffer.from(value, 'utf8'), 'u');
  };
  const json = (refs: BlobRefs, field: BlobField, value: unknown): boolean => {
    const s = JSON.stringify(value);
    if (s.length <= INLINE_JSON_CHARS) return false;
    add(refs, field, Buffer.from(s, 'utf8'), 'u');
    return true;
  };

  const metas = spans.map((span): SpanMeta => {
    const { input, output, attributes, events, resource, ...rest } = span;
    const b: BlobRefs = {};
    text(b, 'i', input);
    text(b, 'o', output);
    const meta: SpanMeta = { ...rest, b };
    if (!json(b, 'a', attributes)) meta.attributes = attributes;
    if (!json(b, 'e', events)) meta.events = events;
    if (!json(b, 'r', resource)) meta.resource = resource;
    // unencrypted, units are only concatenated: no need to join a span's blobs first
    if (!cipher) units.push(...blobs);
    else if (blobs.length > 0) units.push(blobs.length === 1 ? blobs[0] : Buffer.concat(blobs));
    blobs = [];
    return meta;
  });
  return encodeRecord({ k: 'spans', spans: metas } satisfies RecordMeta, units, cipher);
}

export function encodeScoreRecord(score: Score, cipher: StoreCipher | null = null): Buffer {
  return encodeRecord({ k: 'score', score } satisfies RecordMeta, [], cipher);
}

export function encodeDeleteRecord(traceId: string, cipher: StoreCipher | null = null): Buffer {
  return encodeRecord({ k: 'delete', trace_id: traceId } satisfies RecordMeta, [], cipher);
}

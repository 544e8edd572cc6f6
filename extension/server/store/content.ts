// Span content in the journal: where a span's blobs are, the preview and hash kept in its row, and
// reading the exact bytes back for getTrace.
import crypto from 'node:crypto';
import type { Attributes, SpanEvent } from '../model';
import type { JournalReader, JournalRecord } from './journal';
import type { BlobEncoding, BlobField, BlobRef, BlobRefs, SpanMeta } from './records';

export const PREVIEW_CHARS = 200;

export interface ContentColumns {
  content_seg: number | null;
  content_off: number | null;
  content_len: number | null;
  /** JSON of BlobRefs relative to content_off */
  content_refs: string | null;
  input_preview: string | null;
  input_hash: string | null;
  output_preview: string | null;
  output_hash: string | null;
  attributes: string | null;
  events: string | null;
  resource: string | null;
}

export interface SpanContent {
  input: string | null;
  output: string | null;
  attributes: Attributes;
  events: SpanEvent[];
  resource: Attributes;
}

function decode(bytes: Buffer, enc: BlobEncoding): string {
  const text = bytes.toString('utf8');
  return enc === 'j' ? (JSON.parse(text) as string) : text;
}

function preview(bytes: Buffer, enc: BlobEncoding): string {
  // 200 UTF-16 units never need more than 800 UTF-8 bytes, so a prefix is enough to decode
  let text = enc === 'u' ? bytes.subarray(0, PREVIEW_CHARS * 4).toString('utf8') : decode(bytes, enc);
  text = text.slice(0, PREVIEW_CHARS);
  return /[\uD800-\uDBFF]$/.test(text) ? text.slice(0, -1) : text;
}

/** First 64 bits of SHA-256, hex: enough to tell prompts apart, small enough for every row. */
function hash(bytes: Buffer): string {
  // crypto.hash (Node >= 20.12) is a one-shot several times cheaper than createHash per blob
  const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'hex') => string }).hash;
  return (oneShot ? oneShot('sha256', bytes, 'hex') : crypto.createHash('sha256').update(bytes).digest('hex')).slice(0, 16);
}

/** The row columns of a journaled span: blob location, previews, hashes, inline JSON. */
export function contentColumns(record: JournalRecord, span: SpanMeta): ContentColumns {
  const refs = Object.entries(span.b) as Array<[BlobField, BlobRef]>;
  const blob = (ref: BlobRef) => record.blobs.subarray(ref[0], ref[0] + ref[1]);
  const cols: ContentColumns = {
    content_seg: null, content_off: null, content_len: null, content_refs: null,
    input_preview: null, input_hash: null, output_preview: null, output_hash: null,
    attributes: span.attributes ? JSON.stringify(span.attributes) : null,
    events: span.events ? JSON.stringify(span.events) : null,
    resource: span.resource ? JSON.stringify(span.resource) : null,
  };
  if (refs.length === 0) return cols;
  // a span's blobs are written back to back: one region, one read
  const first = Math.min(...refs.map(([, r]) => r[0]));
  const end = Math.max(...refs.map(([, r]) => r[0] + r[1]));
  const local: BlobRefs = {};
  for (const [field, r] of refs) local[field] = [r[0] - first, r[1], r[2]];
  // encrypted, the unit on disk is the span's blobs sealed: a little longer than end - first
  const unit = record.locate(first, end);
  cols.content_seg = record.start.seg;
  cols.content_off = unit.off;
  cols.content_len = unit.len;
  cols.content_refs = JSON.stringify(local);
  if (span.b.i) {
    cols.input_preview = preview(blob(span.b.i), span.b.i[2]);
    cols.input_hash = hash(blob(span.b.i));
  }
  if (span.b.o) {
    cols.output_preview = preview(blob(span.b.o), span.b.o[2]);
    cols.output_hash = hash(blob(span.b.o));
  }
  return cols;
}

/** A journaled span's events, whether they stayed inline or went to a blob. */
export function journaledEvents(record: JournalRecord, span: SpanMeta): SpanEvent[] {
  if (span.events) return span.events;
  const ref = span.b.e;
  if (!ref) return [];
  return JSON.parse(decode(record.blobs.subarray(ref[0], ref[0] + ref[1]), ref[2])) as SpanEvent[];
}

/** Reads a span's content back from the journal, byte for byte. */
export function readContent(reader: JournalReader, row: ContentColumns, onMissing: (why: string) => void): SpanContent {
  const content: SpanContent = {
    input: null,
    output: null,
    attributes: row.attributes ? (JSON.parse(row.attributes) as Attributes) : {},
    events: row.events ? (JSON.parse(row.events) as SpanEvent[]) : [],
    resource: row.resource ? (JSON.parse(row.resource) as Attributes) : {},
  };
  if (row.content_seg === null || row.content_refs === null) return content;
  const region = reader.readUnit(row.content_seg, row.content_off!, row.content_len!);
  if (typeof region === 'string') {
    onMissing(region);
    return content;
  }
  const refs = JSON.parse(row.content_refs) as BlobRefs;
  const text = (r: BlobRef) => decode(region.subarray(r[0], r[0] + r[1]), r[2]);
  if (refs.i) content.input = text(refs.i);
  if (refs.o) content.output = text(refs.o);
  if (refs.a) content.attributes = JSON.parse(text(refs.a)) as Attributes;
  if (refs.e) content.events = JSON.parse(text(refs.e)) as SpanEvent[];
  if (refs.r) content.resource = JSON.parse(text(refs.r)) as Attributes;
  return content;
}

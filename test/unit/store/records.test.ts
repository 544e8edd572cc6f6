// The journal records the collector writes for every ingested batch. encodeSpansRecord is on the
// ingest hot path and builds its bytes piece by piece; these tests hold it to the plain
// construction (JSON.stringify of the RecordMeta, Buffer.from per blob, concatenated), byte for
// byte, and read its records back the way the store worker does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Attributes, Span } from '../../../extension/server/model';
import { storeCipher } from '../../../extension/server/store/encryption';
import { crc32, encodeRecord, HEADER_BYTES, JournalReader, segmentPath, type JournalRecord } from '../../../extension/server/store/journal';
import { encodeSpansRecord, INLINE_JSON_CHARS, type BlobEncoding, type BlobRefs, type RecordMeta, type SpanMeta } from '../../../extension/server/store/records';
import { checkSpans } from '../../../extension/server/store/validate';
import { spanDefaults } from '../../support/spans';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The record as JSON.stringify and Buffer.concat make it: what the journal has always held. */
function plainRecord(spans: Span[]): Buffer {
  let blobs: Buffer[] = [];
  const units: Buffer[] = [];
  let offset = 0;
  const add = (b: BlobRefs, field: keyof BlobRefs, bytes: Buffer, enc: BlobEncoding) => {
    b[field] = [offset, bytes.length, enc];
    blobs.push(bytes);
    offset += bytes.length;
  };
  const metas = spans.map((span): SpanMeta => {
    const { input, output, attributes, events, resource, ...rest } = span;
    const b: BlobRefs = {};
    for (const [field, value] of [['i', input], ['o', output]] as const) {
      if (value === null) continue;
      if (LONE_SURROGATE.test(value)) add(b, field, Buffer.from(JSON.stringify(value)), 'j');
      else add(b, field, Buffer.from(value), 'u');
    }
    const meta: SpanMeta = { ...rest, b };
    const json = (field: 'a' | 'e' | 'r', value: unknown) => {
      const s = JSON.stringify(value);
      if (s.length <= INLINE_JSON_CHARS) return false;
      add(b, field, Buffer.from(s), 'u');
      return true;
    };
    if (!json('a', attributes)) meta.attributes = attributes;
    if (!json('e', events)) meta.events = events;
    if (!json('r', resource)) meta.resource = resource;
    units.push(...blobs);
    blobs = [];
    return meta;
  });
  const metaBytes = Buffer.from(JSON.stringify({ k: 'spans', spans: metas } satisfies RecordMeta));
  const body = Buffer.concat([metaBytes, ...units]);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(0x314a4c53, 0);
  header.writeUInt32LE(body.length, 4);
  header.writeUInt32LE(metaBytes.length, 8);
  header.writeUInt32LE(crc32(body), 12);
  return Buffer.concat([header, body]);
}

let n = 0;
function span(fields: Partial<Span>): Span {
  n++;
  return {
    ...spanDefaults(),
    trace_id: n.toString(16).padStart(32, '0'),
    span_id: n.toString(16).padStart(16, '0'),
    name: `span ${n}`,
    start_time: 1_757_000_000_000.25 + n,
    end_time: 1_757_000_000_100.5 + n,
    duration_ms: 100.25,
    ...fields,
  };
}

const longText = (seed: string, chars: number) => (seed + ' ').repeat(Math.ceil(chars / (seed.length + 1))).slice(0, chars);

/** Spans of every shape the encoder treats apart. */
function variety(): Span[] {
  const resource: Attributes = { 'service.name': 'agent', 'service.version': '1.2.3' };
  const bigResource: Attributes = { 'service.name': 'agent', 'host.description': longText('a very descriptive host', 400) };
  return [
    span({ resource, input: 'hello', output: 'world' }),
    span({ resource, input: null, output: null, attributes: { small: 1 } }),
    span({ resource, kind: 'llm', model: 'gpt-4o', provider: 'openai', input_tokens: 1200, output_tokens: 80, cost_usd: 0.0123456789, cost_source: 'computed', own_usage: true, tags: ['a', 'b'] }),
    span({ resource: bigResource, attributes: { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: longText('quote "this" and \\ that', 600) }] }]) } }),
    span({ resource: bigResource, input: `multi-byte: ${'é✓日本語🙂'.repeat(50)}`, output: 'ascii' }),
    span({ resource, input: 'lone \uD800 high surrogate', output: 'lone \uDC00 low surrogate' }),
    span({ resource, input: 'a pair 🙂 is fine', output: '' }),
    span({ resource, events: [{ name: 'exception', time: 1_757_000_000_050, attributes: { 'exception.message': longText('boom', 300) } }] }),
    span({ resource, events: [{ name: 'note', time: 1_757_000_000_051, attributes: { k: 'v' } }], attributes: { nested: { deep: [1, 'two', null, true] }, ['__proto__']: 'own key' } as Attributes }),
    span({ resource: {}, status: 'error', status_message: 'failed: "quoted"', code_file: 'src/a.ts', code_line: 12, code_function: 'run', session_id: 's1', user_id: 'u1' }),
  ];
}

function validated(spans: Span[]): Span[] {
  const { spans: valid, problems } = checkSpans(spans);
  assert.deepEqual(problems, []);
  return valid;
}

describe('journal records of spans', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-records-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes records as journal segment 1 and reads them back as the worker does. */
  function readBack(records: Buffer[], cipher = null as ReturnType<typeof storeCipher> | null): JournalRecord[] {
    writeFileSync(segmentPath(dir, 1), Buffer.concat(records));
    const reader = new JournalReader(dir, cipher);
    const out: JournalRecord[] = [];
    try {
      for (let pos = { seg: 1, off: 0 }; ; ) {
        const r = reader.read(pos);
        if (r.kind === 'end') break;
        assert.equal(r.kind, 'record', r.kind === 'torn' ? r.reason : '');
        if (r.kind !== 'record') break;
        out.push(r.record);
        pos = r.record.next;
      }
    } finally {
      reader.close();
    }
    return out;
  }

  it('are byte for byte the plain construction for the spans the store journals (validated)', () => {
    const spans = validated(variety());
    assert.ok(encodeSpansRecord(spans).equals(plainRecord(spans)));
    for (let i = 0; i < spans.length; i++) assert.ok(encodeSpansRecord([spans[i]]).equals(plainRecord([spans[i]])), `span ${i}`);
    assert.ok(encodeSpansRecord([]).equals(plainRecord([])));
  });

  it('read back to the same meta and content, for spans in any key order', () => {
    const spans = variety(); // not validated: the builders' key order, not the store's
    const [record] = readBack([encodeSpansRecord(spans)]);
    const [plain] = readBack([plainRecord(spans)]);
    assert.deepEqual(record.meta, plain.meta);
    assert.ok(record.blobs.equals(plain.blobs));
    const metas = (record.meta as { k: 'spans'; spans: SpanMeta[] }).spans;
    const text = (bytes: Buffer, enc: BlobEncoding) => (enc === 'u' ? bytes.toString('utf8') : JSON.parse(bytes.toString('utf8')));
    metas.forEach((m, i) => {
      for (const [field, value] of [['i', spans[i].input], ['o', spans[i].output]] as const) {
        const ref = m.b[field];
        if (value === null) assert.equal(ref, undefined);
        else assert.equal(text(record.blobs.subarray(ref![0], ref![0] + ref![1]), ref![2]), value, `span ${i} ${field}`);
      }
      const a = m.b.a ? JSON.parse(record.blobs.subarray(m.b.a[0], m.b.a[0] + m.b.a[1]).toString()) : m.attributes;
      assert.equal(JSON.stringify(a), JSON.stringify(spans[i].attributes));
    });
    assert.equal(metas[5].b.i![2], 'j', 'a lone surrogate is kept as its JSON escape');
  });

  it('stay whole when the next record is encoded (the encoder reuses its buffer)', () => {
    const first = validated(variety());
    const second = validated([span({ input: longText('second', 5000), output: longText('batch', 3000) })]);
    const a = encodeSpansRecord(first);
    const copy = Buffer.from(a);
    const b = encodeSpansRecord(second);
    // one record far larger than any before it: the buffer grows, then is let go
    const huge = validated([span({ input: longText('huge', 10 * 1024 * 1024) })]);
    const c = encodeSpansRecord(huge);
    assert.ok(a.equals(copy));
    assert.ok(b.equals(plainRecord(second)));
    assert.ok(c.equals(plainRecord(huge)));
    assert.ok(encodeSpansRecord(first).equals(plainRecord(first)));
    assert.equal(readBack([a, b, c]).length, 3);
  });

  it('seal each span\'s blobs as one unit in an encrypted store, readable with the key', () => {
    const cipher = storeCipher(Buffer.alloc(32, 7));
    const spans = variety();
    const [plain] = readBack([plainRecord(spans)]);
    const [sealed] = readBack([encodeSpansRecord(spans, cipher)], cipher);
    assert.deepEqual(sealed.meta, plain.meta);
    assert.ok(sealed.blobs.equals(plain.blobs));
    // every span's content is one unit: locate() finds it, and it decrypts on its own
    const reader = new JournalReader(dir, cipher);
    try {
      for (const m of (sealed.meta as { spans: SpanMeta[] }).spans) {
        const refs = Object.values(m.b);
        if (refs.length === 0) continue;
        const from = Math.min(...refs.map((r) => r[0]));
        const to = Math.max(...refs.map((r) => r[0] + r[1]));
        const unit = sealed.locate(from, to);
        const bytes = reader.readUnit(1, unit.off, unit.len);
        assert.ok(Buffer.isBuffer(bytes), String(bytes));
        assert.ok(bytes.equals(plain.blobs.subarray(from, to)));
      }
    } finally {
      reader.close();
    }
  });

  it('leave other records as they were: score and delete records, any meta', () => {
    const record = encodeRecord({ k: 'delete', trace_id: 'a'.repeat(32) }, [Buffer.from('xy')]);
    const [back] = readBack([record]);
    assert.deepEqual(back.meta, { k: 'delete', trace_id: 'a'.repeat(32) });
    assert.equal(back.blobs.toString(), 'xy');
  });
});

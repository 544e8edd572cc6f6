// The journal: append-only segment files of length-prefixed, checksummed records. It is both the
// durability log (replayed on open past the latest snapshot) and the content file (prompts and
// completions stay here; rows in sql.js only point at them). See docs/store.md "Layout on disk".
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SEALED, StoreCipher, StoreKeyError } from './encryption';

/** A place in the journal: segment number and byte offset inside that segment file. */
export interface Position {
  seg: number;
  off: number;
}

export const HEADER_BYTES = 16;
const MAGIC = 0x314a4c53; // "SLJ1" little-endian
/** An encrypted store's record: the same header, a sealed body (see docs/store.md). */
const SEALED_MAGIC = 0x31454c53; // "SLE1" little-endian
/** Far above any real batch; a header claiming more is garbage, not a record to wait for. */
const MAX_BODY_BYTES = 1024 * 1024 * 1024;

export function comparePositions(a: Position, b: Position): number {
  return a.seg !== b.seg ? a.seg - b.seg : a.off - b.off;
}

export function journalDir(dataDir: string): string {
  return path.join(dataDir, 'journal');
}

export function segmentPath(dir: string, seg: number): string {
  return path.join(dir, `journal-${String(seg).padStart(8, '0')}.log`);
}

/** Segment numbers present in the journal folder, ascending. */
export function listSegments(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^journal-(\d{8})\.log$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (zlib's polynomial); native where the runtime has it (Node >= 20.15). */
export function crc32(buf: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(buf) >>> 0;
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * One record: a JSON `meta` part followed by raw blob bytes the meta points into. `units` are the
 * blobs grouped as content is read back (one span's blobs each); unencrypted, they are simply
 * concatenated. With a cipher the meta and each unit are sealed apart, so reading one span's
 * content decrypts that span's unit only.
 */
export function encodeRecord(meta: unknown, units: Buffer[], cipher: StoreCipher | null = null): Buffer {
  return encodeRecordJson(JSON.stringify(meta), units, cipher);
}

/** encodeRecord for a meta already turned into JSON text. */
export function encodeRecordJson(metaJson: string, units: Buffer[], cipher: StoreCipher | null = null): Buffer {
  if (cipher) return encodeSealedRecord(metaJson, units, cipher);
  const metaBytes = Buffer.from(metaJson, 'utf8');
  return withHeader(MAGIC, [metaBytes, ...units], metaBytes.length);
}

/** Above this a builder's buffer is let go after the record rather than kept for the next. */
const KEEP_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Builds a record whose blobs are text, in a buffer kept from record to record: each blob is
 * written as UTF-8 once, straight from its string, and its byte length is known from that write;
 * the meta follows the blobs, and the record is copied out whole. One record at a time.
 */
export class RecordBuilder {
  private buf = Buffer.allocUnsafe(0);
  private end = 0;

  /** Starts a record (whatever an interrupted one left behind is dropped). */
  begin(): void {
    this.release();
  }

  /** Appends a blob's UTF-8 bytes; returns their length. */
  add(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit
    this.reserve(text.length * 3);
    const bytes = this.buf.write(text, this.end, 'utf8');
    this.end += bytes;
    return bytes;
  }

  /** The blob bytes written so far, `from` to `to`: a view, valid until the next record. */
  blobs(from: number, to: number): Buffer {
    return this.buf.subarray(from, to);
  }

  /** The unencrypted record of the blobs written so far, with `metaJson` as its meta. */
  finish(metaJson: string): Buffer {
    const blobBytes = this.end;
    this.reserve(metaJson.length * 3);
    const metaBytes = this.buf.write(metaJson, blobBytes, 'utf8');
    const record = Buffer.allocUnsafe(HEADER_BYTES + metaBytes + blobBytes);
    this.buf.copy(record, HEADER_BYTES, blobBytes, blobBytes + metaBytes);
    this.buf.copy(record, HEADER_BYTES + metaBytes, 0, blobBytes);
    writeHeader(record, MAGIC, metaBytes);
    this.release();
    return record;
  }

  /** Ends a record (finish() does, a sealed one is encoded elsewhere); a grown buffer is not kept. */
  release(): void {
    this.end = 0;
    if (this.buf.length > KEEP_BUFFER_BYTES) this.buf = Buffer.allocUnsafe(0);
  }

  private reserve(bytes: number): void {
    if (this.end + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.end + bytes, this.buf.length * 2, 64 * 1024));
    this.buf.copy(grown, 0, 0, this.end);
    this.buf = grown;
  }
}

/** The sealed meta carries the units' plaintext lengths, so nothing about them is in the clear. */
interface SealedMeta {
  m: unknown;
  u: number[];
}

function encodeSealedRecord(metaJson: string, units: Buffer[], cipher: StoreCipher): Buffer {
  // the JSON of a SealedMeta, with the meta's text as `m`
  const sealedJson = `{"m":${metaJson},"u":${JSON.stringify(units.map((u) => u.length))}}`;
  const sealedMeta = cipher.seal(Buffer.from(sealedJson, 'utf8'), SEALED.recordMeta);
  return withHeader(SEALED_MAGIC, [sealedMeta, ...units.map((u) => cipher.seal(u, SEALED.recordBlobs))], sealedMeta.length);
}

const NO_HEADER = Buffer.alloc(HEADER_BYTES);

/** The record of a body given as its parts (meta first), copied once. */
function withHeader(magic: number, body: Buffer[], metaLength: number): Buffer {
  const record = Buffer.concat([NO_HEADER, ...body]);
  writeHeader(record, magic, metaLength);
  return record;
}

/** Fills the header of a record whose body is already in place after it. */
function writeHeader(record: Buffer, magic: number, metaLength: number): void {
  const body = record.subarray(HEADER_BYTES);
  record.writeUInt32LE(magic, 0);
  record.writeUInt32LE(body.length, 4);
  record.writeUInt32LE(metaLength, 8);
  // over the bytes as written (ciphertext when sealed): a torn write is told from a wrong key
  record.writeUInt32LE(crc32(body), 12);
}

export interface JournalRecord {
  /** where the record starts and where the next one starts */
  start: Position;
  next: Position;
  meta: unknown;
  /** the record's blob bytes, one unit after another (decrypted when the journal is encrypted) */
  blobs: Buffer;
  /** where the unit holding `blobs[from, to)` lies in the segment file: what a content read fetches */
  locate(from: number, to: number): { off: number; len: number };
}

export type ReadResult =
  | { kind: 'record'; record: JournalRecord }
  | { kind: 'end' }
  | { kind: 'torn'; reason: string };

/** Reads records back (replay on open, and the worker catching up behind the writer). */
export class JournalReader {
  private fds = new Map<number, number>();

  /** `cipher`: the store is encrypted; every record must be sealed with its key. */
  constructor(readonly dir: string, private readonly cipher: StoreCipher | null = null) {}

  read(pos: Position): ReadResult {
    const fd = this.fd(pos.seg);
    if (fd === null) return { kind: 'end' };
    const header = Buffer.alloc(HEADER_BYTES);
    const got = readFully(fd, header, pos.off);
    if (got === 0) return { kind: 'end' };
    if (got < HEADER_BYTES) return { kind: 'torn', reason: `a ${got}-byte partial header` };
    const magic = header.readUInt32LE(0);
    if (magic !== MAGIC && magic !== SEALED_MAGIC) return { kind: 'torn', reason: 'no record marker' };
    // A complete marker of the other kind is no tear: cutting it off would destroy data.
    const where = () => `${segmentPath(this.dir, pos.seg)} at offset ${pos.off}`;
    if (magic === SEALED_MAGIC && !this.cipher) {
      throw new StoreKeyError(`this store is encrypted (${where()} holds an encrypted record) but its store.encryption file is gone and no key was given: give its key (--key-file FILE)`);
    }
    if (magic === MAGIC && this.cipher) {
      throw new StoreKeyError(`${where()} holds an unencrypted record, but this store is encrypted: the folder mixes two stores. Move that journal file out of the folder, or open the folder without a key`);
    }
    const bodyLen = header.readUInt32LE(4);
    const metaLen = header.readUInt32LE(8);
    if (bodyLen > MAX_BODY_BYTES || metaLen > bodyLen) return { kind: 'torn', reason: 'impossible record lengths' };
    const body = Buffer.alloc(bodyLen);
    const bodyGot = readFully(fd, body, pos.off + HEADER_BYTES);
    if (bodyGot < bodyLen) return { kind: 'torn', reason: `record cut after ${bodyGot} of ${bodyLen} bytes` };
    if (crc32(body) !== header.readUInt32LE(12)) return { kind: 'torn', reason: 'checksum mismatch' };
    const next = { seg: pos.seg, off: pos.off + HEADER_BYTES + bodyLen };
    const bodyStart = pos.off + HEADER_BYTES;
    if (this.cipher) return this.unseal(this.cipher, pos, next, body, metaLen, where);
    let meta: unknown;
    try {
      meta = JSON.parse(body.subarray(0, metaLen).toString('utf8'));
    } catch {
      return { kind: 'torn', reason: 'unreadable record metadata' };
    }
    const blobStart = bodyStart + metaLen;
    return { kind: 'record', record: { start: pos, next, meta, blobs: body.subarray(metaLen), locate: (from, to) => ({ off: blobStart + from, len: to - from }) } };
  }

  /** A sealed record whose checksum held: a tag that fails now means another key or altered bytes. */
  private unseal(cipher: StoreCipher, start: Position, next: Position, body: Buffer, metaLen: number, where: () => string): ReadResult {
    const refuse = () => new StoreKeyError(`the journal record in ${where()} could not be decrypted: the key does not match this store, or the file was altered. Nothing was changed`);
    const metaPlain = cipher.open(body.subarray(0, metaLen), SEALED.recordMeta);
    if (!metaPlain) throw refuse();
    let sealed: SealedMeta;
    try {
      sealed = JSON.parse(metaPlain.toString('utf8')) as SealedMeta;
    } catch {
      return { kind: 'torn', reason: 'unreadable record metadata' };
    }
    const units = new Map<number, { to: number; off: number; len: number }>();
    const plain: Buffer[] = [];
    let at = metaLen;
    let from = 0;
    for (const length of sealed.u) {
      const len = length + StoreCipher.OVERHEAD;
      if (at + len > body.length) return { kind: 'torn', reason: 'impossible record lengths' };
      const unit = cipher.open(body.subarray(at, at + len), SEALED.recordBlobs);
      if (!unit) throw refuse();
      plain.push(unit);
      units.set(from, { to: from + length, off: start.off + HEADER_BYTES + at, len });
      at += len;
      from += length;
    }
    const locate = (f: number, t: number) => {
      const unit = units.get(f);
      if (!unit || unit.to !== t) throw new Error(`no sealed unit holds bytes ${f}–${t} of the record at ${where()}`);
      return { off: unit.off, len: unit.len };
    };
    return { kind: 'record', record: { start, next, meta: sealed.m, blobs: Buffer.concat(plain), locate } };
  }

  /**
   * A span's content unit, decrypted when the journal is encrypted; a string says why it cannot be
   * read (the segment is gone or cut short, or the unit does not decrypt).
   */
  readUnit(seg: number, offset: number, length: number): Buffer | string {
    const bytes = this.readBytes(seg, offset, length);
    if (!bytes) return `journal segment ${seg} no longer holds this span's content (deleted or cut short)`;
    if (!this.cipher) return bytes;
    return this.cipher.open(bytes, SEALED.recordBlobs) ?? `the content in journal segment ${seg} at offset ${offset} could not be decrypted (altered bytes, or another key)`;
  }

  /** Reads `length` bytes at `offset` of a segment; null when the segment file is gone. */
  readBytes(seg: number, offset: number, length: number): Buffer | null {
    const fd = this.fd(seg);
    if (fd === null) return null;
    const buf = Buffer.alloc(length);
    return readFully(fd, buf, offset) === length ? buf : null;
  }

  size(seg: number): number {
    const fd = this.fd(seg);
    return fd === null ? 0 : fstatSync(fd).size;
  }

  /** Forgets a segment's file handle (before the file is deleted). */
  release(seg: number): void {
    const fd = this.fds.get(seg);
    if (fd !== undefined) closeSync(fd);
    this.fds.delete(seg);
  }

  close(): void {
    for (const seg of [...this.fds.keys()]) this.release(seg);
  }

  private fd(seg: number): number | null {
    let fd = this.fds.get(seg);
    if (fd === undefined) {
      const file = segmentPath(this.dir, seg);
      if (!existsSync(file)) return null;
      fd = openSync(file, 'r');
      this.fds.set(seg, fd);
    }
    return fd;
  }
}

function readFully(fd: number, buf: Buffer, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

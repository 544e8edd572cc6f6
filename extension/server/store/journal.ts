// The journal: append-only segment files of length-prefixed, checksummed records. It is both the
// durability log (replayed on open past the latest snapshot) and the content file (prompts and
// completions stay here; rows in sql.js only point at them). See docs/store.md "Layout on disk".
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** A place in the journal: segment number and byte offset inside that segment file. */
export interface Position {
  seg: number;
  off: number;
}

export const HEADER_BYTES = 16;
const MAGIC = 0x314a4c53; // "SLJ1" little-endian
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

/** One record: a JSON `meta` part followed by raw blob bytes the meta points into. */
export function encodeRecord(meta: unknown, blobs: Buffer[]): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const body = Buffer.concat([metaBytes, ...blobs]);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(body.length, 4);
  header.writeUInt32LE(metaBytes.length, 8);
  header.writeUInt32LE(crc32(body), 12);
  return Buffer.concat([header, body]);
}

export interface JournalRecord {
  /** where the record starts and where the next one starts */
  start: Position;
  next: Position;
  meta: unknown;
  body: Buffer;
  /** absolute offset, in the segment file, of the first blob byte */
  blobStart: number;
}

export type ReadResult =
  | { kind: 'record'; record: JournalRecord }
  | { kind: 'end' }
  | { kind: 'torn'; reason: string };

/** Reads records back (replay on open, and the worker catching up behind the writer). */
export class JournalReader {
  private fds = new Map<number, number>();

  constructor(readonly dir: string) {}

  read(pos: Position): ReadResult {
    const fd = this.fd(pos.seg);
    if (fd === null) return { kind: 'end' };
    const header = Buffer.alloc(HEADER_BYTES);
    const got = readFully(fd, header, pos.off);
    if (got === 0) return { kind: 'end' };
    if (got < HEADER_BYTES) return { kind: 'torn', reason: `a ${got}-byte partial header` };
    if (header.readUInt32LE(0) !== MAGIC) return { kind: 'torn', reason: 'no record marker' };
    const bodyLen = header.readUInt32LE(4);
    const metaLen = header.readUInt32LE(8);
    if (bodyLen > MAX_BODY_BYTES || metaLen > bodyLen) return { kind: 'torn', reason: 'impossible record lengths' };
    const body = Buffer.alloc(bodyLen);
    const bodyGot = readFully(fd, body, pos.off + HEADER_BYTES);
    if (bodyGot < bodyLen) return { kind: 'torn', reason: `record cut after ${bodyGot} of ${bodyLen} bytes` };
    if (crc32(body) !== header.readUInt32LE(12)) return { kind: 'torn', reason: 'checksum mismatch' };
    let meta: unknown;
    try {
      meta = JSON.parse(body.subarray(0, metaLen).toString('utf8'));
    } catch {
      return { kind: 'torn', reason: 'unreadable record metadata' };
    }
    const next = { seg: pos.seg, off: pos.off + HEADER_BYTES + bodyLen };
    return { kind: 'record', record: { start: pos, next, meta, body, blobStart: pos.off + HEADER_BYTES + metaLen } };
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

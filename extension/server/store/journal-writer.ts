// Appends journal records in the caller's thread (the collector's), so ingest is acknowledged as
// soon as the bytes are in the operating system's hands, whatever sql.js is busy with.
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { fsyncDir } from './fs-durable';
import { segmentPath, type Position } from './journal';

export interface JournalWriterOptions {
  dir: string;
  /** the segment to create and write first; the writer never appends to an older file */
  firstSegment: number;
  /** a segment is closed and the next begun once it reaches this size */
  segmentBytes: number;
  /** fsync after every append: survives power loss, not only a crash of the process */
  fsync: boolean;
}

export class JournalWriter {
  private fd: number;
  private seg: number;
  private off = 0;

  constructor(private readonly options: JournalWriterOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.seg = options.firstSegment;
    this.fd = this.create();
  }

  /** Where the next record will go: every record before it is complete on disk. */
  get position(): Position {
    return { seg: this.seg, off: this.off };
  }

  /** Writes one record; returns once write(2) has returned (and fsync(2), when asked for). */
  append(record: Buffer): Position {
    if (this.off > 0 && this.off + record.length > this.options.segmentBytes) this.roll();
    try {
      let done = 0;
      while (done < record.length) done += writeSync(this.fd, record, done, record.length - done, this.off + done);
      if (this.options.fsync) fsyncSync(this.fd);
    } catch (err) {
      // A half-written record would hide every later one from replay: cut it off before failing.
      try {
        ftruncateSync(this.fd, this.off);
      } catch {
        this.roll();
      }
      const e = err as NodeJS.ErrnoException;
      throw new Error(`could not write to the journal ${segmentPath(this.options.dir, this.seg)}: ${e.code ?? e.message} (is the disk full or read-only?)`);
    }
    this.off += record.length;
    return this.position;
  }

  close(): void {
    if (this.options.fsync) fsyncSync(this.fd);
    closeSync(this.fd);
  }

  private roll(): void {
    closeSync(this.fd);
    this.seg += 1;
    this.off = 0;
    this.fd = this.create();
  }

  private create(): number {
    const fd = openSync(segmentPath(this.options.dir, this.seg), 'wx');
    if (this.options.fsync) fsyncDir(this.options.dir);
    return fd;
  }
}

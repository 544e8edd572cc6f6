// Random trace and span ids. Drawing 8 bytes from the OS per span costs more than the rest of
// a span, so ids come from a pooled buffer of random bytes refilled 4 KB at a time.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  // all-zero ids are invalid in W3C trace context; astronomically rare, but cheap to rule out
  return /^0+$/.test(hex) ? randomHex(bytes) : hex;
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);

// Trace and span ids. OTLP/JSON carries them as hex (the spec's JSON mapping); some clients that
// serialise with a generic protobuf-to-JSON step send base64 instead. Base64 is accepted only
// where it cannot be mistaken for hex: a 16-byte id is 32 hex characters but 24 (22 unpadded)
// base64 characters, an 8-byte id 16 hex but 12 (11 unpadded) base64 characters, so the length
// alone tells the two apart.
import { quote } from './errors';

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ZEROS = /^0+$/;

/** An id as lower-case hex, and why it is unusable (without the field path), null when fine. */
export interface IdResult {
  hex: string;
  problem: string | null;
}

export function idFromText(value: unknown, bytes: 16 | 8): IdResult {
  if (typeof value !== 'string') {
    const problem = value === undefined || value === null ? `missing: expected ${bytes} bytes as ${bytes * 2} hex characters` : `expected ${bytes * 2} hex characters, got ${quote(value)}`;
    return { hex: '', problem };
  }
  if (value.length === bytes * 2 && HEX.test(value)) return checkId(value.toLowerCase(), bytes);
  const base64Lengths = bytes === 16 ? [24, 22] : [12, 11];
  if (base64Lengths.includes(value.length) && BASE64.test(value)) {
    const decoded = Buffer.from(value, /[-_]/.test(value) ? 'base64url' : 'base64');
    if (decoded.length === bytes) return checkId(decoded.toString('hex'), bytes);
  }
  if (value.length % 2 === 0 && HEX.test(value)) return { hex: value.toLowerCase(), problem: `expected ${bytes} bytes, got ${value.length / 2}` };
  return { hex: '', problem: `expected ${bytes * 2} hex characters, got ${quote(value)}` };
}

/** Checks an id that is already lower-case hex (protobuf bytes). */
export function checkId(hex: string, bytes: 16 | 8): IdResult {
  if (hex.length !== bytes * 2) return { hex, problem: `expected ${bytes} bytes, got ${hex.length / 2}` };
  if (ZEROS.test(hex)) return { hex, problem: 'is all zeros, which OTLP defines as an invalid id' };
  return { hex, problem: null };
}

/**
 * A parent span id: empty means a root span (OTLP), anything else must be a valid 8-byte id.
 * All zeros is read as "no parent" too: some exporters write zeros for an absent parent.
 */
export function parentId(result: IdResult | null): { hex: string | null; problem: string | null } {
  if (result === null || result.hex === '' && result.problem === null) return { hex: null, problem: null };
  if (result.problem !== null && result.hex.length === 16 && ZEROS.test(result.hex)) return { hex: null, problem: null };
  return result;
}

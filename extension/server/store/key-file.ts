// The store's key as a file (the CLI's --key-file): 32 raw bytes, 64 hex digits or base64 of 32
// bytes. `stacklens keygen` writes the hex form, which survives copy and paste.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { KEY_BYTES, StoreKeyError } from './encryption';

/** A fresh random key as 64 hex digits. */
export function newKeyHex(): string {
  return randomBytes(KEY_BYTES).toString('hex');
}

/** The key in `bytes`; throws StoreKeyError naming the forms accepted when it is none of them. */
export function parseKey(bytes: Buffer, source: string): Buffer {
  if (bytes.length === KEY_BYTES) return Buffer.from(bytes);
  const text = bytes.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new StoreKeyError(
    `${source} holds ${bytes.length} bytes that are not a key: expected 32 raw bytes, 64 hex digits or the base64 of 32 bytes. Make one with \`stacklens keygen > FILE\``,
  );
}

/** Reads a key file; `warning` is set when other users may read it. */
export function readKeyFile(file: string): { key: Buffer; warning: string | null } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new StoreKeyError(`cannot read the key file ${file}: ${e.code ?? e.message}${e.code === 'ENOENT' ? ' (make one with `stacklens keygen > FILE`)' : ''}`);
  }
  const key = parseKey(bytes, `the key file ${file}`);
  // POSIX modes only: Windows reports 0o666 for any file it lets us read
  const open = process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0;
  return { key, warning: open ? `the key file ${file} can be read by other users: chmod 600 ${file}` : null };
}

// Encryption at rest (AES-256-GCM): the journal's records and the snapshot are sealed with a key
// the caller holds (VS Code's SecretStorage, or the CLI's key file). The folder keeps only a check
// value of the key, so a missing or wrong key is refused by name before anything is read.
// See docs/store.md "Encryption at rest".
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './fs-durable';

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const EMPTY = Buffer.alloc(0);

/** A missing, wrong or unexpected key: the message says which, and what to do. */
export class StoreKeyError extends Error {
  override name = 'StoreKeyError';
}

/** What each sealed unit is: a unit of one kind cannot be passed off as another. */
export const SEALED = {
  recordMeta: Buffer.from('stacklens journal meta v1'),
  recordBlobs: Buffer.from('stacklens journal blobs v1'),
  snapshot: Buffer.from('stacklens snapshot v1'),
} as const;

/** Seals and opens units: each is nonce (96 bits, random) | ciphertext | tag (128 bits). */
export class StoreCipher {
  static readonly OVERHEAD = NONCE_BYTES + TAG_BYTES;

  /** `dataKey` is already derived from the caller's key (storeCipher / openEncryption). */
  constructor(readonly dataKey: Buffer) {}

  /** `prefix` goes in front of the unit in the same buffer (a snapshot's marker: no second copy). */
  seal(plain: Uint8Array, kind: Buffer, prefix: Buffer = EMPTY): Buffer {
    const out = Buffer.allocUnsafe(prefix.length + NONCE_BYTES + plain.length + TAG_BYTES);
    prefix.copy(out, 0);
    const nonce = randomBytes(NONCE_BYTES);
    let at = prefix.length + nonce.copy(out, prefix.length);
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, nonce);
    cipher.setAAD(kind);
    at += cipher.update(plain).copy(out, at);
    at += cipher.final().copy(out, at);
    cipher.getAuthTag().copy(out, at);
    return out;
  }

  /** The plaintext, or null when the tag does not check (another key, or altered bytes). */
  open(sealed: Uint8Array, kind: Buffer): Buffer | null {
    if (sealed.length < StoreCipher.OVERHEAD) return null;
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
    const decipher = createDecipheriv('aes-256-gcm', this.dataKey, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(kind);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const body = decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES));
    try {
      const tail = decipher.final();
      return tail.length ? Buffer.concat([body, tail]) : body;
    } catch {
      return null;
    }
  }
}

/**
 * Two independent values from the caller's key: the data key that seals, and the check value kept
 * in the folder. Knowing the check value tells nothing about the data key.
 */
function derive(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `stacklens store ${purpose} v1`, KEY_BYTES));
}

export function storeCipher(key: Buffer): StoreCipher {
  return new StoreCipher(derive(checkKey(key), 'data key'));
}

function checkKey(key: unknown): Buffer {
  if (!(key instanceof Uint8Array)) throw new StoreKeyError(`openStore: encryptionKey must be a Buffer of ${KEY_BYTES} bytes, got ${typeof key}`);
  if (key.length !== KEY_BYTES) throw new StoreKeyError(`openStore: encryptionKey must be ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
  return Buffer.from(key);
}

export function encryptionFile(dataDir: string): string {
  return path.join(dataDir, 'store.encryption');
}

interface EncryptionFile {
  format: 'stacklens-store-encryption';
  version: 1;
  cipher: 'aes-256-gcm';
  /** HKDF of the key for "key check": tells a wrong key from the right one */
  key_check: string;
}

/** Whether the folder already holds store data (a snapshot or journal segments). */
function holdsData(dataDir: string): boolean {
  if (existsSync(path.join(dataDir, 'store.sqlite'))) return true;
  const journal = path.join(dataDir, 'journal');
  return existsSync(journal) && readdirSync(journal).some((f) => /^journal-\d{8}\.log$/.test(f));
}

/**
 * Checks the key against the folder before anything is read, and marks a new folder as encrypted.
 * Returns the cipher to seal with, or null for an unencrypted store. Throws StoreKeyError for a
 * missing key, a wrong key, or a key given for an existing unencrypted store.
 */
export function openEncryption(dataDir: string, key: Buffer | undefined): StoreCipher | null {
  const file = encryptionFile(dataDir);
  if (existsSync(file)) {
    const recorded = readEncryptionFile(file);
    if (key === undefined) {
      throw new StoreKeyError(`this store is encrypted: give its key (--key-file FILE for the CLI; in VS Code, the key kept in its secret storage). Without it nothing in ${dataDir} can be read`);
    }
    const check = derive(checkKey(key), 'key check');
    const expected = Buffer.from(recorded.key_check, 'hex');
    if (expected.length !== check.length || !timingSafeEqual(expected, check)) {
      throw new StoreKeyError(`the key does not match this store in ${dataDir}: it was encrypted with another key. Give the key it was created with; to start over with a new key, use a new data folder (--data DIR)`);
    }
    return storeCipher(key);
  }
  if (key === undefined) return null;
  checkKey(key);
  if (holdsData(dataDir)) {
    throw new StoreKeyError(`the store in ${dataDir} is not encrypted, but a key was given: open it without a key, or start an encrypted store in a new data folder (--data DIR). An existing store is not converted`);
  }
  const marker: EncryptionFile = { format: 'stacklens-store-encryption', version: 1, cipher: 'aes-256-gcm', key_check: derive(key, 'key check').toString('hex') };
  // Written (and fsynced) before the first sealed byte: a folder never holds sealed data unmarked.
  writeFileAtomic(file, Buffer.from(JSON.stringify(marker, null, 2) + '\n'));
  return storeCipher(key);
}

function readEncryptionFile(file: string): EncryptionFile {
  let parsed: Partial<EncryptionFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<EncryptionFile>;
  } catch (err) {
    throw new StoreKeyError(`${file} could not be read (${(err as Error).message}); it marks the store as encrypted, so the store is not opened. Restore the file from a backup`);
  }
  if (parsed.format !== 'stacklens-store-encryption' || parsed.version !== 1 || parsed.cipher !== 'aes-256-gcm' || typeof parsed.key_check !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.key_check)) {
    throw new StoreKeyError(`${file} is not a version 1 StackLens encryption file (a newer StackLens, or a damaged file); the store is not opened`);
  }
  return parsed as EncryptionFile;
}

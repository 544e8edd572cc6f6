// The store's encryption key (docs/store.md "Encryption at rest") as the extension keeps it: 32
// random bytes in VS Code's SecretStorage, made once for a new encrypted store and never replaced
// behind the user's back. An encrypted store lives in its own folder, because an existing store is
// never converted: turning encryption on starts an encrypted store beside the plain one.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { encryptionFile } from '../server/store/encryption';

export const STORE_KEY_SECRET = 'stacklens.encryptionKey';

/** The part of vscode.SecretStorage this needs. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
}

/** The data folder of the encrypted store, inside the extension's storage folder. */
export function encryptedDataDir(storageDir: string): string {
  return path.join(storageDir, 'encrypted');
}

export interface StoreKey {
  /** 64 hex characters; absent when there is no usable key (the collector then says why it cannot open the store) */
  keyHex?: string;
  /** what went wrong with the kept key, for the user */
  problem?: string;
}

const KEY_HEX = /^[0-9a-f]{64}$/;

/**
 * The key of the encrypted store in `dataDir`. A key is made only for a folder that is not yet
 * an encrypted store: making one for an existing store would only trade "missing key" for "wrong key".
 */
export async function storeKeyFor(secrets: SecretStore, dataDir: string): Promise<StoreKey> {
  const kept = (await secrets.get(STORE_KEY_SECRET))?.trim().toLowerCase();
  if (kept && KEY_HEX.test(kept)) return { keyHex: kept };
  if (kept) return { problem: `the store key in VS Code's secret storage (${STORE_KEY_SECRET}) is damaged: it is not 64 hex characters` };
  if (existsSync(encryptionFile(dataDir))) {
    return { problem: `the encrypted store in ${dataDir} has no key in this VS Code's secret storage (a new profile or machine?)` };
  }
  await secrets.store(STORE_KEY_SECRET, randomBytes(32).toString('hex'));
  // another window may have stored its own key at the same moment: use the one that was kept
  const stored = (await secrets.get(STORE_KEY_SECRET))?.trim().toLowerCase();
  return stored && KEY_HEX.test(stored) ? { keyHex: stored } : { problem: 'VS Code\'s secret storage did not keep the new store key' };
}

/** Recognises the collector's key errors (StoreKeyError) so the UI can say what to do in VS Code. */
export function isStoreKeyError(message: string | null): boolean {
  return !!message && /(this store is encrypted|the key does not match this store|is not encrypted, but a key was given|encryptionKey must be|marks the store as encrypted)/.test(message);
}

/** What a user of the extension can do about a key error. */
export function storeKeyAdvice(dataDir: string): string {
  return `StackLens keeps this store's key in VS Code's secret storage. Restore that key (same profile and machine), turn stacklens.privacy.encryptAtRest off to use the unencrypted store, or delete ${dataDir} to start a new encrypted store (its traces are lost).`;
}

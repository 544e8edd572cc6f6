// Snapshots: the whole sql.js database written atomically, recording the journal position it
// covers. Small rows (content stays in the journal) keep the file, and the time to write it, small.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Db } from './database';
import { SEALED, StoreKeyError, type StoreCipher } from './encryption';
import { writeFileAtomic } from './fs-durable';
import type { Position } from './journal';
import { MIGRATE_1_TO_2, SCHEMA, SCHEMA_VERSION } from './schema';

export function snapshotPath(dataDir: string): string {
  return path.join(dataDir, 'store.sqlite');
}

export interface LoadedSnapshot {
  raw: Database;
  /** journal records before this position are in the snapshot */
  covers: Position | null;
  warnings: string[];
  /** the snapshot was migrated from schema 1: its rollups must be filled from its rows */
  migrated?: boolean;
}

function meta(raw: Database, key: string): string | null {
  const res = raw.exec('SELECT value FROM meta WHERE key = ?', [key]);
  return res.length ? (res[0].values[0][0] as string) : null;
}

/** An encrypted snapshot: this marker, then the whole database file sealed as one unit. */
const SEALED_SNAPSHOT = Buffer.from('SLS1');

function isSealed(bytes: Buffer): boolean {
  return bytes.length >= SEALED_SNAPSHOT.length && bytes.subarray(0, SEALED_SNAPSHOT.length).equals(SEALED_SNAPSHOT);
}

/** The database file from the snapshot's bytes, decrypted when the store is encrypted. */
function databaseBytes(bytes: Buffer, file: string, cipher: StoreCipher | null): Buffer {
  if (!cipher) {
    // refused, not moved aside: without the key an encrypted snapshot is not damaged, only closed
    if (isSealed(bytes)) throw new StoreKeyError(`this store is encrypted (${file} is sealed) but its store.encryption file is gone and no key was given: give its key (--key-file FILE)`);
    return bytes;
  }
  if (!isSealed(bytes)) throw new Error('it is not encrypted, though the store is');
  const plain = cipher.open(bytes.subarray(SEALED_SNAPSHOT.length), SEALED.snapshot);
  if (!plain) throw new Error('it does not decrypt with the store\'s key (altered or damaged bytes)');
  return plain;
}

/** The latest snapshot, or a new empty database when there is none (or it cannot be read). */
export function loadSnapshot(SQL: SqlJsStatic, dataDir: string, cipher: StoreCipher | null = null): LoadedSnapshot {
  const file = snapshotPath(dataDir);
  const warnings: string[] = [];
  if (existsSync(file)) {
    let raw: Database | null = null;
    try {
      raw = new SQL.Database(databaseBytes(readFileSync(file), file, cipher));
      let version = Number(meta(raw, 'schema_version'));
      let migrated = false;
      if (version === 1) {
        raw.run(`BEGIN; ${MIGRATE_1_TO_2}; UPDATE meta SET value = '2' WHERE key = 'schema_version'; COMMIT;`);
        version = 2;
        migrated = true;
      }
      if (version !== SCHEMA_VERSION) throw new Error(`schema version ${version}, this StackLens reads ${SCHEMA_VERSION}`);
      const seg = Number(meta(raw, 'journal_seg'));
      const off = Number(meta(raw, 'journal_off'));
      if (!Number.isInteger(seg) || !Number.isInteger(off)) throw new Error('no journal position recorded');
      return { raw, covers: { seg, off }, warnings, migrated };
    } catch (err) {
      raw?.close();
      if (err instanceof StoreKeyError) throw err;
      // Keep the file for inspection and rebuild from the journal rather than refuse to start.
      const aside = `${file}.unreadable-${Date.now()}`;
      renameSync(file, aside);
      warnings.push(`the snapshot ${file} could not be read (${(err as Error).message}); it was moved to ${aside} and the store is rebuilt from the journal`);
    }
  }
  const raw = new SQL.Database();
  raw.run(`BEGIN; ${SCHEMA}; COMMIT;`);
  raw.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['schema_version', String(SCHEMA_VERSION)]);
  return { raw, covers: null, warnings };
}

/** Writes the database with the journal position it covers: temp file, fsync, rename. */
export function writeSnapshot(db: Db, dataDir: string, covers: Position, cipher: StoreCipher | null = null): void {
  db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', ['journal_seg', String(covers.seg)]);
  db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', ['journal_off', String(covers.off)]);
  const exported = db.export();
  writeFileAtomic(snapshotPath(dataDir), cipher ? cipher.seal(exported, SEALED.snapshot, SEALED_SNAPSHOT) : exported);
}

// The bearer token of a data folder: given, or generated once and kept (mode 600) so that the
// CLI, every VS Code window and the terminals they prepare agree on it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function tokenFile(dataDir: string): string {
  return path.join(dataDir, 'token');
}

export function loadOrCreateToken(dataDir: string, given?: string): string {
  if (given) return given;
  const file = tokenFile(dataDir);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = `sl-${randomBytes(24).toString('base64url')}`;
  try {
    writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
    return token;
  } catch (err) {
    // another process created it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
}

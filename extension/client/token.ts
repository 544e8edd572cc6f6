// The bearer token of the collector. Every window of this machine must use the same one (a
// window that joins another's collector authenticates with it), so when the user sets none it is
// generated once into the shared data folder, where the collector worker looks for it too.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const TOKEN_FILE = 'token';

export function newToken(): string {
  return `sl-${randomBytes(24).toString('base64url')}`;
}

export async function resolveToken(setting: string | undefined, dataDir: string): Promise<string> {
  const configured = setting?.trim();
  if (configured) return configured;
  const file = path.join(dataDir, TOKEN_FILE);
  const existing = await readToken(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  try {
    // 'wx': when two windows start at once, exactly one writes; the other reads the winner's.
    await writeFile(file, `${newToken()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(`could not keep the StackLens token in ${file}: ${(err as Error).message}. Set stacklens.token in the settings instead.`);
    }
  }
  const written = await readToken(file);
  if (!written) throw new Error(`the StackLens token file ${file} is empty: delete it and reload the window, or set stacklens.token`);
  return written;
}

async function readToken(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text || null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`could not read the StackLens token from ${file}: ${(err as Error).message}`);
  }
}

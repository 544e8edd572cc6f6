import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveToken, TOKEN_FILE } from '../../../extension/client/token';
import { loadOrCreateToken } from '../../../extension/server/token';

describe('the collector token', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'stacklens-token-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the token from the settings when one is set', async () => {
    assert.equal(await resolveToken('  sl-from-settings ', dir), 'sl-from-settings');
  });

  it('generates one token, keeps it private, and gives every window the same', async () => {
    const data = path.join(dir, 'globalStorage');
    const tokens = await Promise.all([resolveToken('', data), resolveToken(undefined, data), resolveToken('', data)]);
    assert.equal(new Set(tokens).size, 1);
    assert.match(tokens[0], /^sl-[A-Za-z0-9_-]{32}$/);
    assert.equal(statSync(path.join(data, TOKEN_FILE)).mode & 0o777, 0o600);
    assert.equal(await resolveToken('', data), tokens[0]);
  });

  it('agrees with the token the collector itself keeps in the data folder', async () => {
    const mine = await resolveToken('', dir);
    assert.equal(loadOrCreateToken(dir), mine);
    rmSync(path.join(dir, TOKEN_FILE));
    const theirs = loadOrCreateToken(dir);
    assert.equal(await resolveToken('', dir), theirs);
    assert.equal(readFileSync(path.join(dir, TOKEN_FILE), 'utf8').trim(), theirs);
  });

  it('says what to do when the token file cannot be used', async () => {
    writeFileSync(path.join(dir, TOKEN_FILE), '   \n');
    await assert.rejects(resolveToken('', dir), /is empty: delete it and reload the window, or set stacklens\.token/);
  });
});

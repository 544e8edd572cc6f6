import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCK_FILE, OwnerLock } from '../../../extension/client/owner-lock';

describe('one collector per data folder', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'stacklens-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets exactly one of two windows take the lock, and tells the other where the collector listens', async () => {
    const first = new OwnerLock(dir);
    const second = new OwnerLock(dir);
    const [a, b] = await Promise.all([first.acquire(), second.acquire()]);
    assert.equal([a, b].filter((r) => r.acquired).length, 1);
    const [owner, other] = a.acquired ? [first, second] : [second, first];
    await owner.setPort(43210);
    const seen = await other.acquire();
    assert.ok(!seen.acquired && seen.holder.port === 43210 && seen.holder.pid === process.pid);
    await owner.release();
    assert.ok(!existsSync(path.join(dir, LOCK_FILE)));
    assert.deepEqual(await other.acquire(), { acquired: true });
  });

  it('takes over the lock of a window whose process is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: dead, instance: 'crashed', port: 4318, since: 1 }));
    const lock = new OwnerLock(dir);
    assert.deepEqual(await lock.acquire(), { acquired: true });
    assert.equal(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).instance, lock.instance);
  });

  it('takes over a lock file that is not a lock (garbage left by a crash mid-write)', async () => {
    writeFileSync(path.join(dir, LOCK_FILE), '{"pid":');
    assert.deepEqual(await new OwnerLock(dir).acquire(), { acquired: true });
  });

  it('never removes a lock that another instance took in the meantime', async () => {
    const first = new OwnerLock(dir);
    await first.acquire();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, instance: 'someone-else', port: null, since: 2 }));
    await first.release();
    assert.equal(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).instance, 'someone-else');
  });
});

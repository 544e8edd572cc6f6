// `stacklens serve --key-file` and `stacklens traces --key-file` through the real dist/cli.js
// (run `npm run build` first): a key made by `stacklens keygen`, spans in, nothing readable on
// disk, the same spans out, and one clear line (no stack trace) for a missing, wrong or bad key.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, startCollector, tempDir } from '../support/collector';

const MARKER = 'CLI-PLAINTEXT-MARKER-51c9';
const TRACE = 'e'.repeat(32);

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, STACKLENS_API_KEY: '', STACKLENS_DATA: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertOneLine(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.ok(!/\n\s+at .+:\d+:\d+/.test(stderr), `no stack trace: ${stderr}`);
}

describe('stacklens CLI: an encrypted store (--key-file)', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  async function keyFile(dir: string, name: string): Promise<string> {
    const made = await cli(['keygen']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^[0-9a-f]{64}\n$/);
    const file = path.join(dir, name);
    writeFileSync(file, made.stdout, { mode: 0o600 });
    return file;
  }

  it('serves, stops, lists and serves again with the key; refuses a missing, wrong or bad key', async () => {
    const keys = tempDir('stacklens-keys-');
    const dataDir = tempDir();
    dirs.push(keys, dataDir);
    const key = await keyFile(keys, 'store.key');
    const span = { trace_id: TRACE, span_id: '1'.repeat(16), name: `answer ${MARKER}`, model: 'gpt-4o', prompt: `prompt ${MARKER} ✓`, completion: `completion ${MARKER}` };

    const first = await startCollector({ dataDir, extraArgs: ['--key-file', key] });
    try {
      assert.equal((await first.request('POST', '/api/v1/spans', span)).status, 200);
    } finally {
      assert.equal(await first.stop(), 0, first.output());
    }
    for (const file of ['store.sqlite', ...readdirSync(path.join(dataDir, 'journal')).map((f) => path.join('journal', f))]) {
      assert.ok(!readFileSync(path.join(dataDir, file)).includes(MARKER), `${file} holds the content in the clear`);
    }

    const listed = await cli(['traces', '--data', dataDir, '--key-file', key, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as Array<{ trace_id: string; name: string }>).map((t) => [t.trace_id, t.name]), [[TRACE, `answer ${MARKER}`]]);

    const missing = await cli(['traces', '--data', dataDir]);
    assert.equal(missing.code, 1);
    assertOneLine(missing.stderr, /^stacklens: this store is encrypted: give its key \(--key-file FILE/);

    const wrong = await keyFile(keys, 'other.key');
    const refused = await cli(['serve', '--port', '0', '--data', dataDir, '--token', 't', '--key-file', wrong]);
    assert.equal(refused.code, 1);
    assertOneLine(refused.stderr, /^stacklens: the key does not match this store in /);

    const bad = path.join(keys, 'bad.key');
    writeFileSync(bad, 'not a key\n', { mode: 0o600 });
    const badKey = await cli(['traces', '--data', dataDir, '--key-file', bad]);
    assert.equal(badKey.code, 1);
    assertOneLine(badKey.stderr, /^stacklens: the key file .*bad\.key holds 10 bytes that are not a key: expected 32 raw bytes, 64 hex digits or the base64 of 32 bytes/);

    chmodSync(key, 0o644);
    const second = await startCollector({ dataDir, extraArgs: ['--key-file', key] });
    try {
      const got = await second.request('GET', `/api/v1/traces/${TRACE}`);
      assert.equal(got.status, 200);
      assert.deepEqual([got.body.spans[0].input, got.body.spans[0].output], [span.prompt, span.completion]);
      assert.match(second.output(), /warning: the key file .*store\.key can be read by other users: chmod 600/);
    } finally {
      await second.stop();
    }
  });
});

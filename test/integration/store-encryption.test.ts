// Encryption at rest: an encrypted store gives back every byte with its key, keeps no plaintext on
// disk, refuses a missing or wrong key by name, and keeps the journal's crash guarantees.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Span } from '../../extension/server/model';
import { openStore, StoreKeyError } from '../../extension/server/store';
import { storeCipher } from '../../extension/server/store/encryption';
import { journalDir, listSegments, segmentPath } from '../../extension/server/store/journal';
import { parseKey } from '../../extension/server/store/key-file';
import { encodeSpansRecord } from '../../extension/server/store/records';
import { crashBatch, crashContent, llm, open, removeTempDirs, span, spanId, tempDataDir, traceId } from './store-fixtures';

const REPO = path.resolve(__dirname, '../..');
const KEY = randomBytes(32);
const MARKER = 'PLAINTEXT-MARKER-7f3a';

/** Spans whose every content field carries MARKER, including the forms the journal stores apart. */
function secretSpans(): Span[] {
  const bigAttributes = { note: `${MARKER} ` + 'a'.repeat(400), nested: { deep: [1, 2, MARKER] } };
  return [
    span({ trace_id: traceId(1), span_id: spanId(1), name: `agent ${MARKER}`, kind: 'agent', input: `plan for ${MARKER}`, output: null, tags: [`tag-${MARKER}`] }),
    llm({
      trace_id: traceId(1),
      span_id: spanId(2),
      parent_span_id: spanId(1),
      input: `prompt ${MARKER} héllo ✓ 🚀\n` + 'p'.repeat(2000),
      output: `completion ${MARKER}`,
      attributes: bigAttributes,
      events: [{ name: 'gen_ai.choice', time: 1, attributes: { text: `${MARKER} `.repeat(40) } }],
      resource: { 'service.name': `svc-${MARKER}` },
      code_file: 'src/secret.ts',
      code_line: 3,
    }),
    // a lone surrogate: stored as JSON text, still comes back exactly
    llm({ trace_id: traceId(1), span_id: spanId(3), parent_span_id: spanId(1), input: `half \uD800 ${MARKER}`, output: '' }),
  ];
}

function filesOf(dataDir: string): Array<{ file: string; bytes: Buffer }> {
  const journal = journalDir(dataDir);
  return [path.join(dataDir, 'store.sqlite'), ...readdirSync(journal).map((f) => path.join(journal, f))].map((file) => ({ file, bytes: readFileSync(file) }));
}

describe('store: encryption at rest', function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it('reopens with its key and returns every span byte for byte', async () => {
    const sent = secretSpans();
    const { store, dataDir } = await open({ encryptionKey: KEY });
    await store.ingest(sent);
    await store.addScore({ trace_id: traceId(1), span_id: spanId(2), name: 'quality', value: 0.9, label: null, reason: `because ${MARKER}`, source: 'api' });
    const before = { detail: await store.getTrace(traceId(1)), sites: await store.callSites(), list: await store.listTraces({}) };
    await store.close();

    const reopened = await open({ dataDir, encryptionKey: KEY });
    try {
      assert.deepEqual(reopened.warnings, []);
      const detail = await reopened.store.getTrace(traceId(1));
      assert.deepEqual({ detail, sites: await reopened.store.callSites(), list: await reopened.store.listTraces({}) }, before);
      for (const s of sent) {
        const got = detail!.spans.find((x) => x.span_id === s.span_id)!;
        assert.deepEqual([got.name, got.input, got.output, got.attributes, got.events, got.resource, got.tags], [s.name, s.input, s.output, s.attributes, s.events, s.resource, s.tags]);
      }
      assert.equal(detail!.scores[0].reason, `because ${MARKER}`);
    } finally {
      await reopened.store.close();
    }
  });

  it('keeps none of the plaintext on disk: journal and snapshot hold no marker', async () => {
    const plain = await open();
    const sealed = await open({ encryptionKey: KEY });
    for (const { store } of [plain, sealed]) {
      await store.ingest(secretSpans());
      await store.snapshot();
      await store.close();
    }
    // the control: the same spans unencrypted do show the marker, so the search below can fail
    assert.ok(filesOf(plain.dataDir).some(({ bytes }) => bytes.includes(MARKER)), 'the unencrypted store holds the marker');
    const files = filesOf(sealed.dataDir);
    assert.ok(files.length >= 2 && files.every(({ bytes }) => bytes.length > 0), 'a snapshot and a journal segment were written');
    for (const { file, bytes } of files) {
      for (const needle of [MARKER, 'prompt ', 'src/secret.ts', 'gpt-4o', 'SQLite format 3']) {
        assert.ok(!bytes.includes(needle) && !bytes.includes(Buffer.from(needle, 'utf16le')), `${file} holds "${needle}" in the clear`);
      }
    }
    assert.ok(readFileSync(path.join(sealed.dataDir, 'store.sqlite')).subarray(0, 4).equals(Buffer.from('SLS1')));
  });

  it('refuses a missing key, a wrong key and a key for an unencrypted store by name, changing nothing', async () => {
    const { store, dataDir } = await open({ encryptionKey: KEY });
    await store.ingest(crashBatch(0));
    await store.close();
    const sizes = () => filesOf(dataDir).map(({ file, bytes }) => `${path.basename(file)}:${bytes.length}`);
    const sizesBefore = sizes();

    await assert.rejects(openStore({ dataDir }), (err: Error) => {
      assert.ok(err instanceof StoreKeyError);
      assert.match(err.message, /^this store is encrypted: give its key \(--key-file FILE/);
      return true;
    });
    await assert.rejects(openStore({ dataDir, encryptionKey: randomBytes(32) }), (err: Error) => {
      assert.ok(err instanceof StoreKeyError);
      assert.match(err.message, /^the key does not match this store in .*: it was encrypted with another key/);
      return true;
    });
    await assert.rejects(openStore({ dataDir, encryptionKey: KEY.subarray(0, 16) }), /encryptionKey must be 32 bytes \(AES-256\), got 16/);
    const plain = await open();
    await plain.store.ingest(crashBatch(0));
    await plain.store.close();
    await assert.rejects(openStore({ dataDir: plain.dataDir, encryptionKey: KEY }), /is not encrypted, but a key was given: open it without a key/);

    // nothing was touched, nor left locked: the right key still finds every span
    assert.deepEqual(sizes(), sizesBefore);
    const again = await open({ dataDir, encryptionKey: KEY });
    try {
      assert.equal((await again.store.getTrace(traceId(1)))?.spans.find((s) => s.span_id === spanId(5))?.input, crashContent(0, 4));
    } finally {
      await again.store.close();
    }
  });

  it('refuses, rather than empties, an encrypted store whose store.encryption file is gone', async () => {
    const { store, dataDir } = await open({ encryptionKey: KEY, snapshotIntervalMs: 60_000 });
    await store.ingest(crashBatch(0));
    await store.close();
    rmSync(path.join(dataDir, 'store.encryption'));
    await assert.rejects(openStore({ dataDir }), (err: Error) => err instanceof StoreKeyError && /this store is encrypted \(.*store\.sqlite is sealed\)/.test(err.message));
    rmSync(path.join(dataDir, 'store.sqlite'));
    const segment = segmentPath(journalDir(dataDir), listSegments(journalDir(dataDir))[0]);
    const size = statSync(segment).size;
    await assert.rejects(openStore({ dataDir }), /this store is encrypted \(.*journal-00000001\.log at offset 0 holds an encrypted record\)/);
    assert.equal(statSync(segment).size, size, 'the sealed journal was not cut off as if it were torn');
  });

  it('ignores a torn encrypted record at the end of the journal and cuts it off', async () => {
    const { store, dataDir } = await open({ encryptionKey: KEY });
    await store.ingest(crashBatch(0));
    await store.close();
    const segment = segmentPath(journalDir(dataDir), listSegments(journalDir(dataDir)).at(-1)!);
    const intact = statSync(segment).size;
    const record = encodeSpansRecord(crashBatch(1), storeCipher(KEY));
    appendFileSync(segment, record.subarray(0, Math.floor(record.length / 2))); // killed mid-write

    const second = await open({ dataDir, encryptionKey: KEY });
    try {
      assert.equal(second.warnings.length, 1);
      assert.match(second.warnings[0], /ignored an incomplete record at the end of .*record cut after/);
      assert.equal(statSync(segment).size, intact);
      assert.equal((await second.store.getTrace(traceId(1)))?.spans.length, 20);
      assert.equal(await second.store.getTrace(traceId(2)), null);
    } finally {
      await second.store.close();
    }
  });

  it('reports altered content bytes as unreadable content, never as other text', async () => {
    const { store, dataDir } = await open({ encryptionKey: KEY });
    await store.ingest([llm({ trace_id: traceId(1), span_id: spanId(1), input: `prompt ${MARKER}`, output: 'answer' })]);
    const [[seg, off, len]] = (await store.query('SELECT content_seg, content_off, content_len FROM spans')).rows as number[][];
    await store.close();
    const file = segmentPath(journalDir(dataDir), seg);
    const bytes = readFileSync(file);
    bytes[off + len - 20] ^= 0x01; // inside the span's sealed unit, which replay no longer reads (snapshot)
    writeFileSync(file, bytes);

    const reopened = await open({ dataDir, encryptionKey: KEY });
    try {
      const got = (await reopened.store.getTrace(traceId(1)))!.spans[0];
      assert.deepEqual([got.input, got.output], [null, null]);
      assert.match(reopened.warnings.join('\n'), /could not be decrypted \(altered bytes, or another key\)/);
    } finally {
      await reopened.store.close();
    }
  });

  it('keeps every acknowledged span across kill -9 of an encrypted writer', async () => {
    const dataDir = tempDataDir();
    // the store's crash-writer pattern, with a key: small segments, frequent snapshots, "ack N" lines
    const script = `
      const { openStore } = require(${JSON.stringify(path.join(REPO, 'extension/server/store/index.ts'))});
      const { crashBatch } = require(${JSON.stringify(path.join(__dirname, 'store-fixtures.ts'))});
      (async () => {
        const store = await openStore({ dataDir: process.argv[1], encryptionKey: Buffer.from(process.argv[2], 'hex'), snapshotIntervalMs: 100, segmentBytes: 128 * 1024, onWarning: (m) => process.stderr.write(m + '\\n') });
        for (let n = 0; ; n++) {
          await store.ingest(crashBatch(n));
          process.stdout.write('ack ' + n + '\\n');
          await new Promise((r) => setImmediate(r));
        }
      })().catch((err) => { process.stderr.write(String(err.stack) + '\\n'); process.exit(1); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dataDir, KEY.toString('hex')], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const acked = () => [...stdout.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
    const until = Date.now() + 20_000;
    while (acked().length < 60) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`the writer did not acknowledge 60 batches; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const done = acked();
    assert.ok(listSegments(journalDir(dataDir)).length > 1, 'the kill landed after several segment rollovers');

    const { store, warnings } = await open({ dataDir, encryptionKey: KEY });
    try {
      const lost: string[] = [];
      for (const n of done) {
        const detail = await store.getTrace(traceId(n + 1));
        for (let i = 0; i < 20; i++) {
          const s = detail?.spans.find((x) => x.span_id === spanId(i + 1));
          if (!s || s.input !== crashContent(n, i) || s.output !== `answer ${n}/${i} ✓`) lost.push(`${n}/${i}`);
        }
      }
      assert.deepEqual(lost, [], `acknowledged spans lost or altered; warnings: ${warnings.join(' | ')}`);
      await store.ingest(crashBatch(10_000));
      assert.equal((await store.getTrace(traceId(10_001)))?.spans.length, 20);
    } finally {
      await store.close();
    }
  });
});

describe('store key files', () => {
  const key = randomBytes(32);

  it('accepts 32 raw bytes, 64 hex digits (with a newline) and base64 of 32 bytes', () => {
    assert.deepEqual(parseKey(key, 'k'), key);
    assert.deepEqual(parseKey(Buffer.from(key.toString('hex') + '\n'), 'k'), key);
    assert.deepEqual(parseKey(Buffer.from(key.toString('hex').toUpperCase()), 'k'), key);
    assert.deepEqual(parseKey(Buffer.from(key.toString('base64') + '\n'), 'k'), key);
    assert.deepEqual(parseKey(Buffer.from(key.toString('base64url')), 'k'), key);
  });

  it('refuses anything else, naming the accepted forms', () => {
    for (const bad of [key.subarray(0, 31), Buffer.from(key.toString('hex').slice(0, 62)), Buffer.from(randomBytes(30).toString('base64')), Buffer.from('correct horse battery staple'), Buffer.alloc(0)]) {
      assert.throws(() => parseKey(bad, 'the key file k'), (err: Error) => {
        assert.ok(err instanceof StoreKeyError);
        assert.match(err.message, /^the key file k holds \d+ bytes that are not a key: expected 32 raw bytes, 64 hex digits or the base64 of 32 bytes/);
        return true;
      });
    }
  });
});

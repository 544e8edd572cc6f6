// What survives: close and reopen, kill -9 in the middle of ingest, a torn or damaged journal tail,
// a lost snapshot. What leaves: retention by age and by count, and the journal segments it frees.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '../../extension/server/store';
import { encodeRecord, journalDir, listSegments, segmentPath } from '../../extension/server/store/journal';
import { encodeSpansRecord } from '../../extension/server/store/records';
import { crashBatch, crashContent, llm, open, removeTempDirs, span, spanId, tempDataDir, traceId } from './store-fixtures';

const REPO = path.resolve(__dirname, '../..');
const WRITER = path.join(__dirname, 'store-crash-writer.ts');
const DAY = 24 * 3_600_000;

function startWriter(dataDir: string, mode: 'forever' | 'close') {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, mode], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const waitFor = async (test: () => boolean, what: string, ms = 20_000) => {
    const until = Date.now() + ms;
    while (!test()) {
      if (Date.now() > until) throw new Error(`the writer did not ${what} within ${ms} ms; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const acked = () => lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
  return { child, lines, acked, exited, waitFor, stderr: () => stderr };
}

describe('store: durability', function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it('reopens after close with the same data', async () => {
    const { store, dataDir } = await open();
    await store.ingest([...crashBatch(0), ...crashBatch(1)]);
    await store.addScore({ trace_id: traceId(1), span_id: spanId(2), name: 'q', value: 0.5, label: null, reason: null, source: 'api' });
    const before = {
      list: await store.listTraces({}),
      detail: await store.getTrace(traceId(2)),
      sites: await store.callSites(),
      stats: await store.stats({}),
    };
    await store.close();
    const reopened = await open({ dataDir });
    try {
      assert.deepEqual(
        {
          list: await reopened.store.listTraces({}),
          detail: await reopened.store.getTrace(traceId(2)),
          sites: await reopened.store.callSites(),
          stats: await reopened.store.stats({}),
        },
        before,
      );
      assert.deepEqual(reopened.warnings, []);
    } finally {
      await reopened.store.close();
    }
  });

  it('keeps every acknowledged span across kill -9 in the middle of ingest', async () => {
    const dataDir = tempDataDir();
    const writer = startWriter(dataDir, 'forever');
    await writer.waitFor(() => writer.acked().length >= 60, 'acknowledge 60 batches');
    // the folder belongs to the live writer: a second store is refused, not interleaved
    await assert.rejects(openStore({ dataDir }), /is in use by process \d+/);
    writer.child.kill('SIGKILL');
    assert.equal((await writer.exited).signal, 'SIGKILL');
    const acked = writer.acked();
    assert.ok(listSegments(journalDir(dataDir)).length > 1, 'the kill landed after several segment rollovers');

    const { store, warnings } = await open({ dataDir });
    try {
      const lost: string[] = [];
      for (const n of acked) {
        const detail = await store.getTrace(traceId(n + 1));
        for (let i = 0; i < 20; i++) {
          const s = detail?.spans.find((x) => x.span_id === spanId(i + 1));
          if (!s || s.input !== crashContent(n, i) || s.output !== `answer ${n}/${i} ✓`) lost.push(`${n}/${i}`);
        }
      }
      assert.deepEqual(lost, [], `acknowledged spans lost or altered; warnings: ${warnings.join(' | ')}`);
      // and the store goes on: new spans after the crash are kept too
      await store.ingest(crashBatch(10_000));
      assert.equal((await store.getTrace(traceId(10_001)))?.spans.length, 20);
    } finally {
      await store.close();
    }
  });

  it('ignores a torn record at the end of the journal and cuts it off', async () => {
    const { store, dataDir } = await open();
    await store.ingest(crashBatch(0));
    await store.close();
    const segment = segmentPath(journalDir(dataDir), listSegments(journalDir(dataDir)).at(-1)!);
    const intact = statSync(segment).size;
    const record = encodeSpansRecord(crashBatch(1));
    appendFileSync(segment, record.subarray(0, Math.floor(record.length / 2))); // killed mid-write

    const second = await open({ dataDir });
    assert.equal(second.warnings.length, 1);
    assert.match(second.warnings[0], /ignored an incomplete record at the end of .*record cut after/);
    assert.equal(statSync(segment).size, intact);
    assert.equal((await second.store.getTrace(traceId(1)))?.spans.length, 20);
    assert.equal(await second.store.getTrace(traceId(2)), null);
    await second.store.ingest(crashBatch(2));
    await second.store.close();

    const third = await open({ dataDir });
    try {
      assert.deepEqual(third.warnings, []);
      assert.deepEqual((await third.store.listTraces({})).map((t) => t.trace_id).sort(), [traceId(1), traceId(3)]);
    } finally {
      await third.store.close();
    }
  });

  it('skips a record that cannot be applied and keeps the records of its batch around it, counted once', async () => {
    const { store, dataDir } = await open();
    await store.ingest(crashBatch(0));
    await store.close();
    // four records that replay applies in one batch (one transaction): the third is unknown. Applied
    // again one by one, the second is committed while its call sites wait to be written (they are
    // written at most once a second) when the third rolls back.
    const segment = segmentPath(journalDir(dataDir), listSegments(journalDir(dataDir)).at(-1)!);
    appendFileSync(segment, Buffer.concat([
      encodeSpansRecord(crashBatch(1)), encodeSpansRecord(crashBatch(2)), encodeRecord({ k: 'from-the-future' }, []), encodeSpansRecord(crashBatch(3)),
    ]));

    const second = await open({ dataDir });
    try {
      assert.equal(second.warnings.length, 1);
      assert.match(second.warnings[0], /the journal record at segment \d+ offset \d+ could not be applied and was skipped: unknown journal record kind "from-the-future"/);
      assert.deepEqual((await second.store.listTraces({})).map((t) => t.trace_id).sort(), [traceId(1), traceId(2), traceId(3), traceId(4)]);
      // the batch was rolled back and applied again record by record: nothing counts twice or is lost
      const sites = await second.store.callSites('src/crash.ts');
      assert.equal(sites.length, 20);
      assert.deepEqual(sites.map((s) => s.runs), sites.map(() => 4));
      const [[calls]] = (await second.store.query('SELECT COUNT(*) FROM llm_calls')).rows;
      assert.equal((await second.store.stats({})).totals.calls, calls);
      assert.equal((await second.store.stats({})).totals.traces, 4);
    } finally {
      await second.store.close();
    }
  });

  it('rebuilds from the journal alone when the snapshot is lost, skipping a damaged last record', async () => {
    const { store, dataDir } = await open();
    await store.ingest(crashBatch(0));
    await store.ingest(crashBatch(1));
    await store.close();
    rmSync(path.join(dataDir, 'store.sqlite'));
    const segment = segmentPath(journalDir(dataDir), listSegments(journalDir(dataDir)).at(-1)!);
    const bytes = readFileSync(segment);
    bytes[bytes.length - 10] ^= 0xff; // a flipped bit inside batch 1's last blob
    writeFileSync(segment, bytes);

    const reopened = await open({ dataDir });
    try {
      assert.match(reopened.warnings.join('\n'), /ignored an incomplete record .*checksum mismatch/);
      const detail = await reopened.store.getTrace(traceId(1));
      assert.equal(detail?.spans.find((s) => s.span_id === spanId(3))?.input, crashContent(0, 2));
      assert.equal(await reopened.store.getTrace(traceId(2)), null);
    } finally {
      await reopened.store.close();
    }
  });

  it('lets the process exit by itself after close()', async () => {
    const writer = startWriter(tempDataDir(), 'close');
    const exit = await Promise.race([writer.exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
    assert.deepEqual(exit, { code: 0, signal: null }, writer.stderr());
    assert.deepEqual(writer.lines, ['open', 'ack 0', 'ack 1', 'ack 2', 'closed']);
  });

  it('works with fsync on every ingest', async () => {
    const { store, dataDir } = await open({ fsync: true });
    await store.ingest(crashBatch(0));
    await store.close();
    const reopened = await open({ dataDir });
    assert.equal((await reopened.store.getTrace(traceId(1)))?.spans[0].input, crashContent(0, 0));
    await reopened.store.close();
  });
});

describe('store: retention', function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it('drops traces older than maxAgeMs with their scores, and adjusts call sites', async () => {
    const now = Date.now();
    const { store } = await open({ retention: { maxAgeMs: DAY } });
    try {
      const site = { code_file: 'src/agent.ts', code_line: 7 };
      await store.ingest([
        llm({ trace_id: traceId(1), span_id: spanId(1), start_time: now - 2 * DAY, duration_ms: 900, cost_usd: 1, ...site }),
        span({ trace_id: traceId(1), span_id: spanId(2), parent_span_id: spanId(1), start_time: now - 2 * DAY, code_file: 'src/old.ts', code_line: 1 }),
        llm({ trace_id: traceId(2), span_id: spanId(1), start_time: now - 3_600_000, duration_ms: 100, cost_usd: 0.5, ...site }),
      ]);
      await store.addScore({ trace_id: traceId(1), span_id: spanId(1), name: 'q', value: 0, label: null, reason: null, source: 'api' });
      await store.addScore({ trace_id: traceId(2), span_id: spanId(1), name: 'q', value: 1, label: null, reason: null, source: 'api' });
      assert.deepEqual(await store.retain(), { dropped_traces: 1, dropped_spans: 2 });
      assert.deepEqual((await store.listTraces({})).map((t) => t.trace_id), [traceId(2)]);
      const sites = await store.callSites();
      assert.deepEqual(sites.map((s) => [s.code_file, s.runs, s.p50_ms, s.total_cost_usd, s.avg_score, s.last_trace_id]), [['src/agent.ts', 1, 100, 0.5, 1, traceId(2)]]);
      assert.deepEqual((await store.query('SELECT COUNT(*) FROM scores')).rows, [[1]]);
    } finally {
      await store.close();
    }
  });

  it('applies the age limit on open', async () => {
    const { store, dataDir } = await open();
    await store.ingest([span({ trace_id: traceId(1), span_id: spanId(1), start_time: Date.now() - 3 * DAY })]);
    await store.close();
    const reopened = await open({ dataDir, retention: { maxAgeMs: 2 * DAY } });
    try {
      assert.deepEqual(await reopened.store.listTraces({}), []);
    } finally {
      await reopened.store.close();
    }
  });

  it('drops the oldest whole traces when more than maxSpans are stored', async () => {
    const { store } = await open({ retention: { maxSpans: 100 } });
    try {
      const now = Date.now();
      // 10 traces of 15 spans; over 100 spans, traces go oldest first until at most 95 remain
      await store.ingest(Array.from({ length: 10 }, (_, t) => Array.from({ length: 15 }, (_, i) => span({ trace_id: traceId(t + 1), span_id: spanId(i + 1), start_time: now - (10 - t) * 1000 + i }))).flat());
      const left = await store.listTraces({});
      assert.deepEqual(left.map((t) => Number.parseInt(t.trace_id, 16)), [10, 9, 8, 7, 6, 5]);
      assert.deepEqual((await store.query('SELECT COUNT(*) FROM spans')).rows, [[90]]);
    } finally {
      await store.close();
    }
  });

  it('deletes journal segments whose content all left, and keeps live content readable', async () => {
    const now = Date.now();
    const { store, dataDir } = await open({ retention: { maxAgeMs: DAY }, segmentBytes: 8 * 1024 });
    const content = (n: number) => `trace ${n} ` + 'c'.repeat(3000);
    for (let n = 1; n <= 20; n++) {
      await store.ingest([llm({ trace_id: traceId(n), span_id: spanId(1), start_time: n <= 15 ? now - 2 * DAY : now - 1000, input: content(n) })]);
    }
    const segmentsBefore = listSegments(journalDir(dataDir));
    assert.ok(segmentsBefore.length >= 8, `content spread over ${segmentsBefore.length} segments`);
    assert.deepEqual(await store.retain(), { dropped_traces: 15, dropped_spans: 15 });
    await store.snapshot();
    const segmentsAfter = listSegments(journalDir(dataDir));
    assert.ok(segmentsAfter.length <= 4, `segments left: ${segmentsAfter.join(', ')} of ${segmentsBefore.join(', ')}`);
    for (let n = 16; n <= 20; n++) assert.equal((await store.getTrace(traceId(n)))?.spans[0].input, content(n));
    await store.close();

    const reopened = await open({ dataDir });
    try {
      for (let n = 16; n <= 20; n++) assert.equal((await reopened.store.getTrace(traceId(n)))?.spans[0].input, content(n));
      assert.deepEqual(reopened.warnings, []);
      assert.ok(readdirSync(dataDir).includes('store.sqlite'));
    } finally {
      await reopened.store.close();
    }
  });
});

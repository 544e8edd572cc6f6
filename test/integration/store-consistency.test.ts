// The store worker's maintained aggregates against the rows: after sequences applied in ONE batch
// (journal records appended behind a closed store, then replayed on open) and after random
// workloads, the trace totals, wrapper flags, call sites and hourly rollups must equal what a
// recount from the rows says. Also: stats range edges, and a schema 1 snapshot with data and
// journal records past it. STORE_CHECK_SEEDS=N runs more random workloads (STORE_CHECK_SEED_FROM,
// STORE_CHECK_DEBUG to print the tables).
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadSqlJs } from '../../extension/server/store/database';
import { snapshotPath } from '../../extension/server/store/snapshot';
import type { Span } from '../../extension/server/model';
import type { StoreClient } from '../../extension/server/store';
import { journalDir, listSegments, segmentPath, encodeRecord } from '../../extension/server/store/journal';
import { encodeDeleteRecord, encodeScoreRecord, encodeSpansRecord } from '../../extension/server/store/records';
import { inconsistencies, q } from './store-checker';
import { downgradeToSchema1, llm, open, removeTempDirs, span, spanId, T0, traceId } from './store-fixtures';

const HOUR = 3_600_000;


/** Appends records behind a closed store; its next open replays them as one batch (one transaction). */
function appendRecords(dataDir: string, records: Buffer[]): void {
  const segment = segmentPath(journalDir(dataDir), listSegments(journalDir(dataDir)).at(-1)!);
  appendFileSync(segment, Buffer.concat(records));
}

const at = (file: string, line: number) => ({ code_file: file, code_line: line, code_function: 'f' });

describe('store consistency: aggregates after one batch of mixed records', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('spans split across batches, parents late, re-sent spans, a trace deleted after being touched in the same batch and re-created', async () => {
    const { store, dataDir } = await open();
    // stored before the batch: trace 1 has only its model call (its wrapper and root come later)
    const t1 = traceId(1);
    await store.ingest([llm({ trace_id: t1, span_id: spanId(3), parent_span_id: spanId(2), start_time: T0 + 2, duration_ms: 50, ...at('a.ts', 1) })]);
    // trace 2: a whole tree stored before, to be re-sent, touched and deleted in the batch
    const t2 = traceId(2);
    const tree2 = [
      span({ trace_id: t2, span_id: spanId(1), start_time: T0 + HOUR, tags: ['x'], ...at('b.ts', 1) }),
      llm({ trace_id: t2, span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 + HOUR + 1, ...at('b.ts', 2) }),
      llm({ trace_id: t2, span_id: spanId(3), parent_span_id: spanId(2), start_time: T0 + HOUR + 2, ...at('b.ts', 3) }),
    ];
    await store.ingest(tree2);
    assert.deepEqual(await inconsistencies(store), [], 'consistent before the batch');
    await store.close();

    const t3 = traceId(3);
    appendRecords(dataDir, [
      // trace 1: wrapper then root arrive (parents after their child, across batches)
      encodeSpansRecord([llm({ trace_id: t1, span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 + 1, duration_ms: 80, ...at('a.ts', 2) })]),
      // trace 3, new in the batch: call, then a re-sent copy without usage, then its parent
      encodeSpansRecord([llm({ trace_id: t3, span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 + 2 * HOUR + 5, ...at('c.ts', 2) })]),
      encodeSpansRecord([span({ trace_id: t3, span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 + 2 * HOUR + 5, ...at('c.ts', 2) })]),
      encodeSpansRecord([llm({ trace_id: t3, span_id: spanId(1), start_time: T0 + 2 * HOUR - 10, tags: ['y'], ...at('c.ts', 1) })]),
      // trace 2: a re-sent call with another model, a new span that moves its start an hour, then deleted
      encodeSpansRecord([{ ...tree2[2], model: 'other', cost_usd: 1 }]),
      encodeSpansRecord([span({ trace_id: t2, span_id: spanId(9), parent_span_id: spanId(1), start_time: T0 - 5, ...at('b.ts', 9) })]),
      encodeDeleteRecord(t2),
      // ...and re-created in the same batch
      encodeSpansRecord([llm({ trace_id: t2, span_id: spanId(5), start_time: T0 + 3 * HOUR, tags: ['z'], ...at('b.ts', 2) })]),
      encodeSpansRecord([llm({ trace_id: t1, span_id: spanId(3), parent_span_id: spanId(2), start_time: T0 + 2, duration_ms: 55, ...at('a.ts', 1) })]),
      encodeSpansRecord([span({ trace_id: t1, span_id: spanId(1), start_time: T0, tags: ['w'], ...at('a.ts', 0) })]),
    ]);
    const second = await open({ dataDir });
    try {
      assert.deepEqual(second.warnings, []);
      if (process.env.STORE_CHECK_DEBUG) for (const t of ['call_hours', 'trace_hours', 'call_sites', 'traces', 'spans']) console.log(t, JSON.stringify((await second.store.query(`SELECT * FROM ${t}`)).rows).slice(0, 1500));
      assert.deepEqual(await inconsistencies(second.store), []);
    } finally {
      await second.store.close();
    }
  });

  it('a bad record in the middle of a batch with re-sent spans and a deletion', async () => {
    const { store, dataDir } = await open();
    const spans = Array.from({ length: 6 }, (_, i) => llm({ trace_id: traceId(10 + i), span_id: spanId(1), start_time: T0 + i * 1000, ...at('d.ts', i % 2) }));
    await store.ingest(spans);
    await store.callSites(); // sites written
    await store.close();
    appendRecords(dataDir, [
      encodeSpansRecord([{ ...spans[0], status: 'error', cost_usd: 3 }]),
      encodeDeleteRecord(traceId(11)),
      encodeSpansRecord([llm({ trace_id: traceId(12), span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 + 2001, ...at('d.ts', 0) })]),
      encodeScoreRecord({ score_id: 's1', trace_id: traceId(13), span_id: spanId(1), name: 'q', value: 1, label: null, reason: null, source: 'api', created_at: T0 }),
      encodeRecord({ k: 'from-the-future' }, []),
      encodeSpansRecord([{ ...spans[4], duration_ms: 999 }]),
      encodeDeleteRecord(traceId(15)),
    ]);
    const second = await open({ dataDir });
    try {
      assert.equal(second.warnings.length, 1, second.warnings.join('\n'));
      assert.deepEqual(await inconsistencies(second.store), []);
    } finally {
      await second.store.close();
    }
  });
});

describe('store consistency: stats edge handling', function () {
  this.timeout(60_000);
  let store: StoreClient;
  const calls: Span[] = [];
  before(async () => {
    ({ store } = await open({ statsSortLimit: 1 }));
    // calls every 7 minutes over 5 hours from T0 - 2h
    for (let i = 0; i < 45; i++) calls.push(llm({ trace_id: traceId(100 + i), span_id: spanId(1), start_time: T0 - 2 * HOUR + i * 7 * 60_000 + 13, duration_ms: 10 + i, model: i % 2 ? 'm1' : null }));
    await store.ingest(calls);
  });
  after(async () => {
    await store.close();
    removeTempDirs();
  });

  const expectCalls = (since: number | null, until: number | null) =>
    calls.filter((c) => (since === null || c.start_time >= since) && (until === null || c.start_time < until)).length;

  for (const [name, since, until] of [
    ['both on hours', T0 - HOUR, T0 + HOUR],
    ['inside one hour', T0 + 60_000, T0 + 30 * 60_000],
    ['across one boundary', T0 - 10 * 60_000, T0 + 10 * 60_000],
    ['since after until', T0 + HOUR, T0 - HOUR],
    ['since = until', T0 + 13, T0 + 13],
    ['only since, off hour', T0 - 90 * 60_000, null],
    ['only until, off hour', null, T0 + 17 * 60_000],
    ['negative since', -1_000, T0],
    ['huge until', T0, 8.64e15],
    ['huge since', 8.64e15, null],
    ['very negative until', null, -8.64e15],
    ['empty range in the middle', T0 + 4 * HOUR, T0 + 5 * HOUR],
  ] as Array<[string, number | null, number | null]>) {
    it(name, async () => {
      const s = await store.stats({ ...(since !== null ? { since } : {}), ...(until !== null ? { until } : {}) });
      assert.equal(s.totals.calls, expectCalls(since, until));
      assert.equal(s.by_model.reduce((a, m) => a + m.calls, 0), s.totals.calls);
      if (s.totals.calls === 0) assert.deepEqual(s.latency_ms, { p50: 0, p90: 0, p95: 0, p99: 0 });
    });
  }
});


async function diskSchemaVersion(dataDir: string): Promise<string> {
  const SQL = await loadSqlJs(createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm'));
  const db = new SQL.Database(readFileSync(snapshotPath(dataDir)));
  try {
    return db.exec("SELECT value FROM meta WHERE key = 'schema_version'")[0].values[0][0] as string;
  } finally {
    db.close();
  }
}

describe('store consistency: migration from schema 1', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('a v1 snapshot with data, then journal records past it (wrappers, re-sent spans, a deletion)', async () => {
    const { store, dataDir } = await open();
    for (let t = 1; t <= 12; t++) {
      await store.ingest([
        span({ trace_id: traceId(t), span_id: spanId(1), start_time: T0 - t * 41 * 60_000, tags: [t % 2 ? 'odd' : 'even'] }),
        llm({ trace_id: traceId(t), span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 - t * 41 * 60_000 + 5, duration_ms: 30 + t, code_file: 'm.ts', code_line: t % 3 }),
      ]);
    }
    await store.close();
    await downgradeToSchema1(dataDir);
    const segment = segmentPath(journalDir(dataDir), listSegments(journalDir(dataDir)).at(-1)!);
    appendFileSync(segment, Buffer.concat([
      // a wrapper with usage over trace 3's call: the call stays counted, the wrapper does not
      encodeSpansRecord([llm({ trace_id: traceId(3), span_id: spanId(3), parent_span_id: spanId(1), start_time: T0 - 3 * 41 * 60_000 + 1, duration_ms: 500 })]),
      encodeSpansRecord([llm({ trace_id: traceId(3), span_id: spanId(2), parent_span_id: spanId(3), start_time: T0 - 3 * 41 * 60_000 + 5, duration_ms: 33, code_file: 'm.ts', code_line: 0 })]),
      // a re-sent call with another model, moved an hour
      encodeSpansRecord([llm({ trace_id: traceId(4), span_id: spanId(2), parent_span_id: spanId(1), start_time: T0 - 4 * 41 * 60_000 + HOUR, model: 'other', code_file: 'm.ts', code_line: 1 })]),
      encodeDeleteRecord(traceId(5)),
    ]));
    const second = await open({ dataDir });
    try {
      assert.deepEqual(second.warnings, []);
      assert.deepEqual(await inconsistencies(second.store), []);
    } finally {
      await second.store.close();
    }
    assert.equal(await diskSchemaVersion(dataDir), '2');
  });

  it('writes the migrated snapshot back even when nothing new arrived (else every open migrates again)', async () => {
    const { store, dataDir } = await open();
    await store.ingest([llm({ trace_id: traceId(1), span_id: spanId(1) })]);
    await store.close();
    await downgradeToSchema1(dataDir);
    const second = await open({ dataDir });
    assert.equal((await second.store.stats({})).totals.calls, 1);
    await second.store.close();
    assert.equal(await diskSchemaVersion(dataDir), '2');
  });
});

/** Stats against plain SQL over the rows, for one range. */
async function statsMismatches(store: StoreClient, since: number | null, until: number | null, exactMode = false): Promise<string[]> {
  const out: string[] = [];
  const range = [since !== null ? `start_time >= ${since}` : '', until !== null ? `start_time < ${until}` : ''].filter(Boolean);
  const where = range.length ? `WHERE ${range.join(' AND ')}` : '';
  const tagWhere = range.length ? `WHERE ${range.map((c) => 't.' + c).join(' AND ')}` : '';
  const s = await store.stats({ ...(since !== null ? { since } : {}), ...(until !== null ? { until } : {}) });
  const [[calls, input, output, total, cost, errors]] = (await q(store, `SELECT COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
      COALESCE(SUM(total_tokens), 0), COALESCE(SUM(cost_usd), 0), COALESCE(SUM(status = 'error'), 0) FROM llm_calls ${where}`)) as number[][];
  const [[traces]] = (await q(store, `SELECT COUNT(*) FROM traces ${where}`)) as number[][];
  const got = [s.totals.calls, s.totals.input_tokens, s.totals.output_tokens, s.totals.total_tokens, s.totals.errors, s.totals.traces, Math.round(s.totals.cost_usd * 1e6)];
  const want = [calls, input, output, total, errors, traces, Math.round(cost * 1e6)];
  if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`stats ${since}..${until}: totals ${JSON.stringify(got)} vs rows ${JSON.stringify(want)}`);
  const byModel = (await q(store, `SELECT COALESCE(model, '(unknown)'), COUNT(*), ROUND(COALESCE(SUM(cost_usd), 0) * 1e6) FROM llm_calls ${where} GROUP BY 1 ORDER BY 1`)).map((r) => JSON.stringify(r));
  const gotModel = s.by_model.map((m) => JSON.stringify([m.model, m.calls, Math.round(m.cost_usd * 1e6)])).sort();
  if (JSON.stringify(gotModel) !== JSON.stringify(byModel.sort())) out.push(`stats ${since}..${until}: by_model ${gotModel} vs rows ${byModel}`);
  const byTag = (await q(store, `SELECT g.tag, SUM(t.llm_call_count), ROUND(SUM(t.total_cost_usd) * 1e6) FROM traces t JOIN tags g ON g.trace_id = t.trace_id ${tagWhere} GROUP BY 1 ORDER BY 1`)).map((r) => JSON.stringify(r));
  const gotTag = s.by_tag.map((t) => JSON.stringify([t.tag, t.calls, Math.round(t.cost_usd * 1e6)])).sort();
  if (JSON.stringify(gotTag) !== JSON.stringify(byTag.sort())) out.push(`stats ${since}..${until}: by_tag ${gotTag} vs rows ${byTag}`);
  const durations = ((await q(store, `SELECT latency_ms FROM llm_calls ${where}`)) as number[][]).map((x) => x[0]).sort((a, b) => a - b);
  for (const p of [50, 90, 95, 99] as const) {
    if (durations.length === 0) continue;
    const exact = durations[Math.max(1, Math.ceil((p * durations.length) / 100)) - 1];
    const got = s.latency_ms[`p${p}`];
    if (Math.abs(got - exact) > Math.max(exact * 0.01, 0.01) || (exactMode && got !== exact)) out.push(`stats ${since}..${until}: p${p} ${got}, exact ${exact}`);
  }
  return out;
}

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('store consistency: random workloads, batched and replayed', function () {
  this.timeout(120_000);
  after(removeTempDirs);
  const SEEDS = Number(process.env.STORE_CHECK_SEEDS ?? 6);
  for (let seed = Number(process.env.STORE_CHECK_SEED_FROM ?? 1); seed <= SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const r = prng(seed);
      const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
      const makeSpan = (t: number, i: number, parent: number | null): Span => {
        const kind = pick(['llm', 'llm', 'agent', 'tool', 'internal', 'embedding'] as const);
        const usage = r() < 0.6;
        return span({
          trace_id: traceId(t), span_id: spanId(i), parent_span_id: parent === null ? null : spanId(parent), kind, name: `s${i}`,
          start_time: r() < 0.15 ? T0 + Math.floor(r() * 4 - 2) * HOUR : T0 - 5 * HOUR + Math.floor(r() * 10 * HOUR), duration_ms: Math.floor(r() * 5000) / 7,
          model: pick(['m-a', 'm-b', null]), status: pick(['ok', 'ok', 'error', 'unset'] as const),
          input_tokens: usage ? Math.floor(r() * 100) : null, output_tokens: usage && r() < 0.8 ? Math.floor(r() * 50) : null,
          total_tokens: usage && r() < 0.3 ? Math.floor(r() * 200) : null,
          cost_usd: usage && r() < 0.8 ? Math.floor(r() * 1000) / 997 : null, tags: r() < 0.5 ? [pick(['a', 'b', 'c'])] : [],
          ...(usage && r() < 0.15 ? { own_usage: true } : {}),
          ...(r() < 0.7 ? at(pick(['f1.ts', 'f2.ts']), Math.floor(r() * 4)) : {}),
        });
      };
      // the work: per trace a random tree, sent in random order, some spans re-sent changed
      const ops: Array<{ k: 'spans'; spans: Span[] } | { k: 'delete'; t: number } | { k: 'score'; t: number; s: number }> = [];
      const trees = new Map<number, Span[]>();
      for (let t = 1; t <= 14; t++) {
        const n = 1 + Math.floor(r() * 6);
        trees.set(t, Array.from({ length: n }, (_, i) => makeSpan(t, i + 1, i === 0 ? (r() < 0.2 ? 99 : null) : 1 + Math.floor(r() * i))));
      }
      const pending = [...trees.values()].flat().sort(() => r() - 0.5);
      while (pending.length) {
        const k = 1 + Math.floor(r() * 3);
        const group = pending.splice(0, k);
        if (r() < 0.05) group.push(group[0]); // the same span twice in one record
        ops.push({ k: 'spans', spans: group });
        if (r() < 0.03) {
          // a parent loop in bad data: a span whose parent is one of its descendants, or itself
          const t = 1 + Math.floor(r() * 14);
          ops.push({ k: 'spans', spans: [makeSpan(t, 20 + Math.floor(r() * 3), r() < 0.5 ? 20 : 21)] });
        }
        const x = r();
        if (x < 0.12) {
          const t = 1 + Math.floor(r() * 14);
          const tree = trees.get(t)!;
          const i = Math.floor(r() * tree.length);
          const again = makeSpan(t, i + 1, tree[i].parent_span_id === null ? null : parseInt(tree[i].parent_span_id!, 16));
          ops.push({ k: 'spans', spans: [r() < 0.5 ? tree[i] : again] });
        } else if (x < 0.16) ops.push({ k: 'delete', t: 1 + Math.floor(r() * 14) });
        else if (x < 0.22) ops.push({ k: 'score', t: 1 + Math.floor(r() * 14), s: 1 + Math.floor(r() * 3) });
      }
      // a stored prefix (batches of random size), then the rest replayed as one batch
      const maxSpans = r() < 0.3 ? 12 + Math.floor(r() * 20) : 10_000;
      const { store, dataDir } = await open({ statsSortLimit: 1, retention: { maxAgeMs: 30 * 24 * HOUR, maxSpans } });
      const split = Math.floor(ops.length * r());
      let n = 0;
      const score = (t: number, s: number) => ({ score_id: `sc-${seed}-${n++}`, trace_id: traceId(t), span_id: spanId(s), name: 'q', value: r(), label: null, reason: null, source: 'api' as const, created_at: T0 });
      for (const op of ops.slice(0, split)) {
        if (op.k === 'spans') await store.ingest(op.spans);
        else if (op.k === 'delete') await store.deleteTrace(traceId(op.t));
        else await store.addScore(score(op.t, op.s));
        if (r() < 0.3) await store.listTraces({});
        if (r() < 0.1) await store.callSites();
      }
      const mid = await inconsistencies(store);
      if (process.env.STORE_CHECK_DEBUG && mid.length) {
        console.log('maxSpans', maxSpans, 'split', split);
        ops.slice(0, split).forEach((op, i) => console.log(i, op.k === 'spans' ? op.spans.map((x) => `${parseInt(x.trace_id, 16)}/${parseInt(x.span_id, 16)}<${x.parent_span_id && parseInt(x.parent_span_id, 16)} ${x.code_file}:${x.code_line} d=${x.duration_ms.toFixed(1)}`).join(', ') : JSON.stringify(op)));
        console.log((await store.query("SELECT code_file, code_line, runs, recent, p50_ms FROM call_sites")).rows);
        console.log((await store.query("SELECT trace_id, span_id, code_file, code_line, start_time, duration_ms FROM spans WHERE code_file IS NOT NULL ORDER BY code_file, code_line, start_time")).rows.map((x) => JSON.stringify(x)).join('\n'));
      }
      await store.close();
      const replayed = ops.slice(split).map((op) =>
        op.k === 'spans' ? encodeSpansRecord(op.spans) : op.k === 'delete' ? encodeDeleteRecord(traceId(op.t)) : encodeScoreRecord(score(op.t, op.s)));
      const bad = r() < 0.4 && replayed.length > 0;
      if (bad) replayed.splice(Math.floor(r() * replayed.length), 0, encodeRecord({ k: 'from-the-future' }, []));
      appendRecords(dataDir, replayed);
      // odd seeds read percentiles from the histograms, even seeds exactly from the rows
      const second = await open({ dataDir, statsSortLimit: seed % 2 ? 1 : undefined, retention: { maxAgeMs: 30 * 24 * HOUR, maxSpans } });
      try {
        const problems = [...mid.map((m) => `before replay: ${m}`), ...(await inconsistencies(second.store))];
        if (second.warnings.length !== (bad ? 1 : 0)) problems.push(`warnings: ${second.warnings.join(' | ')}`);
        for (const [since, until] of [[null, null], [T0 - 3 * HOUR + 17, null], [null, T0 + 2 * HOUR - 5], [T0 - HOUR + 1, T0 + HOUR - 1], [T0 + 100, T0 + 900_000]] as Array<[number | null, number | null]>) {
          problems.push(...(await statsMismatches(second.store, since, until, seed % 2 === 0)));
        }
        const shown = problems;
        assert.deepEqual(shown, [], `${ops.length} ops, split at ${split}`);
      } finally {
        await second.store.close();
      }
    });
  }
});


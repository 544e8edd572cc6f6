// Section 2, SDK overhead: the per-span cost of startTrace + recordLlm + end with the stacklens SDK
// against the OpenTelemetry JS SDK (BasicTracerProvider + BatchSpanProcessor + OTLP/HTTP exporter)
// recording the same span, both exporting to a discarding server in another process. Each SDK runs
// in a fresh process; rounds alternate and the median is kept. Goal ≤ 0.5, and no synchronous I/O
// on the hot path.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { getJson, TOKEN } from '../lib/collector-process';
import { rememberBundles, summariseProfiles } from '../lib/cpu-profile';
import { runJson, startServer } from '../lib/processes';
import { median, Rows, sectionOptions } from '../lib/rows';
import type { SdkWorkerOptions, SdkWorkerResult } from './sdk-worker';

const o = sectionOptions();
const rows = new Rows(o.rowsFile, 'sdk');
const WORKER = path.join(__dirname, 'sdk-worker.js');
const SINK = path.join(__dirname, 'sink-server.js');
const ROUNDS = o.quick ? 3 : 7;
const BATCH = 500;
const BATCHES = o.quick ? 40 : 100;
const WARMUP = 10;
const HOT_GOAL = { on: 'ratio', op: '<=', target: 0.5, text: '≤ 0.5' } as const;

interface Run extends SdkWorkerResult {
  received: number;
}

const describeCalls = (calls: Record<string, number>) =>
  Object.keys(calls).length ? Object.entries(calls).map(([k, v]) => `${k} ×${v}`).join(', ') : 'none';
const sum = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const sdkBuilt = existsSync(path.join(o.root, 'sdk', 'dist', 'index.js'));
  if (o.profile && sdkBuilt) rememberBundles([path.join(o.root, 'sdk', 'dist', 'index.js')]);
  const sink = await startServer([SINK], /^sink listening on (http:\/\/127\.0\.0\.1:\d+)$/);
  const runs: Record<SdkWorkerOptions['sdk'], Run[]> = { otel: [], stacklens: [] };
  let failure: string | null = sdkBuilt ? null : 'sdk/dist/index.js is missing (the SDK did not build: run `npm run build` and read its errors)';
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const sdk of ['otel', 'stacklens'] as const) {
        if (sdk === 'stacklens' && failure) continue;
        const before = (await getJson<{ spans: number }>(`${sink.url}/counts`, '')).spans;
        const options: SdkWorkerOptions = { sdk, root: o.root, url: sink.url, token: TOKEN, batches: BATCHES, warmupBatches: WARMUP, batchSize: BATCH };
        try {
          const result = await runJson<SdkWorkerResult>([WORKER, JSON.stringify(options)], { timeoutMs: 120_000 });
          const after = (await getJson<{ spans: number }>(`${sink.url}/counts`, '')).spans;
          runs[sdk].push({ ...result, received: after - before });
          process.stdout.write(`  round ${round + 1} ${sdk}: hot path ${result.hotCpuUsPerSpan.toFixed(2)} µs CPU (${result.hotUsPerSpan.toFixed(2)} µs wall) per span, ${result.cpuUsPerSpan.toFixed(2)} µs CPU with export\n`);
        } catch (err) {
          if (sdk === 'otel') throw err;
          failure = (err as Error).message.split('\n')[0];
        }
      }
    }
    if (o.profile) {
      // one more process per SDK, profiled: where each spends its hot-path time (the whole
      // process, export included, under --cpu-prof beside it)
      for (const sdk of ['otel', 'stacklens'] as const) {
        if (sdk === 'stacklens' && failure) continue;
        const dir = path.join(o.outDir, 'profiles', `sdk-${sdk}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(path.join(dir, 'process'), { recursive: true });
        const options: SdkWorkerOptions = { sdk, root: o.root, url: sink.url, token: TOKEN, batches: BATCHES, warmupBatches: WARMUP, batchSize: BATCH, profileDir: dir };
        await runJson<SdkWorkerResult>([WORKER, JSON.stringify(options)], { timeoutMs: 120_000, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', path.join(dir, 'process')] });
        const windows = JSON.parse(readFileSync(path.join(dir, 'hot-loops.windows.json'), 'utf8')) as Array<[number, number]>;
        process.stdout.write(`-- ${sdk}, hot loops only:\n${summariseProfiles(dir, o.root, true, windows)}`);
        process.stdout.write(`-- ${sdk}, whole process:\n${summariseProfiles(path.join(dir, 'process'), o.root)}`);
      }
    }
  } finally {
    await sink.stop();
  }

  const otel = runs.otel;
  const ours = runs.stacklens;
  const otelHot = median(otel.map((r) => r.hotCpuUsPerSpan));
  const otelCpu = median(otel.map((r) => r.cpuUsPerSpan));
  const otelLabel = 'OpenTelemetry JS SDK';
  if (ours.length === 0) {
    rows.add({ measure: 'per span: startTrace + recordLlm + end (hot path, CPU)', value: null, unit: 'µs', baseline: { value: otelHot, label: otelLabel }, goal: HOT_GOAL, note: `not measured: ${failure}` });
    return;
  }
  const last = ours[ours.length - 1];
  const lastOtel = otel[otel.length - 1];
  const delivery = (r: Run) => `${r.received.toLocaleString('en-US')} of ${r.created.toLocaleString('en-US')} spans reached the server${r.dropped ? `, ${r.dropped} dropped` : ''}`;
  rows.add({
    measure: 'per span: startTrace + recordLlm + end (hot path, CPU)',
    value: median(ours.map((r) => r.hotCpuUsPerSpan)),
    unit: 'µs',
    baseline: { value: otelHot, label: otelLabel },
    goal: HOT_GOAL,
    note: `CPU time of the timed loops (wall: ${median(ours.map((r) => r.hotUsPerSpan)).toFixed(2)} vs ${median(otel.map((r) => r.hotUsPerSpan)).toFixed(2)} µs); median of ${ours.length} processes × ${(last.spans / BATCH).toFixed(0)} batches of ${BATCH} spans with ~1 KB prompt + completion; stacklens: ${delivery(last)}; OTel: ${delivery(lastOtel)}`,
  });
  rows.add({
    measure: 'CPU per span, export included',
    value: median(ours.map((r) => r.cpuUsPerSpan)),
    unit: 'µs',
    baseline: { value: otelCpu, label: otelLabel },
    note: 'process CPU (all threads) over the measured batches: recording, batching, encoding and HTTP',
  });
  const hotSync = ours.reduce((n, r) => n + sum(r.syncOnHotPath), 0);
  rows.add({
    measure: 'sync fs / zlib / child_process calls on the hot path',
    value: hotSync,
    unit: 'calls',
    baseline: { value: otel.reduce((n, r) => n + sum(r.syncOnHotPath), 0), label: otelLabel },
    goal: { on: 'value', op: '=', target: 0, text: '0' },
    note: `over ${ours.reduce((n, r) => n + r.spans, 0).toLocaleString('en-US')} spans: ${describeCalls(last.syncOnHotPath)}; during flush/export: ${describeCalls(last.syncInExport)} (OTel: ${describeCalls(lastOtel.syncInExport)})`,
  });
}

main().catch((err: Error) => {
  rows.notMeasured('SDK overhead', (err.message || String(err)).split('\n')[0]);
  process.exitCode = 1;
});

// Section 1, ingest: OTLP bodies of 100 GenAI spans over 8 keep-alive connections from a separate
// load-generator process, (a) to a bare server that only reads and parses them — the ceiling — and
// (b) to `stacklens serve`. Spans/s stored (the goal: b/a ≥ 0.5) and acknowledged, and CPU per
// 1,000 spans of each server, which a busy shared machine disturbs less than the rates.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { LoadOptions, LoadResult } from '../load';
import { cliPath, collectorMissing, getJson, startCollectorProcess, waitQuiet } from '../lib/collector-process';
import { rememberBundles, summariseProfiles } from '../lib/cpu-profile';
import type { BodyFormat } from '../lib/otlp-bodies';
import { cpuSeconds, memoryMb } from '../lib/proc';
import { runJson, startServer, type Server } from '../lib/processes';
import { Rows, sectionOptions, fmt } from '../lib/rows';

const o = sectionOptions();
const rows = new Rows(o.rowsFile, 'ingest');
const LOAD = path.join(__dirname, 'load.js');
const SINK = path.join(__dirname, 'sink-server.js');
const CONCURRENCY = 8;
const ROUNDS = o.quick ? 1 : 2;
const DURATION_MS = o.quick ? 3000 : 6000;
const WARMUP_MS = o.quick ? 1500 : 2000;

interface Measured {
  load: LoadResult;
  /**
   * Every acknowledged span over the time until the server went quiet: the rate it can keep up.
   * A collector that acknowledges once spans are journaled may apply them later; acknowledging
   * faster than applying only grows a backlog (and delays what the user sees).
   */
  appliedPerSecond: number;
  cpuMsPer1k: number;
  drainMs: number;
  peakRssMb: number | null;
}

async function measure(server: Server, format: BodyFormat, token?: string): Promise<Measured> {
  const pid = server.child.pid!;
  const before = cpuSeconds(pid);
  const options: LoadOptions = { url: server.url, path: '/v1/traces', token, format, concurrency: CONCURRENCY, warmupMs: WARMUP_MS, durationMs: DURATION_MS };
  const load = await runJson<LoadResult>([LOAD, JSON.stringify(options)], { timeoutMs: DURATION_MS + WARMUP_MS + 60_000 });
  const drainMs = await waitQuiet(pid);
  const after = cpuSeconds(pid);
  const cpuMsPer1k = before === null || after === null || load.totalSpans === 0 ? NaN : ((after - before) * 1000) / (load.totalSpans / 1000);
  const appliedPerSecond = load.totalSpans / ((load.runMs + (Number.isFinite(drainMs) ? drainMs : 0)) / 1000);
  return { load, appliedPerSecond, cpuMsPer1k, drainMs, peakRssMb: memoryMb(pid)?.peak ?? null };
}

function best(runs: Measured[]): Measured {
  return runs.reduce((a, b) => (b.appliedPerSecond > a.appliedPerSecond ? b : a));
}

async function ceiling(format: BodyFormat): Promise<Measured> {
  const sink = await startServer([SINK], /^sink listening on (http:\/\/127\.0\.0\.1:\d+)$/);
  try {
    const m = await measure(sink, format);
    const counts = await getJson<{ spans: number }>(`${sink.url}/counts`, '');
    if (counts.spans < m.load.totalSpans) throw new Error(`the ceiling server parsed ${counts.spans} spans but acknowledged ${m.load.totalSpans}`);
    return m;
  } finally {
    await sink.stop();
  }
}

async function collector(format: BodyFormat, profileDir: string | null): Promise<Measured> {
  const c = await startCollectorProcess(o.root, { nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] });
  try {
    const m = await measure(c, format, c.token);
    if (m.load.requests === 0) throw new Error(`the collector acknowledged nothing: ${m.load.firstFailure ?? 'no answer'}`);
    // the spans must really be there: a trace of the bodies (10 spans each) is listed
    const listed = await getJson<{ traces: Array<{ span_count: number }> }>(`${c.url}/api/v1/traces?limit=5`, c.token);
    if (!listed.traces.some((t) => t.span_count === 10)) throw new Error(`after ingest, GET /api/v1/traces lists no complete trace: ${JSON.stringify(listed.traces).slice(0, 200)}`);
    return m;
  } finally {
    await c.dispose();
  }
}

async function main(): Promise<void> {
  const missing = collectorMissing(o.root);
  if (o.profile && !missing) rememberBundles([cliPath(o.root), path.join(o.root, 'dist', 'store-worker.js')]);
  for (const format of ['json', 'protobuf'] as const) {
    const label = format === 'json' ? 'OTLP JSON' : 'OTLP protobuf';
    process.stdout.write(`ingest ${label}: ${ROUNDS} round(s) of ${DURATION_MS / 1000} s per server, ${CONCURRENCY} connections\n`);
    const ceilings: Measured[] = [];
    const collectors: Measured[] = [];
    let failure: string | null = missing;
    for (let round = 0; round < ROUNDS; round++) {
      ceilings.push(await ceiling(format));
      if (failure) continue;
      const profileDir = o.profile && round === 0 ? path.join(o.outDir, 'profiles', `ingest-${format}`) : null;
      if (profileDir) {
        rmSync(profileDir, { recursive: true, force: true });
        mkdirSync(profileDir, { recursive: true });
      }
      try {
        collectors.push(await collector(format, profileDir));
      } catch (err) {
        failure = (err as Error).message.split('\n')[0];
      }
      if (profileDir) process.stdout.write(summariseProfiles(profileDir, o.root));
    }
    const a = best(ceilings);
    const ceilingLabel = `bare server, ${format === 'json' ? 'JSON.parse' : 'protobuf decode'}`;
    const goal = { on: 'ratio', op: '>=', target: 0.5, text: '≥ 0.5' } as const;
    if (collectors.length === 0) {
      rows.add({ measure: `${label} spans/s stored (collector)`, value: null, unit: 'spans/s', baseline: { value: a.appliedPerSecond, label: ceilingLabel }, goal, note: `not measured: ${failure}` });
      continue;
    }
    const b = best(collectors);
    rows.add({
      measure: `${label} spans/s stored (collector)`,
      value: b.appliedPerSecond,
      unit: 'spans/s',
      baseline: { value: a.appliedPerSecond, label: ceilingLabel },
      goal,
      note: `acknowledged spans over the time until the server was idle again (it worked ${fmt(b.drainMs)} ms after its last answer${b.drainMs >= 60_000 ? ', and was still busy when the bench stopped waiting: the true rate is lower' : ''}); ${fmt(b.load.bodyBytes / 1024)} KB bodies; peak RSS ${b.peakRssMb === null ? '?' : fmt(b.peakRssMb)} MB`,
    });
    rows.add({
      measure: `${label} spans/s acknowledged (collector)`,
      value: b.load.spansPerSecond,
      unit: 'spans/s',
      baseline: { value: a.load.spansPerSecond, label: ceilingLabel },
      note: `what senders see during the ${DURATION_MS / 1000} s window: p99 latency ${fmt(b.load.latencyMs.p99)} ms vs ${fmt(a.load.latencyMs.p99)} ms; ${b.load.failures} refused${b.load.firstFailure ? ` (${b.load.firstFailure.slice(0, 120)})` : ''}`,
    });
    rows.add({
      measure: `${label} CPU per 1k spans (collector)`,
      value: b.cpuMsPer1k,
      unit: 'ms',
      baseline: { value: a.cpuMsPer1k, label: ceilingLabel },
      note: 'all threads of each server process, work after the last answer included',
    });
  }
}

main().catch((err: Error) => {
  rows.notMeasured('ingest', (err.message || String(err)).split('\n')[0]);
  process.exitCode = 1;
});

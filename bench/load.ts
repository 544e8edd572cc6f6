// The load generator: its own process, so the server under test has the CPU to itself except for
// what sending costs. Sends one body template with fresh ids per request over `concurrency`
// keep-alive connections for a fixed time, then reports what was answered. Bounded: it stops
// at `durationMs` (or `maxRequests`) whatever the server does.
import http from 'node:http';
import { buildBody, CONTENT_TYPES, stampIds, type BodyFormat } from './lib/otlp-bodies';

export interface LoadOptions {
  url: string; // base, http://127.0.0.1:PORT
  path: string;
  token?: string;
  format: BodyFormat;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  maxRequests?: number;
  /** the request counter starts here, so two runs against one server never reuse ids */
  firstRequest?: number;
}

export interface LoadResult {
  format: BodyFormat;
  bodyBytes: number;
  spansPerRequest: number;
  requests: number; // answered 200 inside the measured window
  /** answered 200 over the whole run, warm-up included: the work the server did */
  totalSpans: number;
  spansPerSecond: number;
  elapsedMs: number;
  /** from the first request to the last answer, warm-up included */
  runMs: number;
  latencyMs: { p50: number; p99: number; max: number };
  failures: number;
  firstFailure: string | null;
  /** request counter after the run (pass as firstRequest to the next run on the same server) */
  nextRequest: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const template = buildBody(o.format);
  const target = new URL(o.path, o.url);
  if (target.hostname !== '127.0.0.1') throw new Error(`the load generator only sends to 127.0.0.1, not ${target.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const headers: Record<string, string | number> = { 'content-type': CONTENT_TYPES[o.format], 'content-length': template.bytes.length };
  if (o.token) headers.authorization = `Bearer ${o.token}`;

  let counter = o.firstRequest ?? 1;
  const started = performance.now();
  const measureFrom = started + o.warmupMs;
  const stopAt = measureFrom + o.durationMs;
  const latencies: number[] = [];
  let answered = 0;
  let answeredAll = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let issued = 0;
  let lastAnswer = started;

  const send = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });

  async function connection(): Promise<void> {
    const body = Buffer.from(template.bytes);
    while (performance.now() < stopAt && (o.maxRequests === undefined || issued < o.maxRequests)) {
      issued++;
      stampIds(template, body, counter++);
      const sentAt = performance.now();
      let outcome: { status: number; text: string };
      try {
        outcome = await send(body);
      } catch (err) {
        outcome = { status: 0, text: (err as Error).message };
        await new Promise((r) => setTimeout(r, 5)); // a refused connection must not become a busy loop
      }
      const doneAt = performance.now();
      lastAnswer = doneAt;
      if (outcome.status === 200) answeredAll++;
      // throughput counts what completed inside the window, wherever it started
      if (doneAt < measureFrom || doneAt > stopAt) continue;
      if (outcome.status === 200) {
        answered++;
        latencies.push(doneAt - sentAt);
      } else {
        failures++;
        firstFailure ??= `HTTP ${outcome.status}: ${outcome.text}`;
      }
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, connection));
  agent.destroy();
  const elapsedMs = Math.min(performance.now(), stopAt) - measureFrom;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  return {
    format: o.format,
    bodyBytes: template.bytes.length,
    spansPerRequest: template.spanCount,
    requests: answered,
    totalSpans: answeredAll * template.spanCount,
    spansPerSecond: (answered * template.spanCount) / (elapsedMs / 1000),
    elapsedMs,
    runMs: lastAnswer - started,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN },
    failures,
    firstFailure,
    nextRequest: counter,
  };
}

if (require.main === module) {
  runLoad(JSON.parse(process.argv[2]) as LoadOptions).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (err: Error) => {
      process.stderr.write(`load generator: ${err.message}\n`);
      process.exit(1);
    },
  );
}

// One SDK in one process: traces batches of spans the way an app does (an async callback per
// trace, an LLM call recorded in it), flushes after each batch, and reports the time per span on
// the hot path, the CPU per span including export, and the synchronous I/O of each phase.
// Batches stay below both SDKs' queue and batch sizes, so neither drops spans (that would be
// cheaper than exporting them) and neither exports in the middle of a timed loop.
import { countSyncIo } from '../lib/sync-io'; // first: it wraps fs before the SDKs load
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { MODELS, completionText, promptText } from '../lib/content';
import { profileClockUs } from '../lib/cpu-profile';

export interface SdkWorkerOptions {
  sdk: 'stacklens' | 'otel';
  root: string;
  url: string;
  token: string;
  batches: number;
  warmupBatches: number;
  batchSize: number;
  /** record a CPU profile of each measured hot loop (export excluded) into this folder */
  profileDir?: string;
}

export interface SdkWorkerResult {
  sdk: SdkWorkerOptions['sdk'];
  spans: number; // measured (after warm-up)
  created: number; // warm-up included
  /** CPU time of the timed loops per span: steadier than wall time when other processes compete */
  hotCpuUsPerSpan: number;
  hotUsPerSpan: number; // wall time, median over batches
  cpuUsPerSpan: number; // all CPU of the process per measured span, export included
  syncOnHotPath: Record<string, number>;
  syncInExport: Record<string, number>;
  dropped: number | null;
}

interface Tracing {
  traceOne(i: number, prompt: string, completion: string): Promise<void>;
  flush(): Promise<void>;
  dropped(): number | null;
}

function stacklens(o: SdkWorkerOptions): Tracing {
  // the built SDK, as an app installs it: sdk/dist/index.js, loaded at run time (not bundled here)
  const sdk = require(path.join(o.root, 'sdk', 'dist', 'index.js')) as typeof import('../../sdk/src/index');
  sdk.configure({ apiKey: o.token, endpoint: o.url, serviceName: 'bench-app' });
  return {
    traceOne: (i, prompt, completion) =>
      sdk.startTrace('support-agent', async (span) => {
        const { model, provider } = MODELS[i % MODELS.length];
        span.recordLlm({ model, provider, inputTokens: 180 + (i % 50), outputTokens: 90 + (i % 40), temperature: 0.2, maxTokens: 1024, prompt, completion, finishReason: 'stop' });
        span.setAttribute('user_id', `user-${i % 13}`);
        span.setAttribute('session_id', `sess-${i % 7}`);
        span.addTag('support', 'production');
      }),
    flush: () => sdk.flush(),
    dropped: () => sdk.exportStats().dropped,
  };
}

async function otel(o: SdkWorkerOptions): Promise<Tracing> {
  const api = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  // the same context propagation as the stacklens SDK: AsyncLocalStorage
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-app' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${o.url}/v1/traces`, headers: { authorization: `Bearer ${o.token}` } }))],
  });
  const tracer = provider.getTracer('bench-app');
  return {
    traceOne: (i, prompt, completion) =>
      tracer.startActiveSpan('support-agent', async (span) => {
        const { model, provider: system } = MODELS[i % MODELS.length];
        span.setAttributes({
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': system,
          'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': 180 + (i % 50),
          'gen_ai.usage.output_tokens': 90 + (i % 40),
          'gen_ai.request.temperature': 0.2,
          'gen_ai.request.max_tokens': 1024,
          'gen_ai.prompt': prompt,
          'gen_ai.completion': completion,
          'gen_ai.response.finish_reasons': ['stop'],
        });
        span.setAttribute('user_id', `user-${i % 13}`);
        span.setAttribute('session_id', `sess-${i % 7}`);
        span.setAttribute('tags', ['support', 'production']);
        span.end();
      }),
    flush: () => provider.forceFlush(),
    dropped: () => null,
  };
}

function merge(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * The V8 sampling profiler of this process over all measured batches, with the time windows of
 * the hot loops beside it, so that the summary can leave out export and bench bookkeeping.
 */
async function profiler(dir: string | undefined) {
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  const windows: Array<[number, number]> = [];
  let started = false;
  return {
    async enter() {
      if (!started) await session.post('Profiler.start');
      started = true;
      windows.push([profileClockUs(), NaN]);
    },
    leave() {
      windows[windows.length - 1][1] = profileClockUs();
    },
    async finish() {
      if (!started) return;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(path.join(dir, 'hot-loops.cpuprofile'), JSON.stringify(profile));
      writeFileSync(path.join(dir, 'hot-loops.windows.json'), JSON.stringify(windows));
    },
  };
}

async function main(o: SdkWorkerOptions): Promise<SdkWorkerResult> {
  const tracing = o.sdk === 'stacklens' ? stacklens(o) : await otel(o);
  const profile = await profiler(o.profileDir);
  const hot: number[] = [];
  const syncOnHotPath: Record<string, number> = {};
  const syncInExport: Record<string, number> = {};
  let cpuFrom = process.cpuUsage();
  let measured = 0;
  let hotCpuUs = 0;
  for (let b = 0; b < o.batches; b++) {
    if (b === o.warmupBatches) cpuFrom = process.cpuUsage();
    const first = b * o.batchSize;
    const prompts = Array.from({ length: o.batchSize }, (_, k) => promptText(first + k));
    const completions = Array.from({ length: o.batchSize }, (_, k) => completionText(first + k));
    const profiling = profile && b >= o.warmupBatches;
    if (profiling) await profile.enter();
    const loop = await countSyncIo(async () => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let k = 0; k < o.batchSize; k++) await tracing.traceOne(first + k, prompts[k], completions[k]);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      return { wall, cpuUs: c.user + c.system };
    });
    if (profiling) profile.leave();
    const exported = await countSyncIo(() => tracing.flush());
    if (b < o.warmupBatches) continue;
    measured += o.batchSize;
    hot.push((loop.result.wall * 1000) / o.batchSize);
    hotCpuUs += loop.result.cpuUs;
    merge(syncOnHotPath, loop.calls);
    merge(syncInExport, exported.calls);
  }
  const cpu = process.cpuUsage(cpuFrom);
  await profile?.finish();
  hot.sort((a, b) => a - b);
  return {
    sdk: o.sdk,
    spans: measured,
    created: o.batches * o.batchSize,
    hotCpuUsPerSpan: hotCpuUs / measured,
    hotUsPerSpan: hot[hot.length >> 1],
    cpuUsPerSpan: (cpu.user + cpu.system) / measured,
    syncOnHotPath,
    syncInExport,
    dropped: tracing.dropped(),
  };
}

main(JSON.parse(process.argv[2]) as SdkWorkerOptions).then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(0); // an exporter's keep-alive socket must not hold the process
  },
  (err: Error) => {
    process.stderr.write(`sdk bench (${JSON.parse(process.argv[2]).sdk}): ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);

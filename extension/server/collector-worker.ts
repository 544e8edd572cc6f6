// Entry of dist/collector-worker.js: the collector and its store, in a worker_thread of the
// extension host, so the editor's main thread never waits on ingest, queries or disk.
// Protocol: ./rpc.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { startCollector, type Collector } from './collector';
import { lowerThreadPriority } from './background-priority';
import { JudgeError, type Judge, type OpenAiJudgeOptions } from './evals/judge';
import { postmortem } from './postmortem';
import { withWritten } from './postmortem/narrative';
import { runConsoleQuery } from './sql-console';
import { callSiteScores, evalSummary } from './evals/summary';
import type { TraceDetail } from './model';
import { createPricer, type Pricer } from './pricing';
import type { CollectorApi, CollectorStatus, CollectorWorkerOptions, ExportSelection, ExportedTraceFile, JudgeOption, MainToWorker, WorkerToMain } from './rpc';
import { importTraceFile, traceFileName, traceFileText, writeTraceFile } from './trace-files';
import { traceSetFileName } from './trace-files/format';


lowerThreadPriority();
const options = workerData as CollectorWorkerOptions;
const port = parentPort!;
const post = (message: WorkerToMain) => port.postMessage(message);

let collector: Collector | undefined;
let status: CollectorStatus = {
  state: 'starting',
  port: null,
  url: null,
  token: null,
  dataDir: options.dataDir,
  error: null,
  errorCode: null,
};

function setStatus(next: Partial<CollectorStatus>): void {
  status = { ...status, ...next };
  post({ kind: 'event', event: 'status', data: status });
}

/** Prompts sent to the main thread's judge, waiting for its answer. */
const judging = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();
let nextJudgeId = 1;
/** A model answers a rubric in seconds; one that has not answered in this long is not coming. */
const MAIN_JUDGE_TIMEOUT_MS = 120_000;

const mainThreadJudge: Judge = {
  ask(prompt) {
    const id = nextJudgeId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        judging.delete(id);
        reject(new JudgeError(`VS Code's language model did not answer within ${MAIN_JUDGE_TIMEOUT_MS / 1000} s`));
      }, MAIN_JUDGE_TIMEOUT_MS);
      timer.unref();
      judging.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      post({ kind: 'judge', id, prompt });
    });
  },
};

function judgeOf(option: JudgeOption | undefined): Judge | OpenAiJudgeOptions | undefined {
  if (!option) return undefined;
  if (option.kind === 'main') return mainThreadJudge;
  const { kind: _kind, ...endpoint } = option;
  return endpoint;
}

const started = startCollector({
  port: options.port,
  dataDir: options.dataDir,
  token: options.token,
  promptsDir: options.promptsDir,
  retention: options.retention,
  priceOverrides: options.priceOverrides,
  evalsFile: options.evalsFile,
  judge: judgeOf(options.judge),
  budget: options.budget,
  forward: options.forward,
  captureContent: options.captureContent,
  redact: options.redact,
  encryptionKey: options.encryptionKeyHex ? Buffer.from(options.encryptionKeyHex, 'hex') : undefined,
}).then(
  (c) => {
    collector = c;
    c.store.onChange((change) => post({ kind: 'event', event: 'change', data: change }));
    setStatus({ state: 'listening', port: c.port, url: c.url, token: c.token });
  },
  (err: NodeJS.ErrnoException) => setStatus({ state: 'failed', error: err.message, errorCode: err.code ?? null }),
);

/** The same selection and file as POST /api/v1/export (trace-files/routes.ts), without the HTTP. */
async function exportTraces(c: Collector, pricer: Pricer, selection: ExportSelection): Promise<ExportedTraceFile> {
  const details: TraceDetail[] = [];
  if ('trace_ids' in selection) {
    for (const id of selection.trace_ids) {
      const detail = await c.store.getTrace(id);
      if (!detail) throw new Error(`trace ${id} is not in the store (deleted, or removed by retention): nothing was exported`);
      details.push(detail);
    }
  } else {
    for (const summary of await c.store.listTraces(selection)) {
      const detail = await c.store.getTrace(summary.trace_id);
      if (detail) details.push(detail); // retention may remove a trace between the list and the read
    }
  }
  const now = new Date();
  const fileName = details.length === 1 ? traceFileName(details[0].trace) : traceSetFileName(details.length, now);
  return { fileName, text: traceFileText(writeTraceFile(details, pricer, now)), traceCount: details.length };
}

let pricer: Pricer | undefined;

function api(c: Collector): CollectorApi {
  pricer ??= createPricer(options.priceOverrides);
  const prices = pricer;
  return {
    addScore: (s) => c.store.addScore(s),
    listTraces: (f) => c.store.listTraces(f),
    getTrace: (id) => c.store.getTrace(id),
    deleteTrace: (id) => c.store.deleteTrace(id),
    callSites: (file) => c.store.callSites(file),
    stats: (q) => c.store.stats(q),
    query: (sql) => c.store.query(sql),
    status: async () => status,
    runEvals: (id) => c.evals.runTrace(id),
    postmortem: async (id, opts) => {
      const detail = await c.store.getTrace(id);
      if (!detail) return null;
      return opts?.written ? withWritten(postmortem(detail), detail, c.judge) : postmortem(detail);
    },
    budget: () => c.budget.status(),
    sql: (sql) => runConsoleQuery(c.store, { sql }),
    evalSummary: (q) => evalSummary(c.store, q),
    evalCallSites: (q) => callSiteScores(c.store, q),
    evalsStatus: async () => c.evals.status(),
    forwarding: async () => (c.forwarder ? c.forwarder.health() : { enabled: false }),
    exportTraces: (selection) => exportTraces(c, prices, selection),
    importTraces: (text) => importTraceFile(c.store, text, prices),
  };
}

port.on('message', async (message: MainToWorker) => {
  if (message.kind === 'judgeAnswer') {
    const waiting = judging.get(message.id);
    judging.delete(message.id);
    if (message.ok) waiting?.resolve(message.text);
    else waiting?.reject(new JudgeError(message.error));
    return;
  }
  if (message.kind === 'shutdown') {
    await started;
    for (const waiting of judging.values()) waiting.reject(new JudgeError('the collector is shutting down'));
    judging.clear();
    try {
      await collector?.close();
    } finally {
      setStatus({ state: 'stopped' });
      post({ kind: 'closed' });
      port.close();
    }
    return;
  }
  await started;
  try {
    if (message.method === 'status') {
      post({ kind: 'response', id: message.id, ok: true, value: status });
      return;
    }
    if (!collector) throw new Error(`the collector is not running: ${status.error ?? 'it did not start'}`);
    const method = api(collector)[message.method] as (...args: unknown[]) => Promise<unknown>;
    if (typeof method !== 'function') throw new Error(`unknown method "${String(message.method)}"`);
    post({ kind: 'response', id: message.id, ok: true, value: await method(...message.args) });
  } catch (err) {
    post({ kind: 'response', id: message.id, ok: false, error: (err as Error).message });
  }
});

// Entry of dist/collector-worker.js: the collector and its store, in a worker_thread of the
// extension host, so the editor's main thread never waits on ingest, queries or disk.
// Protocol: ./rpc.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { startCollector, type Collector } from './collector';
import type { CollectorApi, CollectorStatus, CollectorWorkerOptions, MainToWorker, WorkerToMain } from './rpc';

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

const started = startCollector({
  port: options.port,
  dataDir: options.dataDir,
  token: options.token,
  promptsDir: options.promptsDir,
  retention: options.retention,
  priceOverrides: options.priceOverrides,
}).then(
  (c) => {
    collector = c;
    c.store.onChange((change) => post({ kind: 'event', event: 'change', data: change }));
    setStatus({ state: 'listening', port: c.port, url: c.url, token: c.token });
  },
  (err: NodeJS.ErrnoException) => setStatus({ state: 'failed', error: err.message, errorCode: err.code ?? null }),
);

function api(c: Collector): CollectorApi {
  return {
    addScore: (s) => c.store.addScore(s),
    listTraces: (f) => c.store.listTraces(f),
    getTrace: (id) => c.store.getTrace(id),
    deleteTrace: (id) => c.store.deleteTrace(id),
    callSites: (file) => c.store.callSites(file),
    stats: (q) => c.store.stats(q),
    query: (sql) => c.store.query(sql),
    status: async () => status,
  };
}

port.on('message', async (message: MainToWorker) => {
  if (message.kind === 'shutdown') {
    await started;
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

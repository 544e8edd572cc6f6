// Entry of dist/store-worker.js: the store's sql.js database in its own worker_thread. It answers
// the client's calls, applies what the client journals, snapshots on a timer and applies retention.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlJs } from './database';
import type { ClientMessage, WorkerMessage, WorkerSettings } from './protocol';
import { StoreEngine } from './store-engine';
import { lowerThreadPriority } from '../background-priority';

if (!parentPort) throw new Error('store-worker.js runs as a worker_thread started by openStore()');
const port = parentPort;
const settings = workerData as WorkerSettings;
const post = (message: WorkerMessage) => port.postMessage(message);
lowerThreadPriority();

function wasmFile(): string {
  // Bundled: esbuild.mjs copies sql-wasm.wasm beside dist/store-worker.js. From source (tests under
  // tsx): the file inside the sql.js package; createRequire keeps esbuild from resolving it.
  return __filename.endsWith('.ts') ? createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm') : path.join(__dirname, 'sql-wasm.wasm');
}

async function main(): Promise<void> {
  const SQL = await loadSqlJs(wasmFile());
  const { engine, info } = StoreEngine.open(SQL, settings, {
    change: (change) => post({ t: 'change', change }),
    warning: (message) => post({ t: 'warning', message }),
  });
  post({ t: 'opened', info });

  let pumping = false;
  // Apply in the background one transaction at a time, so calls queued behind are answered soon.
  const pump = () => {
    pumping = false;
    try {
      if (engine.step() && engine.hasPending()) schedule();
    } catch (err) {
      post({ t: 'warning', message: `applying journaled spans failed: ${describe(err)}` });
    }
  };
  const schedule = () => {
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  };
  const guarded = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      post({ t: 'warning', message: `${what} failed: ${describe(err)}` });
    }
  };
  const timers = [
    setInterval(() => guarded('snapshot', () => {
      engine.catchUp();
      engine.snapshot();
    }), settings.snapshotIntervalMs),
    setInterval(() => guarded('retention', () => engine.retain(Date.now())), settings.retentionIntervalMs),
  ];

  port.on('message', (msg: ClientMessage) => {
    if (msg.t === 'advance') {
      engine.announce(msg.at);
      schedule();
      return;
    }
    try {
      const value = engine.call(msg.method, msg.args, msg.at);
      if (msg.method === 'close') timers.forEach(clearInterval);
      post({ t: 'reply', id: msg.id, ok: true, value });
    } catch (err) {
      const e = err as Error;
      post({ t: 'reply', id: msg.id, ok: false, error: e.message, name: e.name });
    }
  });
}

main().catch((err: Error) => {
  // a key problem is its own answer (what to give), not a failure to open
  const error = err.name === 'StoreKeyError' ? err.message : `the store could not open: ${err.message}`;
  post({ t: 'failed', error, name: err.name });
});

/** sql.js and Emscripten sometimes throw strings or plain objects, not Errors. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

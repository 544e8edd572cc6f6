// The typed protocol between the extension host's main thread and the collector worker
// (dist/collector-worker.js). Declared once, imported by both sides (extension/client/ and
// extension/server/collector-worker.ts). Requests are answered; events are announced.
import type { Store, StoreChange } from './store/api';
import type { PriceOverride } from './pricing';
import type { RetentionOptions } from './store/api';

/** What the main thread may ask: the store's read/write API, minus lifecycle. */
export type CollectorApi = Pick<Store, 'addScore' | 'listTraces' | 'getTrace' | 'deleteTrace' | 'callSites' | 'stats' | 'query'> & {
  status(): Promise<CollectorStatus>;
};
export type CollectorMethod = keyof CollectorApi;

export interface CollectorWorkerOptions {
  dataDir: string;
  /** 0 picks a free port */
  port: number;
  /** bearer token for the HTTP API; generated and kept in dataDir when absent */
  token?: string;
  retention?: Partial<RetentionOptions>;
  priceOverrides?: Record<string, PriceOverride>;
  /** folder of prompt files served by GET /api/v1/prompts/:name */
  promptsDir?: string;
}

export interface CollectorStatus {
  state: 'starting' | 'listening' | 'stopped' | 'failed';
  port: number | null;
  url: string | null; // http://127.0.0.1:PORT
  token: string | null;
  dataDir: string;
  error: string | null; // one line a user can act on, e.g. "port 4318 is in use by another program"
  /** error code from listen(), e.g. EADDRINUSE, so the client can pick another port */
  errorCode: string | null;
}

export type MainToWorker =
  | { kind: 'request'; id: number; method: CollectorMethod; args: unknown[] }
  | { kind: 'shutdown' };

export type WorkerToMain =
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: string }
  | { kind: 'event'; event: 'change'; data: StoreChange }
  | { kind: 'event'; event: 'status'; data: CollectorStatus }
  | { kind: 'closed' };

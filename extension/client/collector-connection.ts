// The window's one way to the collector, whoever runs it. It owns the collector (a worker in this
// window) when it can take the data folder's lock and the port; it joins the collector of the
// window that holds them (over HTTP); and it takes over when that window goes away. The UI only
// sees a CollectorApi, change events and a ConnectionState.
import type { CollectorApi, CollectorStatus, CollectorWorkerOptions } from '../server/rpc';
import type { RetentionOptions, StoreChange } from '../server/store/api';
import { ChangePoller } from './change-poller';
import { Emitter } from './events';
import { HttpCollector } from './http-collector';
import { OwnerLock } from './owner-lock';
import { probePort } from './port-probe';
import { WorkerCollector, type MainThreadJudge } from './worker-collector';

export type CollectorRole = 'owner' | 'client' | 'none';

export interface ConnectionState {
  /** owner: this window runs the collector; client: it uses another window's */
  role: CollectorRole;
  phase: 'starting' | 'ready' | 'failed' | 'stopped';
  port: number | null;
  url: string | null;
  token: string;
  dataDir: string;
  /** one line a user can act on; also set while ready when the collector refuses requests */
  error: string | null;
  /** the port that a program other than StackLens holds (offer a free port) */
  conflictPort: number | null;
}

export interface ConnectionOptions {
  workerScript: string;
  dataDir: string;
  port: number;
  token: string;
  retention?: Partial<RetentionOptions>;
  priceOverrides?: CollectorWorkerOptions['priceOverrides'];
  promptsDir?: string;
  /** the workspace's `.stacklens/evals.json` (absolute) */
  evalsFile?: string;
  judge?: CollectorWorkerOptions['judge'];
  /** answers llm_judge prompts when `judge` is `{ kind: 'main' }` (VS Code's language models) */
  mainThreadJudge?: MainThreadJudge;
  budget?: CollectorWorkerOptions['budget'];
  forward?: CollectorWorkerOptions['forward'];
  captureContent?: boolean;
  redact?: CollectorWorkerOptions['redact'];
  encryptionKeyHex?: string;
  /** how often a client window polls the owner for changes (default 1500 ms) */
  pollIntervalMs?: number;
  /** how long to wait for a window that holds the lock but does not answer (default 30 s) */
  ownerGraceMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CollectorConnection implements CollectorApi {
  private worker: WorkerCollector | null = null;
  private http: HttpCollector | null = null;
  private poller: ChangePoller | null = null;
  private lock: OwnerLock;
  /** the folder `lock` guards: a restart may move to another (the encrypted store's) */
  private lockedDir: string;
  /** bumped by every start/restart/dispose: a flow that finds it changed stops quietly */
  private generation = 0;
  private requestedPort: number;
  private current: ConnectionState;
  private readonly changes = new Emitter<StoreChange>();
  private readonly states = new Emitter<ConnectionState>();

  readonly onChange = this.changes.event;
  readonly onState = this.states.event;

  private options: ConnectionOptions;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.lock = new OwnerLock(options.dataDir);
    this.lockedDir = options.dataDir;
    this.requestedPort = options.port;
    this.current = {
      role: 'none', phase: 'starting', port: options.port || null, url: null,
      token: options.token, dataDir: options.dataDir, error: null, conflictPort: null,
    };
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Connects (own, join or report why not); resolves when ready or failed, never rejects. */
  async start(): Promise<void> {
    const gen = await this.detach();
    if (this.lockedDir !== this.options.dataDir) {
      // detach() released the old folder's lock: from now on this window competes for the new one
      this.lock = new OwnerLock(this.options.dataDir);
      this.lockedDir = this.options.dataDir;
    }
    this.setState({ role: 'none', phase: 'starting', port: this.requestedPort || null, url: null, error: null, conflictPort: null, dataDir: this.options.dataDir });
    try {
      await this.connect(gen);
    } catch (err) {
      if (gen === this.generation) this.setState({ role: 'none', phase: 'failed', error: (err as Error).message });
    }
  }

  /** New settings (port, token, retention, prices, privacy, data folder): reconnect with them. */
  restart(patch: Partial<ConnectionOptions> = {}): Promise<void> {
    this.options = { ...this.options, ...patch };
    this.requestedPort = this.options.port;
    this.current = { ...this.current, token: this.options.token };
    return this.start();
  }

  /** After a port conflict: run the collector on a port the system picks. */
  useFreePort(): Promise<void> {
    this.requestedPort = 0;
    return this.start();
  }

  /** Flushes and snapshots (owner), stops polling (client), releases the lock. */
  async dispose(): Promise<void> {
    await this.detach();
    this.setState({ role: 'none', phase: 'stopped', url: null });
    this.changes.dispose();
    this.states.dispose();
  }

  private async connect(gen: number): Promise<void> {
    const deadline = Date.now() + (this.options.ownerGraceMs ?? 30_000);
    for (let attempt = 0; gen === this.generation; attempt++) {
      const lock = await this.lock.acquire();
      if (gen !== this.generation) return;
      if (lock.acquired) return this.own(gen);
      const { holder } = lock;
      if (holder.port !== null && (await probePort(holder.port, 3000)).kind === 'stacklens') {
        if (gen === this.generation) this.join(holder.port, gen);
        return;
      }
      if (Date.now() > deadline) {
        const where = holder.port === null ? 'has not started its collector' : `does not answer on port ${holder.port}`;
        throw new Error(`another VS Code window (process ${holder.pid}) holds the StackLens data folder but ${where}: close or reload that window, then run "StackLens: Restart Collector"`);
      }
      // Still starting, or shutting down (flushing its journal): wait for it, with backoff.
      await sleep(Math.min(2000, 250 * 2 ** attempt) + Math.random() * 200);
    }
  }

  /** This window holds the lock: start the worker on the port. */
  private async own(gen: number): Promise<void> {
    const port = this.requestedPort;
    const worker = new WorkerCollector(this.options.workerScript, this.workerOptions(port), this.options.mainThreadJudge ?? null);
    this.worker = worker;
    const status = await worker.started;
    if (gen !== this.generation) return; // detach() shuts this worker down
    if (status.state === 'listening' && status.port !== null) {
      worker.onChange((change) => this.changes.fire(change));
      worker.onStatus((s) => this.workerStatusChanged(s, gen));
      await this.lock.setPort(status.port);
      this.setState({ role: 'owner', phase: 'ready', port: status.port, url: status.url ?? `http://127.0.0.1:${status.port}`, error: null, conflictPort: null });
      return;
    }
    this.worker = null;
    await worker.shutdown(2000);
    await this.lock.release();
    if (gen !== this.generation) return;
    if (status.errorCode === 'EADDRINUSE') {
      const holder = await probePort(port, 3000);
      if (gen !== this.generation) return;
      // A StackLens collector of another data folder (`stacklens serve`, another profile): use it.
      if (holder.kind === 'stacklens') return this.join(port, gen);
      const detail = holder.kind === 'foreign' ? ` (${holder.detail})` : '';
      this.setState({
        role: 'none', phase: 'failed', port, url: null, conflictPort: port,
        error: `port ${port} is in use by another program${detail}: use a free port, or set stacklens.port to one that is free`,
      });
      return;
    }
    this.setState({ role: 'none', phase: 'failed', url: null, error: status.error ?? 'the collector could not start' });
  }

  private workerStatusChanged(status: CollectorStatus, gen: number): void {
    if (gen !== this.generation || status.state !== 'failed') return;
    // Our collector died: let the other windows take over, and say why here.
    void this.lock.release();
    this.setState({ role: 'none', phase: 'failed', url: null, error: `${status.error ?? 'the collector stopped'}: run "StackLens: Restart Collector"` });
  }

  /** Another collector holds the port: use it over HTTP and watch for it to go away. */
  private join(port: number, gen: number): void {
    const http = new HttpCollector(port, this.options.token, this.options.dataDir);
    this.http = http;
    this.poller = new ChangePoller(http, {
      intervalMs: this.options.pollIntervalMs ?? 1500,
      onChange: (change) => this.changes.fire(change),
      onError: (reason) => {
        if (gen === this.generation && reason !== this.current.error) this.setState({ error: reason });
      },
      onLost: () => {
        if (gen !== this.generation) return;
        this.poller = null;
        this.http = null;
        void this.start();
      },
    });
    this.setState({ role: 'client', phase: 'ready', port, url: http.url, error: null, conflictPort: null });
  }

  /** Ends whatever this window runs or polls; returns the generation the next flow runs under. */
  private async detach(): Promise<number> {
    const gen = ++this.generation;
    this.poller?.stop();
    this.poller = null;
    this.http = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.shutdown();
    await this.lock.release();
    return gen;
  }

  private workerOptions(port: number): CollectorWorkerOptions {
    const { dataDir, token, retention, priceOverrides, promptsDir, evalsFile, judge, budget, forward, captureContent, redact, encryptionKeyHex } = this.options;
    return { dataDir, port, token, retention, priceOverrides, promptsDir, evalsFile, judge, budget, forward, captureContent, redact, encryptionKeyHex };
  }

  private setState(patch: Partial<ConnectionState>): void {
    this.current = { ...this.current, ...patch };
    this.states.fire(this.current);
  }

  /** The API to use now; while (re)connecting, waits for the outcome. */
  private async api(): Promise<CollectorApi> {
    for (;;) {
      const s = this.current;
      if (s.phase === 'ready') {
        const api = s.role === 'owner' ? this.worker : this.http;
        if (api) return api;
      }
      if (s.phase === 'failed' || s.phase === 'stopped') {
        throw new Error(`the StackLens collector is not running: ${s.error ?? s.phase}`);
      }
      await new Promise<void>((resolve) => {
        const sub = this.states.event(() => {
          sub.dispose();
          resolve();
        });
      });
    }
  }

  addScore: CollectorApi['addScore'] = async (...args) => (await this.api()).addScore(...args);
  listTraces: CollectorApi['listTraces'] = async (...args) => (await this.api()).listTraces(...args);
  getTrace: CollectorApi['getTrace'] = async (...args) => (await this.api()).getTrace(...args);
  deleteTrace: CollectorApi['deleteTrace'] = async (...args) => (await this.api()).deleteTrace(...args);
  callSites: CollectorApi['callSites'] = async (...args) => (await this.api()).callSites(...args);
  stats: CollectorApi['stats'] = async (...args) => (await this.api()).stats(...args);
  query: CollectorApi['query'] = async (...args) => (await this.api()).query(...args);
  status: CollectorApi['status'] = async () => (await this.api()).status();
  runEvals: CollectorApi['runEvals'] = async (...args) => (await this.api()).runEvals(...args);
  postmortem: CollectorApi['postmortem'] = async (...args) => (await this.api()).postmortem(...args);
  budget: CollectorApi['budget'] = async () => (await this.api()).budget();
  sql: CollectorApi['sql'] = async (...args) => (await this.api()).sql(...args);
  evalSummary: CollectorApi['evalSummary'] = async (...args) => (await this.api()).evalSummary(...args);
  evalCallSites: CollectorApi['evalCallSites'] = async (...args) => (await this.api()).evalCallSites(...args);
  evalsStatus: CollectorApi['evalsStatus'] = async () => (await this.api()).evalsStatus();
  forwarding: CollectorApi['forwarding'] = async () => (await this.api()).forwarding();
  exportTraces: CollectorApi['exportTraces'] = async (...args) => (await this.api()).exportTraces(...args);
  importTraces: CollectorApi['importTraces'] = async (...args) => (await this.api()).importTraces(...args);
}

// The collector running in this window: a worker_thread (dist/collector-worker.js) that owns the
// HTTP port and the store. This side only sends typed requests and hears events (server/rpc.ts);
// nothing here waits synchronously, so the extension host's main thread never blocks on I/O.
import { Worker } from 'node:worker_threads';
import type { CollectorApi, CollectorMethod, CollectorStatus, CollectorWorkerOptions, MainToWorker, WorkerToMain } from '../server/rpc';
import type { StoreChange } from '../server/store/api';
import { Emitter } from './events';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

type Api = CollectorApi;

/** Answers an llm_judge prompt the worker sent (VS Code's language models live on this thread). */
export type MainThreadJudge = (prompt: string) => Promise<string>;

export class WorkerCollector implements Api {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private lastStatus: CollectorStatus;
  private readonly changes = new Emitter<StoreChange>();
  private readonly statuses = new Emitter<CollectorStatus>();
  private readonly ended: Promise<void>;
  private markEnded!: () => void;
  private closedByRequest = false;

  readonly onChange = this.changes.event;
  readonly onStatus = this.statuses.event;
  /** Resolves with the first status that is not 'starting': listening, or failed with a reason. */
  readonly started: Promise<CollectorStatus>;

  constructor(
    script: string,
    options: CollectorWorkerOptions,
    private readonly judge: MainThreadJudge | null = null,
  ) {
    this.lastStatus = {
      state: 'starting', port: options.port, url: null, token: options.token ?? null,
      dataDir: options.dataDir, error: null, errorCode: null,
    };
    this.worker = new Worker(script, { workerData: options });
    this.started = new Promise((resolve) => {
      const sub = this.statuses.event((status) => {
        if (status.state === 'starting') return;
        sub.dispose();
        resolve(status);
      });
    });
    this.worker.on('message', (message: WorkerToMain) => this.receive(message));
    this.worker.on('error', (err) => this.fail(`the collector worker crashed: ${err.message}`));
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    this.worker.once('exit', (code) => {
      this.exited = true;
      if (this.closedByRequest) this.stopped('the collector was shut down');
      else this.fail(code === 0 ? 'the collector worker stopped unexpectedly' : `the collector worker exited with code ${code}`);
      this.markEnded();
    });
  }

  get currentStatus(): CollectorStatus {
    return this.lastStatus;
  }

  private receive(message: WorkerToMain): void {
    if (message.kind === 'response') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(message.error));
    } else if (message.kind === 'event') {
      if (message.event === 'change') this.changes.fire(message.data);
      else this.setStatus(message.data);
    } else if (message.kind === 'judge') {
      void this.answerJudge(message.id, message.prompt);
    } else if (message.kind === 'closed') {
      this.stopped('the collector was shut down');
      this.markEnded();
    }
  }

  private async answerJudge(id: number, prompt: string): Promise<void> {
    let answer: MainToWorker;
    try {
      if (!this.judge) throw new Error('this window has no language-model judge: set stacklens.evals.judge.provider');
      answer = { kind: 'judgeAnswer', id, ok: true, text: await this.judge(prompt) };
    } catch (err) {
      answer = { kind: 'judgeAnswer', id, ok: false, error: (err as Error).message };
    }
    if (!this.exited) this.worker.postMessage(answer);
  }

  private setStatus(status: CollectorStatus): void {
    this.lastStatus = status;
    this.statuses.fire(status);
  }

  private stopped(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    if (this.lastStatus.state !== 'stopped') this.setStatus({ ...this.lastStatus, state: 'stopped' });
  }

  private fail(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    if (this.lastStatus.state === 'failed' || this.lastStatus.state === 'stopped') return;
    this.setStatus({ ...this.lastStatus, state: 'failed', error: reason, errorCode: null });
  }

  private request<M extends CollectorMethod>(method: M, args: Parameters<Api[M]>): ReturnType<Api[M]> {
    if (this.exited || this.closedByRequest) {
      return Promise.reject(new Error(`the collector is not running (${this.lastStatus.error ?? 'stopped'})`)) as ReturnType<Api[M]>;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: MainToWorker = { kind: 'request', id, method, args };
      this.worker.postMessage(message);
    }) as ReturnType<Api[M]>;
  }

  addScore: Api['addScore'] = (...args) => this.request('addScore', args);
  listTraces: Api['listTraces'] = (...args) => this.request('listTraces', args);
  getTrace: Api['getTrace'] = (...args) => this.request('getTrace', args);
  deleteTrace: Api['deleteTrace'] = (...args) => this.request('deleteTrace', args);
  callSites: Api['callSites'] = (...args) => this.request('callSites', args);
  stats: Api['stats'] = (...args) => this.request('stats', args);
  query: Api['query'] = (...args) => this.request('query', args);
  status: Api['status'] = () => this.request('status', []);
  runEvals: Api['runEvals'] = (...args) => this.request('runEvals', args);
  postmortem: Api['postmortem'] = (...args) => this.request('postmortem', args);
  budget: Api['budget'] = () => this.request('budget', []);
  sql: Api['sql'] = (...args) => this.request('sql', args);
  evalSummary: Api['evalSummary'] = (...args) => this.request('evalSummary', args);
  evalCallSites: Api['evalCallSites'] = (...args) => this.request('evalCallSites', args);
  evalsStatus: Api['evalsStatus'] = () => this.request('evalsStatus', []);
  forwarding: Api['forwarding'] = () => this.request('forwarding', []);
  exportTraces: Api['exportTraces'] = (...args) => this.request('exportTraces', args);
  importTraces: Api['importTraces'] = (...args) => this.request('importTraces', args);

  /**
   * Asks the worker to flush the journal, snapshot and stop; terminates it if it has not finished
   * within `timeoutMs` (a wedged worker must not hold VS Code's shutdown hostage).
   */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (this.exited) return;
    this.closedByRequest = true;
    const message: MainToWorker = { kind: 'shutdown' };
    this.worker.postMessage(message);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    await Promise.race([this.ended, timedOut]);
    clearTimeout(timer);
    // After 'closed' the worker has nothing left to do; terminate also ends one that hung.
    if (!this.exited) await this.worker.terminate();
    this.changes.dispose();
    this.statuses.dispose();
  }
}

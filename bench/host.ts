// Stands in for VS Code's extension host: starts the collector exactly as the extension does
// (WorkerCollector: a worker_thread running dist/collector-worker.js with workerData per
// extension/server/rpc.ts) and refreshes what the real views refresh on every change event, with
// the same coalescing. Meanwhile it records this thread's event-loop delay: idle first, then while
// the section's load generator ingests at full rate. Talks to its parent over IPC.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHook } from 'node:async_hooks';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { WorkerCollector } from '../extension/client/worker-collector';
import { coalesce } from '../extension/ui/coalesce';

export type HostCommand =
  | { cmd: 'measure'; label: string; warmupMs: number; ms: number; windowMs: number; refresh: boolean }
  /** the control: every thread of this process but the main one at this nice value */
  | { cmd: 'renice'; nice: number }
  | { cmd: 'stop' };

export interface LoopDelay {
  label: string;
  maxMs: number;
  /** the largest delay of each window (windowMs): one scheduler hiccup shows in one window only */
  windowMaxMs: number[];
  p99Ms: number;
  meanMs: number;
  /**
   * The longest single callback on this thread (wall time). A long delay with short callbacks was
   * the operating system giving the core to another thread, not work of ours blocking the loop.
   */
  longestCallbackMs: number;
  /** UI refreshes made while measuring, and how long the slowest took to answer */
  refreshes: number;
  refreshP50Ms: number;
  refreshMaxMs: number;
  changeEvents: number;
}

export type HostMessage =
  | { kind: 'ready'; url: string; token: string }
  | { kind: 'measured'; result: LoopDelay }
  | { kind: 'reniced'; threads: number; error: string | null }
  | { kind: 'failed'; error: string };

const send = (m: HostMessage) => process.send!(m);
const root = process.argv[2];
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-bench-host-'));
const collector = new WorkerCollector(path.join(root, 'dist', 'collector-worker.js'), { dataDir, port: 0, token: 'sl-bench-token' });

let refreshing = false;
let changeEvents = 0;
const refreshTimes: number[] = [];
const timed = (what: () => Promise<unknown>) => async () => {
  const t0 = performance.now();
  await what().catch(() => undefined);
  if (refreshing) refreshTimes.push(performance.now() - t0);
};
// extension/ui: traces-view (300 ms, a page of 200), call-site-lenses (300 ms, every call site +
// 500 newest names), status-bar (1 s, today's stats)
const refreshTree = coalesce(() => void timed(() => collector.listTraces({ limit: 200 }))(), 300);
const refreshLenses = coalesce(() => void timed(() => Promise.all([collector.callSites(), collector.listTraces({ limit: 500 })]))(), 300);
const startOfDay = () => new Date(new Date().setHours(0, 0, 0, 0)).getTime();
const refreshStatus = coalesce(() => void timed(() => collector.stats({ since: startOfDay() }))(), 1000);
collector.onChange(() => {
  changeEvents++;
  if (!refreshing) return;
  refreshTree();
  refreshLenses();
  refreshStatus();
});

let longestCallback = 0;
const callbackStarts = new Map<number, number>();
const callbacks = createHook({
  before(id) {
    callbackStarts.set(id, performance.now());
  },
  after(id) {
    const t0 = callbackStarts.get(id);
    callbackStarts.delete(id);
    if (t0 !== undefined) longestCallback = Math.max(longestCallback, performance.now() - t0);
  },
});

function measure(c: Extract<HostCommand, { cmd: 'measure' }>): Promise<LoopDelay> {
  return new Promise((resolve) => {
    let h: IntervalHistogram | null = null;
    let window: IntervalHistogram | null = null;
    let windows: NodeJS.Timeout | undefined;
    const windowMaxMs: number[] = [];
    setTimeout(() => {
      longestCallback = 0;
      callbacks.enable();
      refreshing = c.refresh;
      refreshTimes.length = 0;
      changeEvents = 0;
      h = monitorEventLoopDelay({ resolution: 2 });
      h.enable();
      window = monitorEventLoopDelay({ resolution: 2 });
      window.enable();
      windows = setInterval(() => {
        windowMaxMs.push(window!.max / 1e6);
        window!.reset();
      }, c.windowMs);
    }, c.warmupMs);
    setTimeout(() => {
      clearInterval(windows);
      // the last window ends with the measurement (its timer and this one fall due together)
      if (window!.count > 0) windowMaxMs.push(window!.max / 1e6);
      window!.disable();
      h!.disable();
      callbacks.disable();
      refreshing = false;
      const sorted = [...refreshTimes].sort((a, b) => a - b);
      resolve({
        label: c.label,
        maxMs: h!.max / 1e6,
        windowMaxMs,
        p99Ms: h!.percentile(99) / 1e6,
        meanMs: h!.mean / 1e6,
        longestCallbackMs: longestCallback,
        refreshes: sorted.length,
        refreshP50Ms: sorted[sorted.length >> 1] ?? NaN,
        refreshMaxMs: sorted[sorted.length - 1] ?? NaN,
        changeEvents,
      });
    }, c.warmupMs + c.ms);
  });
}

/**
 * Linux schedules threads, and setpriority() on a thread id changes that thread alone (the
 * collector's and the store's worker threads, and Node's helper threads). Elsewhere, or without
 * the privilege to raise a priority, this is refused and the control says so.
 */
function renice(nice: number): { threads: number; error: string | null } {
  try {
    const threads = readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid);
    for (const tid of threads) os.setPriority(tid, nice);
    return { threads: threads.length, error: null };
  } catch (err) {
    return { threads: 0, error: (err as Error).message };
  }
}

process.on('message', (c: HostCommand) => {
  if (c.cmd === 'measure') void measure(c).then((result) => send({ kind: 'measured', result }));
  else if (c.cmd === 'renice') send({ kind: 'reniced', ...renice(c.nice) });
  else
    void collector.shutdown(20_000).finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});

void collector.started.then((status) => {
  if (status.state === 'listening' && status.url) send({ kind: 'ready', url: status.url, token: status.token ?? 'sl-bench-token' });
  else send({ kind: 'failed', error: status.error ?? `the collector worker did not start (${status.state})` });
});

// A window that uses another window's collector hears no worker events: it polls the newest
// traces and turns what differs into the same StoreChange the worker would announce. Polling is
// also how it notices that the owning window went away (the request finds nobody listening).
import type { TraceSummary } from '../server/model';
import type { StoreChange } from '../server/store/api';
import { CollectorHttpError, type HttpCollector } from './http-collector';

/** What makes a trace "changed" for the UI: new spans, a new end, a new status or cost. */
function fingerprint(t: TraceSummary): string {
  return `${t.span_count}|${t.end_time}|${t.status}|${t.total_cost_usd}|${t.error_count}`;
}

/** Trace ids that are new, changed or gone between two listings of the newest traces. */
export function changedTraceIds(previous: ReadonlyMap<string, string>, next: readonly TraceSummary[]): { ids: string[]; seen: Map<string, string> } {
  const seen = new Map<string, string>();
  const ids: string[] = [];
  for (const t of next) {
    const print = fingerprint(t);
    seen.set(t.trace_id, print);
    if (previous.get(t.trace_id) !== print) ids.push(t.trace_id);
  }
  // A trace that fell off the end of the listing because newer ones arrived is not "gone": only
  // count a disappearance when the listing is not full.
  for (const id of previous.keys()) {
    if (!seen.has(id) && next.length < POLL_LIMIT) ids.push(id);
  }
  return { ids, seen };
}

export const POLL_LIMIT = 100;

export interface ChangePollerOptions {
  intervalMs: number;
  onChange(change: StoreChange): void;
  /** the collector stopped answering: its window went away */
  onLost(reason: string): void;
  /** it answers, but refuses or fails (wrong token, …): shown to the user, polling goes on */
  onError(reason: string | null): void;
}

export class ChangePoller {
  private timer: NodeJS.Timeout | undefined;
  private previous: Map<string, string> | null = null;
  private stopped = false;

  constructor(
    private readonly collector: HttpCollector,
    private readonly options: ChangePollerOptions,
  ) {
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async tick(): Promise<void> {
    try {
      const traces = await this.collector.listTraces({ limit: POLL_LIMIT });
      if (this.stopped) return;
      this.options.onError(null);
      if (this.previous === null) {
        this.previous = changedTraceIds(new Map(), traces).seen;
      } else {
        const { ids, seen } = changedTraceIds(this.previous, traces);
        this.previous = seen;
        if (ids.length > 0) this.options.onChange({ trace_ids: ids, files: [] });
      }
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof CollectorHttpError && err.unreachable) {
        this.stop();
        this.options.onLost(err.message);
        return;
      }
      this.options.onError((err as Error).message);
    }
    this.schedule(this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

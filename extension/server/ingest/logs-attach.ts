// Joins log-record events to the spans they name, through the Store contract as it stands: the
// stored span is read, the events are added, and the whole span is ingested again (the store
// replaces a re-sent span, journaled before the answer, so an attached record is as durable as
// a span). A record whose span has not arrived yet is not acknowledged: the route answers 503 and
// the exporter sends it again (OTLP/HTTP retries 503), by when the span is usually there.
//
// This is the stand-in for a store operation that keeps early records until their span arrives
// (`Store.attachEvents`, see docs/forwarding.md "OTLP logs"); it is serialised here so two
// requests never read-modify-write the same span at once.
import type { Span } from '../model';
import type { Privacy } from '../privacy';
import type { Store } from '../store/api';
import { applyPatch, type SpanPatch } from './logs';

export interface AttachResult {
  /** events now on their spans (added now, or there already from an earlier send) */
  attached: number;
  /** patches whose span is not stored (yet) */
  missing: SpanPatch[];
}

export class LogAttacher {
  private chain: Promise<unknown> = Promise.resolve();

  /** `store` is the store itself, not the gate: a span patched with its logs is not forwarded again. */
  constructor(
    private readonly store: Store,
    private readonly privacy: Privacy,
  ) {}

  /**
   * Attaches what it can; waits up to `waitMs` for spans that have not arrived (logs are often
   * exported before the span they belong to ends), then reports those still missing.
   */
  async attach(patches: SpanPatch[], waitMs: number): Promise<AttachResult> {
    // the events are stored as they will be compared: redacted (and stripped with content capture off)
    for (const patch of patches) this.privacy.applyToEvents(patch.events);
    let result = await this.serially(() => this.attachNow(patches));
    const deadline = Date.now() + waitMs;
    while (result.missing.length > 0 && Date.now() < deadline) {
      const arrived = await this.waitForTraces(new Set(result.missing.map((p) => p.trace_id)), deadline - Date.now());
      if (!arrived) break;
      const again = await this.serially(() => this.attachNow(result.missing));
      result = { attached: result.attached + again.attached, missing: again.missing };
    }
    return result;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async attachNow(patches: SpanPatch[]): Promise<AttachResult> {
    const byTrace = new Map<string, SpanPatch[]>();
    for (const p of patches) byTrace.set(p.trace_id, [...(byTrace.get(p.trace_id) ?? []), p]);
    const updated: Span[] = [];
    const missing: SpanPatch[] = [];
    let attached = 0;
    for (const [traceId, list] of byTrace) {
      const detail = await this.store.getTrace(traceId);
      const spans = new Map((detail?.spans ?? []).map((s) => [s.span_id, s]));
      for (const patch of list) {
        const stored = spans.get(patch.span_id);
        if (!stored) {
          missing.push(patch);
          continue;
        }
        const { usage_counted: _counted, ...span } = stored;
        const next = applyPatch(span, patch.events);
        if (next) updated.push(next);
        attached += patch.events.length;
      }
    }
    if (updated.length > 0) {
      this.privacy.applyToSpans(updated);
      await this.store.ingest(updated);
    }
    return { attached, missing };
  }

  /** Resolves true when the store announces a change to one of the traces, false at the timeout. */
  private waitForTraces(traceIds: Set<string>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let off = () => {};
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, Math.max(0, ms));
      off = this.store.onChange((change) => {
        if (!change.trace_ids.some((id) => traceIds.has(id))) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }
}

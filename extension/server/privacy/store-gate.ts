// The one way into the store: every span, from any route (OTLP, simple spans, MCP record_span),
// passes content capture and redaction before the store sees it, and is handed to forwarding
// only once the store has kept it. Wrapping the Store keeps that rule in one place instead of in
// each route; reads pass straight through.
import type { Span } from '../model';
import type { NewScore, Store } from '../store/api';
import type { Privacy } from './index';

/** Where stored spans go next (the upstream forwarder); must not wait or throw. */
export interface StoredSpansSink {
  enqueue(spans: readonly Span[]): void;
}

export function gateStore(inner: Store, privacy: Privacy, sink: StoredSpansSink | null): Store {
  return {
    async ingest(spans: Span[]): Promise<void> {
      privacy.applyToSpans(spans);
      try {
        await inner.ingest(spans);
      } catch (err) {
        // the store keeps the valid spans of a batch it partly refused: forward those
        const refused = refusedIndexes(err);
        if (sink && refused) sink.enqueue(spans.filter((_, i) => !refused.has(i)));
        throw err;
      }
      sink?.enqueue(spans);
    },
    addScore: (score: NewScore) => inner.addScore(privacy.applyToScore(score)),
    listTraces: (filter) => inner.listTraces(filter),
    getTrace: (traceId) => inner.getTrace(traceId),
    deleteTrace: (traceId) => inner.deleteTrace(traceId),
    callSites: (file) => inner.callSites(file),
    stats: (query) => inner.stats(query),
    query: (sql) => inner.query(sql),
    onChange: (listener) => inner.onChange(listener),
    snapshot: () => inner.snapshot(),
    close: () => inner.close(),
  };
}

/** The indexes a StoreInputError names (`spans[3].start_time: …`); null for any other error. */
function refusedIndexes(err: unknown): Set<number> | null {
  const e = err as { name?: string; accepted?: number; problems?: string[] };
  if (e?.name !== 'StoreInputError' || !Array.isArray(e.problems) || !e.accepted) return null;
  const out = new Set<number>();
  for (const line of e.problems) {
    const m = /^spans\[(\d+)\]/.exec(line);
    if (!m) return null;
    out.add(Number(m[1]));
  }
  return out;
}

// One real collector per test file, with the SDK configured to send to it, and a way to read
// back what arrived (GET /api/v1/traces/:id).
import { configure, flush } from '../../src/index';
import type { ConfigureOptions } from '../../src/index';
import { startCollector, type RunningCollector, type StartOptions } from '../../../test/support/collector';
import type { StoredSpan, TraceDetail } from './collector-api';

export interface Session {
  collector: RunningCollector;
}

/** Starts a collector before the suite's tests and stops it after; configures the SDK for it. */
export function useCollector(options: StartOptions = {}, sdk: Partial<ConfigureOptions> = {}): Session {
  const session = {} as Session;
  before(async function () {
    this.timeout(30_000);
    session.collector = await startCollector(options);
    configure({ apiKey: session.collector.token, endpoint: session.collector.url, ...sdk });
  });
  after(async function () {
    this.timeout(15_000);
    await flush().catch(() => {}); // what the last test left queued belongs to this collector
    await session.collector?.stop();
  });
  return session;
}

/** The trace as the collector stores it, once it holds at least `spans` spans (flushes first). */
export async function arrivedTrace(collector: RunningCollector, traceId: string, spans = 1): Promise<TraceDetail> {
  await flush();
  const deadline = Date.now() + 5000;
  for (;;) {
    const reply = await collector.request('GET', `/api/v1/traces/${traceId}`);
    if (reply.status === 200 && (reply.body as TraceDetail).spans.length >= spans) return reply.body as TraceDetail;
    if (Date.now() > deadline) {
      throw new Error(`trace ${traceId} did not arrive with ${spans} span(s) within 5 s; last answer ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function spanNamed(detail: TraceDetail, name: string): StoredSpan {
  const found = detail.spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${JSON.stringify(name)} in trace ${detail.trace.trace_id}, found ${found.length}: ${detail.spans.map((s) => s.name).join(', ')}`);
  return found[0];
}

/** The 1-based line of the first line in `file` containing `marker` (a comment next to a call). */
export function lineOf(source: string, marker: string): number {
  const index = source.split('\n').findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`marker ${marker} not found`);
  return index + 1;
}

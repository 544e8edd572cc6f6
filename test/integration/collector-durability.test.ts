// "A 200 from the collector means the spans survive kill -9": spans are sent in parallel streams,
// the collector is killed with SIGKILL while requests are in flight, and after a restart every
// span that was answered 200 must be there, with its content byte for byte.
import assert from 'node:assert/strict';
import { startCollector, tempDir } from '../support/collector';

describe('collector durability', function () {
  this.timeout(90_000);

  it('keeps every acknowledged span across kill -9 in the middle of ingest', async () => {
    const dataDir = tempDir();
    const first = await startCollector({ dataDir });
    const acked: Array<{ trace_id: string; span_id: string; prompt: string }> = [];
    let stop = false;
    let batch = 0;

    const stream = async (worker: number) => {
      while (!stop) {
        const n = batch++;
        const spans = Array.from({ length: 20 }, (_, i) => ({
          name: `llm-call-${n}-${i}`,
          model: 'gpt-4o-mini',
          provider: 'openai',
          input_tokens: 100 + i,
          output_tokens: 10,
          prompt: `batch ${n} span ${i} from worker ${worker}: ` + 'x'.repeat(900),
          completion: `answer ${n}/${i} ✓`,
        }));
        try {
          const res = await first.request('POST', '/api/v1/spans', { spans });
          if (res.status !== 200) continue;
          res.body.span_ids.forEach((span_id: string, i: number) => acked.push({ trace_id: res.body.trace_ids[i], span_id, prompt: spans[i].prompt }));
        } catch {
          return; // the connection died with the process: that request was never acknowledged
        }
      }
    };
    const streams = [0, 1, 2, 3].map(stream);
    while (acked.length < 2000) await new Promise((r) => setTimeout(r, 20));
    await first.kill();
    stop = true;
    await Promise.all(streams);
    assert.ok(acked.length >= 2000, `sent ${acked.length} acknowledged spans before the kill`);

    const second = await startCollector({ dataDir });
    try {
      const missing: string[] = [];
      // every acknowledged trace, checked through the public API
      const byTrace = new Map<string, typeof acked>();
      for (const a of acked) byTrace.set(a.trace_id, [...(byTrace.get(a.trace_id) ?? []), a]);
      for (const [traceId, spans] of byTrace) {
        const got = await second.request('GET', `/api/v1/traces/${traceId}`);
        if (got.status !== 200) {
          missing.push(traceId);
          continue;
        }
        for (const a of spans) {
          const span = got.body.spans.find((s: any) => s.span_id === a.span_id);
          if (!span) missing.push(`${traceId}/${a.span_id}`);
          else assert.equal(span.input, a.prompt);
        }
      }
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged spans lost`);
    } finally {
      await second.stop();
    }
  });
});

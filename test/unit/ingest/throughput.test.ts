// The ingest hot path: decoding and normalising must keep up with tens of thousands of spans a
// second. Measured in process CPU time, so that other work on the machine does not count.
import assert from 'node:assert/strict';
import { decodeTraceRequest, normaliseTraceRequest } from '../../../extension/server/ingest';
import { ExportTraceServiceRequest } from '../../../extension/server/ingest/otlp-schema';
import { createPricer } from '../../../extension/server/pricing';

const SPANS = 2000;
const text = 'The quick brown fox jumps over the lazy dog. '.repeat(11); // ~500 bytes

function attributes(i: number) {
  const values: Record<string, unknown> = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 1000 + i,
    'gen_ai.usage.output_tokens': 200,
    'gen_ai.usage.cache_read.input_tokens': 512,
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text }] }]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]),
    'code.file.path': '/app/src/agent.ts',
    'code.line.number': 42,
    'gen_ai.request.temperature': 0.2,
  };
  return Object.entries(values).map(([key, v]) => ({ key, value: typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: v } : { doubleValue: v } }));
}

function requestBodies(): { protobuf: Uint8Array; json: Uint8Array } {
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId: Buffer.from(`${(i + 1).toString(16).padStart(8, '0')}`.repeat(4), 'hex'),
    spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
    name: 'chat gpt-4o-mini',
    kind: 3,
    startTimeUnixNano: '1757000000000000000',
    endTimeUnixNano: '1757000001000000000',
    attributes: attributes(i),
  }));
  const message = ExportTraceServiceRequest.fromObject({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeSpans: [{ spans }] }] });
  const json = ExportTraceServiceRequest.toObject(message, { longs: String, bytes: String }) as any;
  for (const s of json.resourceSpans[0].scopeSpans[0].spans) {
    s.traceId = Buffer.from(s.traceId, 'base64').toString('hex');
    s.spanId = Buffer.from(s.spanId, 'base64').toString('hex');
  }
  return { protobuf: ExportTraceServiceRequest.encode(message).finish(), json: Buffer.from(JSON.stringify(json)) };
}

describe('ingest throughput', function () {
  this.timeout(30_000);
  const bodies = requestBodies();
  const pricer = createPricer();

  for (const [encoding, contentType] of [['protobuf', 'application/x-protobuf'], ['json', 'application/json']] as const) {
    it(`decodes and normalises more than 10,000 spans of ~1 KB content per CPU second (${encoding})`, () => {
      const body = bodies[encoding];
      normaliseTraceRequest(decodeTraceRequest(body, contentType), pricer); // warm up
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        const cpu = process.cpuUsage();
        const { spans } = normaliseTraceRequest(decodeTraceRequest(body, contentType), pricer);
        const used = process.cpuUsage(cpu);
        assert.equal(spans.length, SPANS);
        best = Math.min(best, (used.user + used.system) / 1e6);
      }
      const perSecond = SPANS / best;
      assert.ok(perSecond > 10_000, `${Math.round(perSecond)} spans per CPU second`);
    });
  }
});

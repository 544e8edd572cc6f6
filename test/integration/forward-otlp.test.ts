// spansToOtlp(): what StackLens forwards must read back as the same spans. Every convention's
// fixture is decoded and normalised, re-encoded, sent through the OTLP/JSON decoder again and
// compared field by field; and the encoding itself follows the OTLP/JSON mapping.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeTraceRequest, normaliseTraceRequest, parseSimpleSpans } from '../../extension/server/ingest';
import { anyValue, msToNanos, spansToOtlp } from '../../extension/server/forward/otlp-encode';
import { tracesUrl, parseHeader, checkHeaders } from '../../extension/server/forward/endpoint';
import { createPricer } from '../../extension/server/pricing';
import type { Span } from '../../extension/server/model';

const pricer = createPricer();
const FIXTURES = path.resolve(__dirname, '../fixtures/otlp');

function readBack(spans: Span[]): Span[] {
  const body = Buffer.from(JSON.stringify(spansToOtlp(spans)));
  const result = normaliseTraceRequest(decodeTraceRequest(body, 'application/json'), pricer);
  assert.equal(result.rejectedSpans, 0, result.errorMessage);
  return result.spans;
}

function sameSpan(back: Span, original: Span, where: string): void {
  const { attributes: a, start_time: s1, end_time: e1, duration_ms: d1, events: ev1, resource: r1, ...rest } = back;
  const { attributes: b, start_time: s2, end_time: e2, duration_ms: d2, events: ev2, resource: r2, ...expected } = original;
  assert.deepEqual(rest, expected, where);
  // a span's service name travels as the resource's service.name, as OTLP has it
  assert.deepEqual(r1, original.service_name && r2['service.name'] === undefined ? { 'service.name': original.service_name, ...r2 } : r2, where);
  for (const [x, y] of [[s1, s2], [e1, e2], [d1, d2]]) assert.ok(Math.abs(x - y) < 0.002, `${where}: times within 1 µs (${x} vs ${y})`);
  assert.deepEqual(ev1.map((e) => [e.name, e.attributes]), ev2.map((e) => [e.name, e.attributes]), where);
  for (const key of Object.keys(b)) assert.deepEqual(a[key], b[key], `${where}: attribute ${key}`);
}

describe('spansToOtlp (forwarding encoding)', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    it(`re-encodes ${file} so that it reads back as the same spans`, () => {
      const original = normaliseTraceRequest(decodeTraceRequest(readFileSync(path.join(FIXTURES, file)), 'application/json'), pricer).spans;
      assert.ok(original.length > 0);
      const back = readBack(original);
      assert.equal(back.length, original.length);
      const byId = new Map(back.map((s) => [s.span_id, s]));
      for (const span of original) sameSpan(byId.get(span.span_id)!, span, `${file} ${span.name}`);
    });
  }

  it('carries simple-form fields (no attributes) as GenAI / OpenInference attributes that read back the same', () => {
    const { spans } = parseSimpleSpans({
      spans: [
        { name: 'plan', kind: 'agent', trace_id: 'a'.repeat(32), span_id: '1'.repeat(16), tags: ['x'], session_id: 's', service_name: 'svc', start_time: 1_700_000_000_000.5, duration_ms: 10 },
        { name: 'llm', trace_id: 'a'.repeat(32), span_id: '2'.repeat(16), parent_span_id: '1'.repeat(16), model: 'gpt-4o', provider: 'openai', input_tokens: 10, output_tokens: 3, reasoning_tokens: 1, cost_usd: 0.5, prompt: 'hi', completion: '{"a":1}', status: 'error', status_message: 'boom', code_file: 'a.ts', code_line: 3, code_function: 'f', events: [{ name: 'note', time: 1_700_000_000_001, attributes: { k: 1 } }] },
      ],
    }, pricer);
    const back = readBack(spans);
    spans.forEach((s, i) => sameSpan(back[i], s, s.name));
    assert.equal(back[1].attributes['output.mime_type'], 'application/json');
  });

  it('writes the OTLP/JSON mapping: hex ids, decimal nanoseconds, AnyValue, status, scope and resource', () => {
    const { spans } = parseSimpleSpans({ name: 'x', trace_id: 'b'.repeat(32), span_id: 'c'.repeat(16), start_time: 1_700_000_000_123.456, duration_ms: 1, service_name: 'svc', attributes: { 'otel.scope.name': 'my-lib', n: 2, f: 0.5, big: '9007199254740993', list: [1, 'a'], obj: { k: true } } }, pricer);
    const request = spansToOtlp(spans);
    const rs = request.resourceSpans[0];
    assert.deepEqual(rs.resource.attributes, [{ key: 'service.name', value: { stringValue: 'svc' } }]);
    assert.deepEqual(rs.scopeSpans[0].scope, { name: 'my-lib' });
    const span = rs.scopeSpans[0].spans[0];
    assert.equal(span.traceId, 'b'.repeat(32));
    assert.equal(span.startTimeUnixNano, '1700000000123456000');
    assert.equal(span.parentSpanId, undefined);
    assert.ok(!span.attributes.some((kv) => kv.key === 'otel.scope.name'), 'the scope travels as the scope');
    const attr = (k: string) => span.attributes.find((kv) => kv.key === k)!.value;
    assert.deepEqual(attr('n'), { intValue: '2' });
    assert.deepEqual(attr('f'), { doubleValue: 0.5 });
    assert.deepEqual(attr('list'), { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'a' }] } });
    assert.deepEqual(attr('obj'), { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } });
    assert.deepEqual(span.status, { code: 1 });
    assert.deepEqual(anyValue(null), {});
    assert.equal(msToNanos(1.9999999), '2000000', 'the rounded remainder carries into the next ms');
    assert.equal(msToNanos(1_700_000_000_000), '1700000000000000000');
  });

  it('appends /v1/traces to a base URL as OTEL_EXPORTER_OTLP_ENDPOINT does, and checks headers', () => {
    assert.equal(tracesUrl('http://localhost:4318').href, 'http://localhost:4318/v1/traces');
    assert.equal(tracesUrl('https://cloud.langfuse.com/api/public/otel/').href, 'https://cloud.langfuse.com/api/public/otel/v1/traces');
    assert.equal(tracesUrl('http://phoenix:6006/v1/traces').href, 'http://phoenix:6006/v1/traces');
    assert.throws(() => tracesUrl('http://user:pw@host:4318'), /put credentials in a header/);
    assert.throws(() => tracesUrl('localhost:4318'), /is not http\(s\)|not a URL/);
    assert.deepEqual(parseHeader('Authorization=Basic%20abc%3D'), ['Authorization', 'Basic abc=']);
    assert.deepEqual(parseHeader('x-api-key=a=b'), ['x-api-key', 'a=b']);
    assert.throws(() => checkHeaders({ 'content-type': 'text/plain' }), /set by StackLens itself/);
    assert.throws(() => checkHeaders({ 'bad header': 'x' }), /not a valid HTTP header name/);
  });
});

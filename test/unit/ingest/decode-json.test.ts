import assert from 'node:assert/strict';
import { IngestError, decodeTraceRequest, normaliseTraceRequest } from '../../../extension/server/ingest';
import { createPricer } from '../../../extension/server/pricing';
import { T0_MS, TRACE_ID, bytes, fixture, normaliseJson, oneSpan, otlpJson, otlpSpan } from './otlp-body';

const pricer = createPricer();

function ingestError(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  assert.fail('expected an IngestError');
}

/** Renames every lowerCamelCase key of an OTLP/JSON body to its proto (snake_case) name. */
function toSnakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCase);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const keep = k === 'key'; // attribute keys are data, not field names
    out[keep ? k : k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = keep ? v : toSnakeCase(v);
  }
  return out;
}

describe('decodeTraceRequest: content types', () => {
  const body = bytes(otlpJson([{ name: 'a' }]));

  it('accepts application/json with parameters such as charset', () => {
    assert.equal(decodeTraceRequest(body, 'Application/JSON; charset=utf-8').resourceSpans[0].scopeSpans[0].spans[0].name, 'a');
  });

  it('refuses other media types with 415, naming what was sent and what is accepted', () => {
    const e = ingestError(() => decodeTraceRequest(body, 'text/plain'));
    assert.equal(e.status, 415);
    assert.equal(e.message, 'unsupported media type: got Content-Type "text/plain"; send OTLP as application/json or application/x-protobuf');
  });

  it('refuses a request without Content-Type with 415', () => {
    const e = ingestError(() => decodeTraceRequest(body, ''));
    assert.equal(e.status, 415);
    assert.match(e.message, /got no Content-Type/);
  });
});

describe('OTLP/JSON decoding', () => {
  it('reads snake_case proto field names exactly like the lowerCamelCase of the spec', () => {
    const camel = JSON.parse(Buffer.from(fixture('genai-current.json')).toString());
    const snake = toSnakeCase(camel);
    assert.ok(JSON.stringify(snake).includes('"resource_spans"') && JSON.stringify(snake).includes('"string_value"'));
    const fromCamel = normaliseJson(camel).spans;
    const fromSnake = normaliseJson(snake).spans;
    assert.equal(fromSnake.length, 6);
    assert.deepEqual(fromSnake, fromCamel);
  });

  it('lower-cases hex ids', () => {
    const span = normaliseJson(otlpJson([{ traceId: TRACE_ID.toUpperCase(), spanId: 'ABCDEF0123456789', parentSpanId: '0000000000000ABC' }])).spans[0];
    assert.equal(span.trace_id, TRACE_ID);
    assert.equal(span.span_id, 'abcdef0123456789');
    assert.equal(span.parent_span_id, '0000000000000abc');
  });

  it('accepts base64 ids, which cannot be mistaken for hex because their length differs', () => {
    const traceBytes = Buffer.from(TRACE_ID, 'hex');
    const spanBytes = Buffer.from('00f067aa0ba902b7', 'hex');
    const body = otlpJson([{ traceId: traceBytes.toString('base64'), spanId: spanBytes.toString('base64'), parentSpanId: spanBytes.toString('base64url').replace(/=+$/, '') }]);
    const span = normaliseJson(body).spans[0];
    assert.equal(span.trace_id, TRACE_ID);
    assert.equal(span.span_id, '00f067aa0ba902b7');
    assert.equal(span.parent_span_id, '00f067aa0ba902b7');
  });

  it('reads enums given by name or by number', () => {
    const [byName, byNumber] = normaliseJson(
      otlpJson([
        { kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR', message: 'boom' } },
        { kind: 3, status: { code: 2, message: 'boom' } },
      ]),
    ).spans;
    for (const span of [byName, byNumber]) {
      assert.equal(span.status, 'error');
      assert.equal(span.status_message, 'boom');
    }
  });

  it('reads 64-bit times given as strings or numbers into epoch milliseconds', () => {
    const body = otlpJson([{}]);
    const span = (body.resourceSpans as any)[0].scopeSpans[0].spans[0];
    span.startTimeUnixNano = '1757000000123456789';
    span.endTimeUnixNano = 1757000001e9;
    const [s] = normaliseJson(body).spans;
    assert.equal(s.start_time, 1757000000123.456789);
    assert.equal(s.end_time, 1757000001000);
    assert.equal(s.duration_ms, s.end_time - s.start_time);
  });

  it('turns every kind of AnyValue into plain JSON', () => {
    const body = otlpJson([{}]);
    (body.resourceSpans as any)[0].scopeSpans[0].spans[0].attributes = [
      { key: 's', value: { stringValue: 'text' } },
      { key: 'b', value: { boolValue: true } },
      { key: 'i', value: { intValue: '42' } },
      { key: 'i_number', value: { intValue: 42 } },
      { key: 'i_huge', value: { intValue: '9223372036854775807' } },
      { key: 'd', value: { doubleValue: 0.25 } },
      { key: 'd_text', value: { doubleValue: '1.5' } },
      { key: 'd_nan', value: { doubleValue: 'NaN' } },
      { key: 'bytes', value: { bytesValue: 'AQID' } },
      { key: 'array', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '1' }] } } },
      { key: 'kvlist', value: { kvlistValue: { values: [{ key: 'nested', value: { arrayValue: { values: [] } } }] } } },
      { key: 'empty', value: {} },
      { key: 'missing' },
    ];
    assert.deepEqual(normaliseJson(body).spans[0].attributes, {
      s: 'text',
      b: true,
      i: 42,
      i_number: 42,
      i_huge: '9223372036854775807',
      d: 0.25,
      d_text: 1.5,
      d_nan: 'NaN',
      bytes: 'AQID',
      array: ['x', 1],
      kvlist: { nested: [] },
      empty: null,
      missing: null,
      'otel.scope.name': 'test',
      'otel.scope.version': '1',
    });
  });

  it('keeps an attribute whose AnyValue has an unexpected shape instead of dropping the span', () => {
    const body = otlpJson([{}]);
    (body.resourceSpans as any)[0].scopeSpans[0].spans[0].attributes = [
      { key: 'wrong', value: { stringValue: 5 } },
      { key: 'bare', value: 'not an AnyValue' },
      { value: { stringValue: 'entry without key' } },
    ];
    const { spans, rejectedSpans } = normaliseJson(body);
    assert.equal(rejectedSpans, 0);
    assert.equal(spans[0].attributes.wrong, 5);
    assert.equal(spans[0].attributes.bare, 'not an AnyValue');
  });

  it('keeps huge numbers exactly as attributes but never takes them as token counts or costs', () => {
    const body = bytes(otlpJson([{}])).toString().replace('"attributes":[]', '"attributes":[' +
      '{"key":"gen_ai.usage.input_tokens","value":{"intValue":"99999999999999999999"}},' +
      '{"key":"gen_ai.usage.output_tokens","value":{"intValue":1e400}},' +
      '{"key":"llm.cost.total","value":{"doubleValue":1e400}},' +
      '{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}}]');
    const [span] = normaliseJson(body).spans;
    assert.equal(span.attributes['gen_ai.usage.input_tokens'], '99999999999999999999');
    assert.equal(span.attributes['llm.cost.total'], 'Infinity', 'as proto3 JSON spells it; a number would be lost as null');
    assert.deepEqual([span.input_tokens, span.output_tokens, span.cost_usd, span.cost_source], [null, null, null, null]);
  });

  it('keeps an attribute named __proto__ as an ordinary attribute', () => {
    const body = otlpJson([{}]);
    (body.resourceSpans as any)[0].scopeSpans[0].spans[0].attributes = [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'gen_ai.request.model', value: { stringValue: 'injected' } }] } } }];
    const [span] = normaliseJson(body).spans;
    assert.equal(span.model, null);
    assert.equal(Object.getPrototypeOf(span.attributes), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(span.attributes, '__proto__')?.value, { 'gen_ai.request.model': 'injected' });
  });

  it('reads the deprecated instrumentationLibrarySpans of old exporters', () => {
    const body = { resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old-lib' }, spans: [otlpSpan({ name: 'old' })] }] }] };
    const [span] = normaliseJson(body).spans;
    assert.equal(span.name, 'old');
    assert.equal(span.attributes['otel.scope.name'], 'old-lib');
  });

  it('reads an empty request as no spans', () => {
    assert.equal(normaliseJson({}).spans.length, 0);
    assert.equal(normaliseJson({ resourceSpans: [] }).spans.length, 0);
  });

  it('keeps resource attributes apart from span attributes and takes service_name from service.name', () => {
    const span = oneSpan({ 'span.attr': 1 });
    assert.deepEqual(span.resource, { 'service.name': 'test-service' });
    assert.equal(span.service_name, 'test-service');
    assert.equal(span.attributes['service.name'], undefined);
  });
});

describe('malformed OTLP/JSON bodies', () => {
  const cases: Array<[string, string | Uint8Array, RegExp]> = [
    ['an empty body', '', /^body is empty: expected an OTLP ExportTraceServiceRequest JSON object/],
    ['text that is not JSON', '{"resourceSpans": [', /^body is not valid JSON \(.+\): send an OTLP ExportTraceServiceRequest as JSON$/],
    ['a JSON array', '[]', /^body: expected an OTLP ExportTraceServiceRequest object .*, got an array$/],
    ['a JSON string', '"spans"', /^body: expected .*, got a string \("spans"\)$/],
    ['a simple-form span sent to the OTLP endpoint', '{"name":"x","model":"gpt-4o"}', /^body has no resourceSpans: .*POST \/api\/v1\/spans\)$/],
    ['resourceSpans of the wrong type', '{"resourceSpans":{}}', /^resourceSpans: expected an array, got an object$/],
    ['a resourceSpans entry that is not an object', '{"resourceSpans":[7]}', /^resourceSpans\[0\]: expected an object, got number 7$/],
    ['scopeSpans of the wrong type', '{"resourceSpans":[{"scopeSpans":"x"}]}', /^resourceSpans\[0\]\.scopeSpans: expected an array, got a string \("x"\)$/],
    ['resource attributes of the wrong type', '{"resourceSpans":[{"resource":{"attributes":{"a":1}}}]}', /^resourceSpans\[0\]\.resource\.attributes: expected an array, got an object$/],
    ['spans of the wrong type', '{"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]}', /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans: expected an array, got an object$/],
  ];
  for (const [what, body, message] of cases) {
    it(`refuses ${what} with a 400 naming the problem`, () => {
      const e = ingestError(() => decodeTraceRequest(typeof body === 'string' ? bytes(body) : body, 'application/json'));
      assert.equal(e.status, 400);
      assert.match(e.message, message);
      assert.ok(!e.message.includes('\n'), 'one line');
    });
  }

  it('refuses absurdly deep nesting with a 400 instead of crashing', () => {
    let value = '{"stringValue":"leaf"}';
    for (let i = 0; i < 20000; i++) value = `{"arrayValue":{"values":[${value}]}}`;
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"0000000000000001","attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
    const e = ingestError(() => decodeTraceRequest(bytes(body), 'application/json'));
    assert.equal(e.status, 400);
  });
});

describe('partial success: spans that cannot be kept', () => {
  function withSpan(bad: Record<string, unknown>) {
    const body = otlpJson([{ name: 'good before' }, { name: 'bad' }, { name: 'good after' }]);
    const spans = (body.resourceSpans as any)[0].scopeSpans[0].spans;
    Object.assign(spans[1], bad);
    for (const [k, v] of Object.entries(bad)) if (v === undefined) delete spans[1][k];
    return normaliseJson(body);
  }
  const path = 'resourceSpans[0].scopeSpans[0].spans[1]';

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a trace id of the wrong length', { traceId: '0102030405' }, `${path}.traceId: expected 16 bytes, got 5`],
    ['an all-zero trace id', { traceId: '0'.repeat(32) }, `${path}.traceId: is all zeros, which OTLP defines as an invalid id`],
    ['a missing trace id', { traceId: undefined }, `${path}.traceId: missing: expected 16 bytes as 32 hex characters`],
    ['a trace id that is not hex', { traceId: 'z'.repeat(32) }, `${path}.traceId: expected 32 hex characters, got "${'z'.repeat(32)}"`],
    ['a trace id that is a number', { traceId: 12 }, `${path}.traceId: expected 32 hex characters, got 12`],
    ['an all-zero span id', { spanId: '0000000000000000' }, `${path}.spanId: is all zeros, which OTLP defines as an invalid id`],
    ['a span id of the wrong length', { spanId: 'abcd' }, `${path}.spanId: expected 8 bytes, got 2`],
    ['a parent span id of the wrong length', { parentSpanId: 'abcdef' }, `${path}.parentSpanId: expected 8 bytes, got 3`],
    ['a name that is not a string', { name: 5 }, `${path}.name: expected a string, got number 5`],
    ['attributes that are not a list', { attributes: { a: 1 } }, `${path}.attributes: expected an array of {key, value}, got an object`],
    ['events that are not a list', { events: 'boom' }, `${path}.events: expected an array, got a string ("boom")`],
    ['a start time that is not a number', { startTimeUnixNano: 'yesterday' }, `${path}.startTimeUnixNano: expected nanoseconds since the epoch as a decimal string, got "yesterday"`],
    ['a start time beyond 64 bits', { startTimeUnixNano: '99999999999999999999999' }, `${path}.startTimeUnixNano: "99999999999999999999999" is out of range for a 64-bit nanosecond time`],
    ['a negative end time', { endTimeUnixNano: -5 }, `${path}.endTimeUnixNano: expected nanoseconds since the epoch, got -5`],
  ];
  for (const [what, bad, message] of cases) {
    it(`rejects a span with ${what}, names it, and keeps the others`, () => {
      const result = withSpan(bad);
      assert.equal(result.rejectedSpans, 1);
      assert.equal(result.errorMessage, message);
      assert.deepEqual(result.spans.map((s) => s.name), ['good before', 'good after']);
    });
  }

  it('reads an all-zero parent span id as a root span', () => {
    const result = withSpan({ parentSpanId: '0000000000000000' });
    assert.equal(result.rejectedSpans, 0);
    assert.equal(result.spans[1].parent_span_id, null);
  });

  it('counts every rejected span and names the first', () => {
    const body = otlpJson([{ traceId: 'ab' }, { spanId: 'cd' }, { traceId: 'ef' }, { name: 'kept' }]);
    const result = normaliseJson(body);
    assert.equal(result.rejectedSpans, 3);
    assert.equal(result.errorMessage, 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 1 (and 2 more rejected spans)');
    assert.deepEqual(result.spans.map((s) => s.name), ['kept']);
  });

  it('rejects a span entry that is not an object', () => {
    const body = otlpJson([{ name: 'kept' }]);
    (body.resourceSpans as any)[0].scopeSpans[0].spans.push('oops');
    const result = normaliseTraceRequest(decodeTraceRequest(bytes(body), 'application/json'), pricer);
    assert.equal(result.rejectedSpans, 1);
    assert.equal(result.errorMessage, 'resourceSpans[0].scopeSpans[0].spans[1]: expected a span object, got a string ("oops")');
  });
});

describe('span times', () => {
  it('keeps a span without an end time, with duration 0, and says so', () => {
    const body = otlpJson([{}]);
    delete (body.resourceSpans as any)[0].scopeSpans[0].spans[0].endTimeUnixNano;
    const [span] = normaliseJson(body).spans;
    assert.equal(span.start_time, T0_MS);
    assert.equal(span.end_time, T0_MS);
    assert.equal(span.duration_ms, 0);
    assert.equal(span.attributes['stacklens.ingest.warning'], 'span had no end time; duration set to 0');
  });

  it('sets the end of a span that ends before it starts to its start and says by how much', () => {
    const body = otlpJson([{ start: 50 }]);
    (body.resourceSpans as any)[0].scopeSpans[0].spans[0].endTimeUnixNano = String(1757000000000000000n + 20_000_000n);
    const [span] = normaliseJson(body).spans;
    assert.equal(span.start_time, T0_MS + 50);
    assert.equal(span.end_time, T0_MS + 50);
    assert.equal(span.duration_ms, 0);
    assert.equal(span.attributes['stacklens.ingest.warning'], 'span ended 30.000 ms before it started; end set to start, duration 0');
  });

  it('uses the end time as start when only the start is missing', () => {
    const body = otlpJson([{ durationMs: 100 }]);
    delete (body.resourceSpans as any)[0].scopeSpans[0].spans[0].startTimeUnixNano;
    const [span] = normaliseJson(body).spans;
    assert.equal(span.start_time, T0_MS + 100);
    assert.equal(span.duration_ms, 0);
  });

  it('uses the time of receipt when a span has no times at all', () => {
    const body = otlpJson([{}]);
    const s = (body.resourceSpans as any)[0].scopeSpans[0].spans[0];
    s.startTimeUnixNano = '0';
    delete s.endTimeUnixNano;
    const before = Date.now();
    const [span] = normaliseJson(body).spans;
    assert.ok(span.start_time >= before && span.start_time <= Date.now());
    assert.equal(span.attributes['stacklens.ingest.warning'], 'span had no start or end time; the time it was received is used');
  });
});

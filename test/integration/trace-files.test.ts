// Trace files over real loopback HTTP: traces stored by one collector are exported, imported into
// a second collector (own data folder, own store) and read back byte for byte.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startCollector, type Collector } from '../../extension/server/collector';
import { readTraceFile } from '../../extension/server/trace-files';

const FIXTURES = path.resolve(__dirname, '../fixtures/otlp');
const TRACE = 'c0ffee'.padEnd(32, '1');
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

async function call(c: Collector, method: string, route: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(c.url + route, { method, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body), headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json', ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const post = (c: Collector, route: string, body: unknown) => call(c, 'POST', route, JSON.stringify(body));

/** Simple-form spans of one agent run with awkward content, and scores with reasons. */
function sdkTrace() {
  const start = 1_760_000_000_000.25;
  const big = 'x'.repeat(1024 * 1024 - 7) + ' ünï 🚀';
  return [
    { trace_id: TRACE, span_id: hex(1, 16), name: 'agent run — 東京', kind: 'agent', start_time: start, duration_ms: 900.5, tags: ['prod', 'ünïcode'], session_id: 's-1', user_id: 'u-1', service_name: 'svc', attributes: { 'app.flag': true, nested: { a: [1, 'b', null] }, 'big.int': '9007199254740993' } },
    { trace_id: TRACE, span_id: hex(2, 16), parent_span_id: hex(1, 16), name: 'chat', model: 'gpt-4o', provider: 'openai', input_tokens: 1200, output_tokens: 30, cache_read_tokens: 200, start_time: start + 1.000001, duration_ms: 500.123456, prompt: '  leading and trailing whitespace \n\t\r\n', completion: '<script>alert("xss")</script><img src=x onerror=alert(1)>', code_file: 'src/agent.ts', code_line: 42, code_function: 'plan', finish_reason: 'stop', temperature: 0.2 },
    { trace_id: TRACE, span_id: hex(3, 16), parent_span_id: hex(1, 16), name: 'big call', model: 'claude-sonnet-4-5', provider: 'anthropic', input_tokens: 10, output_tokens: 5, cost_usd: 0.0123, prompt: big, completion: '{"role": "assistant", "content": "json-looking text"}', start_time: start + 600, duration_ms: 250, status: 'error', status_message: 'rate limited: try later', events: [{ name: 'retry', time: start + 700.5, attributes: { attempt: 2 } }] },
    { trace_id: TRACE, span_id: hex(4, 16), parent_span_id: hex(2, 16), name: 'local model', model: 'my-finetune-without-a-price', input_tokens: 3, output_tokens: 4, start_time: start + 2, duration_ms: 1 },
  ];
}

describe('trace files: export from one collector, import into another', function () {
  this.timeout(60_000);
  let a: Collector;
  let b: Collector;
  const traceIds: string[] = [];

  before(async () => {
    const dir = () => mkdtempSync(path.join(os.tmpdir(), 'stacklens-trace-files-'));
    a = await startCollector({ port: 0, dataDir: dir(), token: 'token-a' });
    b = await startCollector({ port: 0, dataDir: dir(), token: 'token-b' });
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
      const res = await call(a, 'POST', '/v1/traces', readFileSync(path.join(FIXTURES, file)));
      assert.equal(res.status, 200, `${file}: ${res.text}`);
    }
    assert.equal((await post(a, '/api/v1/spans', { spans: sdkTrace() })).status, 200);
    assert.equal((await post(a, '/api/v1/scores', { trace_id: TRACE, span_id: hex(2, 16), name: 'helpfulness', value: 0.75, reason: 'answered, but <b>verbose</b> — «ünï»' })).status, 200);
    assert.equal((await post(a, '/api/v1/scores', { trace_id: TRACE, name: 'overall', value: 1, label: 'pass' })).status, 200);
    const list = JSON.parse((await call(a, 'GET', '/api/v1/traces?limit=1000')).text) as { traces: Array<{ trace_id: string }> };
    traceIds.push(...list.traces.map((t) => t.trace_id));
    assert.ok(traceIds.length >= 7, `every fixture's traces and the SDK trace are stored (${traceIds.length})`);
  });

  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('exports one trace as an attachment named after it, an OTLP request with the stacklens header', async () => {
    const res = await call(a, 'GET', `/api/v1/traces/${TRACE}/export`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="agent-run-c0ffee11.stacklens.json"`);
    const file = JSON.parse(res.text);
    assert.equal(file.stacklens.format, 1);
    assert.match(file.stacklens.exporter, /^stacklens \d+\.\d+\.\d+/);
    assert.ok(!Number.isNaN(Date.parse(file.stacklens.exported_at)));
    assert.deepEqual(file.stacklens.traces.map((t: any) => [t.trace_id, t.name, t.span_count]), [[TRACE, 'agent run — 東京', 4]]);
    assert.deepEqual(file.stacklens.scores.map((s: any) => [s.name, s.reason]), [['helpfulness', 'answered, but <b>verbose</b> — «ünï»'], ['overall', null]]);
    const spans = file.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans));
    const chat = spans.find((s: any) => s.name === 'chat');
    const attr = (k: string) => chat.attributes.find((kv: any) => kv.key === k)?.value;
    assert.deepEqual(attr('gen_ai.request.model'), { stringValue: 'gpt-4o' }, 'other OTLP tools read the model from GenAI attributes');
    assert.deepEqual(attr('output.value'), { stringValue: '<script>alert("xss")</script><img src=x onerror=alert(1)>' });
  });

  it('imports the export of every trace into a second collector, which then answers byte for byte what the first did', async () => {
    const exported = await post(a, '/api/v1/export', { limit: 1000 });
    assert.equal(exported.status, 200, exported.text);
    assert.match(exported.headers.get('content-disposition') ?? '', /^attachment; filename="stacklens-\d+-traces-[\d-]+\.stacklens\.json"$/);
    const imported = await call(b, 'POST', '/api/v1/import', exported.text);
    assert.equal(imported.status, 200, imported.text);
    const answer = JSON.parse(imported.text);
    assert.deepEqual([...answer.traces].sort(), [...traceIds].sort());
    assert.equal(answer.scores, 2 + countOf(exported.text, 'scores', traceIds).otel);
    for (const id of traceIds) {
      const original = (await call(a, 'GET', `/api/v1/traces/${id}`)).text;
      const copy = (await call(b, 'GET', `/api/v1/traces/${id}`)).text;
      sameText(copy, original, `trace ${id}`);
    }
  });

  it('replaces, never duplicates, traces imported again (gzip body)', async () => {
    const exported = await call(a, 'GET', `/api/v1/traces/${TRACE}/export`);
    const before = (await call(b, 'GET', `/api/v1/traces/${TRACE}`)).text;
    const again = await call(b, 'POST', '/api/v1/import', gzipSync(exported.text), { 'content-encoding': 'gzip' });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(JSON.parse(again.text), { traces: [TRACE], spans: 4, scores: 2 });
    sameText((await call(b, 'GET', `/api/v1/traces/${TRACE}`)).text, before, 'after a second import');
    const all = JSON.parse((await call(b, 'GET', '/api/v1/traces?limit=1000')).text).traces;
    assert.equal(all.length, traceIds.length);
  });

  it('reads a file without any collector exactly as the collector that exported it shows the traces', async () => {
    const exported = await post(a, '/api/v1/export', { trace_ids: traceIds });
    const details = readTraceFile(exported.text);
    assert.equal(details.length, traceIds.length);
    for (const detail of details) {
      const original = (await call(a, 'GET', `/api/v1/traces/${detail.trace.trace_id}`)).text;
      sameText(JSON.stringify(detail), original, detail.trace.trace_id);
    }
  });

  it('exports and imports with the CLI against running collectors', async () => {
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../extension/server/cli.ts'), ...args], { env: { ...process.env, STACKLENS_API_KEY: '' } });
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'stacklens-cli-')), 'run.stacklens.json');
    await cli('export', TRACE, '--url', a.url, '--token', a.token, '-o', out);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).stacklens.traces[0].trace_id, TRACE);
    const imported = await cli('import', out, '--url', b.url, '--token', b.token);
    assert.equal(imported.stdout, `${out}: 1 trace(s), 4 span(s), 2 score(s) imported\n`);
    const refused = await cli('import', path.join(FIXTURES, 'stacklens.json'), '--url', b.url, '--token', b.token).catch((err) => err);
    assert.match(refused.stderr, /stacklens\.json: the collector at .* refused: stacklens: missing: this is not a \.stacklens\.json trace file/);
  });

  it('refuses a bad file with a 400 that names where it is wrong, and stores nothing of it', async () => {
    const file = JSON.parse((await call(a, 'GET', `/api/v1/traces/${TRACE}/export`)).text);
    file.stacklens.scores[0].value = 'high';
    file.stacklens.traces[0].trace_id = 'f'.repeat(32);
    const fresh = await post(b, '/api/v1/import', { ...file, stacklens: { ...file.stacklens, traces: [{ ...file.stacklens.traces[0], trace_id: 'e'.repeat(32) }] } });
    assert.equal(fresh.status, 400);
    assert.match(JSON.parse(fresh.text).error, /^stacklens\.scores\[0\]\.value: expected a finite number, got "high"/);
    const noHeader = await post(b, '/api/v1/import', { resourceSpans: [] });
    assert.equal(noHeader.status, 400);
    assert.match(JSON.parse(noHeader.text).error, /stacklens: missing: this is not a \.stacklens\.json trace file/);
    const newer = await post(b, '/api/v1/import', { stacklens: { format: 2, traces: [] }, resourceSpans: [] });
    assert.match(JSON.parse(newer.text).error, /stacklens\.format: expected 1, got 2 \(written by a newer StackLens/);
    assert.equal((await call(b, 'GET', `/api/v1/traces/${'e'.repeat(32)}`)).status, 404);
    const missing = await call(a, 'GET', `/api/v1/traces/${'d'.repeat(32)}/export`);
    assert.equal(missing.status, 404);
    const both = await post(a, '/api/v1/export', { trace_ids: [TRACE], model: 'gpt-4o' });
    assert.match(JSON.parse(both.text).error, /trace_ids and a filter \(model\) do not go together/);
    const badFilter = await post(a, '/api/v1/export', { limit: 5000 });
    assert.match(JSON.parse(badFilter.text).error, /^limit: "5000" must be a whole number from 1 to 1000/);
  });
});

/** Byte-for-byte equality whose failure shows where the texts part, not two megabytes of them. */
function sameText(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  let i = 0;
  while (actual[i] === expected[i]) i++;
  assert.fail(`${what}: differs at character ${i}:\n  got      …${actual.slice(Math.max(0, i - 80), i + 80)}\n  expected …${expected.slice(Math.max(0, i - 80), i + 80)}`);
}

/** Scores the collector made itself from OpenTelemetry/OpenInference evaluations in the fixtures. */
function countOf(text: string, _key: 'scores', _ids: string[]): { otel: number } {
  const scores = JSON.parse(text).stacklens.scores as Array<{ source: string }>;
  return { otel: scores.filter((s) => s.source === 'otel').length };
}

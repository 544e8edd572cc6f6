// Evaluators in the real collector (the CLI process, real store, loopback HTTP): loaded from the
// workspace file, run automatically on new spans and on demand, reloaded when the file changes;
// llm_judge answered by the local fake OpenAI server. Also OpenInference evaluation attributes.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCollector, tempDir, type RunningCollector } from '../support/collector';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const EVALS = {
  evals: [
    { name: 'says-paris', type: 'contains', value: 'Paris', match: { name: 'answer*' } },
    { name: 'fast', type: 'max_latency_ms', max: 1000 },
    { name: 'polite', type: 'llm_judge', rubric: 'Is the answer polite?', match: { file: 'src/agent.ts', line: 12 } },
    { name: 'broken', type: 'regexx', pattern: 'x' },
  ],
};

describe('evaluators in the collector', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let fake: FakeOpenAI;
  let evalsFile: string;
  const judgeCalls = () => fake.requests.filter((r) => r.path === '/v1/chat/completions').length;

  before(async () => {
    fake = await startFakeOpenAI({ chat: () => ({ content: '{"score": 0.9, "reason": "Courteous and clear."}' }) });
    const workspace = tempDir('stacklens-ws-');
    evalsFile = path.join(workspace, 'evals.json');
    writeFileSync(evalsFile, JSON.stringify(EVALS));
    c = await startCollector({ extraArgs: ['--evals', evalsFile, '--judge-url', fake.baseURL, '--judge-model', 'judge-model'] });
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
    await fake.close();
  });

  const TRACE = hex(0xe1, 32);
  const ANSWER = hex(1, 16);

  async function scoresOf(traceId: string) {
    const res = await c.request('GET', `/api/v1/traces/${traceId}`);
    return res.status === 200 ? (res.body.scores as Array<Record<string, any>>) : [];
  }

  it('loads the evaluators and names the skipped entry by its path', async () => {
    const res = await c.request('GET', '/api/v1/evals');
    assert.equal(res.status, 200);
    assert.equal(res.body.file, evalsFile);
    assert.deepEqual(res.body.evaluators.map((e: { name: string }) => e.name), ['says-paris', 'fast', 'polite']);
    assert.equal(res.body.judge, true);
    assert.match(res.body.problems[0], /^evals\[3\]\.type: "regexx" is not one of contains, not_contains, regex/);
    assert.match(c.output(), /evals\[3\]\.type: "regexx"/, 'the problem is also logged');
  });

  it('scores a new matching span automatically, after acknowledging the ingest', async () => {
    const res = await c.request('POST', '/api/v1/spans', {
      trace_id: TRACE, span_id: ANSWER, name: 'answer-question', model: 'gpt-4o', completion: 'Bonjour! The capital is Paris.', duration_ms: 400,
      code_file: '/home/dev/app/src/agent.ts', code_line: 12,
    });
    assert.equal(res.status, 200);
    const scores = await until('three eval scores', async () => {
      const s = await scoresOf(TRACE);
      return s.length === 3 && s;
    });
    const byName = Object.fromEntries(scores.map((s) => [s.name, s]));
    assert.deepEqual(
      Object.keys(byName).sort(),
      ['fast', 'polite', 'says-paris'],
    );
    for (const s of scores) {
      assert.equal(s.source, 'eval');
      assert.equal(s.span_id, ANSWER);
      assert.equal(s.score_id, `eval:${TRACE}:${ANSWER}:${s.name}`);
    }
    assert.deepEqual([byName['says-paris'].value, byName['says-paris'].label, byName['says-paris'].reason], [1, 'pass', 'output contains "Paris"']);
    assert.deepEqual([byName.fast.value, byName.fast.label, byName.fast.reason], [1, 'pass', 'took 400 ms, within the 1000 ms limit']);
    assert.deepEqual([byName.polite.value, byName.polite.label, byName.polite.reason], [0.9, 'pass', 'Courteous and clear. (judge score 0.9, threshold 0.5)']);
    assert.equal(judgeCalls(), 1);
    const prompt = fake.requests[0].body.messages[0].content as string;
    assert.match(prompt, /Bonjour! The capital is Paris\./, 'the judge grades the span output');
  });

  it('does not score the same span with the same evaluator twice automatically', async () => {
    // a later span of the same trace announces the trace again
    await c.request('POST', '/api/v1/spans', { trace_id: TRACE, span_id: hex(2, 16), parent_span_id: ANSWER, name: 'slow-lookup', model: 'gpt-4o-mini', completion: 'Lyon', duration_ms: 1500 });
    const scores = await until('the new span\'s score', async () => {
      const s = await scoresOf(TRACE);
      return s.some((x) => x.span_id === hex(2, 16)) && s;
    });
    assert.deepEqual(scores.filter((s) => s.span_id === hex(2, 16)).map((s) => [s.name, s.label, s.reason]), [['fast', 'fail', 'took 1500 ms, over the 1000 ms limit']]);
    const sql = await c.request('POST', '/api/v1/sql', { sql: `SELECT name, COUNT(*) FROM scores WHERE span_id = '${ANSWER}' GROUP BY name ORDER BY name` });
    assert.deepEqual(sql.body.rows, [['fast', 1], ['polite', 1], ['says-paris', 1]]);
    assert.equal(judgeCalls(), 1, 'the judge was not asked again');
  });

  it('runs every matching evaluator on demand and answers the scores, replacing earlier verdicts', async () => {
    const res = await c.request('POST', `/api/v1/traces/${TRACE}/evals`);
    assert.equal(res.status, 200);
    assert.equal(res.body.trace_id, TRACE);
    assert.equal(res.body.evaluators, 3);
    assert.deepEqual(
      res.body.scores.map((s: Record<string, unknown>) => `${s.span_id}:${s.name}:${s.label}`).sort(),
      [`${ANSWER}:fast:pass`, `${ANSWER}:polite:pass`, `${ANSWER}:says-paris:pass`, `${hex(2, 16)}:fast:fail`].sort(),
    );
    assert.deepEqual(res.body.errors, []);
    assert.equal(judgeCalls(), 2, 'on demand asks the judge again');
    assert.equal((await scoresOf(TRACE)).length, 4, 'the same four verdicts, not eight');
  });

  it('sums eval scores per call site in a window, for the CodeLens pass rate and trend', async () => {
    const res = await c.request('GET', `/api/v1/evals/callsites?since=1h&file=${encodeURIComponent('/home/dev/app/src/agent.ts')}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.callsites.length, 1);
    const site = res.body.callsites[0];
    assert.deepEqual([site.code_file, site.code_line, site.runs, site.pass_rate], ['/home/dev/app/src/agent.ts', 12, 3, 1]);
    assert.ok(Math.abs(site.avg - (1 + 0.9 + 1) / 3) < 1e-12);
    const lastWeek = await c.request('GET', `/api/v1/evals/callsites?since=14d&until=7d`);
    assert.deepEqual(lastWeek.body.callsites, []);
    const wrong = await c.request('GET', '/api/v1/evals/callsites?line=12');
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error, /unknown query parameter "line": this route takes since, until, eval, source, file/);
  });

  it('answers 404 for an unknown trace, 400 for a bad id, 405 for GET', async () => {
    const missing = await c.request('POST', `/api/v1/traces/${hex(0xdead, 32)}/evals`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /^trace 0+dead not found/);
    assert.equal((await c.request('POST', '/api/v1/traces/xyz/evals')).status, 400);
    const get = await c.request('GET', `/api/v1/traces/${TRACE}/evals`);
    assert.equal(get.status, 405);
    assert.match(get.body.error, /use POST/);
  });

  it('reloads the file when it changes, and new spans meet the new evaluator', async () => {
    writeFileSync(evalsFile, JSON.stringify({ evals: [...EVALS.evals.slice(0, 3), { name: 'json-out', type: 'json_valid', match: { name: 'extract', kind: 'tool' } }] }));
    await until('the reloaded evaluators', async () => {
      const res = await c.request('GET', '/api/v1/evals');
      return res.body.evaluators.length === 4 && res.body.problems.length === 0;
    });
    const trace = hex(0xe2, 32);
    await c.request('POST', '/api/v1/spans', { trace_id: trace, name: 'extract', kind: 'tool', completion: '{"city": "Paris"' });
    const scores = await until('the json-out score', async () => {
      const s = await scoresOf(trace);
      return s.length === 1 && s;
    });
    assert.equal(scores[0].name, 'json-out');
    assert.equal(scores[0].label, 'fail');
    assert.match(scores[0].reason, /^output is not valid JSON: /);
  });

  it('keeps the last good evaluators when the file is broken, and says why', async () => {
    writeFileSync(evalsFile, '{"evals": [ {"name": "half-written"');
    const status = await until('the broken-file error', async () => {
      const res = await c.request('GET', '/api/v1/evals');
      return res.body.error && res.body;
    });
    assert.match(status.error, new RegExp(`^${evalsFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: .*; the 4 evaluator\\(s\\) loaded before keep running$`));
    assert.equal(status.evaluators.length, 4);
    const trace = hex(0xe3, 32);
    await c.request('POST', '/api/v1/spans', { trace_id: trace, name: 'answer-2', model: 'gpt-4o', completion: 'Rome', duration_ms: 10 });
    const scores = await until('scores under the kept evaluators', async () => {
      const s = await scoresOf(trace);
      return s.length === 2 && s;
    });
    assert.deepEqual(scores.map((s) => `${s.name}:${s.label}`).sort(), ['fast:pass', 'says-paris:fail']);
  });

  it('stores OpenInference evaluation attributes of OTLP spans as scores', async () => {
    const trace = hex(0xe4, 32);
    const attr = (key: string, value: string | number) => ({ key, value: typeof value === 'number' ? { doubleValue: value } : { stringValue: value } });
    const now = Date.now() * 1e6;
    const res = await c.request('POST', '/v1/traces', {
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'phoenix' }, spans: [{
        traceId: trace, spanId: hex(9, 16), name: 'rag-answer', kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5e6),
        attributes: [
          attr('openinference.span.kind', 'CHAIN'),
          attr('evaluations.0.evaluation.name', 'hallucination'),
          attr('evaluations.0.evaluation.score', 0.25),
          attr('evaluations.0.evaluation.label', 'hallucinated'),
          attr('evaluations.0.evaluation.explanation', 'Cites a page that does not exist.'),
        ],
        status: {},
      }] }] }],
    });
    assert.equal(res.status, 200);
    const scores = await scoresOf(trace);
    assert.deepEqual(scores.map((s) => [s.name, s.value, s.label, s.reason, s.source, s.span_id]), [['hallucination', 0.25, 'hallucinated', 'Cites a page that does not exist.', 'otel', hex(9, 16)]]);
  });
});

describe('evaluators never hold up an ingest', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let silent: Server;
  let asked = 0;

  before(async () => {
    // a judge that takes every request and never answers
    silent = createServer(() => asked++);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const evalsFile = path.join(tempDir('stacklens-ws-'), 'evals.json');
    writeFileSync(evalsFile, JSON.stringify({ evals: [{ name: 'polite', type: 'llm_judge', rubric: 'Polite?' }] }));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`;
    c = await startCollector({ extraArgs: ['--evals', evalsFile, '--judge-url', url, '--judge-model', 'm'] });
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
    silent.closeAllConnections();
    silent.close();
  });

  it('acknowledges spans while their evaluator is still waiting on the judge', async () => {
    for (let i = 1; i <= 3; i++) {
      const started = Date.now();
      const res = await c.request('POST', '/api/v1/spans', { name: `answer-${i}`, model: 'gpt-4o', completion: 'Paris' });
      assert.equal(res.status, 200);
      assert.ok(Date.now() - started < 2000, `ingest ${i} took ${Date.now() - started} ms`);
    }
    await until('the judge to be asked', async () => asked > 0);
  });
});

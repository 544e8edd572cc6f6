// `stacklens eval`, the CI gate: the real dist/cli.js against a real collector (--url) and against
// a data folder no collector serves (--data), checked by exit code and report.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI, startCollector, tempDir, type RunningCollector } from '../support/collector';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

function gate(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'eval', ...args], { env: { ...process.env, STACKLENS_API_KEY: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('stacklens eval (the CI gate)', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  let auth: string[];

  before(async () => {
    c = await startCollector();
    auth = ['--url', c.url, '--token', c.token];
    const trace = hex(0x9a7e, 32);
    await c.request('POST', '/api/v1/spans', { trace_id: trace, span_id: hex(1, 16), name: 'answer', model: 'gpt-4o' });
    // three passing "fast" verdicts and one failing "says-paris": average 0.75, pass rate 75%
    for (const [name, value, label] of [['fast', 1, 'pass'], ['fast', 1, 'pass'], ['fast', 1, 'pass'], ['says-paris', 0, 'fail']] as const) {
      const res = await c.request('POST', '/api/v1/scores', { trace_id: trace, span_id: hex(1, 16), name, value, label, source: 'eval', reason: 'test verdict' });
      assert.equal(res.status, 200);
    }
    // a score from another source does not count by default
    await c.request('POST', '/api/v1/scores', { trace_id: trace, name: 'thumbs', value: 0, source: 'human' });
  });
  after(async () => {
    if (c.process.exitCode === null) await c.stop();
  });

  it('exits 0 when the average reaches --min-score, printing a per-evaluator table', async () => {
    const r = await gate(['--min-score', '0.75', ...auth]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'Eval scores in the last 7d (sources: eval)',
        '',
        'evaluator   runs    avg  pass rate',
        'fast           3  1.000     100.0%',
        'says-paris     1  0.000       0.0%  below',
        'overall        4  0.750      75.0%',
        '',
        'PASS: average score 0.750 ≥ minimum 0.750',
        '',
      ].join('\n'),
    );
  });

  it('exits 1 when the average falls short, saying by how much', async () => {
    const r = await gate(['--min-score', '0.8', '--since', '24h', ...auth]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Eval scores in the last 24h /);
    assert.match(r.stdout, /FAIL: average score 0\.750 is 0\.050 below the minimum 0\.800\n$/);
  });

  it('gates on one evaluator with --eval, and on other sources with --source', async () => {
    assert.equal((await gate(['--min-score', '0.9', '--eval', 'fast', ...auth])).code, 0);
    assert.equal((await gate(['--min-score', '0.1', '--eval', 'says-paris', ...auth])).code, 1);
    const human = await gate(['--min-score', '0.5', '--source', 'human', ...auth]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /thumbs\s+1\s+0\.000\s+-\s+below/);
  });

  it('prints the summary as JSON with --json', async () => {
    const r = await gate(['--min-score', '0.8', '--json', ...auth]);
    assert.equal(r.code, 1);
    const body = JSON.parse(r.stdout);
    assert.deepEqual(body.overall, { runs: 4, avg: 0.75, pass_rate: 0.75 });
    assert.deepEqual([body.min_score, body.exit_code], [0.8, 1]);
  });

  it('exits 2 when there are no scores to judge: an empty window proves nothing', async () => {
    const r = await gate(['--min-score', '0.5', '--eval', 'never-ran', ...auth]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^no eval scores in the last 7d for evaluator "never-ran" \(sources: eval\): nothing to gate on/);
    const future = await gate(['--min-score', '0.5', '--since', new Date(Date.now() + 3_600_000).toISOString(), ...auth]);
    assert.equal(future.code, 2);
  });

  it('exits 2 on usage errors, naming the problem', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[...auth], /--min-score is required/],
      [['--min-score', 'high', ...auth], /--min-score: "high" is not a non-negative number/],
      [['--min-score', '0.5', '--since', 'last week', ...auth], /--since: "last week" is not a time/],
      [['--min-score', '0.5', '--source', 'robots', ...auth], /--source: "robots" must be a comma list of sdk, api, otel, eval, human/],
      [['--min-score', '0.5', '--minscore', '1'], /unknown option --minscore/],
    ];
    for (const [args, message] of cases) {
      const r = await gate(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('exits 2 when no collector answers at --url', async () => {
    const r = await gate(['--min-score', '0.5', '--url', 'http://127.0.0.1:9', '--token', 't']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^stacklens eval: no collector answers at http:\/\/127\.0\.0\.1:9/);
  });

  it('reads the data folder directly when no collector serves it', async () => {
    assert.equal(await c.stop(), 0);
    const r = await gate(['--min-score', '0.7', '--data', c.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /overall\s+4\s+0\.750\s+75\.0%/);
    const empty = await gate(['--min-score', '0.7', '--data', tempDir()]);
    assert.equal(empty.code, 2);
  });
});

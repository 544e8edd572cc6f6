// The Python SDK (sdk/python, standard library only) is tested by its own unittest suite, run
// here against the real collector: this file starts the collector, hands its URL, token and
// prompts folder to `python3 -m unittest discover` through the environment, relays the output
// as it comes, and fails unless every test ran and passed (an empty or shrunken suite fails too).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startCollector, tempDir, type RunningCollector } from '../support/collector';

const ROOT = path.resolve(__dirname, '../..');
const TESTS = path.join(ROOT, 'sdk/python/tests');
/** tests in sdk/python/tests when this file was written: the suite never runs fewer */
const WRITTEN = 78;

function testsDefined(): number {
  let count = 0;
  for (const file of readdirSync(TESTS)) {
    if (!/^test_.*\.py$/.test(file)) continue;
    count += (readFileSync(path.join(TESTS, file), 'utf8').match(/^[ \t]+(?:async[ \t]+)?def test_/gm) ?? []).length;
  }
  return count;
}

interface Run {
  code: number | null;
  output: string;
}

function runSuite(env: NodeJS.ProcessEnv, onSpawn: (kill: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'unittest', 'discover', '-s', 'sdk/python/tests', '-v'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn(() => child.kill('SIGKILL'));
    let output = '';
    let relayed = 0; // output up to here is on the screen: whole lines only, so prefixes stay at line starts
    const relay = (chunk: Buffer) => {
      output += chunk;
      const end = output.lastIndexOf('\n') + 1;
      if (end > relayed) {
        process.stderr.write(output.slice(relayed, end).replace(/^/gm, '    [python] ').replace(/ {4}\[python\] $/, ''));
        relayed = end;
      }
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', (error) => reject(new Error(`could not start python3 (${error.message}); the Python SDK needs Python 3.9 or later on PATH`)));
    child.on('close', (code) => {
      if (output.length > relayed) process.stderr.write(`    [python] ${output.slice(relayed)}\n`);
      resolve({ code, output });
    });
  });
}

describe('Python SDK (sdk/python) against the real collector', function () {
  this.timeout(180_000);
  let collector: RunningCollector;
  let kill: (() => void) | null = null;
  const promptsDir = tempDir('stacklens-python-prompts-');

  before(async function () {
    this.timeout(30_000);
    collector = await startCollector({ token: 'sl-xxxx', promptsDir }); // seed 001's key: its samples run as written
  });
  after(async () => {
    kill?.();
    await collector?.stop();
    for (const dir of [promptsDir, collector?.dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes every test of sdk/python/tests with none skipped', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.STACKLENS_ENDPOINT; // a VS Code terminal's own collector must not receive test spans
    delete env.STACKLENS_API_KEY;
    Object.assign(env, {
      STACKLENS_TEST_ENDPOINT: collector.url,
      STACKLENS_TEST_API_KEY: collector.token,
      STACKLENS_TEST_PROMPTS_DIR: promptsDir,
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
    });
    const run = await runSuite(env, (k) => (kill = k));
    kill = null;
    const tail = run.output.split('\n').slice(-40).join('\n');
    assert.equal(run.code, 0, `python3 -m unittest exited with ${run.code}:\n${tail}`);
    const ran = /^Ran (\d+) tests? in /m.exec(run.output);
    assert.ok(ran, `no "Ran N tests" line in the output:\n${tail}`);
    const count = Number(ran[1]);
    assert.ok(count >= WRITTEN, `ran ${count} tests, fewer than the ${WRITTEN} written`);
    assert.ok(count >= testsDefined(), `ran ${count} tests, but sdk/python/tests defines ${testsDefined()}`);
    assert.doesNotMatch(run.output, /skipped=|expected failures=|unexpected successes=/, 'no test may be skipped or expected to fail');
  });
});

// The e2e harness's own rules, checked without a workbench: how in-host output is read and
// echoed, how development paths reach code-server, and that a run's processes all end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { echoLine, formatLogMessage, mochaCounts } from './support/extension-tests';
import { processesOfRun, runEnv, sweepRun, workbenchUrl } from './support/code-server';
import { waitFor } from './support/wait';

describe('the e2e harness', function () {
  it('rewords the in-host tally line so test/run.mjs counts only the outer mocha run', function () {
    const echoed = echoLine('tests: 7 passed, 1 failed, 0 skipped');
    assert.doesNotMatch(echoed, /tests: (\d+) passed, (\d+) failed, (\d+) skipped/);
    assert.match(echoed, /7 tests passed, 1 failed, 0 skipped/);
    assert.equal(echoLine('    ✔ shows the status bar'), '    ✔ shows the status bar');
  });

  it("reads the in-host counts from the reporter's tally line, else from mocha's spec summary", function () {
    assert.deepEqual(mochaCounts(['  3 passing (2s)', '  1 failing', 'tests: 3 passed, 1 failed, 2 skipped']), { passing: 3, failing: 1, pending: 2 });
    assert.deepEqual(mochaCounts(['  12 passing (3s)', '  2 pending']), { passing: 12, failing: 0, pending: 2 });
    assert.deepEqual(mochaCounts(['Extension host agent started.']), { passing: 0, failing: 0, pending: 0 });
  });

  it('formats the console arguments the workbench forwards as console.log would, without colours', function () {
    assert.deepEqual(formatLogMessage(['\u001b[32m %d passing\u001b[0m\u001b[90m (%s)\u001b[0m', 4, '20ms']), [' 4 passing (20ms)']);
    assert.deepEqual(formatLogMessage(['a\nb']), ['a', 'b']);
  });

  it("names payload files as vscode-remote URIs with the page's host and port", function () {
    const url = new URL(workbenchUrl('http://127.0.0.1:4242', '/tmp/w s', [['extensionTestsPath', '/repo/out/index.js']]));
    assert.equal(url.searchParams.get('folder'), '/tmp/w s');
    assert.deepEqual(JSON.parse(url.searchParams.get('payload')!), [['extensionTestsPath', 'vscode-remote://127.0.0.1:4242/repo/out/index.js']]);
  });

  it('ends every process of a run, also one that left the process group (as terminal shells do)', async function () {
    const runId = `harness-${process.pid}`;
    const child = spawn('setsid', ['sleep', '300'], { env: runEnv('/tmp/stacklens-e2e-harness', runId), stdio: 'ignore', detached: true });
    child.unref();
    await waitFor('the marked sleep process to start', 5000, () => processesOfRun(runId).length > 0 || undefined);
    const swept = await sweepRun(runId);
    assert.ok(swept.length >= 1, 'the sweep found the marked process');
    assert.deepEqual(processesOfRun(runId), []);
  });
});

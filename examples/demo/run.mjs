// `npm run demo [-- --port 4318] [-- --runs 3] [-- --data DIR] [-- --once]`
//
// Starts (or reuses) a StackLens collector, starts a local stand-in for the OpenAI API, runs
// the TypeScript support agent in examples/demo/support-agent.ts a few times, checks that its
// traces arrived, and says where to look. The collector keeps running until Ctrl+C (--once:
// stop right away, for scripts and tests).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'dist', 'cli.js');
const outDir = path.join(here, 'out');

function parseOptions(argv) {
  const options = { port: 4318, runs: 3, once: false, data: process.env.STACKLENS_DATA || path.join(os.homedir(), '.stacklens') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--once') options.once = true;
    else if (flag === '--port') options.port = Number(value());
    else if (flag === '--runs') options.runs = Number(value());
    else if (flag === '--data') options.data = path.resolve(value());
    else fail(`unknown option ${flag}; use --port N, --runs N, --data DIR, --once`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) fail('--port needs a port number (0 picks a free one)');
  if (!Number.isInteger(options.runs) || options.runs < 1 || options.runs > 3) fail('--runs takes 1 to 3 (there are three demo tickets)');
  return options;
}

function fail(message) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

/**
 * What answers on the port: a StackLens collector (that takes our token, or not), something
 * else, or nothing.
 */
async function probe(port, token) {
  try {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers, signal: AbortSignal.timeout(5000) });
    if (res.status === 401 && /realm="stacklens"/.test(res.headers.get('www-authenticate') ?? '')) return 'stacklens-locked';
    const body = await res.json().catch(() => null);
    return body?.service === 'stacklens' ? 'stacklens' : 'other';
  } catch (error) {
    return error?.cause?.code === 'ECONNREFUSED' ? 'free' : 'other';
  }
}

function readToken(dataDir) {
  const file = path.join(dataDir, 'token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

/** A collector of our own: `stacklens serve`, its URL read from its first line. */
function startCollector(port, dataDir, promptsDir) {
  if (!existsSync(cli)) fail(`${path.relative(root, cli)} is missing: run \`npm run build\` first (npm run demo does)`);
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--data', dataDir, '--prompts', promptsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output += line + '\n';
      const match = /^StackLens collector listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) resolve({ url: match[1], child, stop: () => stopChild(child) });
    });
    child.once('exit', (code) => reject(new Error(`the collector exited (${code}) before listening:\n${output}`)));
  });
}

function stopChild(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The agent and the fake provider are TypeScript: bundle them (with source maps, for CodeLens). */
async function bundle() {
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };
  await Promise.all([
    build({ ...common, entryPoints: [path.join(here, 'support-agent.ts')], outfile: path.join(outDir, 'support-agent.js'), external: ['openai'] }),
    build({ ...common, entryPoints: [path.join(here, 'fake-openai.ts')], outfile: path.join(outDir, 'fake-openai.js') }),
  ]);
}

function runAgent(env, runs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(outDir, 'support-agent.js'), '--runs', String(runs)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const results = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const result = JSON.parse(line);
        results.push(result);
        process.stdout.write(`  ${result.ticket}: trace ${result.traceId}  (reply graded ${result.score})\n`);
      } catch {
        process.stdout.write(`  agent: ${line}\n`);
      }
    });
    child.once('exit', (code) => (code === 0 ? resolve(results) : reject(new Error(`the support agent exited with ${code}`))));
  });
}

async function fetchTrace(url, token, traceId) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${url}/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.ok) return res.json();
    if (res.status === 401) throw new Error(`the collector at ${url} refused the token: set STACKLENS_API_KEY to its token`);
    if (res.status !== 404 || Date.now() > deadline) throw new Error(`trace ${traceId} did not arrive at ${url} (HTTP ${res.status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const promptsDir = path.join(here, 'prompts');
  let collector;
  let token = process.env.STACKLENS_API_KEY || readToken(options.data);
  const found = options.port === 0 ? 'free' : await probe(options.port, token);
  if (found === 'other') fail(`port ${options.port} is in use by a program that is not a StackLens collector; pick another with --port`);
  if (found === 'stacklens-locked' || (found === 'stacklens' && !token)) {
    fail(`a StackLens collector runs on port ${options.port}, but it does not take ${token ? 'the token we have' : 'requests without its token'}: set STACKLENS_API_KEY (StackLens terminals in VS Code have it), or pass --data with its data folder`);
  }
  if (found === 'stacklens') {
    collector = { url: `http://127.0.0.1:${options.port}`, stop: async () => {} };
    process.stdout.write(`Using the StackLens collector already running at ${collector.url}\n`);
  } else {
    collector = await startCollector(options.port, options.data, promptsDir);
    // as `stacklens serve` chooses it: STACKLENS_API_KEY, else the data folder's (created by now)
    token = process.env.STACKLENS_API_KEY || readToken(options.data);
    process.stdout.write(`Started a StackLens collector at ${collector.url} (data in ${options.data})\n`);
  }

  await bundle();
  const require = createRequire(import.meta.url);
  const { startFakeOpenAI } = require(path.join(outDir, 'fake-openai.js'));
  const provider = await startFakeOpenAI();
  process.stdout.write(`Started a local stand-in for the OpenAI API at ${provider.url}\n\nRunning the support agent on ${options.runs} ticket(s):\n`);

  let results;
  try {
    results = await runAgent({ STACKLENS_ENDPOINT: collector.url, STACKLENS_API_KEY: token, DEMO_OPENAI_BASE_URL: provider.url }, options.runs);
    process.stdout.write('\nWhat arrived:\n');
    for (const { traceId } of results) {
      const { trace } = await fetchTrace(collector.url, token, traceId);
      const cost = trace.total_cost_usd > 0 ? `$${trace.total_cost_usd.toFixed(6)}` : 'unpriced';
      process.stdout.write(`  ${traceId}  ${trace.name}  ${trace.span_count} spans  ${trace.llm_call_count} LLM calls  ${Math.round(trace.duration_ms)} ms  ${cost}  ${trace.status}\n`);
    }
  } catch (error) {
    await provider.close();
    await collector.stop();
    fail(error.message);
  }

  const relativeCli = path.relative(process.cwd(), cli) || cli;
  const tokenHint = process.env.STACKLENS_API_KEY ? '$STACKLENS_API_KEY' : `$(cat ${path.join(options.data, 'token')})`;
  process.stdout.write(
    `\nWhere to look:\n` +
      `  VS Code:  open this folder with the StackLens extension: the traces are in the StackLens view, and\n` +
      `            CodeLens shows runs, latency and cost above the calls in examples/demo/support-agent.ts\n` +
      (options.once
        ? `  Terminal: node ${relativeCli} traces --data ${options.data}   (the collector has stopped: --once)\n`
        : `  Terminal: node ${relativeCli} traces --url ${collector.url}${found === 'stacklens' ? '' : ` --data ${options.data}`}\n` +
          `  HTTP:     curl -H "Authorization: Bearer ${tokenHint}" ${collector.url}/api/v1/traces/${results[0].traceId}\n`),
  );

  if (options.once) {
    await provider.close();
    await collector.stop();
    return;
  }
  process.stdout.write(`\nThe collector keeps running; press Ctrl+C to stop.\n`);
  const stop = async () => {
    await provider.close();
    await collector.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => fail(error.stack ?? String(error)));

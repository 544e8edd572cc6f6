// `stacklens`: the collector without VS Code. `serve` runs it; `traces` lists what it holds.
import os from 'node:os';
import path from 'node:path';
import { startCollector } from './collector';
import { readClaim } from './data-dir';
import { loadOrCreateToken } from './token';
import { parseArgs, UsageError, type ArgSpec } from './cli-args';
import { EVAL_USAGE, runEvalGate } from './evals/gate';
import { formatTraceTable } from './cli-format';
import type { TraceSummary } from './model';
import { VERSION } from './version';
import { parseHeader } from './forward/endpoint';
import { parseCustomPattern } from './privacy';
import { runExport, runImport, TRACE_FILE_USAGE } from './trace-files/cli';
import { newKeyHex, readKeyFile } from './store/key-file';

const USAGE = `stacklens ${VERSION} — local LLM tracing collector

Usage:
  stacklens serve [--port 4318] [--data DIR] [--token T] [--prompts DIR]
                  [--retention-days 7] [--max-spans 200000] [--evals FILE]
                  [--judge-url URL --judge-model M] [--budget-usd N] [--budget-hard]
                  [--budget-warn-pct 80] [--budget-tags tag=USD,tag=USD]
                  [--forward URL [--forward-header NAME=VALUE ...]] [--no-content]
                  [--redact NAME=REGEX ...] [--redact-cards] [--no-default-redaction]
                  [--key-file FILE]
  stacklens traces [--data DIR | --url URL] [--token T] [--limit 20] [--model M]
                   [--status ok|error] [--tag T] [--since 24h] [--q TEXT] [--json]
                   [--key-file FILE]
  stacklens keygen > FILE
${TRACE_FILE_USAGE}
${EVAL_USAGE}

  --port 0 picks a free port. The data folder defaults to $STACKLENS_DATA or ~/.stacklens.
  The token defaults to $STACKLENS_API_KEY, else the one kept in the data folder.
  --evals names the workspace's .stacklens/evals.json; llm_judge evaluators ask the model at
  --judge-url (an OpenAI-compatible base URL such as http://127.0.0.1:11434/v1) with the key in
  $STACKLENS_JUDGE_API_KEY. \`eval\` exits 0 when the average score reaches --min-score, 1 when it
  falls short, 2 on a usage error or when there are no scores to judge.
  --forward sends every stored span on to an OTLP/HTTP endpoint (a base URL gets /v1/traces);
  --no-content keeps metadata only; --redact adds a pattern to the default redaction of API
  keys, tokens and emails (docs/privacy.md). --forward-header and --redact may be repeated.
  --key-file encrypts the store at rest (AES-256-GCM): a new data folder becomes encrypted with
  that key, and an encrypted one opens only with it (traces reading the folder directly needs it
  too). The file holds 32 raw bytes, 64 hex digits or base64 of 32 bytes. \`keygen\` prints a new
  key in hex: create the file readable by you alone, e.g. (umask 077; stacklens keygen > ~/.stacklens.key),
  and keep a copy elsewhere: a lost key means a lost store.`;

const SERVE: ArgSpec = {
  port: 'number', data: 'string', token: 'string', prompts: 'string', 'retention-days': 'number', 'max-spans': 'number',
  evals: 'string', 'judge-url': 'string', 'judge-model': 'string',
  'budget-usd': 'number', 'budget-hard': 'boolean', 'budget-warn-pct': 'number', 'budget-tags': 'string',
  forward: 'string', 'forward-header': 'string', 'no-content': 'boolean', redact: 'string', 'redact-cards': 'boolean', 'no-default-redaction': 'boolean',
  'key-file': 'string',
};
/** flags that may be given more than once: parseArgs keeps one value, so they are taken out first */
const REPEATED = ['forward-header', 'redact'];
const TRACES: ArgSpec = { data: 'string', url: 'string', token: 'string', limit: 'number', model: 'string', status: 'string', tag: 'string', since: 'string', q: 'string', json: 'boolean', 'key-file': 'string' };

/** The store's key from --key-file, if given; a readable-by-others file is worth a warning. */
function encryptionKey(args: ReturnType<typeof parseArgs>): Buffer | undefined {
  const file = args['key-file'] as string | undefined;
  if (file === undefined) return undefined;
  const { key, warning } = readKeyFile(path.resolve(file));
  if (warning) process.stderr.write(`stacklens: warning: ${warning}\n`);
  return key;
}

function defaultDataDir(): string {
  return process.env.STACKLENS_DATA || path.join(os.homedir(), '.stacklens');
}

async function serve(argv: string[]): Promise<void> {
  const repeated = takeRepeated(argv, REPEATED);
  const args = parseArgs(repeated.rest, SERVE);
  const dataDir = path.resolve((args.data as string | undefined) ?? defaultDataDir());
  const collector = await startCollector({
    port: (args.port as number | undefined) ?? 4318,
    dataDir,
    token: (args.token as string | undefined) ?? process.env.STACKLENS_API_KEY,
    promptsDir: args.prompts ? path.resolve(args.prompts as string) : undefined,
    retention: {
      ...(args['retention-days'] !== undefined ? { maxAgeMs: (args['retention-days'] as number) * 86_400_000 } : {}),
      ...(args['max-spans'] !== undefined ? { maxSpans: args['max-spans'] as number } : {}),
    },
    evalsFile: args.evals ? path.resolve(args.evals as string) : undefined,
    judge: judgeEndpoint(args),
    budget: {
      monthlyUsd: (args['budget-usd'] as number | undefined) ?? null,
      hardLimit: args['budget-hard'] === true,
      ...(args['budget-warn-pct'] !== undefined ? { warnAtPct: args['budget-warn-pct'] as number } : {}),
      perTag: tagBudgets(args['budget-tags'] as string | undefined),
    },
    forward: forwardTarget(args.forward as string | undefined, repeated.values['forward-header']),
    captureContent: args['no-content'] !== true,
    redact: { defaults: args['no-default-redaction'] !== true, creditCards: args['redact-cards'] === true, patterns: repeated.values.redact.map(parseCustomPattern) },
    encryptionKey: encryptionKey(args),
  });
  // The first line is a contract: scripts and tests read the URL from it.
  process.stdout.write(`StackLens collector listening on ${collector.url}\n`);
  process.stdout.write(`  data:  ${dataDir}\n`);
  process.stdout.write(`  token: ${args.token ? '(as given)' : path.join(dataDir, 'token')}\n`);
  process.stdout.write(`  send:  STACKLENS_ENDPOINT=${collector.url} STACKLENS_API_KEY=<token>  or  OTEL_EXPORTER_OTLP_ENDPOINT=${collector.url}\n`);
  if (collector.forwarder) process.stdout.write(`  forward: ${collector.forwarder.health().endpoint}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: flushing and stopping…\n`);
    collector.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`stacklens: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function judgeEndpoint(args: ReturnType<typeof parseArgs>): { url: string; model: string; apiKey?: string } | undefined {
  const url = args['judge-url'] as string | undefined;
  const model = args['judge-model'] as string | undefined;
  if (url === undefined && model === undefined) return undefined;
  if (!url || !model) throw new UsageError('--judge-url and --judge-model go together: the endpoint and the model that grades llm_judge evaluators');
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--judge-url: "${url}" is not an http(s) URL`);
  return { url, model, apiKey: process.env.STACKLENS_JUDGE_API_KEY || undefined };
}

/** Takes every `--name value` / `--name=value` of the named flags out of argv. */
function takeRepeated(argv: string[], names: string[]): { rest: string[]; values: Record<string, string[]> } {
  const values: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!m || !names.includes(m[1])) rest.push(argv[i]);
    else if (m[2] !== undefined) values[m[1]].push(m[2]);
    else if (i + 1 < argv.length) values[m[1]].push(argv[++i]);
    else throw new UsageError(`--${m[1]} needs a value`);
  }
  return { rest, values };
}

function forwardTarget(endpoint: string | undefined, headers: string[]): { endpoint: string; headers: Record<string, string> } | undefined {
  if (endpoint === undefined) {
    if (headers.length > 0) throw new UsageError('--forward-header needs --forward URL: the headers go with forwarded spans');
    return undefined;
  }
  return { endpoint, headers: Object.fromEntries(headers.map(parseHeader)) };
}

/** `support=100,search=25.5` → { support: 100, search: 25.5 } */
function tagBudgets(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(.+?)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new UsageError(`--budget-tags: "${part}" is not tag=USD (e.g. --budget-tags support=100,search=25)`);
    out[m[1].trim()] = Number(m[2]);
  }
  return out;
}

async function traces(argv: string[]): Promise<void> {
  const args = parseArgs(argv, TRACES);
  const dataDir = path.resolve((args.data as string | undefined) ?? defaultDataDir());
  let url = args.url as string | undefined;
  if (!url) {
    const claim = readClaim(dataDir);
    if (claim?.url) url = claim.url;
  }
  const query = new URLSearchParams();
  query.set('limit', String(args.limit ?? 20));
  for (const key of ['model', 'status', 'tag', 'since', 'q'] as const) if (args[key] !== undefined) query.set(key, String(args[key]));

  let list: TraceSummary[];
  if (url) {
    const token = (args.token as string | undefined) ?? process.env.STACKLENS_API_KEY ?? loadOrCreateToken(dataDir);
    const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/traces?${query}`, { headers: { authorization: `Bearer ${token}` } }).catch((err: Error) => {
      throw new Error(`no collector answers at ${url}: ${err.message}. Start one with \`stacklens serve\`.`);
    });
    const body = (await res.json()) as { traces?: TraceSummary[]; error?: string };
    if (!res.ok) throw new Error(`the collector at ${url} refused: ${body.error ?? res.status}`);
    list = body.traces ?? [];
  } else {
    // No collector runs on this folder: read the store directly (its own worker), then close.
    const { openStore } = await import('./store');
    const { parseTraceFilter } = await import('./http/params');
    const { claimDataDir, releaseDataDir } = await import('./data-dir');
    const key = encryptionKey(args);
    claimDataDir(dataDir);
    const store = await openStore({ dataDir, encryptionKey: key }).catch((err: Error) => {
      releaseDataDir(dataDir);
      throw err;
    });
    try {
      list = await store.listTraces(parseTraceFilter(query));
    } finally {
      await store.close();
      releaseDataDir(dataDir);
    }
  }
  process.stdout.write(args.json ? JSON.stringify(list, null, 2) + '\n' : formatTraceTable(list) + '\n');
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'traces':
      return traces(rest);
    case 'export':
      return runExport(rest, defaultDataDir());
    case 'import':
      return runImport(rest, defaultDataDir());
    case 'keygen':
      // hex: survives copy and paste into a file, a secret manager or VS Code
      process.stdout.write(newKeyHex() + '\n');
      return;
    case 'eval':
      // 1 means "the scores fell short"; anything that kept the gate from judging exits 2
      process.exitCode = await runEvalGate(rest).catch((err: Error) => {
        process.stderr.write(`stacklens eval: ${err.message}\n`);
        return 2;
      });
      return;
    case '--version':
    case 'version':
      process.stdout.write(VERSION + '\n');
      return;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`stacklens: ${err.message}\n`);
  process.exit(err.name === 'UsageError' ? 2 : 1);
});

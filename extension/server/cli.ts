// `stacklens`: the collector without VS Code. `serve` runs it; `traces` lists what it holds.
import os from 'node:os';
import path from 'node:path';
import { startCollector } from './collector';
import { readClaim } from './data-dir';
import { loadOrCreateToken } from './token';
import { parseArgs, type ArgSpec } from './cli-args';
import { formatTraceTable } from './cli-format';
import type { TraceSummary } from './model';
import { VERSION } from './version';

const USAGE = `stacklens ${VERSION} — local LLM tracing collector

Usage:
  stacklens serve [--port 4318] [--data DIR] [--token T] [--prompts DIR]
                  [--retention-days 7] [--max-spans 200000]
  stacklens traces [--data DIR | --url URL] [--token T] [--limit 20] [--model M]
                   [--status ok|error] [--tag T] [--since 24h] [--q TEXT] [--json]

  --port 0 picks a free port. The data folder defaults to $STACKLENS_DATA or ~/.stacklens.
  The token defaults to $STACKLENS_API_KEY, else the one kept in the data folder.`;

const SERVE: ArgSpec = { port: 'number', data: 'string', token: 'string', prompts: 'string', 'retention-days': 'number', 'max-spans': 'number' };
const TRACES: ArgSpec = { data: 'string', url: 'string', token: 'string', limit: 'number', model: 'string', status: 'string', tag: 'string', since: 'string', q: 'string', json: 'boolean' };

function defaultDataDir(): string {
  return process.env.STACKLENS_DATA || path.join(os.homedir(), '.stacklens');
}

async function serve(argv: string[]): Promise<void> {
  const args = parseArgs(argv, SERVE);
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
  });
  // The first line is a contract: scripts and tests read the URL from it.
  process.stdout.write(`StackLens collector listening on ${collector.url}\n`);
  process.stdout.write(`  data:  ${dataDir}\n`);
  process.stdout.write(`  token: ${args.token ? '(as given)' : path.join(dataDir, 'token')}\n`);
  process.stdout.write(`  send:  STACKLENS_ENDPOINT=${collector.url} STACKLENS_API_KEY=<token>  or  OTEL_EXPORTER_OTLP_ENDPOINT=${collector.url}\n`);

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
    claimDataDir(dataDir);
    const store = await openStore({ dataDir });
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

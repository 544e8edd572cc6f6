// `stacklens export` and `stacklens import`: through the collector that owns the data folder when
// one runs (its HTTP API), else straight on the store, as `stacklens traces` does.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs, UsageError, type ArgSpec } from '../cli-args';
import { readClaim, claimDataDir, releaseDataDir } from '../data-dir';
import { loadOrCreateToken } from '../token';
import { createPricer } from '../pricing';
import { createPrivacy } from '../privacy';
import { gateStore } from '../privacy/store-gate';
import { parseTraceFilter } from '../http/params';
import type { Store } from '../store/api';
import type { TraceDetail } from '../model';
import { writeTraceFile, traceFileText } from './export';
import { importTraceFile } from './import';
import { traceFileName, traceSetFileName } from './format';

export const TRACE_FILE_USAGE = `  stacklens export <trace-id...> | --filter "model=gpt-4o&status=error&limit=100"
                   [-o FILE] [--data DIR | --url URL] [--token T]
  stacklens import FILE... [--data DIR | --url URL] [--token T]`;

const SPEC: ArgSpec = { data: 'string', url: 'string', token: 'string', filter: 'string', out: 'string' };

interface Target {
  url: string | null;
  token: string;
  dataDir: string;
}

function split(argv: string[]): { positional: string[]; args: ReturnType<typeof parseArgs> } {
  const flags: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-o') flags.push('--out', argv[++i] ?? '');
    else if (argv[i].startsWith('--')) flags.push(argv[i], ...(SPEC[argv[i].slice(2)] && !argv[i].includes('=') ? [argv[++i] ?? ''] : []));
    else positional.push(argv[i]);
  }
  return { positional, args: parseArgs(flags, SPEC) };
}

function target(args: ReturnType<typeof parseArgs>, defaultDataDir: string): Target {
  const dataDir = path.resolve((args.data as string | undefined) ?? defaultDataDir);
  const url = (args.url as string | undefined) ?? readClaim(dataDir)?.url ?? null;
  const token = (args.token as string | undefined) ?? process.env.STACKLENS_API_KEY ?? (url ? loadOrCreateToken(dataDir) : '');
  return { url: url?.replace(/\/$/, '') ?? null, token, dataDir };
}

async function http(t: Target, method: string, route: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(t.url + route, { method, body: typeof body === 'string' ? body : new Uint8Array(body), headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', ...headers } }).catch((err: Error) => {
    throw new Error(`no collector answers at ${t.url}: ${err.message}. Start one with \`stacklens serve\`, or leave out --url to use the data folder.`);
  });
  if (!res.ok) {
    const text = await res.text();
    let reason = text;
    try {
      reason = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: the text itself is the reason
    }
    throw new Error(`the collector at ${t.url} refused: ${reason}`);
  }
  return res;
}

/** No collector owns the folder: open its store for the length of one command. */
async function withStore<T>(dataDir: string, use: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store');
  claimDataDir(dataDir);
  const store = await openStore({ dataDir });
  try {
    return await use(store);
  } finally {
    await store.close();
    releaseDataDir(dataDir);
  }
}

export async function runExport(argv: string[], defaultDataDir: string): Promise<void> {
  const { positional, args } = split(argv);
  const filter = args.filter as string | undefined;
  if (positional.length > 0 && filter !== undefined) throw new UsageError('export: give trace ids or --filter, not both');
  if (positional.length === 0 && filter === undefined) throw new UsageError(`export: which traces? Give trace ids or --filter\n${TRACE_FILE_USAGE}`);
  const t = target(args, defaultDataDir);
  const query = new URLSearchParams(filter ?? '');
  const request = positional.length > 0 ? { trace_ids: positional } : Object.fromEntries(query);
  let text: string;
  let suggested: string;
  if (t.url) {
    const res = await http(t, 'POST', '/api/v1/export', JSON.stringify(request));
    text = await res.text();
    // the name comes from whatever answers at --url: only a plain file name in this folder is taken
    const offered = path.basename(/filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '');
    suggested = /^[A-Za-z0-9._-]+\.stacklens\.json$/.test(offered) && !offered.startsWith('.') ? offered : traceSetFileName(0, new Date());
  } else {
    const details = await withStore(t.dataDir, async (store) => {
      if (positional.length === 0) {
        const found: TraceDetail[] = [];
        for (const summary of await store.listTraces(parseTraceFilter(query))) found.push((await store.getTrace(summary.trace_id))!);
        return found;
      }
      return Promise.all(positional.map(async (raw) => {
        const id = raw.replace(/-/g, '').toLowerCase();
        const detail = await store.getTrace(id);
        if (!detail) throw new Error(`trace ${raw} not found in ${t.dataDir}`);
        return detail;
      }));
    });
    const now = new Date();
    text = traceFileText(writeTraceFile(details, createPricer(), now));
    suggested = details.length === 1 ? traceFileName(details[0].trace) : traceSetFileName(details.length, now);
  }
  const out = (args.out as string | undefined) ?? suggested;
  if (out === '-') process.stdout.write(text);
  else {
    writeFileSync(out, text);
    process.stderr.write(`wrote ${out}\n`);
  }
}

export async function runImport(argv: string[], defaultDataDir: string): Promise<void> {
  const { positional, args } = split(argv);
  if (args.filter !== undefined || args.out !== undefined) throw new UsageError('import takes FILE... [--data DIR | --url URL] [--token T]');
  if (positional.length === 0) throw new UsageError(`import: which files?\n${TRACE_FILE_USAGE}`);
  const t = target(args, defaultDataDir);
  const bodies = positional.map((file) => {
    try {
      return { file, bytes: readFileSync(file) };
    } catch (err) {
      throw new Error(`${file}: cannot be read: ${(err as Error).message}`);
    }
  });
  const importOne = async (file: string, bytes: Buffer, store: Store | null) => {
    try {
      // the default redaction applies as it would in a collector started on this folder
      if (store) return await importTraceFile(gateStore(store, createPrivacy(), null), bytes, createPricer());
      // gzip on the wire: a file may be far larger than the collector's 16 MiB body limit
      const res = await http(t, 'POST', '/api/v1/import', gzipSync(bytes), { 'content-encoding': 'gzip' });
      return (await res.json()) as { traces: string[]; spans: number; scores: number };
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
  };
  const report = (file: string, r: { traces: string[]; spans: number; scores: number }) =>
    process.stdout.write(`${file}: ${r.traces.length} trace(s), ${r.spans} span(s), ${r.scores} score(s) imported\n`);
  if (t.url) for (const { file, bytes } of bodies) report(file, await importOne(file, bytes, null));
  else await withStore(t.dataDir, async (store) => { for (const { file, bytes } of bodies) report(file, await importOne(file, bytes, store)); });
}

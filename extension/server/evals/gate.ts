// `stacklens eval`: a CI gate over eval scores. Exit 0 when the average score in the window
// reaches --min-score, 1 when it falls short (saying by how much), 2 when it cannot judge: a usage
// error, no collector or store to ask, or no scores at all (an empty window proves nothing, so it
// must not pass silently; docs/evals.md).
import os from 'node:os';
import path from 'node:path';
import { parseArgs, UsageError, type ArgSpec } from '../cli-args';
import { readClaim } from '../data-dir';
import { HttpError } from '../http/errors';
import { parseTime } from '../http/params';
import type { Score } from '../model';
import { loadOrCreateToken } from '../token';
import { evalSummary, SCORE_SOURCES, type EvalSummary, type EvalSummaryQuery } from './summary';

export const EVAL_USAGE = `  stacklens eval --min-score 0.8 [--since 7d] [--until T] [--eval NAME] [--source eval,otel]
                 [--data DIR | --url URL] [--token T] [--json]`;

const SPEC: ArgSpec = { 'min-score': 'number', since: 'string', until: 'string', eval: 'string', source: 'string', data: 'string', url: 'string', token: 'string', json: 'boolean' };

export interface GateOutcome {
  exitCode: 0 | 1 | 2;
  text: string;
}

const fixed = (n: number) => n.toFixed(3);
const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);

/** The verdict and the report, from a summary. `window` describes the time range for people. */
export function gateOutcome(summary: EvalSummary, minScore: number, window: string): GateOutcome {
  const which = summary.name !== null ? ` for evaluator "${summary.name}"` : '';
  const sources = summary.sources.join(', ');
  if (summary.overall.runs === 0 || summary.overall.avg === null) {
    return {
      exitCode: 2,
      text: `no eval scores ${window}${which} (sources: ${sources}): nothing to gate on, so the gate does not pass.\nRun the evals first (a collector started with --evals FILE scores new spans; "Run Evals" scores a trace), or widen --since.`,
    };
  }
  const rows = summary.evaluators.map((e) => [e.name, String(e.runs), fixed(e.avg), pct(e.pass_rate), e.avg < minScore - 1e-9 ? 'below' : '']);
  rows.push(['overall', String(summary.overall.runs), fixed(summary.overall.avg), pct(summary.overall.pass_rate), '']);
  const table = [['evaluator', 'runs', 'avg', 'pass rate', ''], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
  const avg = summary.overall.avg;
  // an average is a sum of floats: 0.8 must not fail a 0.8 gate by 1e-16
  const passed = avg >= minScore - 1e-9;
  const verdict =
    passed
      ? `PASS: average score ${fixed(avg)} ≥ minimum ${fixed(minScore)}`
      : `FAIL: average score ${fixed(avg)} is ${fixed(minScore - avg)} below the minimum ${fixed(minScore)}`;
  return { exitCode: passed ? 0 : 1, text: `Eval scores ${window}${which} (sources: ${sources})\n\n${lines.join('\n')}\n\n${verdict}` };
}

function defaultDataDir(): string {
  return process.env.STACKLENS_DATA || path.join(os.homedir(), '.stacklens');
}

function time(name: string, value: string): number {
  try {
    return parseTime(name, value);
  } catch (err) {
    if (err instanceof HttpError) throw new UsageError(`--${err.message}`);
    throw err;
  }
}

async function fetchSummary(url: string, token: string, query: EvalSummaryQuery): Promise<EvalSummary> {
  const params = new URLSearchParams();
  if (query.since !== undefined) params.set('since', String(query.since));
  if (query.until !== undefined) params.set('until', String(query.until));
  if (query.name !== undefined) params.set('eval', query.name);
  if (query.sources) params.set('source', query.sources.join(','));
  const base = url.replace(/\/$/, '');
  const res = await fetch(`${base}/api/v1/evals/summary?${params}`, { headers: { authorization: `Bearer ${token}` } }).catch((err: Error) => {
    throw new Error(`no collector answers at ${base}: ${err.message}. Start one with \`stacklens serve\`, or use --data DIR.`);
  });
  const body = (await res.json().catch(() => ({}))) as EvalSummary & { error?: string };
  if (!res.ok) throw new Error(`the collector at ${base} refused: ${body.error ?? `HTTP ${res.status}`}`);
  return body;
}

async function readSummary(dataDir: string, query: EvalSummaryQuery): Promise<EvalSummary> {
  // No collector runs on this folder: read the store directly (its own worker), then close.
  const { openStore } = await import('../store');
  const { claimDataDir, releaseDataDir } = await import('../data-dir');
  claimDataDir(dataDir);
  try {
    const store = await openStore({ dataDir });
    try {
      return await evalSummary(store, query);
    } finally {
      await store.close();
    }
  } finally {
    releaseDataDir(dataDir);
  }
}

/** Runs the gate; resolves to the exit code after printing the report. */
export async function runEvalGate(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args['min-score'] === undefined) throw new UsageError('--min-score is required, e.g. `stacklens eval --min-score 0.8`');
  if (args.url !== undefined && args.data !== undefined) throw new UsageError('give --url or --data, not both');
  const minScore = args['min-score'] as number;
  const sinceText = (args.since as string | undefined) ?? '7d';
  const query: EvalSummaryQuery = { since: time('since', sinceText) };
  if (args.until !== undefined) query.until = time('until', args.until as string);
  if (args.eval !== undefined) query.name = args.eval as string;
  if (args.source !== undefined) {
    const list = (args.source as string).split(',').map((s) => s.trim()).filter(Boolean);
    const wrong = list.find((s) => !SCORE_SOURCES.includes(s as Score['source']));
    if (wrong !== undefined || list.length === 0) throw new UsageError(`--source: "${wrong ?? args.source}" must be a comma list of ${SCORE_SOURCES.join(', ')}`);
    query.sources = list as Score['source'][];
  }

  const dataDir = path.resolve((args.data as string | undefined) ?? defaultDataDir());
  // a collector serving the data folder answers for it (the store is locked while it runs)
  const url = (args.url as string | undefined) ?? readClaim(dataDir)?.url ?? undefined;
  const summary = url
    ? await fetchSummary(url, (args.token as string | undefined) ?? process.env.STACKLENS_API_KEY ?? loadOrCreateToken(dataDir), query)
    : await readSummary(dataDir, query);

  const window = /^\d+(\.\d+)?[smhdw]$/.test(sinceText.trim()) ? `in the last ${sinceText.trim()}` : `since ${new Date(query.since!).toISOString()}`;
  const outcome = gateOutcome(summary, minScore, args.until !== undefined ? `${window} until ${new Date(query.until!).toISOString()}` : window);
  out(args.json ? JSON.stringify({ ...summary, min_score: minScore, exit_code: outcome.exitCode }, null, 2) + '\n' : outcome.text + '\n');
  return outcome.exitCode;
}

// The typed protocol between the extension host's main thread and the collector worker
// (dist/collector-worker.js). Declared once, imported by both sides (extension/client/ and
// extension/server/collector-worker.ts). Requests are answered; events are announced. One request
// goes the other way: an llm_judge evaluator running in the worker asks the main thread, which
// alone can reach VS Code's language models (`judge`, answered by `judgeAnswer`).
import type { BudgetOptions, BudgetStatus } from './budget';
import type { ForwardHealth } from './forward/forwarder';
import type { CustomPattern } from './privacy';
import type { TraceFilter } from './model';
import type { EvalsFileStatus } from './evals/evals-file';
import type { OpenAiJudgeOptions } from './evals/judge';
import type { TraceEvalRun } from './evals/runner';
import type { CallSiteScores, EvalSummary, EvalSummaryQuery } from './evals/summary';
import type { Postmortem } from './postmortem';
import type { PostmortemText } from './postmortem/narrative';
import type { PriceOverride } from './pricing';
import type { ConsoleResult } from './sql-console';
import type { RetentionOptions, Store, StoreChange } from './store/api';
import type { ImportResult } from './trace-files';

export type { BudgetStatus, ConsoleResult, CallSiteScores, EvalSummary, EvalSummaryQuery, Postmortem, PostmortemText, TraceEvalRun };

/** `written`: also ask the judge's model for a written postmortem (the answer then has `written` and `written_error`). */
export interface PostmortemOptions {
  written?: boolean;
}
export type EvalsStatus = EvalsFileStatus & { judge: boolean };
export type { ForwardHealth, ImportResult };

/** GET /api/v1/forwarding: `{enabled: false}` when forwarding is off (docs/forwarding.md "Health"). */
export type ForwardingStatus = ForwardHealth | { enabled: false };

/** What to export: these traces, or those a filter selects (POST /api/v1/export's body). */
export type ExportSelection = { trace_ids: string[] } | TraceFilter;

/** A `.stacklens.json` file as the collector wrote it, with the name it suggests. */
export interface ExportedTraceFile {
  fileName: string;
  text: string;
  traceCount: number;
}

/** What the main thread may ask: the store's read/write API minus lifecycle, and issue 5's judging and accounting. */
export type CollectorApi = Pick<Store, 'addScore' | 'listTraces' | 'getTrace' | 'deleteTrace' | 'callSites' | 'stats' | 'query'> & {
  status(): Promise<CollectorStatus>;
  /** runs the workspace's evaluators on a trace now; null when the trace is not stored */
  runEvals(traceId: string): Promise<TraceEvalRun | null>;
  /** the 5-whys analysis of a trace, with the model's written version when asked; null when the trace is not stored */
  postmortem(traceId: string, options?: PostmortemOptions): Promise<(Postmortem & Partial<PostmortemText>) | null>;
  /** this month's spend against the budget from settings */
  budget(): Promise<BudgetStatus>;
  /** the SQL console: one read-only statement, at most 1,000 rows shipped (errors name why a query was refused) */
  sql(sql: string): Promise<ConsoleResult>;
  evalSummary(query: EvalSummaryQuery): Promise<EvalSummary>;
  /** eval scores per call site in a window (the CodeLens pass rate and its weekly trend) */
  evalCallSites(query: EvalSummaryQuery & { file?: string }): Promise<CallSiteScores[]>;
  /** the evals file the collector reads, its evaluators and its problems */
  evalsStatus(): Promise<EvalsStatus>;
  /** the forwarder's health (GET /api/v1/forwarding) */
  forwarding(): Promise<ForwardingStatus>;
  /** a trace file of the selected traces; throws naming a trace that is not stored */
  exportTraces(selection: ExportSelection): Promise<ExportedTraceFile>;
  /** stores a trace file's spans and scores (whole or not at all); throws naming the problem */
  importTraces(text: string): Promise<ImportResult>;
};
export type CollectorMethod = keyof CollectorApi;

/**
 * Who answers llm_judge evaluators: an OpenAI-compatible endpoint (plain data, the worker calls
 * it itself), or `main`: the worker asks the main thread, which asks VS Code's language models.
 */
export type JudgeOption = ({ kind: 'openai' } & OpenAiJudgeOptions) | { kind: 'main' };

export interface CollectorWorkerOptions {
  dataDir: string;
  /** 0 picks a free port */
  port: number;
  /** bearer token for the HTTP API; generated and kept in dataDir when absent */
  token?: string;
  retention?: Partial<RetentionOptions>;
  priceOverrides?: Record<string, PriceOverride>;
  /** folder of prompt files served by GET /api/v1/prompts/:name */
  promptsDir?: string;
  /** the workspace's `.stacklens/evals.json` (absolute); without it no evaluator runs */
  evalsFile?: string;
  /** absent: llm_judge evaluators skip their spans ("no judge configured") */
  judge?: JudgeOption;
  budget?: BudgetOptions;
  /** every stored span is sent on to this OTLP/HTTP endpoint (docs/forwarding.md) */
  forward?: { endpoint: string; headers: Record<string, string> };
  /** false: metadata only (docs/privacy.md) */
  captureContent?: boolean;
  redact?: { defaults: boolean; creditCards: boolean; patterns: CustomPattern[] };
  /** the store's AES-256 key as 64 hex characters (a Buffer would arrive in the worker as a bare Uint8Array) */
  encryptionKeyHex?: string;
}

export interface CollectorStatus {
  state: 'starting' | 'listening' | 'stopped' | 'failed';
  port: number | null;
  url: string | null; // http://127.0.0.1:PORT
  token: string | null;
  dataDir: string;
  error: string | null; // one line a user can act on, e.g. "port 4318 is in use by another program"
  /** error code from listen(), e.g. EADDRINUSE, so the client can pick another port */
  errorCode: string | null;
}

export type MainToWorker =
  | { kind: 'request'; id: number; method: CollectorMethod; args: unknown[] }
  | { kind: 'judgeAnswer'; id: number; ok: true; text: string }
  | { kind: 'judgeAnswer'; id: number; ok: false; error: string }
  | { kind: 'shutdown' };

export type WorkerToMain =
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: string }
  | { kind: 'event'; event: 'change'; data: StoreChange }
  | { kind: 'event'; event: 'status'; data: CollectorStatus }
  /** an llm_judge evaluator's prompt, for the main thread's judge */
  | { kind: 'judge'; id: number; prompt: string }
  | { kind: 'closed' };

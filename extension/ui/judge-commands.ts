// Judging a trace: Run Evals (the workspace's evaluators, now, with scores and reasons shown) and
// the 5-whys Postmortem (in the trace's panel). Both take a trace id, a tree node, or the trace
// of the panel in front; from the palette without one, they offer the recent traces.
import * as vscode from 'vscode';
import type { CollectorApi, TraceEvalRun } from '../server/rpc';
import { STARTER_EVALS, evalRunReport, noEvaluatorsMessage } from './eval-text';
import { formatCost, formatDuration, formatTime, noIcons } from './format';
import { traceIdOf } from './trace-commands';
import type { TracePanels } from './trace-panel';

export interface JudgeCommandDeps {
  collector: CollectorApi;
  panels: TracePanels;
  log: vscode.LogOutputChannel;
}

const SHOW_DETAILS = 'Show Details';
const OPEN_TRACE = 'Open Trace';
const CREATE_FILE = 'Create evals.json';
const OPEN_FILE = 'Open Evals File';

export function registerJudgeCommands(deps: JudgeCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('stacklens.runEvals', async (arg?: unknown) => {
      const traceId = await chooseTrace(deps, arg, 'Run Evals on Trace');
      return traceId ? runEvals(deps, traceId) : undefined;
    }),
    vscode.commands.registerCommand('stacklens.postmortem', async (arg?: unknown) => {
      const traceId = await chooseTrace(deps, arg, 'Postmortem of Trace');
      if (traceId) deps.panels.open(traceId).showPostmortem();
    }),
  ];
}

async function chooseTrace(deps: JudgeCommandDeps, arg: unknown, title: string): Promise<string | undefined> {
  const given = traceIdOf(arg) ?? (arg === undefined ? deps.panels.focusedTraceId : undefined);
  if (given) return given;
  type Item = vscode.QuickPickItem & { traceId: string };
  const items = deps.collector.listTraces({ limit: 50 }).then((traces) =>
    traces.map<Item>((t) => ({
      label: `${t.status === 'error' ? '$(error) ' : ''}${noIcons(t.name || t.trace_id)}`,
      description: [formatTime(t.start_time, Date.now()), formatDuration(t.duration_ms), t.total_cost_usd > 0 ? formatCost(t.total_cost_usd, t.unpriced_call_count) : ''].filter(Boolean).join(' · '),
      traceId: t.trace_id,
    })),
  );
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick a trace (newest first)', matchOnDescription: true });
  return picked?.traceId;
}

/** Runs the evaluators on the trace; resolves with the run (for tests and other extensions). */
async function runEvals(deps: JudgeCommandDeps, traceId: string): Promise<TraceEvalRun | undefined> {
  const { collector, log } = deps;
  let run: TraceEvalRun | null;
  try {
    run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `StackLens: running evals on trace ${traceId.slice(0, 8)}…` },
      () => collector.runEvals(traceId),
    );
  } catch (err) {
    void vscode.window.showErrorMessage(`StackLens: the evals could not run: ${(err as Error).message}`);
    return undefined;
  }
  if (!run) {
    void vscode.window.showWarningMessage(`StackLens: trace ${traceId} is not in the store (deleted, removed by retention, or not arrived yet).`);
    return undefined;
  }
  if (run.evaluators === 0) {
    await offerEvalsFile(deps);
    return run;
  }
  const detail = await collector.getTrace(traceId).catch(() => null);
  const names = new Map((detail?.spans ?? []).map((s) => [s.span_id, s.name]));
  const report = evalRunReport(run, detail?.trace.name ?? '', names);
  for (const line of report.lines) log.info(line);
  const show = report.level === 'error' ? vscode.window.showErrorMessage : report.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(report.message, SHOW_DETAILS, OPEN_TRACE).then((answer) => {
    if (answer === SHOW_DETAILS) log.show(true);
    if (answer === OPEN_TRACE) deps.panels.open(traceId);
  });
  return run;
}

async function offerEvalsFile({ collector }: JudgeCommandDeps): Promise<void> {
  const status = await collector.evalsStatus().catch(() => null);
  const message = status ? noEvaluatorsMessage(status) : 'StackLens: no evaluators are configured (see docs/evals.md).';
  const file = status?.file ? vscode.Uri.file(status.file) : undefined;
  const actions = file ? [status!.exists ? OPEN_FILE : CREATE_FILE] : [];
  const answer = await vscode.window.showWarningMessage(message, ...actions);
  if (!file || !answer) return;
  if (answer === CREATE_FILE) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(STARTER_EVALS));
  }
  await vscode.window.showTextDocument(file);
}

// CodeLens above every traced call site. provideCodeLenses only reads what is cached here (call
// sites and a name index of recent spans), so it stays cheap; change events refresh the cache
// once per burst and tell VS Code to ask again, and a minute's ticker keeps "2m ago" fresh.
//
// Each lens carries its command when provided, not later in resolveCodeLens: between a refresh and
// the resolve, VS Code shows the previous lens's command from its cache, whose arguments it has
// already released, so a click did nothing ("Actual command not found" in the log, seen by the
// person e2e test clicking a lens right after its runs arrived).
import * as vscode from 'vscode';
import type { CallSite, TraceDetail, TraceSummary } from '../server/model';
import type { CollectorApi } from '../server/rpc';
import { coalesce } from './coalesce';
import { lensTitle, passTrendText, type EvalTrend } from './format';
import { buildNameIndex, evalTrends, lensesForDocument, type DocumentLens, type LensTarget, type NameEntry } from './lens-index';

/** How many recent traces feed the name index, and how many of them are read span by span. */
const NAME_TRACES = 500;
const NAME_DETAILS = 20;
const WEEK_MS = 7 * 86_400_000;

function lensCommand({ figures, target }: DocumentLens, now: number): vscode.Command {
  const trend = figures.evals && passTrendText(figures.evals);
  return {
    title: lensTitle(figures, now),
    tooltip: `Latest runs of ${target.name}${trend ? `\nEval verdicts: ${figures.evals!.runs} in the last 7 days, ${figures.evals!.last_week_runs} in the 7 before` : ''}`,
    command: 'stacklens.showRuns',
    arguments: [target satisfies LensTarget],
  };
}

class CallSiteLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly lens: DocumentLens,
  ) {
    super(range);
  }
}

export class CallSiteLensProvider implements vscode.CodeLensProvider<CallSiteLens>, vscode.Disposable {
  private sites: CallSite[] = [];
  private names = new Map<string, NameEntry>();
  private trends = new Map<string, EvalTrend>();
  private readonly details = new Map<string, { print: string; detail: TraceDetail }>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly refreshSoon = coalesce(() => void this.refresh(), 300);
  private readonly ticker: NodeJS.Timeout;
  private enabled: boolean;
  private loaded: Promise<void> | null = null;
  private refreshing: Promise<void> | null = null;
  private again = false;

  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly collector: CollectorApi,
    enabled: boolean,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.enabled = enabled;
    // "2m ago" ages: ask VS Code to re-resolve once a minute.
    this.ticker = setInterval(() => {
      if (this.enabled && this.sites.length + this.names.size > 0) this.changed.fire();
    }, 60_000);
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.changed.fire();
  }

  /** A store change: refetch call sites and the name index, once per burst. */
  onStoreChange(): void {
    this.refreshSoon();
  }

  /** Resolves once the cache has been filled at least once (the first lens request waits for it). */
  ready(): Promise<void> {
    this.loaded ??= this.refresh();
    return this.loaded;
  }

  /** One refresh at a time; changes that arrive meanwhile get one more refresh after it. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.fetch().finally(() => {
      this.refreshing = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.refreshing;
  }

  private async fetch(): Promise<void> {
    try {
      const [sites, traces] = await Promise.all([this.collector.callSites(), this.collector.listTraces({ limit: NAME_TRACES })]);
      const details = await this.recentDetails(traces.slice(0, NAME_DETAILS));
      this.sites = sites;
      this.names = buildNameIndex(traces, details);
      this.trends = await this.weeklyTrends();
      this.changed.fire();
    } catch (err) {
      this.log.warn(`CodeLens data could not be refreshed: ${(err as Error).message}`);
    }
  }

  /** Eval pass rates per call site, the last 7 days against the 7 before; none when the collector cannot say. */
  private async weeklyTrends(): Promise<Map<string, EvalTrend>> {
    const now = Date.now();
    try {
      const [thisWeek, lastWeek] = await Promise.all([
        this.collector.evalCallSites({ since: now - WEEK_MS }),
        this.collector.evalCallSites({ since: now - 2 * WEEK_MS, until: now - WEEK_MS }),
      ]);
      return evalTrends(thisWeek, lastWeek);
    } catch (err) {
      this.log.warn(`eval pass rates for the CodeLenses could not be read: ${(err as Error).message}`);
      return new Map();
    }
  }

  /** Details of the newest traces, fetched again only when a trace changed. */
  private async recentDetails(traces: TraceSummary[]): Promise<TraceDetail[]> {
    const keep = new Set(traces.map((t) => t.trace_id));
    for (const id of this.details.keys()) if (!keep.has(id)) this.details.delete(id);
    const out: TraceDetail[] = [];
    for (const t of traces) {
      const print = `${t.span_count}|${t.end_time}|${t.total_cost_usd}`;
      let entry = this.details.get(t.trace_id);
      if (!entry || entry.print !== print) {
        const detail = await this.collector.getTrace(t.trace_id);
        if (!detail) continue;
        entry = { print, detail };
        this.details.set(t.trace_id, entry);
      }
      out.push(entry.detail);
    }
    return out;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<CallSiteLens[]> {
    if (!this.enabled) return [];
    await this.ready();
    if (this.sites.length === 0 && this.names.size === 0) return [];
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const lenses = lensesForDocument(
      { path: document.uri.fsPath, text: document.getText(), lineCount: document.lineCount },
      this.sites,
      this.names,
      folders,
      this.trends,
    );
    const now = Date.now();
    return lenses.map((lens) => {
      const codeLens = new CallSiteLens(document.lineAt(lens.line).range, lens);
      codeLens.command = lensCommand(lens, now);
      return codeLens;
    });
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.refreshSoon.dispose();
    this.changed.dispose();
  }
}

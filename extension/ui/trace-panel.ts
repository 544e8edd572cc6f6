// The trace panels: one webview panel per trace (opening a trace again brings its panel forward,
// so two traces can sit side by side for comparison). The panel runs dist/webview.js; everything
// it posts is validated with parseWebviewMessage before a field of it is used.
import * as vscode from 'vscode';
import type { TraceDetail } from '../server/model';
import type { CollectorApi, Postmortem, PostmortemOptions, PostmortemText } from '../server/rpc';
import type { StoreChange } from '../server/store/api';
import { panelHtml, parseWebviewMessage, type HostToWebview } from '../../webview/protocol';
import { coalesce, type Coalesced } from './coalesce';
import { createNonce } from './panel-html';
import type { SourceOpener } from './source-opener';

export const PANEL_VIEW_TYPE = 'stacklens.trace';

export interface PanelContext {
  extensionUri: vscode.Uri;
  collector: CollectorApi;
  openSource: SourceOpener;
  log: vscode.LogOutputChannel;
}

/** Where a panel's trace comes from: the collector, or a `.stacklens.json` file (trace-file-editor.ts). */
export interface TraceSource {
  getTrace(traceId: string): Promise<TraceDetail | null>;
  /** `written`: also the language model's written postmortem (its `written`, or why not in `written_error`) */
  postmortem(traceId: string, options?: PostmortemOptions): Promise<(Postmortem & Partial<PostmortemText>) | null>;
  /** a language model is configured to write postmortems; absent: never offered */
  canWrite?(): Promise<boolean>;
  /** absent: the trace is not in the store, so evaluators cannot run on it here */
  runEvals?(traceId: string): Promise<void>;
  /** what the panel says of a trace the source does not have */
  missing(traceId: string): string;
}

/** Options of a panel that VS Code made (a custom editor) or that shows a file's traces. */
export interface PanelHost {
  panel?: vscode.WebviewPanel;
  source?: TraceSource;
}

export class TracePanels implements vscode.Disposable {
  private readonly panels = new Map<string, TracePanel>();

  constructor(private readonly ctx: PanelContext) {}

  /** Opens (or brings forward) the panel of a trace, selecting `spanId` when given. */
  open(traceId: string, spanId?: string): TracePanel {
    const existing = this.panels.get(traceId);
    if (existing) {
      existing.reveal(spanId);
      return existing;
    }
    const panel = new TracePanel(this.ctx, traceId, spanId, (from, to) => this.rekey(from, to, panel), () => {
      // a panel only removes its own entry: another panel may show that trace by now
      if (this.panels.get(panel.traceId) === panel) this.panels.delete(panel.traceId);
    });
    this.panels.set(traceId, panel);
    return panel;
  }

  get openTraceIds(): string[] {
    return [...this.panels.keys()];
  }

  /** The trace of the panel in front (the active one, else a visible one), for commands run from the palette. */
  get focusedTraceId(): string | undefined {
    const panels = [...this.panels.values()];
    return (panels.find((p) => p.panel.active) ?? panels.find((p) => p.panel.visible))?.traceId;
  }

  onStoreChange(change: StoreChange): void {
    for (const id of change.trace_ids) this.panels.get(id)?.updateSoon();
  }

  private rekey(from: string, to: string, panel: TracePanel): void {
    if (this.panels.get(from) === panel) this.panels.delete(from);
    // when another panel already shows `to`, that one stays the trace's panel
    if (!this.panels.has(to)) this.panels.set(to, panel);
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}

export class TracePanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private pendingFocus: string | undefined;
  private pendingPostmortem = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly updateSoon: Coalesced;
  private readonly source: TraceSource;
  /** a custom editor's title is its file's name: the panel leaves it alone */
  private readonly ownsTitle: boolean;
  /** the trace last shown, for the test suite and the export command */
  shownTrace: TraceDetail | null = null;

  constructor(
    private readonly ctx: PanelContext,
    public traceId: string,
    focusSpanId: string | undefined,
    private readonly onRekey: (from: string, to: string) => void,
    private readonly onClosed: () => void,
    host: PanelHost = {},
  ) {
    const dist = vscode.Uri.joinPath(ctx.extensionUri, 'dist');
    this.source = host.source ?? collectorSource(ctx.collector);
    this.ownsTitle = !host.panel;
    if (host.panel) {
      this.panel = host.panel;
      this.panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    } else {
      const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      this.panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `Trace ${traceId.slice(0, 8)}`, column, {
        enableScripts: true,
        localResourceRoots: [dist],
        enableFindWidget: true,
      });
      this.panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'stacklens.svg');
    }
    this.pendingFocus = focusSpanId;
    const webview = this.panel.webview;
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      nonce: createNonce(),
    });
    this.updateSoon = coalesce(() => void this.load('traceUpdated'), 300);
    this.subscriptions.push(
      webview.onDidReceiveMessage((data) => void this.receive(data)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(spanId?: string): void {
    this.panel.reveal();
    if (!spanId) return;
    if (this.ready) this.post({ type: 'focusSpan', spanId });
    else this.pendingFocus = spanId;
  }

  private async receive(data: unknown): Promise<void> {
    const message = parseWebviewMessage(data);
    if (!message) {
      this.ctx.log.warn(`ignored a malformed message from the trace panel: ${preview(data)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        // Also after the panel was hidden and re-created: it starts empty again.
        this.ready = true;
        await this.load('showTrace');
        return;
      case 'openSource':
        await this.ctx.openSource(message.file, message.line, this.panel.viewColumn);
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage('$(check) Copied to the clipboard', 2000);
        return;
      case 'requestTrace':
        if (message.traceId !== this.traceId) {
          this.onRekey(this.traceId, message.traceId);
          this.traceId = message.traceId;
        }
        await this.load('showTrace');
        return;
      case 'runEvals':
        if (this.source.runEvals) await this.source.runEvals(this.traceId);
        else void vscode.window.showInformationMessage('StackLens: this trace is shown from a file. Import it into StackLens ("Import into StackLens") to run your evaluators on it.');
        return;
      case 'requestPostmortem':
        await this.loadPostmortem();
        return;
      case 'requestWrittenPostmortem':
        await this.writePostmortem();
        return;
      case 'log':
        this.ctx.log[message.level](`[panel] ${message.message}`);
        return;
    }
  }

  /** Shows the Postmortem tab (the panel asks for it once it is ready, if it is not yet). */
  showPostmortem(): void {
    this.panel.reveal();
    if (this.ready) void this.loadPostmortem();
    else this.pendingPostmortem = true;
  }

  private async loadPostmortem(): Promise<void> {
    const traceId = this.traceId;
    try {
      const [pm, canWrite] = await Promise.all([this.source.postmortem(traceId), this.canWrite()]);
      if (traceId !== this.traceId) return;
      if (!pm) this.post({ type: 'postmortemError', message: `Trace ${traceId} is not in the store: there is nothing to analyse.` });
      else this.post({ type: 'showPostmortem', postmortem: pm, canWrite });
    } catch (err) {
      this.post({ type: 'postmortemError', message: `The postmortem could not be built: ${(err as Error).message}` });
    }
  }

  /** Whether to offer the written postmortem: a failure to tell only hides the button. */
  private async canWrite(): Promise<boolean> {
    try {
      return (await this.source.canWrite?.()) ?? false;
    } catch (err) {
      this.ctx.log.warn(`could not tell whether a language model is configured: ${(err as Error).message}`);
      return false;
    }
  }

  private async writePostmortem(): Promise<void> {
    const traceId = this.traceId;
    const failed = (message: string) => this.post({ type: 'writtenPostmortemError', traceId, message });
    try {
      const pm = await this.source.postmortem(traceId, { written: true });
      if (!pm) failed(`Trace ${traceId} is not in the store: there is nothing to write about.`);
      else if (typeof pm.written === 'string') this.post({ type: 'writtenPostmortem', traceId, text: pm.written });
      else failed(upperFirst(pm.written_error ?? 'this trace is shown from a file: import it into StackLens to have a model write its postmortem'));
    } catch (err) {
      failed(`The model wrote no postmortem: ${(err as Error).message}`);
    }
  }

  private async load(kind: 'showTrace' | 'traceUpdated'): Promise<void> {
    if (!this.ready) return;
    const traceId = this.traceId;
    try {
      const detail = await this.source.getTrace(traceId);
      if (traceId !== this.traceId) return;
      if (!detail) {
        this.post({ type: 'traceError', traceId, message: this.source.missing(traceId) });
        return;
      }
      this.shownTrace = detail;
      if (this.ownsTitle) this.panel.title = `Trace: ${detail.trace.name || traceId.slice(0, 8)}`;
      if (kind === 'showTrace') {
        const focusSpanId = this.pendingFocus;
        this.pendingFocus = undefined;
        this.post({ type: 'showTrace', detail, ...(focusSpanId ? { focusSpanId } : {}) });
        if (this.pendingPostmortem) {
          this.pendingPostmortem = false;
          await this.loadPostmortem();
        }
      } else {
        this.post({ type: 'traceUpdated', detail });
      }
    } catch (err) {
      this.post({ type: 'traceError', traceId, message: `The trace could not be loaded: ${(err as Error).message}` });
    }
  }

  /** Shows another trace of the same source in this panel (a file of several traces). */
  showTrace(traceId: string): void {
    if (traceId !== this.traceId) this.onRekey(this.traceId, traceId);
    this.traceId = traceId;
    void this.load('showTrace');
  }

  get isReady(): boolean {
    return this.ready;
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.updateSoon.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.onClosed();
    this.panel.dispose();
  }
}

function collectorSource(collector: CollectorApi): TraceSource {
  return {
    getTrace: (id) => collector.getTrace(id),
    postmortem: (id, options) => collector.postmortem(id, options),
    // the judge that answers llm_judge evaluators writes postmortems too
    canWrite: async () => (await collector.evalsStatus()).judge,
    runEvals: async (id) => {
      await vscode.commands.executeCommand('stacklens.runEvals', id);
    },
    missing: (id) => `Trace ${id} is not in the store: it was deleted, removed by retention, or has not arrived yet.`,
  };
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function preview(data: unknown): string {
  try {
    return JSON.stringify(data)?.slice(0, 200) ?? String(data);
  } catch {
    return typeof data;
  }
}

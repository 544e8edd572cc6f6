// `.stacklens.json` trace files open in the trace panel (a custom editor): the file is read in a
// worker (readTraceFile, off the editor's thread), nothing is imported, so a teammate's trace can be looked at without adding
// it to the store. A file of several traces shows the first and offers the others.
import * as vscode from 'vscode';
import type { TraceDetail } from '../server/model';
import { postmortem } from '../server/postmortem';
import { noIcons } from './format';
import { readTraceFileOffThread } from './trace-file-reader';
import { TracePanel, type PanelContext, type TraceSource } from './trace-panel';

export const TRACE_FILE_VIEW_TYPE = 'stacklens.traceFile';

export class TraceFileDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    /** the file's traces; empty when it could not be read */
    readonly traces: TraceDetail[],
    /** why the file could not be read */
    readonly error: string | null,
  ) {}

  dispose(): void {}
}

const NO_TRACE = '0'.repeat(32);
const SHOW_ANOTHER = 'Show Another Trace…';

export class TraceFileEditor implements vscode.CustomReadonlyEditorProvider<TraceFileDocument>, vscode.Disposable {
  private readonly editors = new Map<TracePanel, TraceFileDocument>();

  constructor(private readonly ctx: PanelContext) {}

  async openCustomDocument(uri: vscode.Uri): Promise<TraceFileDocument> {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      const dist = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist').fsPath;
      return new TraceFileDocument(uri, await readTraceFileOffThread(dist, bytes), null);
    } catch (err) {
      return new TraceFileDocument(uri, [], `${uri.path.split('/').pop()} is not a StackLens trace file StackLens can read: ${(err as Error).message}`);
    }
  }

  resolveCustomEditor(document: TraceFileDocument, webviewPanel: vscode.WebviewPanel): void {
    const first = document.traces[0]?.trace.trace_id ?? NO_TRACE;
    const panel = new TracePanel(this.ctx, first, undefined, () => {}, () => this.editors.delete(panel), { panel: webviewPanel, source: fileSource(document) });
    this.editors.set(panel, document);
    if (document.error) {
      this.ctx.log.warn(document.error);
    } else if (document.traces.length > 1) {
      void vscode.window.showInformationMessage(`StackLens: this file holds ${document.traces.length} traces; showing "${noIcons(document.traces[0].trace.name)}".`, SHOW_ANOTHER)
        .then((answer) => (answer === SHOW_ANOTHER ? this.chooseTrace(panel) : undefined));
    } else if (document.traces.length === 0) {
      void vscode.window.showInformationMessage('StackLens: this trace file holds no traces.');
    }
  }

  /** The open trace-file editors (for the test suite and the commands). */
  get open(): Array<{ panel: TracePanel; document: TraceFileDocument }> {
    return [...this.editors].map(([panel, document]) => ({ panel, document }));
  }

  /** The editor in front, else the only one open. */
  get active(): { panel: TracePanel; document: TraceFileDocument } | undefined {
    const open = this.open;
    return open.find((e) => e.panel.panel.active) ?? (open.length === 1 ? open[0] : undefined);
  }

  async chooseTrace(panel = this.active?.panel): Promise<void> {
    const document = panel && this.editors.get(panel);
    if (!panel || !document) return;
    type Item = vscode.QuickPickItem & { traceId: string };
    const items: Item[] = document.traces.map((d) => ({
      label: noIcons(d.trace.name || d.trace.trace_id.slice(0, 8)),
      description: `${d.trace.span_count} span${d.trace.span_count === 1 ? '' : 's'} · ${d.trace.status}`,
      detail: d.trace.trace_id,
      traceId: d.trace.trace_id,
    }));
    const picked = await vscode.window.showQuickPick(items, { title: 'Traces in this file', placeHolder: 'Pick the trace to show' });
    if (picked) panel.showTrace(picked.traceId);
  }

  dispose(): void {
    for (const panel of [...this.editors.keys()]) panel.dispose();
    this.editors.clear();
  }
}

function fileSource(document: TraceFileDocument): TraceSource {
  const find = (id: string) => document.traces.find((d) => d.trace.trace_id === id) ?? null;
  return {
    getTrace: async (id) => find(id),
    postmortem: async (id) => {
      const detail = find(id);
      return detail ? postmortem(detail) : null;
    },
    missing: (id) => document.error ?? `Trace ${id} is not in this file.`,
  };
}

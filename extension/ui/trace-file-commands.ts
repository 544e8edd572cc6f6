// Sharing traces as `.stacklens.json` files (docs/trace-files.md): export one trace or the
// traces the view's filter shows, import a file into the store.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import * as vscode from 'vscode';
import type { CollectorApi, ExportSelection } from '../server/rpc';
import { traceIdOf } from './trace-commands';
import type { TraceFileEditor } from './trace-file-editor';
import { toTraceFilter } from './trace-filter';
import type { TracePanels } from './trace-panel';
import type { TraceTreeProvider } from './traces-view';

export interface TraceFileCommandDeps {
  collector: CollectorApi;
  traces: TraceTreeProvider;
  panels: TracePanels;
  fileEditor: TraceFileEditor;
}

/** The most traces one export takes (the export route's limit). */
const MAX_EXPORT = 1000;
const OPEN_TRACE = 'Open Trace';
/** as the collector's import route allows */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export function registerTraceFileCommands(deps: TraceFileCommandDeps): vscode.Disposable[] {
  const { collector, traces, panels, fileEditor } = deps;
  return [
    vscode.commands.registerCommand('stacklens.exportTrace', async (arg?: unknown, target?: unknown) => {
      const traceId = traceIdOf(arg) ?? panels.focusedTraceId;
      if (!traceId) {
        void vscode.window.showInformationMessage('StackLens: pick a trace to export: right-click it in the Traces view, or open it in a panel first.');
        return undefined;
      }
      return exportTo(collector, { trace_ids: [traceId] }, target);
    }),
    vscode.commands.registerCommand('stacklens.exportTraces', async (target?: unknown) => {
      const filter = toTraceFilter(traces.filterState, Date.now(), MAX_EXPORT);
      return exportTo(collector, filter, target);
    }),
    vscode.commands.registerCommand('stacklens.importTraceFile', (arg?: unknown) => importFile(arg instanceof vscode.Uri ? arg : undefined)),
    // the button of a trace file's editor: that file (VS Code passes its Uri)
    vscode.commands.registerCommand('stacklens.traceFile.import', (arg?: unknown) => importFile(arg instanceof vscode.Uri ? arg : fileEditor.active?.document.uri)),
    vscode.commands.registerCommand('stacklens.traceFile.chooseTrace', () => fileEditor.chooseTrace()),
  ];

  async function importFile(given: vscode.Uri | undefined) {
    const uri = given ?? (await pickTraceFile());
    if (!uri) return undefined;
    try {
      const text = await fileText(await vscode.workspace.fs.readFile(uri));
      const result = await collector.importTraces(text);
      traces.refresh();
      const what = `${result.traces.length} trace${result.traces.length === 1 ? '' : 's'} (${result.spans} span${result.spans === 1 ? '' : 's'}, ${result.scores} score${result.scores === 1 ? '' : 's'})`;
      void vscode.window.showInformationMessage(`StackLens: imported ${what} from ${basename(uri)}.`, ...(result.traces.length > 0 ? [OPEN_TRACE] : []))
        .then((answer) => (answer === OPEN_TRACE ? panels.open(result.traces[0]) : undefined));
      return result;
    } catch (err) {
      void vscode.window.showErrorMessage(`StackLens: could not import ${basename(uri)}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

/**
 * Exports to a file the user picks (or `target`, a Uri, when a script or test gives one).
 * Returns where the file was written, or undefined when nothing was.
 */
async function exportTo(collector: CollectorApi, selection: ExportSelection, target: unknown): Promise<vscode.Uri | undefined> {
  try {
    const file = await collector.exportTraces(selection);
    if (file.traceCount === 0) {
      void vscode.window.showInformationMessage('StackLens: no trace matches the current filter: nothing to export.');
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = target instanceof vscode.Uri ? target : await vscode.window.showSaveDialog({
      title: file.traceCount === 1 ? 'Export Trace' : `Export ${file.traceCount} Traces`,
      defaultUri: folder ? vscode.Uri.joinPath(folder, file.fileName) : undefined,
      filters: { 'StackLens trace files': ['json'] },
      saveLabel: 'Export',
    });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(file.text));
    vscode.window.setStatusBarMessage(`$(check) Exported ${file.traceCount} trace${file.traceCount === 1 ? '' : 's'} to ${basename(uri)}`, 4000);
    return uri;
  } catch (err) {
    void vscode.window.showErrorMessage(`StackLens: the export failed: ${(err as Error).message}`);
    return undefined;
  }
}

/** A trace file may be gzipped (`.stacklens.json.gz` renamed, or as a tool wrote it): the collector takes text. */
const gunzipAsync = promisify(gunzip);

async function fileText(bytes: Uint8Array): Promise<string> {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  // inflating runs on libuv's pool, not on the editor's thread
  return new TextDecoder().decode(gzipped ? await gunzipAsync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }) : bytes);
}

async function pickTraceFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Import Trace File',
    canSelectMany: false,
    filters: { 'StackLens trace files': ['json'] },
    openLabel: 'Import',
  });
  return picked?.[0];
}

function basename(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.toString();
}

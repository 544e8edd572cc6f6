// "Go to source": the span's recorded path, resolved against this workspace (the program may have
// run in a container or on another machine), opened with the cursor on the recorded line.
import * as vscode from 'vscode';
import { resolveSourceFile } from './source-paths';

export type SourceOpener = (file: string, line: number, besideColumn?: vscode.ViewColumn) => Promise<boolean>;

async function exists(file: string): Promise<boolean> {
  try {
    const stat = await vscode.workspace.fs.stat(vscode.Uri.file(file));
    return stat.type === vscode.FileType.File || stat.type === (vscode.FileType.File | vscode.FileType.SymbolicLink);
  } catch {
    return false;
  }
}

export const openSource: SourceOpener = async (file, line, besideColumn) => {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const resolved = await resolveSourceFile(file, folders, exists);
  if (!resolved) {
    const where = folders.length ? 'in the open workspace folders' : 'because no folder is open';
    void vscode.window.showWarningMessage(`StackLens: cannot find ${file} ${where}. Open the folder of the traced program to jump to its source.`);
    return false;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(resolved));
  // Keep the trace panel visible: open the source in another editor group than the panel's.
  const viewColumn = besideColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
  const editor = await vscode.window.showTextDocument(document, { viewColumn, preview: true });
  const lineIndex = Math.min(Math.max(line - 1, 0), Math.max(document.lineCount - 1, 0));
  const text = document.lineAt(lineIndex);
  const position = new vscode.Position(lineIndex, text.firstNonWhitespaceCharacterIndex);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return true;
};

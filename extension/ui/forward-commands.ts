// "StackLens: Set Forwarding Header…": a header's value goes to VS Code's SecretStorage (it is a
// credential: an API key, a Basic token), its name to the stacklens.forward.headers setting.
import * as vscode from 'vscode';
import { forwardHeaderSecretKey } from './privacy-settings';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NEW_HEADER = '$(add) Another header…';

/** Checks a header name as typed; null when it can be used. */
export function headerNameProblem(name: string): string | null {
  if (!name.trim()) return 'Give the header\'s name, e.g. Authorization';
  if (!HEADER_NAME.test(name.trim())) return 'A header name is letters, digits and - (no spaces or colons), e.g. x-api-key';
  return null;
}

export function registerForwardCommands(secrets: vscode.SecretStorage): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('stacklens.setForwardHeader', async (givenName?: unknown, givenValue?: unknown) => {
      const config = vscode.workspace.getConfiguration('stacklens');
      const names = (config.get<unknown>('forward.headers') as unknown[] | undefined ?? []).filter((n): n is string => typeof n === 'string');
      let name = typeof givenName === 'string' ? givenName : undefined;
      if (!name) {
        const picked = names.length === 0 ? NEW_HEADER : await vscode.window.showQuickPick([...names, NEW_HEADER], { title: 'Set Forwarding Header', placeHolder: 'The header whose value to set' });
        if (!picked) return;
        name = picked !== NEW_HEADER ? picked : await vscode.window.showInputBox({
          title: 'Set Forwarding Header', prompt: 'Header name, sent with every forwarded batch', placeHolder: 'Authorization', validateInput: headerNameProblem,
        });
        if (!name) return;
      }
      const problem = headerNameProblem(name);
      if (problem) {
        void vscode.window.showErrorMessage(`StackLens: "${name}": ${problem}`);
        return;
      }
      name = name.trim();
      const value = typeof givenValue === 'string' ? givenValue : await vscode.window.showInputBox({
        title: `Value of ${name}`,
        prompt: 'Kept in VS Code\'s secret storage, never in settings. Leave empty to remove the header.',
        password: true,
        validateInput: (text) => (/[\r\n\0]/.test(text) ? 'The value must be one line of text' : null),
      });
      if (value === undefined) return;
      const key = forwardHeaderSecretKey(name);
      // the list lives where it is set: a workspace's list hides the user's
      const target = config.inspect('forward.headers')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      const listed = names.some((n) => n.toLowerCase() === name!.toLowerCase());
      if (value === '') {
        await secrets.delete(key);
        if (listed) await config.update('forward.headers', names.filter((n) => n.toLowerCase() !== name!.toLowerCase()), target);
        vscode.window.setStatusBarMessage(`$(check) StackLens forwards without ${name}`, 4000);
        return;
      }
      await secrets.store(key, value.trim());
      if (!listed) await config.update('forward.headers', [...names, name], target);
      vscode.window.setStatusBarMessage(`$(check) StackLens forwards with ${name} (its value is in secret storage)`, 4000);
    }),
  ];
}

// The collector's privacy, forwarding and encryption options, from settings (every workspace
// folder's content-capture setting) and VS Code's SecretStorage (forwarding header values, the
// store key). Problems are returned so the caller can say them once.
import * as vscode from 'vscode';
import { encryptedDataDir, storeKeyAdvice, storeKeyFor } from '../client/store-key';
import type { CollectorWorkerOptions } from '../server/rpc';
import { forwardHeaderSecretKey, forwardOption, strictestCaptureContent } from './privacy-settings';
import type { StackLensSettings } from './settings';

export type PrivacyOptions = Pick<CollectorWorkerOptions, 'dataDir' | 'forward' | 'captureContent' | 'redact' | 'encryptionKeyHex'>;

export async function privacyOptions(settings: StackLensSettings, secrets: vscode.SecretStorage, storageDir: string): Promise<{ options: PrivacyOptions; problems: string[] }> {
  const problems: string[] = [];
  const folderValues = (vscode.workspace.workspaceFolders ?? []).map((folder) =>
    vscode.workspace.getConfiguration('stacklens', folder.uri).get<unknown>('privacy.captureContent'));
  const captureContent = strictestCaptureContent([settings.privacy.captureContent, ...folderValues]);

  const values = new Map<string, string | undefined>();
  for (const name of settings.forward.headerNames) values.set(name, await secrets.get(forwardHeaderSecretKey(name)));
  const forward = forwardOption(settings.forward, (name) => values.get(name), problems);

  let dataDir = storageDir;
  let encryptionKeyHex: string | undefined;
  if (settings.privacy.encryptAtRest) {
    dataDir = encryptedDataDir(storageDir);
    const key = await storeKeyFor(secrets, dataDir);
    encryptionKeyHex = key.keyHex;
    if (key.problem) problems.push(`${key.problem}. ${storeKeyAdvice(dataDir)}`);
  }
  return { options: { dataDir, forward, captureContent, redact: settings.privacy.redact, encryptionKeyHex }, problems };
}

// The nonce of one render of the trace panel's page (the page itself is webview/protocol.ts's
// panelHtml, next to the bundle that relies on it).
import { randomBytes } from 'node:crypto';

export function createNonce(): string {
  // 32 characters of [A-Za-z0-9]: valid in a CSP nonce source, safe in an attribute.
  return randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 32).padEnd(32, '0');
}

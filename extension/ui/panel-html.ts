// The trace panel's HTML (webview/protocol.ts says what the bundle expects). Scripts run only
// with this render's nonce; nothing else may load but the panel's own files.
import { randomBytes } from 'node:crypto';

export function createNonce(): string {
  // 32 characters of base64url: valid in a CSP nonce source, safe in an attribute.
  return randomBytes(24).toString('base64url');
}

export interface PanelHtmlParts {
  /** webview.cspSource */
  cspSource: string;
  /** webview.asWebviewUri(<extension>/dist/webview.js) */
  scriptUri: string;
  nonce: string;
  title?: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function panelHtml(parts: PanelHtmlParts): string {
  const csp = contentSecurityPolicy(parts.cspSource, parts.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeText(parts.title ?? 'StackLens trace')}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${escapeAttribute(parts.nonce)}" src="${escapeAttribute(parts.scriptUri)}"></script>
</body>
</html>`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

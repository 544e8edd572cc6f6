import assert from 'node:assert/strict';
import { createNonce } from '../../../extension/ui/panel-html';
import { panelCsp as contentSecurityPolicy, panelHtml } from '../../../webview/protocol';

describe('the trace panel HTML', () => {
  const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
  const parts = { cspSource, scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js', nonce: 'abcDEF123_-abcDEF123_-abcDEF123x' };

  it('allows scripts only with the nonce and nothing inline or evaluated', () => {
    const csp = contentSecurityPolicy(cspSource, parts.nonce);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${parts.nonce}'(;|$)`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(csp, new RegExp(`style-src ${cspSource.replace(/[.+]/g, '\\$&')} 'nonce-`));
  });

  it('loads the bundle from its webview URI with the nonce, and holds no inline script', () => {
    const html = panelHtml(parts);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${parts.nonce}"`));
    assert.match(scripts[0][1], /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
    assert.equal(scripts[0][2], '');
    assert.match(html, /<div id="root"><\/div>/);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });

  it('escapes what it puts into attributes', () => {
    const html = panelHtml({ ...parts, scriptUri: 'https://x/"><script>alert(1)</script>' });
    assert.doesNotMatch(html, /<script>alert/);
  });

  it('makes a new 32-character nonce each time', () => {
    const a = createNonce();
    const b = createNonce();
    assert.equal(a.length, 32);
    assert.match(a, /^[A-Za-z0-9]+$/);
    assert.notEqual(a, b);
  });
});

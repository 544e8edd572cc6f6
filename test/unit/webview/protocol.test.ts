import assert from 'node:assert/strict';
import { MAX_LOG_CHARS, MAX_SQL_CHARS, panelCsp, panelHtml, parseDashboardMessage, parseWebviewMessage } from '../../../webview/protocol';

describe('webview → host message validation', () => {
  it('accepts each message the panel sends', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'openSource', file: 'src/a.ts', line: 12 }), { type: 'openSource', file: 'src/a.ts', line: 12 });
    assert.deepEqual(parseWebviewMessage({ type: 'copy', text: '' }), { type: 'copy', text: '' });
    assert.deepEqual(parseWebviewMessage({ type: 'requestTrace', traceId: 'a'.repeat(32) }), { type: 'requestTrace', traceId: 'a'.repeat(32) });
    assert.deepEqual(parseWebviewMessage({ type: 'log', level: 'warn', message: 'x' }), { type: 'log', level: 'warn', message: 'x' });
  });

  it('drops fields it does not know rather than passing them on', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', command: 'rm -rf' }), { type: 'ready' });
  });

  it('refuses unknown types and mistyped or out-of-range fields', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'eval', code: '1' },
      { type: 'openSource', file: 'a.ts', line: 0 },
      { type: 'openSource', file: 'a.ts', line: 1.5 },
      { type: 'openSource', file: 'a.ts', line: '3' },
      { type: 'openSource', file: '', line: 3 },
      { type: 'openSource', file: 'a\0.ts', line: 3 },
      { type: 'copy', text: 42 },
      { type: 'requestTrace', traceId: '../../etc/passwd' },
      { type: 'log', level: 'debug', message: 'x' },
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), null, JSON.stringify(m));
  });

  it('truncates an oversize log message instead of forwarding all of it', () => {
    const m = parseWebviewMessage({ type: 'log', level: 'info', message: 'x'.repeat(MAX_LOG_CHARS + 10) });
    assert.equal(m && m.type === 'log' && m.message.length, MAX_LOG_CHARS);
  });
});

describe('panel page', () => {
  it('allows scripts and styles only with the nonce, nothing inline or evaluated', () => {
    const csp = panelCsp('https://x.vscode-cdn.net', 'N0nce');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'/);
    assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net 'nonce-N0nce'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  it('loads the bundle with the nonce and escapes what it interpolates', () => {
    const html = panelHtml({ cspSource: 'vscode-resource:', nonce: 'abc', scriptUri: 'https://r/dist/webview.js?a="b"' });
    assert.match(html, /<script nonce="abc" src="https:\/\/r\/dist\/webview\.js\?a=&quot;b&quot;"><\/script>/);
    assert.match(html, /<div id="root"><\/div>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });
});

describe('dashboard → host message validation', () => {
  it('accepts each message the dashboard sends', () => {
    assert.deepEqual(parseDashboardMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseDashboardMessage({ type: 'requestUsage', since: 1000, until: null }), { type: 'requestUsage', since: 1000, until: null });
    assert.deepEqual(parseDashboardMessage({ type: 'requestUsage', since: 1000, until: 2000 }), { type: 'requestUsage', since: 1000, until: 2000 });
    assert.deepEqual(parseDashboardMessage({ type: 'openTrace', traceId: 'b'.repeat(32) }), { type: 'openTrace', traceId: 'b'.repeat(32) });
    assert.deepEqual(parseDashboardMessage({ type: 'runSql', id: 3, sql: 'SELECT 1' }), { type: 'runSql', id: 3, sql: 'SELECT 1' });
    assert.deepEqual(parseDashboardMessage({ type: 'openBudgetSettings', setting: 'x' }), { type: 'openBudgetSettings' });
    assert.deepEqual(parseDashboardMessage({ type: 'copy', text: 'a\tb' }), { type: 'copy', text: 'a\tb' });
  });

  it('refuses malformed ranges, trace ids, queries and unknown types', () => {
    const bad: unknown[] = [
      { type: 'requestUsage', since: -1, until: null },
      { type: 'requestUsage', since: 2000, until: 1000 },
      { type: 'requestUsage', since: '7d', until: null },
      { type: 'requestUsage', since: 1000 },
      { type: 'openTrace', traceId: 'not-a-trace' },
      { type: 'runSql', id: 1, sql: '   ' },
      { type: 'runSql', id: -1, sql: 'SELECT 1' },
      { type: 'runSql', id: 1, sql: 'x'.repeat(MAX_SQL_CHARS + 1) },
      { type: 'showTrace' },
      { type: 'runEvals' },
    ];
    for (const m of bad) assert.equal(parseDashboardMessage(m), null, JSON.stringify(m).slice(0, 80));
  });

  it('accepts the panel toolbar actions (run evals, postmortem) with no fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'runEvals', traceId: 'x' }), { type: 'runEvals' });
    assert.deepEqual(parseWebviewMessage({ type: 'requestPostmortem' }), { type: 'requestPostmortem' });
  });

  it('titles the page of either webview as asked, escaped', () => {
    assert.match(panelHtml({ cspSource: 'x', nonce: 'n', scriptUri: 's', title: 'StackLens <dashboard>' }), /<title>StackLens &lt;dashboard&gt;<\/title>/);
  });
});

import assert from 'node:assert/strict';
import type { ConnectionState } from '../../../extension/client/collector-connection';
import { statusText } from '../../../extension/ui/status-text';

const base: ConnectionState = {
  role: 'owner', phase: 'ready', port: 4318, url: 'http://127.0.0.1:4318', token: 'sl-x',
  dataDir: '/home/dev/.vscode/globalStorage/stacklens.stacklens', error: null, conflictPort: null,
};

describe('the status bar item', () => {
  it('shows the port, today\'s calls and cost when this window runs the collector', () => {
    const s = statusText(base, { calls: 124, cost_usd: 0.42 });
    assert.equal(s.text, '$(pulse) StackLens :4318 · 124 calls · $0.42 today');
    assert.equal(s.severity, 'normal');
    assert.ok(s.tooltip.includes('Collector: http://127.0.0.1:4318 — run by this window'));
    assert.ok(s.tooltip.includes(`Data: ${base.dataDir}`));
  });

  it('says when the collector is shared with another window', () => {
    const s = statusText({ ...base, role: 'client', port: 43123, url: 'http://127.0.0.1:43123' }, null);
    assert.equal(s.text, '$(pulse) StackLens :43123 (shared)');
    assert.ok(s.tooltip[0].endsWith('shared with another VS Code window'));
  });

  it('shows a port conflict plainly, with the reason in the tooltip', () => {
    const error = 'port 4318 is in use by another program: use a free port, or set stacklens.port to one that is free';
    const s = statusText({ ...base, role: 'none', phase: 'failed', url: null, error, conflictPort: 4318 }, { calls: 1, cost_usd: 1 });
    assert.equal(s.text, '$(error) StackLens: port 4318 in use');
    assert.equal(s.severity, 'error');
    assert.ok(s.tooltip.includes(`Problem: ${error}`));
  });

  it('warns when the collector answers but refuses this window', () => {
    const s = statusText({ ...base, role: 'client', error: 'refused this window\'s token' }, null);
    assert.equal(s.text, '$(warning) StackLens :4318 (shared)');
    assert.equal(s.severity, 'warning');
  });

  it('spins while starting', () => {
    assert.equal(statusText({ ...base, phase: 'starting', role: 'none' }, null).text, '$(loading~spin) StackLens :4318');
  });
});

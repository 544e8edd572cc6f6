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

describe('forwarding health in the status bar', () => {
  const healthy = {
    enabled: true as const, endpoint: 'http://tempo:4318/v1/traces', headers: ['Authorization'], state: 'ok' as const,
    last_error: null, last_error_at: null, last_success_at: 1_000_000, sent: 1204, dropped: 0, rejected: 0, queued: 3,
  };

  it('shows where spans go and how many went, without changing the colour while it works', () => {
    const s = statusText(base, null, healthy, 1_030_000);
    assert.equal(s.severity, 'normal');
    assert.ok(s.tooltip.includes('Forwarding to http://tempo:4318/v1/traces: ok — 1.2k sent, 3 queued, 0 dropped'), s.tooltip.join('\n'));
    assert.ok(s.tooltip.includes('Last forwarded 30 s ago'));
  });

  it('turns the item to a warning with the reason when forwarding is failing', () => {
    const failing = { ...healthy, state: 'failing' as const, last_error: 'upstream http://tempo:4318/v1/traces is unreachable: connect ECONNREFUSED', last_error_at: 1_020_000, dropped: 12 };
    const s = statusText(base, { calls: 2, cost_usd: 0.01 }, failing, 1_030_000);
    assert.equal(s.severity, 'warning');
    assert.ok(s.text.startsWith('$(warning) StackLens :4318'));
    assert.ok(s.tooltip.includes('Forwarding problem (10 s ago): upstream http://tempo:4318/v1/traces is unreachable: connect ECONNREFUSED'));
    // retrying is not yet a warning: it may well go through on the next attempt
    assert.equal(statusText(base, null, { ...failing, state: 'retrying' }, 1_030_000).severity, 'normal');
  });

  it('says nothing of forwarding when it is off', () => {
    assert.deepEqual(statusText(base, null, { enabled: false }).tooltip, statusText(base, null).tooltip);
  });

  it('names a store key problem and says what to do in VS Code', () => {
    const error = 'this store is encrypted: give its key (--key-file FILE for the CLI; in VS Code, the key kept in its secret storage). Without it nothing in /data can be read';
    const s = statusText({ ...base, phase: 'failed', url: null, error }, null);
    assert.equal(s.text, '$(error) StackLens: store key problem');
    assert.equal(s.severity, 'error');
    assert.ok(s.tooltip.some((line) => line.includes('turn stacklens.privacy.encryptAtRest off')));
  });
});

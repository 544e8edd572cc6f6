import assert from 'node:assert/strict';
import {
  formatAgo, formatCost, formatCount, formatDuration, formatUsd, lensTitle, spanCost, spanDescription, traceDescription,
} from '../../../extension/ui/format';
import { span, summary } from './samples';

const NOW = 1_700_000_000_000;

describe('formatting for the tree, lenses and status bar', () => {
  it('writes the CodeLens line of the issue: runs · p50 · cost · score · age', () => {
    const title = lensTitle({ runs: 12, p50_ms: 1200, total_cost_usd: 0.034, avg_score: 0.87, last_run: NOW - 2 * 60_000 }, NOW);
    assert.equal(title, '12 runs · p50 1.2s · $0.034 · score 0.87 · 2m ago');
  });

  it('leaves the score out of a lens when the site has no scores', () => {
    assert.equal(lensTitle({ runs: 1, p50_ms: 450, total_cost_usd: 0.0012, avg_score: null, last_run: NOW - 3 * 3600_000 }, NOW), '1 run · p50 450ms · $0.0012 · 3h ago');
  });

  it('says unpriced instead of $0 when the runs could not be priced', () => {
    assert.equal(lensTitle({ runs: 3, p50_ms: 900, total_cost_usd: 0, unpriced_runs: 3, avg_score: null, last_run: NOW }, NOW), '3 runs · p50 900ms · unpriced · just now');
    assert.equal(formatCost(0.5, 1), '$0.50 + unpriced');
    assert.equal(formatCost(0, 2), 'unpriced');
  });

  it('shows no cost at all for a site without model usage rather than a made-up $0', () => {
    assert.equal(lensTitle({ runs: 5, p50_ms: 20, total_cost_usd: 0, avg_score: null, last_run: NOW - 30_000 }, NOW), '5 runs · p50 20ms · 30s ago');
  });

  it('formats durations from sub-millisecond to hours', () => {
    assert.deepEqual([0.25, 12.4, 999, 1000, 1234, 12_345, 65_000, 3_725_000].map(formatDuration), ['0.25ms', '12ms', '999ms', '1s', '1.23s', '12.3s', '1m 05s', '1h 02m']);
  });

  it('formats dollars with two decimals from $1 and two significant digits below', () => {
    assert.deepEqual([12.345, 1, 0.42, 0.034, 0.1, 0.0012, 0.000093, 0.0000004, 0].map(formatUsd), ['$12.35', '$1.00', '$0.42', '$0.034', '$0.10', '$0.0012', '$0.000093', '<$0.000001', '$0']);
  });

  it('formats counts compactly and ages relative to now', () => {
    assert.deepEqual([999, 1234, 56_789, 2_500_000].map(formatCount), ['999', '1.2k', '57k', '2.5M']);
    assert.equal(formatAgo(NOW - 5_000, NOW), 'just now');
    assert.equal(formatAgo(NOW - 2 * 86400_000, NOW), '2d ago');
    assert.equal(formatAgo(Date.UTC(2023, 0, 2), Date.UTC(2023, 2, 1)), '2023-01-02');
  });

  it('describes a trace row as duration · cost · tokens', () => {
    const t = summary({ duration_ms: 2500, total_cost_usd: 0.0123, input_tokens: 1200, output_tokens: 300 });
    assert.equal(traceDescription(t), '2.5s · $0.012 · 1.5k tok');
    assert.equal(traceDescription(summary({ duration_ms: 80, unpriced_call_count: 1, input_tokens: 10, output_tokens: 5 })), '80ms · unpriced · 15 tok');
  });

  it('describes a span row with its model, and marks unpriced spans', () => {
    const s = span({ model: 'gpt-4o', duration_ms: 800, cost_usd: 0.002, cost_source: 'computed', input_tokens: 100, output_tokens: 20 });
    assert.equal(spanDescription(s), 'gpt-4o · 800ms · $0.0020 · 120 tok');
    assert.equal(spanCost({ cost_usd: null, cost_source: 'unpriced' }), 'unpriced');
    assert.equal(spanCost({ cost_usd: null, cost_source: null }), null);
  });
});

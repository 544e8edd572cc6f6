// What the status bar item says: the collector's state and port, and today's calls and cost.
import type { ConnectionState } from '../client/collector-connection';
import { isStoreKeyError, storeKeyAdvice } from '../client/store-key';
import type { ForwardingStatus } from '../server/rpc';
import { formatCount, formatUsd } from './format';

export interface TodayFigures {
  calls: number;
  cost_usd: number;
}

export interface StatusText {
  text: string;
  /** plain lines; the adapter renders them */
  tooltip: string[];
  severity: 'normal' | 'warning' | 'error';
}

/** The forwarding lines of the tooltip, and whether forwarding is in trouble. */
export function forwardingText(status: ForwardingStatus | null, now: number): { lines: string[]; failing: boolean } {
  if (!status || !status.enabled) return { lines: [], failing: false };
  const ago = (at: number | null) => (at === null ? 'never' : `${Math.max(0, Math.round((now - at) / 1000))} s ago`);
  const counts = `${formatCount(status.sent)} sent, ${formatCount(status.queued)} queued, ${formatCount(status.dropped)} dropped${status.rejected ? `, ${formatCount(status.rejected)} rejected` : ''}`;
  const lines = [`Forwarding to ${status.endpoint}: ${status.state} — ${counts}`];
  if (status.state !== 'ok' && status.last_error) lines.push(`Forwarding problem (${ago(status.last_error_at)}): ${status.last_error}`);
  else if (status.last_success_at !== null) lines.push(`Last forwarded ${ago(status.last_success_at)}`);
  return { lines, failing: status.state === 'failing' };
}

export function statusText(state: ConnectionState, today: TodayFigures | null, forwarding: ForwardingStatus | null = null, now = Date.now()): StatusText {
  const port = state.port !== null ? ` :${state.port}` : '';
  const tooltip: string[] = [];
  if (state.url) {
    tooltip.push(`Collector: ${state.url} — ${state.role === 'owner' ? 'run by this window' : 'shared with another VS Code window'}`);
  }
  tooltip.push(`Data: ${state.dataDir}`);
  if (state.error) tooltip.push(`Problem: ${state.error}`);
  if (isStoreKeyError(state.error)) tooltip.push(storeKeyAdvice(state.dataDir));

  switch (state.phase) {
    case 'starting':
      return { text: `$(loading~spin) StackLens${port}`, tooltip: ['Starting the collector…', ...tooltip], severity: 'normal' };
    case 'stopped':
      return { text: '$(circle-slash) StackLens stopped', tooltip: [...tooltip, 'Click for the collector status'], severity: 'warning' };
    case 'failed': {
      const short = state.conflictPort !== null ? `port ${state.conflictPort} in use` : isStoreKeyError(state.error) ? 'store key problem' : 'collector failed';
      return { text: `$(error) StackLens: ${short}`, tooltip: [...tooltip, 'Click for the collector status and what to do'], severity: 'error' };
    }
    case 'ready': {
      const shared = state.role === 'client' ? ' (shared)' : '';
      const figures = today ? ` · ${formatCount(today.calls)} ${today.calls === 1 ? 'call' : 'calls'} · ${formatUsd(today.cost_usd)} today` : '';
      const forward = forwardingText(forwarding, now);
      const icon = state.error || forward.failing ? '$(warning)' : '$(pulse)';
      return {
        text: `${icon} StackLens${port}${shared}${figures}`,
        tooltip: [...tooltip, ...forward.lines, 'Click to open the Traces view'],
        severity: state.error || forward.failing ? 'warning' : 'normal',
      };
    }
  }
}

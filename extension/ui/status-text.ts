// What the status bar item says: the collector's state and port, and today's calls and cost.
import type { ConnectionState } from '../client/collector-connection';
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

export function statusText(state: ConnectionState, today: TodayFigures | null): StatusText {
  const port = state.port !== null ? ` :${state.port}` : '';
  const tooltip: string[] = [];
  if (state.url) {
    tooltip.push(`Collector: ${state.url} — ${state.role === 'owner' ? 'run by this window' : 'shared with another VS Code window'}`);
  }
  tooltip.push(`Data: ${state.dataDir}`);
  if (state.error) tooltip.push(`Problem: ${state.error}`);

  switch (state.phase) {
    case 'starting':
      return { text: `$(loading~spin) StackLens${port}`, tooltip: ['Starting the collector…', ...tooltip], severity: 'normal' };
    case 'stopped':
      return { text: '$(circle-slash) StackLens stopped', tooltip: [...tooltip, 'Click for the collector status'], severity: 'warning' };
    case 'failed': {
      const short = state.conflictPort !== null ? `port ${state.conflictPort} in use` : 'collector failed';
      return { text: `$(error) StackLens: ${short}`, tooltip: [...tooltip, 'Click for the collector status and what to do'], severity: 'error' };
    }
    case 'ready': {
      const shared = state.role === 'client' ? ' (shared)' : '';
      const figures = today ? ` · ${formatCount(today.calls)} ${today.calls === 1 ? 'call' : 'calls'} · ${formatUsd(today.cost_usd)} today` : '';
      const icon = state.error ? '$(warning)' : '$(pulse)';
      return {
        text: `${icon} StackLens${port}${shared}${figures}`,
        tooltip: [...tooltip, 'Click to open the Traces view'],
        severity: state.error ? 'warning' : 'normal',
      };
    }
  }
}

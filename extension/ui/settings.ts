// The `stacklens.*` settings (declared in package.json), read through a getter so the rules are
// testable without VS Code. A value of the wrong shape falls back to its default and is named in
// `problems`, so a typo in settings.json is reported instead of silently breaking the collector.
import type { CollectorWorkerOptions } from '../server/rpc';

export const DEFAULT_PORT = 4318;
export const DEFAULT_MAX_AGE_DAYS = 7;
export const DEFAULT_MAX_SPANS = 200_000;

export interface StackLensSettings {
  port: number;
  /** empty: generated and kept in the data folder */
  token: string;
  retention: { maxAgeMs: number; maxSpans: number };
  priceOverrides: NonNullable<CollectorWorkerOptions['priceOverrides']>;
  codeLensEnabled: boolean;
}

export type SettingGetter = (key: string) => unknown;

/** Settings that need the collector restarted when they change. */
export const COLLECTOR_SETTINGS = ['stacklens.port', 'stacklens.token', 'stacklens.retention', 'stacklens.pricing'];

export function readSettings(get: SettingGetter): { settings: StackLensSettings; problems: string[] } {
  const problems: string[] = [];
  const number = (key: string, fallback: number, min: number, max: number): number => {
    const value = get(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`stacklens.${key} is ${JSON.stringify(value)}: it must be a whole number from ${min} to ${max}; using ${fallback}`);
      return fallback;
    }
    return value;
  };
  const port = number('port', DEFAULT_PORT, 0, 65535);
  const maxAgeDays = number('retention.maxAgeDays', DEFAULT_MAX_AGE_DAYS, 1, 3650);
  const maxSpans = number('retention.maxSpans', DEFAULT_MAX_SPANS, 1000, 10_000_000);

  let token = get('token');
  if (token !== undefined && token !== null && typeof token !== 'string') {
    problems.push('stacklens.token must be a string; using the generated token');
    token = '';
  }
  const overrides = get('pricing.overrides');
  let priceOverrides: StackLensSettings['priceOverrides'] = {};
  if (overrides !== undefined && overrides !== null) {
    if (typeof overrides !== 'object' || Array.isArray(overrides)) {
      problems.push('stacklens.pricing.overrides must be an object of model name → prices; ignoring it');
    } else {
      // VS Code hands out configuration objects as proxies, which a worker's structured clone
      // refuses ("could not be cloned"): pass a plain copy.
      priceOverrides = JSON.parse(JSON.stringify(overrides)) as StackLensSettings['priceOverrides'];
    }
  }
  const lens = get('codeLens.enabled');
  return {
    settings: {
      port,
      token: typeof token === 'string' ? token.trim() : '',
      retention: { maxAgeMs: maxAgeDays * 86_400_000, maxSpans },
      priceOverrides,
      codeLensEnabled: lens === undefined || lens === null ? true : lens === true,
    },
    problems,
  };
}

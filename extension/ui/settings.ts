// The `stacklens.*` settings (declared in package.json), read through a getter so the rules are
// testable without VS Code. A value of the wrong shape falls back to its default and is named in
// `problems`, so a typo in settings.json is reported instead of silently breaking the collector.
import path from 'node:path';
import type { BudgetOptions } from '../server/budget';
import type { CollectorWorkerOptions } from '../server/rpc';
import { readForwardSettings, readPrivacySettings, type ForwardSettings, type PrivacySettings } from './privacy-settings';

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
  budget: Required<BudgetOptions>;
  evals: EvalsSettings;
  privacy: PrivacySettings;
  forward: ForwardSettings;
}

export type JudgeProvider = 'vscode' | 'openai-compatible' | 'off';

export interface EvalsSettings {
  /** as written in settings; empty: `.stacklens/evals.json` of the first workspace folder */
  file: string;
  judge: { provider: JudgeProvider; url: string; model: string };
}

export const DEFAULT_EVALS_FILE = path.join('.stacklens', 'evals.json');
const JUDGE_PROVIDERS: JudgeProvider[] = ['vscode', 'openai-compatible', 'off'];

export type SettingGetter = (key: string) => unknown;

/** Settings that need the collector restarted when they change. */
export const COLLECTOR_SETTINGS = ['stacklens.port', 'stacklens.token', 'stacklens.retention', 'stacklens.pricing', 'stacklens.budget', 'stacklens.evals', 'stacklens.privacy', 'stacklens.forward'];

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
  const budget = readBudget(get, problems);
  const evals = readEvals(get, problems);
  const privacy = readPrivacySettings(get, problems);
  const forward = readForwardSettings(get, problems);
  return {
    settings: {
      port,
      token: typeof token === 'string' ? token.trim() : '',
      retention: { maxAgeMs: maxAgeDays * 86_400_000, maxSpans },
      priceOverrides,
      codeLensEnabled: lens === undefined || lens === null ? true : lens === true,
      budget,
      evals,
      privacy,
      forward,
    },
    problems,
  };
}

function readBudget(get: SettingGetter, problems: string[]): Required<BudgetOptions> {
  const amount = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  let monthlyUsd = get('budget.monthlyUsd');
  if (monthlyUsd !== undefined && monthlyUsd !== null && !amount(monthlyUsd)) {
    problems.push(`stacklens.budget.monthlyUsd is ${JSON.stringify(monthlyUsd)}: it must be an amount in USD ≥ 0, or null for no budget; showing spend without a limit`);
    monthlyUsd = null;
  }
  let warnAtPct = get('budget.warnAtPct');
  if (warnAtPct === undefined || warnAtPct === null) warnAtPct = 80;
  else if (typeof warnAtPct !== 'number' || !(warnAtPct > 0 && warnAtPct <= 100)) {
    problems.push(`stacklens.budget.warnAtPct is ${JSON.stringify(warnAtPct)}: it must be a percent from 1 to 100; using 80`);
    warnAtPct = 80;
  }
  const hard = get('budget.hardLimit');
  if (hard !== undefined && hard !== null && typeof hard !== 'boolean') problems.push(`stacklens.budget.hardLimit is ${JSON.stringify(hard)}: it must be true or false; using false`);
  const perTag: Record<string, number> = {};
  const tags = get('budget.perTag');
  if (tags !== undefined && tags !== null) {
    if (typeof tags !== 'object' || Array.isArray(tags)) {
      problems.push('stacklens.budget.perTag must be an object of tag → monthly USD, e.g. { "support": 300 }; ignoring it');
    } else {
      // a plain copy: configuration objects are proxies a worker cannot receive
      for (const [tag, limit] of Object.entries(tags as Record<string, unknown>)) {
        if (tag.trim() === '') problems.push('stacklens.budget.perTag has an empty tag name; ignoring that entry');
        else if (!amount(limit)) problems.push(`stacklens.budget.perTag["${tag}"] is ${JSON.stringify(limit)}: it must be an amount in USD ≥ 0; ignoring that tag`);
        else perTag[tag] = limit as number;
      }
    }
  }
  return { monthlyUsd: (monthlyUsd as number | null | undefined) ?? null, warnAtPct: warnAtPct as number, hardLimit: hard === true, perTag };
}

function readEvals(get: SettingGetter, problems: string[]): EvalsSettings {
  const text = (key: string): string => {
    const value = get(key);
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') {
      problems.push(`stacklens.${key} must be a string; ignoring ${JSON.stringify(value)}`);
      return '';
    }
    return value.trim();
  };
  const file = text('evals.file');
  let provider = get('evals.judge.provider') ?? 'vscode';
  if (!JUDGE_PROVIDERS.includes(provider as JudgeProvider)) {
    problems.push(`stacklens.evals.judge.provider is ${JSON.stringify(provider)}: it must be one of ${JUDGE_PROVIDERS.join(', ')}; using vscode`);
    provider = 'vscode';
  }
  const url = text('evals.judge.url');
  const model = text('evals.judge.model');
  if (provider === 'openai-compatible' && (!/^https?:\/\//.test(url) || !model)) {
    problems.push('stacklens.evals.judge.provider is openai-compatible, so stacklens.evals.judge.url (an http(s) base URL such as http://127.0.0.1:11434/v1) and stacklens.evals.judge.model are needed; llm_judge evaluators skip their spans until both are set');
    provider = 'off';
  }
  return { file, judge: { provider: provider as JudgeProvider, url, model } };
}

/** The evals file the collector reads: the setting (relative to the first folder), else the default there. */
export function evalsFilePath(setting: string, firstFolder: string | undefined): string | undefined {
  if (setting && path.isAbsolute(setting)) return setting;
  if (!firstFolder) return undefined;
  return path.join(firstFolder, setting || DEFAULT_EVALS_FILE);
}

/** The judge the collector worker gets; the API key of an endpoint comes from the environment, never from settings. */
export function judgeOption(judge: EvalsSettings['judge'], apiKey: string | undefined): CollectorWorkerOptions['judge'] {
  if (judge.provider === 'off') return undefined;
  if (judge.provider === 'vscode') return { kind: 'main' };
  return { kind: 'openai', url: judge.url, model: judge.model, ...(apiKey ? { apiKey } : {}) };
}

// The privacy and forwarding settings (`stacklens.privacy.*`, `stacklens.forward.*`) as the
// collector takes them (docs/privacy.md, docs/forwarding.md). Pure: testable without VS Code.
// Forwarding header VALUES are credentials: settings hold only their names, the values live in
// VS Code's SecretStorage and are looked up through `secretOf`.
import { checkHeaders, tracesUrl } from '../server/forward/endpoint';
import type { CustomPattern } from '../server/privacy';
import { compileCustomPattern } from '../server/privacy/patterns';
import type { CollectorWorkerOptions } from '../server/rpc';
import type { SettingGetter } from './settings';

export interface PrivacySettings {
  /** the window's value; see strictestCaptureContent for several folders */
  captureContent: boolean;
  redact: NonNullable<CollectorWorkerOptions['redact']>;
  encryptAtRest: boolean;
}

export interface ForwardSettings {
  /** empty: forwarding off */
  endpoint: string;
  /** names of the headers sent upstream; their values are secrets */
  headerNames: string[];
}

/** Where the value of forwarding header `name` is kept in SecretStorage. */
export function forwardHeaderSecretKey(name: string): string {
  return `stacklens.forward.header.${name.toLowerCase()}`;
}

const flag = (get: SettingGetter, key: string, fallback: boolean, problems: string[]): boolean => {
  const value = get(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') {
    problems.push(`stacklens.${key} is ${JSON.stringify(value)}: it must be true or false; using ${fallback}`);
    return fallback;
  }
  return value;
};

/**
 * A redaction pattern that cannot be used is left out with a problem naming it: the collector
 * keeps running and redacting with the defaults and the valid patterns, and the user is told
 * which secrets are NOT being redacted (refusing to start would lose every trace for a typo).
 */
export function readPrivacySettings(get: SettingGetter, problems: string[]): PrivacySettings {
  const patterns: CustomPattern[] = [];
  const raw = get('privacy.redact.patterns');
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) {
      problems.push('stacklens.privacy.redact.patterns must be a list of { "name": "ticket_id", "regex": "TCK-[0-9]{6}" }; no custom pattern is applied');
    } else {
      raw.forEach((entry: unknown, i) => {
        const candidate = { name: (entry as CustomPattern | null)?.name, regex: (entry as CustomPattern | null)?.regex } as CustomPattern;
        try {
          compileCustomPattern(candidate, `stacklens.privacy.redact.patterns[${i}]`);
          // a plain copy: configuration objects are proxies a worker cannot receive
          patterns.push({ name: candidate.name.trim(), regex: candidate.regex });
        } catch (err) {
          problems.push(`${(err as Error).message} — this pattern is left out, so what it would match is NOT redacted`);
        }
      });
    }
  }
  return {
    captureContent: flag(get, 'privacy.captureContent', true, problems),
    redact: {
      defaults: flag(get, 'privacy.redact.defaults', true, problems),
      creditCards: flag(get, 'privacy.redact.creditCards', false, problems),
      patterns,
    },
    encryptAtRest: flag(get, 'privacy.encryptAtRest', false, problems),
  };
}

/**
 * One collector serves every window (and folder) that shares it; content capture is off when any
 * folder of the window that runs it turns it off: the strictest setting wins.
 */
export function strictestCaptureContent(values: readonly unknown[]): boolean {
  return !values.some((v) => v === false);
}

export function readForwardSettings(get: SettingGetter, problems: string[]): ForwardSettings {
  const endpoint = get('forward.endpoint');
  let text = '';
  if (endpoint !== undefined && endpoint !== null && typeof endpoint !== 'string') {
    problems.push(`stacklens.forward.endpoint must be a URL string; forwarding is off`);
  } else {
    text = (endpoint ?? '').trim();
  }
  const headerNames: string[] = [];
  const names = get('forward.headers');
  if (names !== undefined && names !== null) {
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      problems.push('stacklens.forward.headers must be a list of header names, e.g. ["Authorization"] (values are set with "StackLens: Set Forwarding Header…"); sending no headers');
    } else {
      for (const name of names as string[]) {
        const trimmed = name.trim();
        if (trimmed && !headerNames.some((n) => n.toLowerCase() === trimmed.toLowerCase())) headerNames.push(trimmed);
      }
    }
  }
  return { endpoint: text, headerNames };
}

/**
 * The collector's forward option: the endpoint checked as the collector checks it, each named
 * header with its secret value. A bad endpoint turns forwarding off (named in problems) rather
 * than stopping the collector; a header without a value is left out and named.
 */
export function forwardOption(settings: ForwardSettings, secretOf: (name: string) => string | undefined, problems: string[]): CollectorWorkerOptions['forward'] {
  if (!settings.endpoint) {
    if (settings.headerNames.length > 0) problems.push('stacklens.forward.headers are set but stacklens.forward.endpoint is empty: forwarding is off');
    return undefined;
  }
  try {
    tracesUrl(settings.endpoint);
  } catch (err) {
    problems.push(`stacklens.forward.endpoint: ${(err as Error).message}; forwarding is off`);
    return undefined;
  }
  const headers: Record<string, string> = {};
  for (const name of settings.headerNames) {
    const value = secretOf(name);
    if (value === undefined || value === '') {
      problems.push(`forwarding header "${name}" has no value: run "StackLens: Set Forwarding Header…" to set it; forwarding without it`);
      continue;
    }
    try {
      checkHeaders({ [name]: value });
      headers[name] = value;
    } catch (err) {
      problems.push(`${(err as Error).message}; forwarding without it`);
    }
  }
  return { endpoint: settings.endpoint, headers };
}

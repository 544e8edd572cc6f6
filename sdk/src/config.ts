// Where spans go. configure() wins; without it the SDK reads STACKLENS_ENDPOINT /
// STACKLENS_API_KEY, which the StackLens extension puts into every integrated terminal.
import { ConfigurationError, ValidationError } from './errors';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4318';

export interface ExportOptions {
  /** spans waiting to be sent; beyond it new spans are dropped and counted (default 2048) */
  maxQueueSize?: number;
  /** spans per request (default 512) */
  maxBatchSize?: number;
  /** how long a span may wait for a batch to fill (default 1000 ms) */
  scheduleDelayMs?: number;
  /** attempts per batch on network errors, 429 and 5xx (default 5) */
  maxAttempts?: number;
  /** first retry delay, doubled on every attempt (default 100 ms) */
  retryBaseDelayMs?: number;
  /** per request (default 10,000 ms) */
  timeoutMs?: number;
}

export interface ConfigureOptions {
  /** the collector's token (`Authorization: Bearer`); the extension puts it in STACKLENS_API_KEY */
  apiKey?: string;
  /** collector base URL (default http://127.0.0.1:4318) */
  endpoint?: string;
  /** sent as service_name on every span */
  serviceName?: string;
  /** record prompts and completions seen by wrapOpenAI / wrapAnthropic (default true) */
  captureContent?: boolean;
  /** called for every export failure; by default each distinct failure is printed once to stderr */
  onExportError?: (error: Error) => void;
  export?: ExportOptions;
  /**
   * With a hard budget limit set in StackLens and reached, wrapped clients refuse new calls with
   * BudgetExceededError before sending them (default true; env STACKLENS_ENFORCE_BUDGET=false).
   */
  enforceBudget?: boolean;
  /** how old the cached budget answer may get before it is asked again, in the background (default 5000 ms) */
  budgetRefreshMs?: number;
}

export interface Config {
  apiKey: string | null;
  endpoint: URL;
  serviceName: string | null;
  captureContent: boolean;
  onExportError: ((error: Error) => void) | null;
  export: Required<ExportOptions>;
  enforceBudget: boolean;
  budgetRefreshMs: number;
}

const EXPORT_DEFAULTS: Required<ExportOptions> = {
  maxQueueSize: 2048,
  maxBatchSize: 512,
  scheduleDelayMs: 1000,
  maxAttempts: 5,
  retryBaseDelayMs: 100,
  timeoutMs: 10_000,
};

let configured: Config | null = null;
let fromEnvironment: Config | null = null;

/** Initialises the SDK (seed 001). Call once at start-up; calling again redirects later spans. */
export function configure(options: ConfigureOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('options', `configure() expects an object like { apiKey: 'sl-...', endpoint: '${DEFAULT_ENDPOINT}' }, got ${describe(options)}.`);
  }
  const apiKey = options.apiKey ?? null;
  if (apiKey !== null && (typeof apiKey !== 'string' || apiKey.trim() === '')) {
    throw new ValidationError('apiKey', `configure(): apiKey must be a non-empty string (the collector's token), got ${describe(apiKey)}.`);
  }
  if (apiKey === null && options.endpoint === undefined) {
    throw new ValidationError('apiKey', 'configure(): give at least an apiKey (the collector token shown by `stacklens serve`).');
  }
  // configure({ apiKey }) in a StackLens terminal keeps the collector the terminal points at
  configured = build(apiKey, options.endpoint ?? (process.env.STACKLENS_ENDPOINT?.trim() || DEFAULT_ENDPOINT), options);
}

/** The active configuration; throws ConfigurationError when there is none. */
export function currentConfig(): Config {
  if (configured) return configured;
  if (fromEnvironment) return fromEnvironment;
  const endpoint = process.env.STACKLENS_ENDPOINT?.trim() || undefined;
  const apiKey = process.env.STACKLENS_API_KEY?.trim() || null;
  if (!endpoint && !apiKey) {
    throw new ConfigurationError(
      'StackLens is not configured: call configure({ apiKey, endpoint }) before tracing, or set STACKLENS_API_KEY ' +
        '(and STACKLENS_ENDPOINT if the collector is not at http://127.0.0.1:4318). ' +
        'Terminals opened in VS Code with the StackLens extension have both set.',
    );
  }
  try {
    fromEnvironment = build(apiKey, endpoint ?? DEFAULT_ENDPOINT, {});
  } catch (error) {
    throw new ConfigurationError(`STACKLENS_ENDPOINT is not usable: ${(error as Error).message}`);
  }
  return fromEnvironment;
}

function build(apiKey: string | null, endpoint: string, options: ConfigureOptions): Config {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ValidationError('endpoint', `endpoint ${JSON.stringify(endpoint)} is not a URL; use something like ${DEFAULT_ENDPOINT}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError('endpoint', `endpoint ${JSON.stringify(endpoint)} must start with http:// or https://.`);
  }
  if (options.onExportError !== undefined && typeof options.onExportError !== 'function') {
    throw new ValidationError('onExportError', 'configure(): onExportError must be a function.');
  }
  if (options.enforceBudget !== undefined && typeof options.enforceBudget !== 'boolean') {
    throw new ValidationError('enforceBudget', `configure(): enforceBudget must be true or false, got ${describe(options.enforceBudget)}.`);
  }
  const refresh = options.budgetRefreshMs;
  if (refresh !== undefined && (typeof refresh !== 'number' || !Number.isInteger(refresh) || refresh < 0)) {
    throw new ValidationError('budgetRefreshMs', `configure(): budgetRefreshMs must be a whole number of milliseconds ≥ 0, got ${describe(refresh)}.`);
  }
  const exportOptions = { ...EXPORT_DEFAULTS };
  for (const [key, value] of Object.entries(options.export ?? {})) {
    if (!(key in EXPORT_DEFAULTS)) {
      throw new ValidationError(`export.${key}`, `configure(): unknown export option ${JSON.stringify(key)}; known: ${Object.keys(EXPORT_DEFAULTS).join(', ')}.`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (key === 'retryBaseDelayMs' ? 0 : 1)) {
      throw new ValidationError(`export.${key}`, `configure(): export.${key} must be a positive integer, got ${describe(value)}.`);
    }
    exportOptions[key as keyof ExportOptions] = value;
  }
  return {
    apiKey,
    endpoint: url,
    serviceName: typeof options.serviceName === 'string' && options.serviceName ? options.serviceName : null,
    captureContent: options.captureContent ?? true,
    onExportError: options.onExportError ?? null,
    export: exportOptions,
    enforceBudget: options.enforceBudget ?? !/^(0|false|off|no)$/i.test(process.env.STACKLENS_ENFORCE_BUDGET?.trim() ?? ''),
    budgetRefreshMs: refresh ?? 5000,
  };
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

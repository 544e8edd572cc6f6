// Where forwarded spans go and with which headers, checked once at startup so a typo fails the
// start with a message instead of every export.

export interface ForwardOptions {
  /**
   * the upstream OTLP/HTTP endpoint: a base URL (`http://tempo:4318`,
   * `https://cloud.langfuse.com/api/public/otel`) gets `/v1/traces` appended, as
   * OTEL_EXPORTER_OTLP_ENDPOINT does; a URL that already ends in `/v1/traces` is used as it is
   */
  endpoint: string;
  /** sent with every export, e.g. { Authorization: 'Basic …' } */
  headers?: Record<string, string>;
  /** gzip the body (default true; every OTLP/HTTP receiver must accept it) */
  gzip?: boolean;
  /** spans waiting at most; more are dropped and counted (default 10,000) */
  maxQueueSpans?: number;
  /** spans per export (default 512) */
  batchSpans?: number;
  /** how long spans may wait for a fuller batch (default 1,000 ms) */
  delayMs?: number;
  /** first wait after a failed export; doubles up to maxBackoffMs (defaults 500 ms, 30 s) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** one export's time limit (default 10 s) */
  timeoutMs?: number;
}

export class ForwardConfigError extends Error {
  override name = 'ForwardConfigError';
}

/** The URL exports are POSTed to. */
export function tracesUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ForwardConfigError(`forward endpoint "${endpoint}" is not a URL: give the upstream's OTLP/HTTP address, e.g. http://localhost:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ForwardConfigError(`forward endpoint "${endpoint}" is not http(s): StackLens forwards over OTLP/HTTP (port 4318 by convention), not gRPC`);
  }
  if (url.username || url.password) {
    throw new ForwardConfigError('forward endpoint: put credentials in a header (--forward-header "Authorization=Basic …"), not in the URL, where they would be shown as the endpoint');
  }
  if (!/\/v1\/traces\/?$/.test(url.pathname)) url.pathname = url.pathname.replace(/\/?$/, '/v1/traces');
  return url;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED = new Set(['content-type', 'content-encoding', 'content-length', 'host', 'connection', 'transfer-encoding']);

/** Checks header names and values; returns them as given. */
export function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new ForwardConfigError(`forward header "${name}" is not a valid HTTP header name`);
    if (RESERVED.has(name.toLowerCase())) throw new ForwardConfigError(`forward header "${name}" is set by StackLens itself and cannot be overridden`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new ForwardConfigError(`forward header "${name}": the value must be one line of text`);
    out[name] = value;
  }
  return out;
}

/** `Name=value` as the CLI's --forward-header and OTEL_EXPORTER_OTLP_HEADERS write it (value may be %-encoded). */
export function parseHeader(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ForwardConfigError(`--forward-header "${text}": expected NAME=VALUE, e.g. --forward-header "Authorization=Bearer abc"`);
  const name = text.slice(0, eq).trim();
  let value = text.slice(eq + 1).trim();
  try {
    value = decodeURIComponent(value);
  } catch {
    // not %-encoded: the value is taken as written
  }
  return [name, value];
}

/** The endpoint as it may be shown: no query string (some backends take keys there). */
export function displayEndpoint(url: URL): string {
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
}

// The environment that makes a program trace to this collector with no setup: our SDK reads
// STACKLENS_*, any OpenTelemetry exporter reads OTEL_EXPORTER_OTLP_* (the OTLP/HTTP exporters add
// /v1/traces to the endpoint themselves).

export type CollectorEnvironment = Record<string, string>;

export function collectorEnvironment(url: string, token: string): CollectorEnvironment {
  return {
    STACKLENS_ENDPOINT: url,
    STACKLENS_API_KEY: token,
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    // The OTel env spec percent-encodes header values: the space after Bearer is %20.
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=${encodeURIComponent(`Bearer ${token}`)}`,
  };
}

/** POSIX shell lines, single-quoted so that no character of a value is interpreted by the shell. */
export function exportLines(env: CollectorEnvironment): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join('\n');
}

function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { collectorEnvironment, exportLines } from '../../../extension/client/collector-env';

describe('the environment for traced programs', () => {
  it('gives our SDK and OpenTelemetry exporters the collector and the token', () => {
    assert.deepEqual(collectorEnvironment('http://127.0.0.1:4318', 'sl-abc_DEF-123'), {
      STACKLENS_ENDPOINT: 'http://127.0.0.1:4318',
      STACKLENS_API_KEY: 'sl-abc_DEF-123',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20sl-abc_DEF-123',
    });
  });

  it('percent-encodes header values as the OTel environment spec requires', () => {
    assert.equal(collectorEnvironment('http://x', 'a,b=c d').OTEL_EXPORTER_OTLP_HEADERS, 'Authorization=Bearer%20a%2Cb%3Dc%20d');
  });

  it('writes export lines that a POSIX shell reads back to the same values', () => {
    const env = collectorEnvironment('http://127.0.0.1:4318', "it's $HOME `x` \"q\"");
    const script = `${exportLines(env)}\nprintf '%s\\n' "$STACKLENS_ENDPOINT" "$STACKLENS_API_KEY" "$OTEL_EXPORTER_OTLP_HEADERS"`;
    const out = execFileSync('sh', ['-c', script], { encoding: 'utf8', env: {} }).split('\n');
    assert.deepEqual(out.slice(0, 3), [env.STACKLENS_ENDPOINT, env.STACKLENS_API_KEY, env.OTEL_EXPORTER_OTLP_HEADERS]);
    assert.match(exportLines(collectorEnvironment('http://127.0.0.1:4318', 'sl-x')), /^export STACKLENS_ENDPOINT=http:\/\/127\.0\.0\.1:4318$/m);
  });
});

// Zero-setup tracing as the VS Code terminal provides it: a program whose OpenTelemetry exporter
// has no URL or header in code finds the collector through OTEL_EXPORTER_OTLP_ENDPOINT and
// OTEL_EXPORTER_OTLP_HEADERS, exactly the variables the extension puts into each terminal.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { collectorEnvironment } from '../../../extension/client/collector-env';
import { startCollector, type RunningCollector } from '../../support/collector';
import { assertCost, readTrace, sentAttributes, spanNamed } from './client-tracing';

const APP = path.join(__dirname, 'env-configured-app.cjs');
const run = promisify(execFile);

/** The parent's environment without any OTEL_* of the developer's own shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
}

async function runApp(c: RunningCollector, transport: 'json' | 'proto', extra: Record<string, string> = {}): Promise<string> {
  const env = { ...cleanEnv(), ...collectorEnvironment(c.url, c.token), ...extra };
  const { stdout } = await run(process.execPath, [APP, transport], { env, timeout: 15_000 });
  const traceId = stdout.trim();
  assert.match(traceId, /^[0-9a-f]{32}$/, `the app printed its trace id, got ${JSON.stringify(stdout)}`);
  return traceId;
}

describe('OpenTelemetry exporter configured only by environment variables', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  before(async () => {
    c = await startCollector();
  });
  after(async () => {
    await c?.stop();
  });

  for (const transport of ['json', 'proto'] as const) {
    it(`delivers an agent trace over http/${transport} with no endpoint in code`, async () => {
      const traceId = await runApp(c, transport, { OTEL_SERVICE_NAME: `planner-${transport}` });
      const detail = await readTrace(c, traceId, 2);
      const agent = spanNamed(detail, 'invoke_agent planner');
      const chat = spanNamed(detail, 'chat gpt-4o');
      assert.equal(agent.kind, 'agent', `invoke_agent is an agent span\n${sentAttributes(detail)}`);
      assert.equal(chat.kind, 'llm');
      assert.equal(chat.parent_span_id, agent.span_id, 'context propagation through startActiveSpan survives the trip');
      assert.equal(chat.model, 'gpt-4o');
      // gpt-4o: $2.50 / M input, $10 / M output.
      assertCost(chat.cost_usd, 0.006, 'gpt-4o call');
      assertCost(detail.trace.total_cost_usd, 0.006, 'trace total');
      assert.equal(detail.trace.name, 'invoke_agent planner');
      assert.equal(detail.trace.service_name, `planner-${transport}`, 'OTEL_SERVICE_NAME names the service');
    });
  }

  it('also finds the collector through OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, the full URL', async () => {
    const { OTEL_EXPORTER_OTLP_HEADERS } = collectorEnvironment(c.url, c.token);
    const env = { ...cleanEnv(), OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${c.url}/v1/traces`, OTEL_EXPORTER_OTLP_HEADERS };
    const { stdout } = await run(process.execPath, [APP, 'json'], { env, timeout: 15_000 });
    const detail = await readTrace(c, stdout.trim(), 2);
    assert.equal(detail.trace.name, 'invoke_agent planner');
  });

  it('a program without the header has every export refused with 401', async () => {
    const env = { ...cleanEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: c.url };
    await assert.rejects(run(process.execPath, [APP, 'json'], { env, timeout: 15_000 }), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 1);
      assert.match(String(err.stderr), /export failed: .*(401|Unauthorized)/i);
      return true;
    });
  });

  it('carries a token that needs percent-encoding in OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const odd = await startCollector({ token: 'sl-a+b/c=d,e%f g' });
    try {
      const traceId = await runApp(odd, 'json');
      const detail = await readTrace(odd, traceId, 2);
      assert.equal(detail.trace.span_count, 2);
    } finally {
      await odd.stop();
    }
  });
});

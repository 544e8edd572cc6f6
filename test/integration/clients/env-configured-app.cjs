// A user's program as it runs in a VS Code terminal: the OpenTelemetry SDK set up with no
// endpoint or header in code, so the exporter reads OTEL_EXPORTER_OTLP_* from the environment.
// Usage: node env-configured-app.cjs json|proto. Prints the trace id; exits 1 if an export failed.
const { trace } = require('@opentelemetry/api');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { detectResources, envDetector } = require('@opentelemetry/resources');

const transport = process.argv[2];
const { OTLPTraceExporter } = require(transport === 'proto' ? '@opentelemetry/exporter-trace-otlp-proto' : '@opentelemetry/exporter-trace-otlp-http');

const exporter = new OTLPTraceExporter();
const failures = [];
const recording = {
  export(spans, done) {
    exporter.export(spans, (result) => {
      if (result.code !== 0) failures.push(String(result.error && result.error.message));
      done(result);
    });
  },
  shutdown: () => exporter.shutdown(),
  forceFlush: () => exporter.forceFlush(),
};

// A bare provider does not read OTEL_SERVICE_NAME by itself (NodeSDK does): the env detector does.
const resource = detectResources({ detectors: [envDetector] });
const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(recording)] });
provider.register();
const tracer = trace.getTracer('env-configured-app');

async function main() {
  const traceId = await tracer.startActiveSpan('invoke_agent planner', async (agent) => {
    agent.setAttributes({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' });
    await tracer.startActiveSpan('chat gpt-4o', async (chat) => {
      chat.setAttributes({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 2000,
        'gen_ai.usage.output_tokens': 100,
      });
      chat.end();
    });
    agent.end();
    return agent.spanContext().traceId;
  });
  // shutdown() rejects when the last export failed; the recorded failures say why.
  await provider.shutdown().catch(() => undefined);
  if (failures.length) {
    console.error(`export failed: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log(traceId);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import assert from 'node:assert/strict';
import { findNamedCalls } from '../../../extension/ui/named-calls';

describe('finding calls that name a span with a literal', () => {
  const names = new Set(['document-summary', 'agent-run', 'rag "quoted"']);

  it('finds trace("…") and startTrace(\'…\') with their lines and columns', () => {
    const text = [
      "import { trace, startTrace } from 'stacklens';",
      '',
      'const id = trace("document-summary", { model: "gpt-4o" });',
      "await startTrace('agent-run', async (span) => {",
      '});',
    ].join('\n');
    const calls = findNamedCalls(text, names);
    assert.deepEqual(calls.map((c) => [c.line, c.column, c.name, c.callee]), [
      [2, 11, 'document-summary', 'trace'],
      [3, 6, 'agent-run', 'startTrace'],
    ]);
  });

  it('finds Python and OpenTelemetry spellings, template literals without placeholders, and escaped quotes', () => {
    const text = [
      'with stacklens.start_trace("agent-run") as span:',
      '    tracer.start_as_current_span(`document-summary`)',
      '    tracer.startActiveSpan("rag \\"quoted\\"", fn)',
      '@observe(name="agent-run")',
    ].join('\n');
    assert.deepEqual(findNamedCalls(text, names).map((c) => c.line), [0, 1, 2, 3]);
  });

  it('ignores names that are not span names, logging calls, placeholders and other arguments', () => {
    const text = [
      'console.log("agent-run")',
      'trace(`${"agent-run"}`)',
      'trace(name, "agent-run")',
      'trace("agent-run-2")',
      'const s = "document-summary";',
    ].join('\n');
    assert.deepEqual(findNamedCalls(text, names), []);
  });

  it('gives one call per line and nothing for an empty name set', () => {
    assert.equal(findNamedCalls('trace("agent-run"); trace("document-summary")', names).length, 1);
    assert.deepEqual(findNamedCalls('trace("agent-run")', new Set()), []);
  });

  it('scans a large file in one pass quickly', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => (i % 1000 === 0 ? `trace("agent-run", ${i})` : `const x${i} = call(${i}, "text");`));
    const many = new Set(Array.from({ length: 5000 }, (_, i) => `name-${i}`).concat('agent-run'));
    const started = performance.now();
    const calls = findNamedCalls(lines.join('\n'), many);
    assert.equal(calls.length, 20);
    assert.ok(performance.now() - started < 500, 'scanning 20,000 lines took too long');
  });
});

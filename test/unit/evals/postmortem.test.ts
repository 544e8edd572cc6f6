// The 5-whys postmortem as a pure function over a TraceDetail, on a fixture failure with a retry
// and a deepest error (the same trace goes through the real collector in
// test/integration/postmortem.test.ts).
import assert from 'node:assert/strict';
import type { StoredSpan } from '../../../extension/server/model';
import { postmortem } from '../../../extension/server/postmortem';
import { mdText } from '../../../extension/server/postmortem/markdown';
import { IDS, postmortemSpans } from './postmortem-fixture';
import { span, traceOf } from './spans';

function fixtureDetail() {
  const spans: StoredSpan[] = postmortemSpans().map((f) =>
    span({ ...f, kind: f.kind as StoredSpan['kind'], status_message: f.status_message ?? null, model: f.model ?? null, input_tokens: f.input_tokens ?? null,
      output_tokens: f.output_tokens ?? null, cost_usd: f.cost_usd ?? null, cost_source: f.cost_usd !== undefined ? 'reported' : null, events: f.events ?? [], duration_ms: f.end_time - f.start_time }),
  );
  return traceOf(spans);
}

describe('postmortem', () => {
  const pm = postmortem(fixtureDetail());

  it('names the deepest error as the root cause, the earliest of equally deep ones', () => {
    assert.equal(pm.kind, 'failure');
    assert.equal(pm.root_cause?.span_id, IDS.http);
    assert.equal(pm.root_cause?.error, 'ETIMEDOUT: connect ETIMEDOUT 10.0.0.7:443', 'read from the exception event when there is no status message');
  });

  it('gives the failing chain from the root down to the root cause', () => {
    assert.deepEqual(pm.chain.map((s) => s.span_id), [IDS.root, IDS.search2, IDS.http]);
  });

  it('finds the retry: same name under the same parent, failures before a success', () => {
    assert.deepEqual(pm.retries, [
      {
        name: 'search-docs',
        parent_span_id: IDS.root,
        parent_name: 'support-agent',
        attempts: 3,
        failures: 2,
        recovered: true,
        span_ids: [IDS.search1, IDS.search2, IDS.search3],
        errors: ['timeout after 1000 ms', 'timeout after 1000 ms'],
      },
    ]);
  });

  it('follows the critical path through the child that ends last', () => {
    assert.deepEqual(pm.critical_path.map((s) => s.name), ['support-agent', 'answer', 'tokenize']);
  });

  it('ranks the most expensive spans with their share of the trace', () => {
    assert.deepEqual(pm.expensive.map((s) => [s.name, s.cost_usd, Math.round(s.share * 1000) / 1000]), [['answer', 0.01, 0.833], ['plan', 0.002, 0.167]]);
  });

  it('writes the whys from the root down to the cause, then recovery, time and money', () => {
    assert.deepEqual(
      pm.whys.map((w) => [w.why, w.because]),
      [
        ['Why did "support-agent" fail?', 'Its tool step "search-docs" failed: timeout after 1000 ms.'],
        ['Why did "search-docs" fail?', 'Its internal step "http GET /search" failed.'],
        ['Why did "http GET /search" fail?', 'It is the deepest failed span, the root cause (internal, after 1.00 s): ETIMEDOUT: connect ETIMEDOUT 10.0.0.7:443.'],
        ['Why was the failure not recovered?', '"search-docs" was tried 3 times under "support-agent": 2 failed, then an attempt succeeded, yet the run still failed.'],
        ['Why did it take 5.00 s and cost $0.012?', 'The critical path ran "support-agent" → "answer" → "tokenize"; its longest step was "answer" (1.30 s). The most expensive span was "answer" ($0.01, 83% of the trace).'],
      ],
    );
    assert.equal(pm.whys[2].span_id, IDS.http);
  });

  it('renders Markdown with the whys, root cause, chain and tables', () => {
    const md = pm.markdown;
    assert.match(md, /^# Postmortem: support-agent\n\nTrace `[0-9a-f]{32}` · failed · 5.00 s · \$0.012 · 8 spans\n/);
    assert.match(md, /\n1\. \*\*Why did "support-agent" fail\?\*\* Its tool step "search-docs" failed: timeout after 1000 ms\.\n/);
    assert.match(md, /\n## Root cause\n\nhttp GET \/search \(internal\): ETIMEDOUT: connect ETIMEDOUT 10\.0\.0\.7:443\n/);
    assert.match(md, /\n## Failing chain\n\nsupport-agent ✗ → search-docs ✗ → http GET \/search ✗\n/);
    assert.match(md, /\n\| search-docs \| support-agent \| 3 \| 2 \| yes \|\n/);
    assert.match(md, /\n\| answer \(llm\) \| gpt-4o \| 12000 \/ 0 \| \$0\.01 \| 83% \|\n/);
  });

  it('escapes untrusted names so they read as text, not Markdown or HTML', () => {
    assert.equal(mdText('<img src=x onerror=alert(1)> *bold* | [link](http://x)'), '\\<img src=x onerror=alert(1)\\> \\*bold\\* \\| \\[link\\](http://x)');
    assert.equal(mdText('# not a heading\nand one line'), '\\# not a heading and one line');
    assert.equal(mdText('1. not a list'), '1\\. not a list');
  });

  it('follows the money when nothing failed', () => {
    const ok = postmortemSpans().filter((f) => f.status === 'ok');
    const detail = traceOf(
      ok.map((f) => span({ ...f, parent_span_id: f.span_id === IDS.root ? null : f.parent_span_id, kind: f.kind as StoredSpan['kind'], model: f.model ?? null, input_tokens: f.input_tokens ?? null,
        output_tokens: f.output_tokens ?? null, cost_usd: f.cost_usd ?? null, cost_source: f.cost_usd !== undefined ? 'reported' : null })),
    );
    const cost = postmortem(detail);
    assert.equal(cost.kind, 'cost');
    assert.equal(cost.root_cause, null);
    assert.deepEqual(cost.chain, []);
    assert.equal(cost.whys[0].because, '"plan" cost $0.002, 100% of the trace.');
    assert.equal(cost.whys[1].because, 'It sent 500 input and received 100 output tokens on gpt-4o.');
  });
});

// Nesting through AsyncLocalStorage, cost rollups (seed 004) and errors becoming error spans.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as stacklens from '../src/index';
import { arrivedTrace, spanNamed, useCollector } from './support/collector-session';

const llm = (model: string, costUsd?: number) => ({ model, provider: 'openai', inputTokens: 100, outputTokens: 10, ...(costUsd === undefined ? {} : { costUsd }) });

describe('SDK spans in context', () => {
  const session = useCollector();

  it('gives parallel children under Promise.all and timers the right parent, with no orphans', async () => {
    const traceId = await stacklens.startTrace('planner', async (root) => {
      await Promise.all(
        ['search', 'weather', 'calendar'].map((tool, i) =>
          stacklens.span(`tool:${tool}`, async () => {
            await sleep(5 * (3 - i)); // finish in reverse order
            await new Promise<void>((resolve) =>
              setTimeout(() => {
                void stacklens.span(`inner:${tool}`, async () => sleep(1)).then(() => resolve());
              }, 1),
            );
          }, { kind: 'tool' }),
        ),
      );
      return root.traceId;
    });
    const detail = await arrivedTrace(session.collector, traceId, 7);
    assert.equal(detail.spans.length, 7);
    const root = spanNamed(detail, 'planner');
    assert.equal(root.parent_span_id, null);
    for (const tool of ['search', 'weather', 'calendar']) {
      const toolSpan = spanNamed(detail, `tool:${tool}`);
      assert.equal(toolSpan.parent_span_id, root.span_id, `tool:${tool} hangs under the root`);
      assert.equal(toolSpan.kind, 'tool');
      assert.equal(spanNamed(detail, `inner:${tool}`).parent_span_id, toolSpan.span_id, `inner:${tool} hangs under tool:${tool}, set up in a timer`);
    }
  });

  it('keeps two concurrent traces apart', async () => {
    const run = (name: string) =>
      stacklens.startTrace(name, async (root) => {
        await sleep(3);
        await stacklens.span(`${name}/step`, async () => sleep(3));
        return root.traceId;
      });
    const [a, b] = await Promise.all([run('trace-a'), run('trace-b')]);
    assert.notEqual(a, b);
    const detailA = await arrivedTrace(session.collector, a, 2);
    assert.deepEqual(detailA.spans.map((s) => s.name).sort(), ['trace-a', 'trace-a/step']);
    const detailB = await arrivedTrace(session.collector, b, 2);
    assert.deepEqual(detailB.spans.map((s) => s.name).sort(), ['trace-b', 'trace-b/step']);
  });

  it('rolls cost and call count up from descendants as they end, and breaks cost down by model', async () => {
    let seenInside: number[] = [];
    let root!: stacklens.Span;
    await stacklens.startTrace('month-end-close', async (t) => {
      root = t;
      await stacklens.span('reason', async (s) => {
        s.recordLlm(llm('deepseek-reasoner', 0.0142));
      });
      seenInside = [t.totalCostUsd, t.callCount];
      await stacklens.span('extract', async () => {
        await stacklens.span('extract-call', async (s) => s.recordLlm(llm('claude-haiku-4-5', 0.0038)));
        await stacklens.span('extract-unpriced', async (s) => s.recordLlm(llm('claude-haiku-4-5')));
      });
    });
    assert.deepEqual(seenInside, [0.0142, 1], 'the root sees a child cost as soon as the child ends');
    assert.ok(Math.abs(root.totalCostUsd - 0.018) < 1e-12, `total ${root.totalCostUsd}`);
    assert.equal(root.callCount, 3);
    assert.equal(root.unpricedCallCount, 1);
    assert.deepEqual(root.costBreakdown(), [
      { model: 'deepseek-reasoner', costUsd: 0.0142, pct: 78.9, calls: 1 },
      { model: 'claude-haiku-4-5', costUsd: 0.0038, pct: 21.1, calls: 2 },
    ]);
  });

  it('records trace() inside a running span as its child, in the same trace and rollup', async () => {
    const { root, traceId } = await stacklens.startTrace('one-liner-inside', async (t) => ({ root: t, traceId: stacklens.trace('inner-call', llm('gpt-4o', 0.002)) }));
    assert.equal(traceId, root.traceId);
    assert.equal(root.callCount, 1);
    assert.equal(root.totalCostUsd, 0.002);
    const detail = await arrivedTrace(session.collector, traceId, 2);
    assert.equal(spanNamed(detail, 'inner-call').parent_span_id, spanNamed(detail, 'one-liner-inside').span_id);
  });

  it('counts an uncosted call in callCount and the breakdown with $0 and 0 %', async () => {
    const breakdown = await stacklens.startTrace('only-unpriced', async (t) => {
      await stacklens.span('call', async (s) => s.recordLlm(llm('gpt-4o')));
      return { calls: t.callCount, cost: t.totalCostUsd, shares: t.costBreakdown() };
    });
    assert.deepEqual(breakdown, { calls: 1, cost: 0, shares: [{ model: 'gpt-4o', costUsd: 0, pct: 0, calls: 1 }] });
  });

  it('turns a throw into an error span with message and exception event, and rethrows the same error', async () => {
    let traceId = '';
    const failure = new RangeError('tool budget exhausted');
    await assert.rejects(
      stacklens.startTrace('agent-run', async (root) => {
        traceId = root.traceId;
        await stacklens.span('tool-call', async () => {
          await sleep(1);
          throw failure;
        });
      }),
      (e) => e === failure,
    );
    const detail = await arrivedTrace(session.collector, traceId, 2);
    for (const name of ['agent-run', 'tool-call']) {
      const span = spanNamed(detail, name);
      assert.equal(span.status, 'error', `${name} failed`);
      assert.equal(span.status_message, 'tool budget exhausted');
      const event = span.events.find((e) => e.name === 'exception');
      assert.ok(event, `${name} has an exception event`);
      assert.equal(event.attributes['exception.type'], 'RangeError');
      assert.match(String(event.attributes['exception.stacktrace']), /context\.test\.ts/);
    }
    assert.equal(detail.trace.status, 'error');
  });

  it('traces synchronous callbacks, returning their value and rethrowing their errors synchronously', async () => {
    let traceId = '';
    const value = stacklens.startTrace('sync-work', (root) => {
      traceId = root.traceId;
      return stacklens.span('sync-child', () => 42);
    });
    assert.equal(value, 42);
    assert.throws(() => stacklens.startTrace('sync-throw', () => { throw new Error('boom'); }), /boom/);
    const detail = await arrivedTrace(session.collector, traceId, 2);
    assert.equal(spanNamed(detail, 'sync-child').parent_span_id, spanNamed(detail, 'sync-work').span_id);
  });

  it('starts a new trace for span() outside any trace, and for startTrace() inside one', async () => {
    const ids = await stacklens.startTrace('outer', async (outer) => {
      const inner = await stacklens.startTrace('separate', async (s) => s.traceId);
      return { outer: outer.traceId, inner, current: stacklens.currentSpan()?.spanId === outer.spanId };
    });
    assert.notEqual(ids.outer, ids.inner);
    assert.ok(ids.current, 'currentSpan() is the running span');
    const lone = await stacklens.span('lone', async (s) => s.traceId);
    const detail = await arrivedTrace(session.collector, lone);
    assert.equal(spanNamed(detail, 'lone').parent_span_id, null);
    assert.equal(stacklens.currentSpan(), undefined);
  });

  it('records attributes of every JSON type, events, and refuses what JSON cannot hold', async () => {
    const circular: any = { a: 1 };
    circular.self = circular;
    const traceId = await stacklens.startTrace('attrs', async (s) => {
      s.setAttribute('count', 3).setAttribute('ok', true).setAttribute('list', ['a', 1]).setAttribute('nested', { k: { v: null } }).setAttribute('skipped', undefined);
      s.addEvent('retry', { attempt: 2 });
      s.setKind('retrieval');
      assert.throws(() => s.setAttribute('bad', circular), /attribute "bad" cannot be turned into JSON/);
      assert.throws(() => s.setAttribute('fn', (() => 1) as any), /must be a string, number, boolean, null, array or plain object/);
      assert.throws(() => s.setKind('robot' as any), /kind must be one of agent, llm, tool, retrieval, embedding, eval, internal/);
      return s.traceId;
    });
    const span = spanNamed(await arrivedTrace(session.collector, traceId), 'attrs');
    assert.equal(span.kind, 'retrieval');
    assert.equal(span.attributes.count, 3);
    assert.equal(span.attributes.ok, true);
    assert.deepEqual(span.attributes.list, ['a', 1]);
    assert.deepEqual(span.attributes.nested, { k: { v: null } });
    assert.ok(!('skipped' in span.attributes));
    assert.equal(span.events.find((e) => e.name === 'retry')?.attributes.attempt, 2);
  });

  it('posts scores for a span, with reason and label, after the span itself', async () => {
    const traceId = await stacklens.startTrace('graded', async (s) => {
      s.score('correctness', 0.87, { reason: 'cites the right order', label: 'pass' });
      return s.traceId;
    });
    await arrivedTrace(session.collector, traceId);
    const detail = (await session.collector.request('GET', `/api/v1/traces/${traceId}`)).body;
    assert.equal(detail.scores.length, 1);
    assert.equal(detail.scores[0].name, 'correctness');
    assert.equal(detail.scores[0].value, 0.87);
    assert.equal(detail.scores[0].reason, 'cites the right order');
    assert.equal(detail.scores[0].label, 'pass');
    assert.equal(detail.scores[0].source, 'sdk');
    assert.equal(detail.scores[0].span_id, detail.spans[0].span_id);
    assert.throws(() => stacklens.startTrace('x', (s) => s.score('bad', Number.NaN)), /value of score "bad" must be a finite number/);
  });
});

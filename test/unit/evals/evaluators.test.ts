// Each evaluator, passing and failing, with the reason it gives; and the spans it cannot judge.
import assert from 'node:assert/strict';
import { parseEvalsConfig, type Evaluator } from '../../../extension/server/evals/config';
import { evaluate, type Verdict } from '../../../extension/server/evals/evaluators';
import { span } from './spans';

function evaluator(entry: Record<string, unknown>): Evaluator {
  const { evaluators, problems } = parseEvalsConfig({ evals: [{ name: 'e', ...entry }] });
  assert.deepEqual(problems, []);
  return evaluators[0];
}

async function verdict(entry: Record<string, unknown>, fields: Parameters<typeof span>[0]): Promise<Verdict> {
  return evaluate(evaluator(entry), span(fields), null);
}

function scored(v: Verdict): { value: number; pass: boolean; reason: string } {
  assert.equal(v.outcome, 'scored', `expected a verdict, got: ${v.reason}`);
  return v as { value: number; pass: boolean; reason: string };
}

describe('evaluators', () => {
  describe('contains / not_contains', () => {
    it('passes when the output contains the text, ignoring case by default', async () => {
      const v = scored(await verdict({ type: 'contains', value: 'paris' }, { name: 'a', output: 'The capital is Paris.' }));
      assert.deepEqual([v.value, v.pass, v.reason], [1, true, 'output contains "paris"']);
    });
    it('fails naming the missing texts, and respects case_sensitive', async () => {
      const v = scored(await verdict({ type: 'contains', value: ['Paris', 'France'], case_sensitive: true }, { name: 'a', output: 'paris, France' }));
      assert.deepEqual([v.value, v.pass, v.reason], [0, false, 'output lacks "Paris"']);
    });
    it('reads a message-list output as the text of its messages, not its JSON', async () => {
      const output = JSON.stringify([{ role: 'assistant', content: 'Bonjour, role player' }]);
      const v = scored(await verdict({ type: 'not_contains', value: 'role' }, { name: 'a', output: JSON.stringify([{ role: 'assistant', content: 'Bonjour' }]) }));
      assert.equal(v.pass, true, 'the "role" key of the JSON is not the answer');
      const w = scored(await verdict({ type: 'not_contains', value: 'player' }, { name: 'a', output }));
      assert.deepEqual([w.value, w.pass, w.reason], [0, false, 'output contains "player"']);
    });
    it('checks the input when field is input', async () => {
      const v = scored(await verdict({ type: 'contains', value: 'weather', field: 'input' }, { name: 'a', input: 'What is the weather?', output: 'Sunny' }));
      assert.equal(v.pass, true);
    });
  });

  describe('regex', () => {
    it('passes on a match and quotes what matched', async () => {
      const v = scored(await verdict({ type: 'regex', pattern: '\\d{4}-\\d{2}-\\d{2}' }, { name: 'a', output: 'Due on 2025-03-14.' }));
      assert.deepEqual([v.value, v.pass, v.reason], [1, true, 'output matches /\\d{4}-\\d{2}-\\d{2}/ at "2025-03-14"']);
    });
    it('fails without a match, and honours flags', async () => {
      const v = scored(await verdict({ type: 'regex', pattern: '^yes$' }, { name: 'a', output: 'YES' }));
      assert.deepEqual([v.value, v.pass, v.reason], [0, false, 'output does not match /^yes$/']);
      assert.equal(scored(await verdict({ type: 'regex', pattern: '^yes$', flags: 'i' }, { name: 'a', output: 'YES' })).pass, true);
    });
  });

  describe('equals', () => {
    it('passes on the same text after trimming', async () => {
      const v = scored(await verdict({ type: 'equals', value: 'OK' }, { name: 'a', output: '  OK\n' }));
      assert.deepEqual([v.value, v.pass], [1, true]);
    });
    it('fails saying where the texts part', async () => {
      const v = scored(await verdict({ type: 'equals', value: 'Paris' }, { name: 'a', output: 'Parma' }));
      assert.deepEqual([v.value, v.pass, v.reason], [0, false, 'output differs from the expected text at character 4: expected "is", got "ma"']);
    });
  });

  describe('json_valid', () => {
    it('passes on JSON', async () => {
      assert.equal(scored(await verdict({ type: 'json_valid' }, { name: 'a', output: '{"city": "Paris"}' })).pass, true);
    });
    it('fails with the parser message', async () => {
      const v = scored(await verdict({ type: 'json_valid' }, { name: 'a', output: '{"city": Paris}' }));
      assert.equal(v.value, 0);
      assert.match(v.reason, /^output is not valid JSON: /);
    });
  });

  describe('max_latency_ms', () => {
    it('passes within the limit and fails over it', async () => {
      assert.deepEqual(scored(await verdict({ type: 'max_latency_ms', max: 1000 }, { name: 'a', duration_ms: 1000 })).reason, 'took 1000 ms, within the 1000 ms limit');
      const v = scored(await verdict({ type: 'max_latency_ms', max: 1000 }, { name: 'a', duration_ms: 1234.5 }));
      assert.deepEqual([v.value, v.pass, v.reason], [0, false, 'took 1234.5 ms, over the 1000 ms limit']);
    });
  });

  describe('max_cost_usd', () => {
    it('passes within the limit and fails over it', async () => {
      assert.equal(scored(await verdict({ type: 'max_cost_usd', max: 0.01 }, { name: 'a', cost_usd: 0.004, cost_source: 'computed' })).pass, true);
      const v = scored(await verdict({ type: 'max_cost_usd', max: 0.01 }, { name: 'a', cost_usd: 0.0125, cost_source: 'reported' }));
      assert.deepEqual([v.value, v.pass, v.reason], [0, false, 'cost $0.0125, over the $0.01 limit']);
    });
    it('skips a span whose cost is unknown instead of failing it', async () => {
      const v = await verdict({ type: 'max_cost_usd', max: 0.01 }, { name: 'a', model: 'my-finetune', input_tokens: 5, cost_source: 'unpriced' });
      assert.deepEqual(v, { outcome: 'skipped', reason: 'no cost known: model my-finetune has no price' });
    });
  });

  describe('similarity', () => {
    it('passes a close answer with its token F1', async () => {
      const v = scored(await verdict({ type: 'similarity', expected: 'The capital of France is Paris', threshold: 0.8 }, { name: 'a', output: 'Paris is the capital of France.' }));
      assert.deepEqual([v.value, v.pass], [1, true]);
      assert.equal(v.reason, 'token F1 1 against the expected answer, at or above the threshold 0.8');
    });
    it('fails a distant answer, below the threshold', async () => {
      // answer words: capital is lyon (3); expected: capital of france is paris (5); shared 2 → P 2/3, R 2/5, F1 0.5
      const v = scored(await verdict({ type: 'similarity', expected: 'The capital of France is Paris', threshold: 0.7 }, { name: 'a', output: 'The capital is Lyon' }));
      assert.equal(v.value, 0.5);
      assert.equal(v.pass, false);
    });
    it('measures term-frequency cosine when asked', async () => {
      const v = scored(await verdict({ type: 'similarity', measure: 'cosine', expected: 'red red blue', threshold: 0.5 }, { name: 'a', output: 'red blue blue' }));
      assert.equal(v.value, 0.8); // (2·1 + 1·2) / (√5 · √5)
      assert.match(v.reason, /^term-frequency cosine 0\.8 /);
    });
  });

  describe('spans that cannot be judged', () => {
    it('skips a content evaluator when the span carries no output', async () => {
      const v = await verdict({ type: 'contains', value: 'x' }, { name: 'a' });
      assert.deepEqual(v, { outcome: 'skipped', reason: 'the span has no output recorded (is content capture off?)' });
    });
    it('skips llm_judge when no judge model is configured', async () => {
      const v = await verdict({ type: 'llm_judge', rubric: 'polite?' }, { name: 'a', output: 'hi' });
      assert.equal(v.outcome, 'skipped');
      assert.match(v.reason, /no judge model is configured/);
    });
  });
});

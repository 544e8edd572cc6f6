// The evals file's schema: what is accepted, the defaults, and errors that name the path.
import assert from 'node:assert/strict';
import { EvalsConfigError, parseEvalsConfig, parseEvalsText } from '../../../extension/server/evals/config';

describe('evals file: schema and errors', () => {
  it('reads every evaluator type with its defaults', () => {
    const { evaluators, problems } = parseEvalsConfig({
      evals: [
        { name: 'says paris', type: 'contains', value: 'Paris' },
        { name: 'no apology', type: 'not_contains', value: ['sorry', 'apologize'], case_sensitive: true, field: 'output' },
        { name: 'has a date', type: 'regex', pattern: '\\d{4}-\\d{2}-\\d{2}', flags: 'i' },
        { name: 'exact', type: 'equals', value: 'OK' },
        { name: 'json', type: 'json_valid', field: 'input' },
        { name: 'fast', type: 'max_latency_ms', max: 2000 },
        { name: 'cheap', type: 'max_cost_usd', max: 0.01 },
        { name: 'close', type: 'similarity', expected: 'The capital of France is Paris.' },
        { name: 'polite', type: 'llm_judge', rubric: 'Is the answer polite?' },
      ],
    });
    assert.deepEqual(problems, []);
    assert.equal(evaluators.length, 9);
    assert.deepEqual(evaluators[0], { name: 'says paris', type: 'contains', match: { kind: ['llm'] }, field: 'output', values: ['Paris'], case_sensitive: false });
    assert.deepEqual(evaluators[3], { name: 'exact', type: 'equals', match: { kind: ['llm'] }, field: 'output', value: 'OK', case_sensitive: true, trim: true });
    assert.equal((evaluators[7] as { threshold: number }).threshold, 0.7);
    assert.equal((evaluators[7] as { measure: string }).measure, 'f1');
    assert.equal((evaluators[8] as { threshold: number }).threshold, 0.5);
  });

  it('names the path of a wrong type and lists the accepted ones, keeping the valid evaluators', () => {
    const { evaluators, problems } = parseEvalsConfig({
      evals: [
        { name: 'a', type: 'contains', value: 'x' },
        { name: 'b', type: 'json_valid' },
        { name: 'c', type: 'regexx', pattern: 'x' },
      ],
    });
    assert.deepEqual(evaluators.map((e) => e.name), ['a', 'b']);
    assert.equal(problems.length, 1);
    assert.equal(
      problems[0],
      'evals[2].type: "regexx" is not one of contains, not_contains, regex, equals, json_valid, max_latency_ms, max_cost_usd, similarity, llm_judge (this evaluator is skipped)',
    );
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['a missing name', { type: 'json_valid' }, /^evals\[0\]\.name: expected a string, got nothing/],
    ['an unknown key', { name: 'x', type: 'contains', value: 'a', casesensitive: true }, /^evals\[0\]\.casesensitive: unknown key \(a typo\?\); this entry takes .*case_sensitive/],
    ['a regex that does not compile', { name: 'x', type: 'regex', pattern: '(' }, /^evals\[0\]\.pattern: not a valid regular expression/],
    ['a regex flag that makes no sense here', { name: 'x', type: 'regex', pattern: 'a', flags: 'g' }, /^evals\[0\]\.flags: "g" may only hold i, m, s, u/],
    ['a negative limit', { name: 'x', type: 'max_latency_ms', max: -1 }, /^evals\[0\]\.max: expected a number ≥ 0, got -1/],
    ['a threshold above 1', { name: 'x', type: 'similarity', expected: 'a', threshold: 1.5 }, /^evals\[0\]\.threshold: expected a number from 0 to 1, got 1\.5/],
    ['an unknown span kind', { name: 'x', type: 'json_valid', match: { kind: 'chain' } }, /^evals\[0\]\.match\.kind: "chain" is not one of agent, llm, tool/],
    ['a line without a file', { name: 'x', type: 'json_valid', match: { line: 3 } }, /^evals\[0\]\.match\.line: a line needs a file too/],
    ['an empty match', { name: 'x', type: 'json_valid', match: {} }, /^evals\[0\]\.match: give at least one of name, kind, file/],
    ['an unknown match key', { name: 'x', type: 'json_valid', match: { span: 'a' } }, /^evals\[0\]\.match\.span: unknown key \(a typo\?\); this entry takes name, kind, file, line/],
    ['an llm_judge without a rubric', { name: 'x', type: 'llm_judge' }, /^evals\[0\]\.rubric: expected a string, got nothing/],
    ['an entry that is not an object', 'contains', /^evals\[0\]: expected an evaluator object/],
  ];
  for (const [what, entry, message] of refused) {
    it(`refuses ${what}, naming the path`, () => {
      const { evaluators, problems } = parseEvalsConfig({ evals: [entry] });
      assert.equal(evaluators.length, 0);
      assert.equal(problems.length, 1);
      assert.match(problems[0], message);
    });
  }

  it('refuses a second evaluator with the same name (names name the scores)', () => {
    const { evaluators, problems } = parseEvalsConfig({ evals: [{ name: 'dup', type: 'json_valid' }, { name: 'dup', type: 'max_latency_ms', max: 5 }] });
    assert.equal(evaluators.length, 1);
    assert.match(problems[0], /^evals\[1\]\.name: "dup" is already the name of evals\[0\]/);
  });

  it('reads match by name glob, kinds, file and line', () => {
    const { evaluators } = parseEvalsConfig({
      evals: [{ name: 'x', type: 'json_valid', match: { name: ['support-*', 'plan'], kind: ['llm', 'tool'], file: './src\\agent.ts', line: 42 } }],
    });
    assert.deepEqual(evaluators[0].match, { name: ['support-*', 'plan'], kind: ['llm', 'tool'], file: 'src/agent.ts', line: 42 });
  });

  it('throws a file-level error for text that is not JSON or not an evals object', () => {
    assert.throws(() => parseEvalsText('{"evals": [,]}'), (err: Error) => err instanceof EvalsConfigError && /^not valid JSON: /.test(err.message));
    assert.throws(() => parseEvalsText('[]'), /expected an object \{"evals": \[\.\.\.\]\}, got an array/);
    assert.throws(() => parseEvalsText('{"evaluators": []}'), /evals: expected a list of evaluators, got nothing/);
  });

  it('reports an unknown top-level key without dropping the evaluators', () => {
    const { evaluators, problems } = parseEvalsText('{"$schema": "x", "evals": [{"name": "j", "type": "json_valid"}], "version": 2}');
    assert.equal(evaluators.length, 1);
    assert.deepEqual(problems, ['version: unknown key (ignored); the file takes "evals"']);
  });
});

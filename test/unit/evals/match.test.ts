// Which spans an evaluator looks at: name (exact or glob), kind, call site.
import assert from 'node:assert/strict';
import { fileMatches, nameMatches, spanMatches } from '../../../extension/server/evals/match';
import { cosineSimilarity, tokenF1, words } from '../../../extension/server/evals/similarity';
import { span } from './spans';

describe('evaluator matching', () => {
  it('matches a name exactly, or as a glob with * and ?', () => {
    assert.equal(nameMatches('plan', 'plan'), true);
    assert.equal(nameMatches('plan', 'planner'), false, 'without wildcards the whole name must be equal');
    assert.equal(nameMatches('support-*', 'support-agent'), true);
    assert.equal(nameMatches('support-*', 'my-support-agent'), false);
    assert.equal(nameMatches('step-?', 'step-3'), true);
    assert.equal(nameMatches('step-?', 'step-10'), false);
    assert.equal(nameMatches('a.b*', 'aXb'), false, 'a dot is literal');
    assert.equal(nameMatches('chat (gpt-4o)*', 'chat (gpt-4o) retry'), true, 'regex characters are literal');
  });

  it('matches a call-site file by path suffix on a folder boundary', () => {
    assert.equal(fileMatches('src/agent.ts', '/home/me/app/src/agent.ts'), true);
    assert.equal(fileMatches('src/agent.ts', 'C:\\app\\src\\agent.ts'), true);
    assert.equal(fileMatches('src/agent.ts', 'src/agent.ts'), true);
    assert.equal(fileMatches('src/agent.ts', '/home/me/app/mysrc/agent.ts'), false);
    assert.equal(fileMatches('src/agent.ts', null), false);
  });

  it('requires every condition given: name, kind, file and line', () => {
    const s = span({ name: 'support-agent', kind: 'llm', code_file: '/w/src/agent.ts', code_line: 42 });
    assert.equal(spanMatches({ kind: ['llm'] }, s), true);
    assert.equal(spanMatches({ kind: ['tool', 'agent'] }, s), false);
    assert.equal(spanMatches({ name: ['plan', 'support-*'], kind: ['llm'] }, s), true);
    assert.equal(spanMatches({ file: 'src/agent.ts', line: 42 }, s), true);
    assert.equal(spanMatches({ file: 'src/agent.ts', line: 43 }, s), false);
    assert.equal(spanMatches({ file: 'src/other.ts' }, s), false);
  });
});

describe('lexical similarity', () => {
  it('reads words in any script, lower-cased, without English articles', () => {
    assert.deepEqual(words('The Café in Zürich — an ÉTÉ 2024!'), ['café', 'in', 'zürich', 'été', '2024']);
  });

  it('computes token F1 with repeated words counted once per occurrence', () => {
    // answer: go go go (3); expected: go home (2); shared 1 → P 1/3, R 1/2, F1 0.4
    assert.equal(tokenF1('go go go', 'go home'), 0.4);
    assert.equal(tokenF1('', ''), 1);
    assert.equal(tokenF1('something', ''), 0);
    assert.equal(tokenF1('apples', 'oranges'), 0);
  });

  it('computes the cosine of term frequencies', () => {
    assert.equal(cosineSimilarity('a b', 'b a'), 1);
    assert.ok(Math.abs(cosineSimilarity('x y', 'x z') - 0.5) < 1e-12);
    assert.equal(cosineSimilarity('x', 'y'), 0);
  });
});

import assert from 'node:assert/strict';
import { SPAN_KINDS } from '../../extension/server/model';

describe('span model', () => {
  it('names the seven span kinds of DESIGN.md', () => {
    assert.deepEqual([...SPAN_KINDS], ['agent', 'llm', 'tool', 'retrieval', 'embedding', 'eval', 'internal']);
  });
});

// The evals file kept current on disk: absent, created, broken, fixed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EvalsFile } from '../../../extension/server/evals/evals-file';

describe('evals file on disk', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-evals-'));
  const file = path.join(dir, 'evals.json');
  const warnings: string[] = [];
  let evals: EvalsFile;
  before(() => (evals = new EvalsFile(file, (m) => warnings.push(m), 60_000)));
  after(() => evals.close());

  it('declares no evaluators, and no error, while the file does not exist', () => {
    const s = evals.status();
    assert.deepEqual([s.exists, s.evaluators, s.error], [false, [], null]);
  });

  it('reads the file once it is written', () => {
    writeFileSync(file, JSON.stringify({ evals: [{ name: 'j', type: 'json_valid' }] }));
    evals.refresh();
    assert.deepEqual(evals.current().map((e) => e.name), ['j']);
    assert.equal(evals.status().exists, true);
  });

  it('keeps the evaluators and says why when the file is broken, then recovers', () => {
    writeFileSync(file, 'evals: [json_valid]');
    evals.refresh();
    assert.deepEqual(evals.current().map((e) => e.name), ['j']);
    assert.match(evals.status().error!, /evals\.json: not valid JSON: .*; the 1 evaluator\(s\) loaded before keep running$/);
    assert.equal(warnings.length, 1, 'the problem is logged once');
    writeFileSync(file, JSON.stringify({ evals: [{ name: 'k', type: 'max_latency_ms', max: 10 }] }));
    evals.refresh();
    assert.deepEqual(evals.current().map((e) => e.name), ['k']);
    assert.equal(evals.status().error, null);
  });

  it('drops the evaluators when the file is removed', () => {
    rmSync(file);
    evals.refresh();
    assert.deepEqual(evals.current(), []);
    assert.equal(evals.status().exists, false);
  });
});

// OpenInference evaluation attributes read as scores.
import assert from 'node:assert/strict';
import { openInferenceScores } from '../../../extension/server/evals/openinference';
import { span, TRACE_ID } from './spans';

describe('OpenInference evaluation attributes', () => {
  it('reads flattened span and trace evaluations with a numeric score as scores (source otel)', () => {
    const s = span({
      name: 'answer',
      end_time: 1_700_000_000_500,
      attributes: {
        'evaluations.0.evaluation.name': 'correctness',
        'evaluations.0.evaluation.score': 0.75,
        'evaluations.0.evaluation.label': 'mostly_correct',
        'evaluations.0.evaluation.explanation': 'One date is off.',
        'evaluations.1.evaluation.name': 'tone',
        'evaluations.1.evaluation.label': 'friendly', // label only: stays an attribute
        'trace.annotations.0.annotation.name': 'user_feedback',
        'trace.annotations.0.annotation.score': '1',
        'trace.annotations.0.annotation.annotator_kind': 'HUMAN',
      },
    });
    assert.deepEqual(openInferenceScores(s), [
      {
        score_id: `oi:${TRACE_ID}:${s.span_id}:evaluations.0`,
        trace_id: TRACE_ID,
        span_id: s.span_id,
        name: 'correctness',
        value: 0.75,
        label: 'mostly_correct',
        reason: 'One date is off.',
        source: 'otel',
        created_at: 1_700_000_000_500,
      },
      {
        score_id: `oi:${TRACE_ID}:${s.span_id}:trace.annotations.0`,
        trace_id: TRACE_ID,
        span_id: null,
        name: 'user_feedback',
        value: 1,
        label: null,
        reason: null,
        source: 'otel',
        created_at: 1_700_000_000_500,
      },
    ]);
  });

  it('reads the nested form a JSON sender gives', () => {
    const s = span({ name: 'a', attributes: { evaluations: [{ evaluation: { name: 'relevance', score: 0 } }] } });
    const scores = openInferenceScores(s);
    assert.equal(scores.length, 1);
    assert.deepEqual([scores[0].name, scores[0].value], ['relevance', 0]);
  });

  it('finds nothing on spans without evaluations, or with a result missing its name or score', () => {
    assert.deepEqual(openInferenceScores(span({ name: 'a', attributes: { 'llm.model_name': 'gpt-4o' } })), []);
    assert.deepEqual(openInferenceScores(span({ name: 'a', attributes: { 'evaluations.0.evaluation.score': 1 } })), []);
    assert.deepEqual(openInferenceScores(span({ name: 'a', attributes: { 'evaluations.0.evaluation.name': 'x', 'evaluations.0.evaluation.score': 'high' } })), []);
  });
});

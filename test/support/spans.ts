// Every field of a span that a test does not care about, at its empty value: the test builders
// (store, evals, panel) spread it and then set what their tests are about.
import type { Span } from '../../extension/server/model';

/** Fresh each call: tests may change a span's attributes, tags or events in place. */
export function spanDefaults() {
  return {
    parent_span_id: null,
    kind: 'internal',
    status: 'ok',
    status_message: null,
    service_name: null,
    operation: null,
    model: null,
    request_model: null,
    provider: null,
    input_tokens: null,
    output_tokens: null,
    total_tokens: null,
    cache_read_tokens: null,
    cache_write_tokens: null,
    reasoning_tokens: null,
    cost_usd: null,
    cost_source: null,
    input: null,
    output: null,
    attributes: {},
    resource: {},
    tags: [],
    events: [],
    code_file: null,
    code_line: null,
    code_function: null,
    session_id: null,
    user_id: null,
  } satisfies Omit<Span, 'trace_id' | 'span_id' | 'name' | 'start_time' | 'end_time' | 'duration_ms'>;
}

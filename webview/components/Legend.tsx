// What the bar colours mean. Errors are marked by an icon as well as a colour.
import type { JSX } from 'preact';
import type { SpanKind } from '../../extension/server/model';

/** A Record, so a kind added to the model without a legend entry fails the type check. */
const KIND_LABELS: Record<SpanKind, string> = {
  agent: 'agent',
  llm: 'llm',
  tool: 'tool',
  retrieval: 'retrieval',
  embedding: 'embedding',
  eval: 'eval',
  internal: 'internal',
};

export function Legend(): JSX.Element {
  return (
    <ul class="legend" aria-label="Span kinds">
      {(Object.keys(KIND_LABELS) as SpanKind[]).map((kind) => (
        <li key={kind} class={`kind-${kind}`}>
          <span class="kind-swatch" />
          {KIND_LABELS[kind]}
        </li>
      ))}
      <li class="is-error">
        <span class="err-icon" aria-hidden="true">!</span>
        error
      </li>
    </ul>
  );
}

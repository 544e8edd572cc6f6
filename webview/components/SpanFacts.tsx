// The span's identity and numbers: kind, status, model, tokens, cost, timing, code location.
import type { JSX } from 'preact';
import type { StoredSpan } from '../../extension/server/model';
import { formatCount, formatDuration, formatOffset, spanCostText } from '../layout/format';
import { postToHost } from '../host';
import { Button } from '../ui/toolkit';
import { Icon } from './Icon';

function tokenText(s: StoredSpan): string | null {
  const parts: string[] = [];
  if (s.input_tokens !== null) parts.push(`${formatCount(s.input_tokens)} in`);
  if (s.output_tokens !== null) parts.push(`${formatCount(s.output_tokens)} out`);
  if (s.cache_read_tokens !== null) parts.push(`${formatCount(s.cache_read_tokens)} cache read`);
  if (s.cache_write_tokens !== null) parts.push(`${formatCount(s.cache_write_tokens)} cache write`);
  if (s.reasoning_tokens !== null) parts.push(`${formatCount(s.reasoning_tokens)} reasoning`);
  if (s.total_tokens !== null) parts.push(`${formatCount(s.total_tokens)} total`);
  return parts.length ? parts.join(' · ') : null;
}

function Fact({ label, children, id }: { label: string; children: JSX.Element | string; id: string }): JSX.Element {
  return (
    <>
      <dt>{label}</dt>
      <dd data-fact={id}>{children}</dd>
    </>
  );
}

export function SpanFacts({ span, traceStart }: { span: StoredSpan; traceStart: number }): JSX.Element {
  const tokens = tokenText(span);
  const model = [span.model, span.provider && `(${span.provider})`].filter(Boolean).join(' ');
  const cost = spanCostText(span.cost_usd, span.cost_source);
  return (
    <dl class="facts">
      <Fact id="kind" label="Kind">
        <span class={`kind-chip kind-${span.kind}`}>
          <span class="kind-swatch" />
          {span.kind}
          {span.operation && <span class="muted"> · {span.operation}</span>}
        </span>
      </Fact>
      <Fact id="status" label="Status">
        <span class={`status status-${span.status}`}>
          {span.status === 'error' && <span class="err-icon" aria-hidden="true">!</span>}
          {span.status}
        </span>
      </Fact>
      {model && (
        <Fact id="model" label="Model">
          {model}
        </Fact>
      )}
      {span.request_model && span.request_model !== span.model && (
        <Fact id="request-model" label="Requested">
          {span.request_model}
        </Fact>
      )}
      {tokens && (
        <Fact id="tokens" label="Tokens">
          {tokens}
        </Fact>
      )}
      {(span.cost_source !== null || span.cost_usd !== null) && (
        <Fact id="cost" label="Cost">
          <span class={span.cost_source === 'unpriced' ? 'is-unpriced' : ''}>
            {cost}
            {span.cost_source && span.cost_source !== 'unpriced' && <span class="muted"> · {span.cost_source}</span>}
            {!span.usage_counted && <span class="muted"> · not counted (repeats a child's usage)</span>}
          </span>
        </Fact>
      )}
      <Fact id="duration" label="Duration">
        {formatDuration(span.duration_ms)}
      </Fact>
      <Fact id="start" label="Starts at">
        {formatOffset(span.start_time - traceStart)}
      </Fact>
      {span.service_name && (
        <Fact id="service" label="Service">
          {span.service_name}
        </Fact>
      )}
      {(span.session_id || span.user_id) && (
        <Fact id="session" label="Session / user">
          {`${span.session_id ?? '—'} / ${span.user_id ?? '—'}`}
        </Fact>
      )}
      {span.tags.length > 0 && (
        <Fact id="tags" label="Tags">
          <span class="tags">
            {span.tags.map((t, i) => (
              <span key={i} class="tag">
                {t}
              </span>
            ))}
          </span>
        </Fact>
      )}
      {span.code_file && (
        <Fact id="code" label="Code">
          <span class="code-location">
            <span class="mono" title={span.code_file}>
              {span.code_file}
              {span.code_line !== null && `:${span.code_line}`}
            </span>
            {span.code_function && <span class="muted"> in {span.code_function}</span>}
            <Button
              appearance="secondary"
              class="goto"
              data-action="open-source"
              title="Open this span's code location in the editor"
              onClick={() => postToHost({ type: 'openSource', file: span.code_file!, line: span.code_line !== null && span.code_line >= 1 ? span.code_line : 1 })}
            >
              <Icon name="goTo" /> Go to source
            </Button>
          </span>
        </Fact>
      )}
    </dl>
  );
}

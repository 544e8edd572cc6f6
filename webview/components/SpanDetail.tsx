// The selected span in full: facts, input and output byte for byte, scores, attributes, events.
import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Score, SpanEvent, StoredSpan } from '../../extension/server/model';
import { formatOffset } from '../layout/format';
import { postToHost } from '../host';
import { detailFocusRequest } from '../store';
import { Button } from '../ui/toolkit';
import { AttributeTable } from './AttributeTable';
import { ContentView } from './ContentView';
import { Icon } from './Icon';
import { SpanFacts } from './SpanFacts';

function ScoreList({ scores }: { scores: Score[] }): JSX.Element {
  return (
    <ul class="scores">
      {scores.map((s) => (
        <li key={s.score_id} class="score">
          <div class="score-head">
            <span class="score-name">{s.name}</span>
            <span class="score-value">{Number.isInteger(s.value) ? String(s.value) : s.value.toFixed(3)}</span>
            {s.label && <span class={`tag score-label${s.label === 'pass' ? ' is-pass' : s.label === 'fail' ? ' is-fail' : ''}`}>{s.label}</span>}
            <span class="spacer" />
            <span class="muted">{s.source}</span>
          </div>
          {s.reason && <div class="score-reason">{s.reason}</div>}
        </li>
      ))}
    </ul>
  );
}

function EventList({ events, spanStart }: { events: SpanEvent[]; spanStart: number }): JSX.Element {
  return (
    <ol class="events">
      {events.map((e, i) => (
        <li key={i} class="event">
          <div class="event-head">
            <span class="mono muted">{formatOffset(e.time - spanStart)}</span>
            <span class="event-name">{e.name}</span>
          </div>
          {Object.keys(e.attributes).length > 0 && <AttributeTable attributes={e.attributes} label={`${e.name} attributes`} />}
        </li>
      ))}
    </ol>
  );
}

function Section({ title, count, children, id }: { title: string; count?: number; children: JSX.Element; id: string }): JSX.Element {
  return (
    <section class="detail-section" data-section={id}>
      <h3>
        {title}
        {count !== undefined && count > 0 && <span class="count">{count}</span>}
      </h3>
      {children}
    </section>
  );
}

export function SpanDetail({ span, traceStart, scores, isRoot }: { span: StoredSpan; traceStart: number; scores: Score[]; isRoot: boolean }): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const focusTick = detailFocusRequest.value;
  useLayoutEffect(() => {
    if (focusTick > 0) ref.current?.focus();
  }, [focusTick]);
  // trace-level scores (no span) belong with the root span
  const own = scores.filter((s) => s.span_id === span.span_id || (isRoot && s.span_id === null));
  const hasResource = Object.keys(span.resource).length > 0;
  return (
    <div class="detail" id="span-detail" ref={ref} tabIndex={-1} aria-label={`Span ${span.name}`}>
      <header class="detail-head">
        <h2 class="detail-title" title={span.name}>
          {span.status === 'error' && <span class="err-icon" aria-label="error">!</span>}
          {span.name}
        </h2>
        <div class="detail-ids">
          <span class="mono muted">span {span.span_id}</span>
          <Button appearance="icon" title="Copy span id" data-action="copy-span-id" onClick={() => postToHost({ type: 'copy', text: span.span_id })}>
            <Icon name="copy" />
          </Button>
        </div>
      </header>
      {span.status === 'error' && (
        <div class="callout is-error" role="note">
          <strong>Error</strong>
          <div class="status-message">{span.status_message ?? 'The span ended with status error and no message.'}</div>
        </div>
      )}
      {span.status !== 'error' && span.status_message && <div class="callout status-message">{span.status_message}</div>}
      <SpanFacts span={span} traceStart={traceStart} />
      {span.input === null && span.output === null ? (
        <p class="muted">No input or output recorded for this span.</p>
      ) : (
        <>
          <ContentView key={`${span.span_id}:in`} label="Input" text={span.input} />
          <ContentView key={`${span.span_id}:out`} label="Output" text={span.output} />
        </>
      )}
      {own.length > 0 && (
        <Section id="scores" title="Scores" count={own.length}>
          <ScoreList scores={own} />
        </Section>
      )}
      <Section id="attributes" title="Attributes" count={Object.keys(span.attributes).length}>
        <AttributeTable attributes={span.attributes} label="Span attributes" />
      </Section>
      {span.events.length > 0 && (
        <Section id="events" title="Events" count={span.events.length}>
          <EventList events={span.events} spanStart={span.start_time} />
        </Section>
      )}
      {hasResource && (
        <Section id="resource" title="Resource" count={Object.keys(span.resource).length}>
          <AttributeTable attributes={span.resource} label="Resource attributes" />
        </Section>
      )}
    </div>
  );
}

// The 5-whys postmortem of the trace on screen: each answer points at a span (click → the span is
// selected in the waterfall), then the facts behind them; "Copy as Markdown" takes the
// collector's Markdown. Span names and error messages are untrusted: rendered as text only. With a
// language model configured, the model's written postmortem is offered too: its answer is untrusted
// as well (it read the run's prompts and completions), so it is shown as text in a <pre>, never as HTML.
import type { JSX } from 'preact';
import type { Postmortem, SpanRef } from '../../extension/server/postmortem';
import { postToHost } from '../host';
import { formatCost, formatCount, formatDuration, formatPercent } from '../layout/format';
import { postmortem, selectSpan, written, writtenRequested } from '../store';
import { Button } from '../ui/toolkit';
import { Icon } from './Icon';

function SpanLink({ span }: { span: Pick<SpanRef, 'span_id' | 'name' | 'status'> }): JSX.Element {
  return (
    <button type="button" class={`pm-span${span.status === 'error' ? ' is-error' : ''}`} data-span-link={span.span_id} title="Select this span in the waterfall" onClick={() => selectSpan(span.span_id)}>
      {span.status === 'error' && <span class="err-icon" aria-hidden="true">!</span>}
      {span.name}
    </button>
  );
}

function Whys({ pm }: { pm: Postmortem }): JSX.Element {
  return (
    <ol class="whys">
      {pm.whys.map((w, i) => (
        <li key={i} class="why" data-why={i + 1}>
          <div class="why-q">{w.why}</div>
          <div class="why-a">{w.because}</div>
          {w.span_id && (
            <button type="button" class="pm-goto" data-goto-span={w.span_id} onClick={() => selectSpan(w.span_id!)}>
              <Icon name="goTo" /> Go to span
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}

function Facts({ pm }: { pm: Postmortem }): JSX.Element {
  return (
    <>
      {pm.root_cause && (
        <section class="detail-section" data-section="root-cause">
          <h3>Root cause</h3>
          <p class="pm-line">
            <SpanLink span={pm.root_cause} /> <span class="muted">{pm.root_cause.kind}</span>
          </p>
          <div class="callout is-error status-message">{pm.root_cause.error ?? 'failed without a message'}</div>
        </section>
      )}
      {pm.chain.length > 1 && (
        <section class="detail-section" data-section="chain">
          <h3>Failing chain</h3>
          <p class="pm-chain">
            {pm.chain.map((s, i) => (
              <span key={s.span_id}>
                {i > 0 && <span class="muted"> → </span>}
                <SpanLink span={s} />
              </span>
            ))}
          </p>
        </section>
      )}
      {pm.retries.length > 0 && (
        <section class="detail-section" data-section="retries">
          <h3>Retries</h3>
          <table class="kv pm-table">
            <tbody>
              {pm.retries.map((r, i) => (
                <tr key={i}>
                  <th>{r.name}</th>
                  <td>{`${r.attempts} attempts, ${r.failures} failed, ${r.recovered ? 'then recovered' : 'never recovered'}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {pm.critical_path.length > 0 && (
        <section class="detail-section" data-section="critical-path">
          <h3>Critical path</h3>
          <table class="kv pm-table">
            <tbody>
              {pm.critical_path.map((s) => (
                <tr key={s.span_id}>
                  <th><SpanLink span={s} /></th>
                  <td class="num">{formatDuration(s.duration_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {pm.expensive.length > 0 && (
        <section class="detail-section" data-section="expensive">
          <h3>Most expensive spans</h3>
          <table class="kv pm-table">
            <tbody>
              {pm.expensive.map((s) => (
                <tr key={s.span_id}>
                  <th><SpanLink span={s} /></th>
                  <td>{s.model ?? '—'}</td>
                  <td class="num">{`${formatCount(s.input_tokens ?? 0)} / ${formatCount(s.output_tokens ?? 0)} tok`}</td>
                  <td class="num">{s.cost_usd === null ? 'unpriced' : formatCost(s.cost_usd)}</td>
                  <td class="num">{formatPercent(s.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

function WrittenPostmortem(): JSX.Element | null {
  const state = written.value;
  if (state.kind === 'unavailable') return null;
  const ask = (label: string) => (
    <Button
      appearance="secondary"
      data-action="write-postmortem"
      title="Send this analysis and the root cause's input and output to the configured language model"
      onClick={() => {
        writtenRequested();
        postToHost({ type: 'requestWrittenPostmortem' });
      }}
    >
      {label}
    </Button>
  );
  return (
    <section class="detail-section" data-section="written">
      {state.kind === 'idle' && ask('Ask the model for a written postmortem')}
      {state.kind === 'asking' && (
        <p class="muted" role="status" data-written="asking">
          Asking the model for a written postmortem…
        </p>
      )}
      {state.kind === 'error' && (
        <>
          <div class="callout is-error" role="alert">{state.message}</div>
          {ask('Ask the model again')}
        </>
      )}
      {state.kind === 'ready' && (
        <>
          <header class="detail-head">
            <h3>Written by the model</h3>
            <Button appearance="secondary" data-action="copy-written" title="Copy the model's written postmortem" onClick={() => postToHost({ type: 'copy', text: state.text })}>
              Copy
            </Button>
          </header>
          <pre class="content-raw pm-written">{state.text}</pre>
        </>
      )}
    </section>
  );
}

export function PostmortemView(): JSX.Element {
  const state = postmortem.value;
  if (state.kind === 'loading' || state.kind === 'none') return <div class="detail"><p class="muted">Building the postmortem…</p></div>;
  if (state.kind === 'error') return <div class="detail"><div class="callout is-error" role="alert">{state.message}</div></div>;
  const pm = state.postmortem;
  return (
    <div class="detail postmortem" aria-label="Postmortem">
      <header class="detail-head">
        <h2 class="detail-title">{pm.kind === 'failure' ? 'Why did this run fail?' : 'Where did the money go?'}</h2>
        <Button appearance="secondary" data-action="copy-postmortem" title="Copy the postmortem as Markdown" onClick={() => postToHost({ type: 'copy', text: pm.markdown })}>
          Copy as Markdown
        </Button>
      </header>
      <p class="muted">{`${pm.status === 'error' ? 'Failed' : 'Succeeded'} · ${formatDuration(pm.duration_ms)} · ${formatCost(pm.total_cost_usd)} · ${formatCount(pm.span_count)} spans`}</p>
      <WrittenPostmortem />
      <Whys pm={pm} />
      <Facts pm={pm} />
    </div>
  );
}

// A span's input or output, byte for byte. A JSON message list is drawn as a conversation with
// a toggle back to the exact raw text; anything else is the raw text, whitespace preserved.
import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { parseConversation, type ContentBlock, type Message } from '../layout/conversation';
import { postToHost } from '../host';
import { Button } from '../ui/toolkit';
import { Icon } from './Icon';

function Block({ block }: { block: ContentBlock }): JSX.Element {
  switch (block.kind) {
    case 'text':
      return <div class="msg-text">{block.text}</div>;
    case 'reasoning':
      return (
        <div class="msg-part is-reasoning">
          <div class="msg-part-title">reasoning</div>
          <div class="msg-text">{block.text}</div>
        </div>
      );
    case 'tool_call':
      return (
        <div class="msg-part is-tool-call">
          <div class="msg-part-title">
            tool call <strong>{block.name}</strong>
            {block.id && <span class="muted mono"> {block.id}</span>}
          </div>
          <pre class="code">{block.arguments}</pre>
        </div>
      );
    case 'tool_result':
      return (
        <div class="msg-part is-tool-result">
          <div class="msg-part-title">
            tool result{block.id && <span class="muted mono"> {block.id}</span>}
          </div>
          <pre class="code">{block.content}</pre>
        </div>
      );
    case 'other':
      return (
        <div class="msg-part">
          <div class="msg-part-title">{block.type}</div>
          <pre class="code">{block.json}</pre>
        </div>
      );
  }
}

function Conversation({ messages }: { messages: Message[] }): JSX.Element {
  return (
    <ol class="conversation">
      {messages.map((m, i) => (
        <li key={i} class={`msg role-${m.role.replace(/[^a-z]/gi, '')}`}>
          <div class="msg-role">
            {m.role}
            {m.name && <span class="muted"> · {m.name}</span>}
            {m.finishReason && <span class="muted"> · {m.finishReason}</span>}
          </div>
          {m.blocks.length === 0 ? <div class="muted">(no content)</div> : m.blocks.map((b, k) => <Block key={k} block={b} />)}
        </li>
      ))}
    </ol>
  );
}

/** Key it by span so the raw/conversation choice starts fresh for each span. */
export function ContentView({ label, text }: { label: string; text: string | null }): JSX.Element {
  const messages = useMemo(() => parseConversation(text), [text]);
  const [raw, setRaw] = useState(false);
  const which = label.toLowerCase();
  if (text === null) {
    return (
      <section class="detail-section" data-content={which}>
        <h3>{label}</h3>
        <div class="muted">none recorded</div>
      </section>
    );
  }
  const showRaw = raw || messages === null;
  return (
    <section class="detail-section" data-content={which}>
      <div class="section-head">
        <h3>{label}</h3>
        <span class="muted">{text.length.toLocaleString('en-US')} chars</span>
        <span class="spacer" />
        {messages !== null && (
          <div class="segmented" role="group" aria-label={`${label} view`}>
            <button type="button" aria-pressed={!showRaw} data-view="conversation" onClick={() => setRaw(false)}>
              Conversation
            </button>
            <button type="button" aria-pressed={showRaw} data-view="raw" onClick={() => setRaw(true)}>
              Raw
            </button>
          </div>
        )}
        <Button appearance="icon" title={`Copy ${which}`} data-action={`copy-${which}`} onClick={() => postToHost({ type: 'copy', text })}>
          <Icon name="copy" />
        </Button>
      </div>
      {showRaw ? <pre class="content-raw">{text}</pre> : <Conversation messages={messages} />}
    </section>
  );
}

// The panel when there is no waterfall to draw: nothing selected, loading, or an error.
import type { JSX } from 'preact';

export function PanelMessage({ title, body, tone }: { title: string; body: string; tone?: 'error' | 'loading' }): JSX.Element {
  return (
    <div class={`panel-message${tone ? ` is-${tone}` : ''}`} role={tone === 'error' ? 'alert' : 'status'}>
      <h2>{title}</h2>
      <p>{body}</p>
    </div>
  );
}

// The one module that knows about @vscode/webview-ui-toolkit (deprecated upstream: swapping it
// out means rewriting this file only). Decision: only its button is used. Its FAST web
// components work under Preact (props become attributes, click events bubble from the host
// element); everything else in the panel is plain elements styled with VS Code theme variables,
// which is also what the toolkit's remaining components would draw.
import { h, type ComponentChildren, type JSX } from 'preact';

let registered = false;

/**
 * Defines the toolkit's custom elements. The package is ESM-only, so it is loaded through
 * import(), which esbuild inlines into the IIFE bundle (no network request happens).
 */
export function registerToolkit(): Promise<void> {
  if (registered) return Promise.resolve();
  registered = true;
  // the button's own modules, not the package index: the index pulls in every component (+500 KB)
  return Promise.all([import('@vscode/webview-ui-toolkit/dist/vscode-design-system.js'), import('@vscode/webview-ui-toolkit/dist/button/index.js')]).then(
    ([{ provideVSCodeDesignSystem }, { vsCodeButton }]) => {
      provideVSCodeDesignSystem().register(vsCodeButton());
    },
  );
}

export interface ButtonProps {
  appearance?: 'primary' | 'secondary' | 'icon';
  title?: string;
  ariaLabel?: string;
  disabled?: boolean;
  class?: string;
  onClick: (event: MouseEvent) => void;
  children: ComponentChildren;
  /** for tests and the panel's own lookups */
  'data-action'?: string;
}

export function Button(props: ButtonProps): JSX.Element {
  return h(
    'vscode-button',
    {
      appearance: props.appearance ?? 'secondary',
      title: props.title,
      'aria-label': props.ariaLabel ?? props.title,
      // Preact sets it as a property; undefined would become '' which FAST reads as true
      disabled: props.disabled === true,
      class: props.class,
      'data-action': props['data-action'],
      onClick: (e: MouseEvent) => {
        if (!props.disabled) props.onClick(e);
      },
    },
    props.children,
  );
}

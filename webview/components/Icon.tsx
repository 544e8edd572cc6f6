// Inline SVG icons: no icon font to ship or allow in the CSP, and they take the text colour.
import type { JSX } from 'preact';

const PATHS = {
  play: 'M5 3.5v9l7.5-4.5z',
  pause: 'M4.5 3h2.5v10H4.5zM9 3h2.5v10H9z',
  stepBack: 'M3.5 3h2v10h-2zM13 3.5v9L6.5 8z',
  stepForward: 'M10.5 3h2v10h-2zM3 3.5v9L9.5 8z',
  stop: 'M4 4h8v8H4z',
  copy: 'M5 2.5h7.5v9H11V4H5zM3 5h7v8.5H3zm1.2 1.2v6.1h4.6V6.2z',
  goTo: 'M9 2.5h4.5V7h-1.3V4.7L7.4 9.5l-.9-.9 4.8-4.8H9zM3 4.5h4v1.3H4.3v5.9h5.9V9h1.3v4H3z',
  chevronRight: 'M6 3.5l4.5 4.5L6 12.5l-.9-.9L8.7 8 5.1 4.4z',
  chevronDown: 'M3.5 6l4.5 4.5L12.5 6l-.9-.9L8 8.7 4.4 5.1z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, label }: { name: IconName; label?: string }): JSX.Element {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden={label ? undefined : 'true'} aria-label={label} role={label ? 'img' : undefined}>
      <path d={PATHS[name]} fill="currentColor" fill-rule="evenodd" />
    </svg>
  );
}

// One span of the waterfall: indentation, collapse toggle, name, and its proportional bar.
// It draws what it is given; positions come from the precomputed layout.
import type { JSX } from 'preact';
import type { StoredSpan } from '../../extension/server/model';
import { formatDuration } from '../layout/format';
import { Icon } from './Icon';

export interface RowProps {
  span: StoredSpan;
  top: number;
  depth: number;
  left: number;
  width: number;
  expandable: boolean;
  collapsed: boolean;
  selected: boolean;
  playhead: boolean;
  ahead: boolean;
  onSelect: (spanId: string) => void;
  onToggle: (spanId: string) => void;
}

/** Deep trees keep indenting up to this level; beyond it the depth is still in aria-level. */
const MAX_INDENT_LEVEL = 24;
const INDENT_PX = 14;

export function WaterfallRow(p: RowProps): JSX.Element {
  const { span } = p;
  const error = span.status === 'error';
  const classes = ['wf-row', `kind-${span.kind}`];
  if (p.selected) classes.push('is-selected');
  if (p.playhead) classes.push('is-playhead');
  if (p.ahead) classes.push('is-ahead');
  if (error) classes.push('is-error');
  // the lane keeps a right margin (--wf-lane-pad-right) wide enough for the label of a bar that ends the trace
  const labelStyle = { left: `calc(${(p.left + p.width) * 100}% + 6px)` };
  return (
    <div
      id={`wf-row-${span.span_id}`}
      class={classes.join(' ')}
      style={{ top: `${p.top}px` }}
      role="treeitem"
      aria-level={p.depth + 1}
      aria-selected={p.selected}
      aria-expanded={p.expandable ? !p.collapsed : undefined}
      data-span-id={span.span_id}
      onClick={() => p.onSelect(span.span_id)}
    >
      <div class="wf-name" style={{ paddingLeft: `${Math.min(p.depth, MAX_INDENT_LEVEL) * INDENT_PX + 4}px` }}>
        {p.expandable ? (
          <span
            class="wf-toggle"
            role="button"
            aria-label={p.collapsed ? 'Expand' : 'Collapse'}
            onClick={(e) => {
              e.stopPropagation();
              p.onToggle(span.span_id);
            }}
          >
            <Icon name={p.collapsed ? 'chevronRight' : 'chevronDown'} />
          </span>
        ) : (
          <span class="wf-toggle is-leaf" />
        )}
        <span class="kind-swatch" title={span.kind} />
        <span class="wf-label" title={span.name}>
          {span.name}
        </span>
        {error && <span class="err-icon" title={span.status_message ?? 'error'} aria-label="error">!</span>}
      </div>
      <div class="wf-track">
        <div class="wf-lane">
          <div class="wf-bar" style={{ left: `${p.left * 100}%`, width: `${p.width * 100}%` }} />
          <span class="wf-duration" style={labelStyle}>
            {formatDuration(span.duration_ms)}
          </span>
        </div>
      </div>
    </div>
  );
}

// The virtualised waterfall: only the rows inside the viewport (plus a few) are in the DOM, at
// fixed height, so a 100,000-span trace costs the same to scroll as a 10-span one.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { isAhead } from '../layout/replay';
import { tickBudget, timeTicks } from '../layout/ticks';
import { hasChildren, rowPosition, rowWindow, scrollToReveal } from '../layout/waterfall';
import {
  collapseOrLeave,
  collapsed,
  detailFocusRequest,
  expandOrEnter,
  layout,
  moveSelection,
  order,
  playhead,
  revealRequest,
  rows,
  selectSpan,
  selectedIndex,
  togglePlay,
  toggleCollapsed,
} from '../store';
import { GridLines, TimeAxis } from './TimeAxis';
import { WaterfallRow } from './WaterfallRow';
import { useSize } from './useSize';

export const ROW_HEIGHT = 24;
export const AXIS_HEIGHT = 26;

export function Waterfall(): JSX.Element | null {
  const l = layout.value;
  const visible = rows.value;
  const selected = selectedIndex.value;
  const head = playhead.value;
  const rank = order.value?.rank;
  const closed = collapsed.value;
  const [scrollRef, viewport] = useSize<HTMLDivElement>();
  const [laneRef, lane] = useSize<HTMLDivElement>();
  const [scrollTop, setScrollTop] = useState(0);
  const ticks = useMemo(() => (l ? timeTicks(l.traceDuration, tickBudget(lane.width)) : []), [l, lane.width]);
  const rowsHeight = Math.max(0, viewport.height - AXIS_HEIGHT);

  const reveal = revealRequest.value;
  useEffect(() => {
    const el = scrollRef.current;
    const at = rowPosition(rows.peek(), selectedIndex.peek());
    if (!el || at < 0) return;
    const top = scrollToReveal(at, el.scrollTop, Math.max(ROW_HEIGHT, el.clientHeight - AXIS_HEIGHT), ROW_HEIGHT);
    if (top !== null) {
      el.scrollTop = top;
      setScrollTop(el.scrollTop);
    }
  }, [reveal]);

  // A shorter trace (or a collapse) can leave the scroll offset past the end: follow the browser's clamp.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && el.scrollTop !== scrollTop) setScrollTop(el.scrollTop);
  }, [visible.length]);

  if (!l) return null;

  const onKeyDown = (e: KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(rowsHeight / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveSelection(1),
      ArrowUp: () => moveSelection(-1),
      PageDown: () => moveSelection(page),
      PageUp: () => moveSelection(-page),
      Home: () => moveSelection(-Infinity),
      End: () => moveSelection(Infinity),
      ArrowRight: expandOrEnter,
      ArrowLeft: collapseOrLeave,
      Enter: () => detailFocusRequest.value++,
      ' ': togglePlay,
    };
    const action = keys[e.key];
    if (!action || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    action();
  };

  const { first, last } = rowWindow(scrollTop, rowsHeight || ROW_HEIGHT * 40, ROW_HEIGHT, visible.length);
  const drawn: JSX.Element[] = [];
  for (let k = first; k < last; k++) {
    const i = visible[k];
    const span = l.spans[i];
    drawn.push(
      <WaterfallRow
        key={span.span_id}
        span={span}
        top={k * ROW_HEIGHT}
        depth={l.depth[i]}
        left={l.left[i]}
        width={l.width[i]}
        expandable={hasChildren(l, i)}
        collapsed={closed.has(span.span_id)}
        selected={i === selected}
        playhead={head !== null && rank !== undefined && rank[i] === head}
        ahead={rank !== undefined && isAhead(rank[i], head)}
        onSelect={selectSpan}
        onToggle={toggleCollapsed}
      />,
    );
  }
  const activeId = selected >= 0 ? `wf-row-${l.spans[selected].span_id}` : undefined;

  return (
    <section class="wf" aria-label="Waterfall">
      <div
        class="wf-scroll"
        ref={scrollRef}
        tabIndex={0}
        role="tree"
        aria-label="Spans"
        aria-activedescendant={activeId}
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div class="wf-head" style={{ height: `${AXIS_HEIGHT}px` }}>
          <div class="wf-head-name">
            Span <span class="muted">· {visible.length.toLocaleString('en-US')} shown</span>
          </div>
          <div class="wf-track">
            <div class="wf-lane" ref={laneRef}>
              <TimeAxis ticks={ticks} />
            </div>
          </div>
        </div>
        <div class="wf-rows" style={{ height: `${visible.length * ROW_HEIGHT}px` }}>
          <div class="wf-track wf-grid-track">
            <div class="wf-lane">
              <GridLines ticks={ticks} />
            </div>
          </div>
          {drawn}
        </div>
      </div>
    </section>
  );
}

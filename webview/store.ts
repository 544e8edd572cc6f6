// The panel's one source of truth: the trace on screen, its precomputed layout, selection,
// collapsed subtrees and the replay playhead. Components read these signals and call the
// actions below; nothing else holds panel state that another component needs.
import { batch, computed, signal } from '@preact/signals';
import type { TraceDetail } from '../extension/server/model';
import type { Postmortem } from '../extension/server/postmortem';
import { costBreakdown } from './layout/costs';
import { REPLAY_SPEEDS, replayIntervalMs, replayOrder, stepPlayhead, type ReplaySpeed } from './layout/replay';
import { buildLayout, collapsedAncestors, hasChildren, rowPosition, visibleRows } from './layout/waterfall';

export type PanelStatus = { kind: 'empty' } | { kind: 'loading'; traceId: string } | { kind: 'error'; message: string } | { kind: 'ready' };

export const status = signal<PanelStatus>({ kind: 'empty' });
export const detail = signal<TraceDetail | null>(null);
export const layout = computed(() => (detail.value ? buildLayout(detail.value.spans) : null));
export const order = computed(() => (layout.value ? replayOrder(layout.value) : null));
export const modelCosts = computed(() => (detail.value ? costBreakdown(detail.value.spans) : []));

export const collapsed = signal<ReadonlySet<string>>(new Set());
export const rows = computed(() => (layout.value ? visibleRows(layout.value, collapsed.value) : new Int32Array(0)));

export const selectedId = signal<string | null>(null);
export const selectedIndex = computed(() => {
  const id = selectedId.value;
  return id === null ? -1 : (layout.value?.indexById.get(id) ?? -1);
});

/** position in the replay order of the span being played; null when not replaying */
export const playhead = signal<number | null>(null);
export const playing = signal(false);
export const speed = signal<ReplaySpeed>(1);

export type SideTab = 'span' | 'costs' | 'postmortem';
export const sideTab = signal<SideTab>('span');

/** The postmortem of the trace on screen: asked for from the toolbar or the Postmortem command. */
export type PostmortemState = { kind: 'none' } | { kind: 'loading' } | { kind: 'ready'; postmortem: Postmortem } | { kind: 'error'; message: string };
export const postmortem = signal<PostmortemState>({ kind: 'none' });

/** The language model's written postmortem of the trace on screen (offered only when a model is configured). */
export type WrittenState = { kind: 'unavailable' } | { kind: 'idle' } | { kind: 'asking' } | { kind: 'ready'; text: string } | { kind: 'error'; message: string };
export const written = signal<WrittenState>({ kind: 'unavailable' });

/** Bumped when the selection moved by keyboard, replay or host request: the waterfall scrolls to it. */
export const revealRequest = signal(0);
/** Bumped by Enter in the waterfall: the detail pane takes focus. */
export const detailFocusRequest = signal(0);

let clock: ReturnType<typeof setInterval> | null = null;

export function showTrace(next: TraceDetail, focusSpanId?: string): void {
  pause();
  batch(() => {
    if (detail.peek()?.trace.trace_id !== next.trace.trace_id) {
      postmortem.value = { kind: 'none' };
      written.value = { kind: 'unavailable' };
    }
    detail.value = next;
    status.value = { kind: 'ready' };
    collapsed.value = new Set();
    playhead.value = null;
    sideTab.value = 'span';
    const l = layout.value!;
    const focus = focusSpanId !== undefined && l.indexById.has(focusSpanId) ? focusSpanId : (l.spans[0]?.span_id ?? null);
    selectedId.value = focus;
    revealRequest.value++;
  });
}

/** New spans of the trace on screen: selection, collapsed subtrees and the replay position stay. */
export function traceUpdated(next: TraceDetail): void {
  const current = detail.peek();
  if (!current || current.trace.trace_id !== next.trace.trace_id) return showTrace(next);
  const playedId = playheadSpanId();
  batch(() => {
    detail.value = next;
    if (playedId !== null) {
      const i = layout.value!.indexById.get(playedId);
      playhead.value = i === undefined ? null : order.value!.rank[i];
    }
    if (selectedId.peek() === null) selectedId.value = layout.value!.spans[0]?.span_id ?? null;
  });
}

/** The toolbar asked the host for a postmortem: its tab shows a loading state until it arrives. */
export function postmortemRequested(): void {
  batch(() => {
    postmortem.value = { kind: 'loading' };
    sideTab.value = 'postmortem';
  });
}

export function showPostmortem(next: Postmortem, canWrite = false): void {
  if (detail.peek()?.trace.trace_id !== next.trace_id) return;
  batch(() => {
    postmortem.value = { kind: 'ready', postmortem: next };
    sideTab.value = 'postmortem';
    // a text already written (or being written) for this trace stays when the analysis is rebuilt
    if (!canWrite) written.value = { kind: 'unavailable' };
    else if (written.peek().kind === 'unavailable') written.value = { kind: 'idle' };
  });
}

/** The panel asked the host for the model's written postmortem. */
export function writtenRequested(): void {
  written.value = { kind: 'asking' };
}

/** The model's answer (or why there is none) for a trace; an answer for another trace is dropped. */
export function showWritten(traceId: string, answer: { text: string } | { message: string }): void {
  if (detail.peek()?.trace.trace_id !== traceId) return;
  written.value = 'text' in answer ? { kind: 'ready', text: answer.text } : { kind: 'error', message: answer.message };
}

export function showPostmortemError(message: string): void {
  batch(() => {
    postmortem.value = { kind: 'error', message };
    sideTab.value = 'postmortem';
  });
}

export function showLoading(traceId: string): void {
  status.value = { kind: 'loading', traceId };
}

export function showError(message: string): void {
  pause();
  batch(() => {
    status.value = { kind: 'error', message };
    detail.value = null;
  });
}

/** Select a span, expanding collapsed ancestors so its row is visible. False: no such span. */
export function selectSpan(spanId: string, reveal = true): boolean {
  const l = layout.peek();
  const i = l?.indexById.get(spanId);
  if (!l || i === undefined) return false;
  batch(() => {
    const hidden = collapsedAncestors(l, i, collapsed.peek());
    if (hidden.length) {
      const next = new Set(collapsed.peek());
      for (const id of hidden) next.delete(id);
      collapsed.value = next;
    }
    selectedId.value = spanId;
    sideTab.value = 'span';
    if (reveal) revealRequest.value++;
  });
  return true;
}

export function toggleCollapsed(spanId: string): void {
  const next = new Set(collapsed.peek());
  const collapsing = !next.delete(spanId);
  if (collapsing) next.add(spanId);
  batch(() => {
    collapsed.value = next;
    // the selection must not vanish into a collapsed subtree: it moves up to the collapsed row
    const l = layout.peek();
    const i = l?.indexById.get(spanId);
    const sel = selectedIndex.peek();
    if (collapsing && l && i !== undefined && sel > i && sel < l.subtreeEnd[i]) selectedId.value = spanId;
  });
}

/** ↑/↓: move the selection among visible rows. */
export function moveSelection(delta: number): void {
  const l = layout.peek();
  const visible = rows.peek();
  if (!l || visible.length === 0) return;
  const at = rowPosition(visible, selectedIndex.peek());
  const target = at < 0 ? 0 : Math.min(visible.length - 1, Math.max(0, at + delta));
  selectSpan(l.spans[visible[target]].span_id);
}

/** →: expand a collapsed row, else go to its first child (tree-view convention). */
export function expandOrEnter(): void {
  const l = layout.peek();
  const i = selectedIndex.peek();
  if (!l || i < 0 || !hasChildren(l, i)) return;
  const id = l.spans[i].span_id;
  if (collapsed.peek().has(id)) toggleCollapsed(id);
  else selectSpan(l.spans[i + 1].span_id);
}

/** ←: collapse an expanded row, else go to its parent. */
export function collapseOrLeave(): void {
  const l = layout.peek();
  const i = selectedIndex.peek();
  if (!l || i < 0) return;
  const id = l.spans[i].span_id;
  if (hasChildren(l, i) && !collapsed.peek().has(id)) toggleCollapsed(id);
  else if (l.parent[i] >= 0) selectSpan(l.spans[l.parent[i]].span_id);
}

function playheadSpanId(): string | null {
  const p = playhead.peek();
  const l = layout.peek();
  const o = order.peek();
  return p === null || !l || !o ? null : l.spans[o.rows[p]].span_id;
}

/** Move the playhead to a position in start order; the selection follows it. */
export function seek(position: number): void {
  const o = order.peek();
  const l = layout.peek();
  if (!o || !l || o.rows.length === 0) return;
  const p = Math.min(o.rows.length - 1, Math.max(0, Math.round(position)));
  batch(() => {
    playhead.value = p;
    selectSpan(l.spans[o.rows[p]].span_id);
  });
}

export function step(delta: number): void {
  const n = order.peek()?.rows.length ?? 0;
  const next = stepPlayhead(playhead.peek(), delta, n);
  if (next !== null) seek(next);
}

export function play(): void {
  const n = order.peek()?.rows.length ?? 0;
  if (n === 0) return;
  const p = playhead.peek();
  if (p === null || p >= n - 1) seek(0);
  playing.value = true;
  restartClock();
}

export function pause(): void {
  playing.value = false;
  if (clock !== null) clearInterval(clock);
  clock = null;
}

export function togglePlay(): void {
  if (playing.peek()) pause();
  else play();
}

/** Leave replay: nothing dimmed, playhead gone. */
export function stopReplay(): void {
  pause();
  playhead.value = null;
}

export function setSpeed(next: number): void {
  const known = REPLAY_SPEEDS.find((s) => s === next);
  if (known === undefined) return;
  speed.value = known;
  if (playing.peek()) restartClock();
}

function restartClock(): void {
  if (clock !== null) clearInterval(clock);
  clock = setInterval(() => {
    const n = order.peek()?.rows.length ?? 0;
    const p = playhead.peek();
    if (p === null || p >= n - 1) return pause();
    seek(p + 1);
  }, replayIntervalMs(speed.peek()));
}

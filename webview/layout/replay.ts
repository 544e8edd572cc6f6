// Replay walks the spans in the order they started. The order is a pure function of the layout
// so the waterfall (dimming spans not started yet) and the scrubber agree on what "k of n" means.
import type { WaterfallLayout } from './waterfall';

/** Replay speeds in spans per second ("1×" = one span a second; see docs/panel.md). */
export const REPLAY_SPEEDS = [0.5, 1, 2, 4, 10] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

export function replayIntervalMs(speed: number): number {
  return 1000 / speed;
}

export interface ReplayOrder {
  /** row indices (tree pre-order) in start order */
  rows: Int32Array;
  /** position in `rows` of each row index */
  rank: Int32Array;
}

/**
 * Rows in start order; a tie goes to the earlier row in tree pre-order, so a parent that starts
 * at the same instant as its child is played first.
 */
export function replayOrder(layout: WaterfallLayout): ReplayOrder {
  const n = layout.spans.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => layout.spans[a].start_time - layout.spans[b].start_time || a - b);
  const rows = Int32Array.from(idx);
  const rank = new Int32Array(n);
  for (let k = 0; k < n; k++) rank[rows[k]] = k;
  return { rows, rank };
}

/** The next playhead position, clamped to [0, n-1]; null stays null only for an empty trace. */
export function stepPlayhead(position: number | null, delta: number, count: number): number | null {
  if (count === 0) return null;
  const from = position ?? (delta > 0 ? -1 : count);
  return Math.min(count - 1, Math.max(0, from + delta));
}

/** Whether a row is "not yet started" at this playhead (drawn dimmed). */
export function isAhead(rank: number, playhead: number | null): boolean {
  return playhead !== null && rank > playhead;
}

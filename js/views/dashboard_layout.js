// Where the Dashboard's panels go (pure, tested in tests/js/dashboard.test.js): the replay bar on
// top; two columns when the cell is wide enough -- the time views (heatmap, timeline) on the left,
// sharing one width so that their time axes line up, the frame views (ladder, depth chart, gauge)
// on the right -- else one column in reading order.

/** Panel names in layout order, by column. */
export const TOP = ["replay"];
export const LEFT = ["heatmap", "timeline"];
export const RIGHT = ["ladder", "depth", "gauge"];
/** Reading order in one column: the ladder right after the heatmap, as beside it in two. */
export const ONE_COLUMN = ["replay", "heatmap", "ladder", "timeline", "depth", "gauge"];
/** Narrower cells than this get one column. */
export const TWO_COLUMNS_FROM = 900;
/** The right column's width: RIGHT_SHARE of the cell, clamped to [RIGHT_MIN, RIGHT_MAX] px. */
export const RIGHT_SHARE = 0.3;
export const RIGHT_MIN = 320;
export const RIGHT_MAX = 440;

/**
 * @typedef {{ two: boolean, right: number, top: string[], left: string[], rightCol: string[],
 *   order: Record<string, number> }} Arrangement
 */

/**
 * The arrangement of panels `names` in a cell `width` CSS px wide.
 * `right` is the right column's width (0 in one column); `order` the CSS order of each panel in
 * one column. A column without panels is dropped (the other takes the whole width).
 * @param {string[]} names
 * @param {number} width
 * @returns {Arrangement}
 */
export function arrange(names, width) {
  const has = new Set(names);
  const top = TOP.filter((n) => has.has(n));
  const left = LEFT.filter((n) => has.has(n));
  const rightCol = RIGHT.filter((n) => has.has(n));
  const two = width >= TWO_COLUMNS_FROM && left.length > 0 && rightCol.length > 0;
  const right = two ? Math.round(Math.min(RIGHT_MAX, Math.max(RIGHT_MIN, width * RIGHT_SHARE))) : 0;
  /** @type {Record<string, number>} */
  const order = {};
  ONE_COLUMN.filter((n) => has.has(n)).forEach((n, i) => {
    order[n] = i;
  });
  return { two, right, top, left, rightCol, order };
}

/**
 * The model id in a widget reference ("IPY_MODEL_<id>" or the bare id); "" when there is none.
 * @param {unknown} ref
 */
export function modelId(ref) {
  const s = typeof ref === "string" ? ref : "";
  return s.startsWith("IPY_MODEL_") ? s.slice("IPY_MODEL_".length) : s;
}

/** The right column's panel that takes up the difference between the columns, in preference order. */
export const FILLERS = ["depth", "ladder"];
/** Smallest plot height the filler is given (CSS px). */
export const FILLER_MIN = 120;

/**
 * The plot height that makes the right column as tall as the left one, or null to leave it.
 * `left`: the left column's content height; `others`: the right column's height without the
 * filler's cell; `overhead`: the filler cell's height minus its plot height (headers, strips);
 * `current`: the filler's plot height now. Changes under 2 px are left alone (no jitter), and the
 * height never goes under FILLER_MIN (the right column is then the taller one).
 * @param {{ left: number, others: number, overhead: number, current: number, min?: number }} m
 * @returns {number | null}
 */
export function fillerHeight({ left, others, overhead, current, min = FILLER_MIN }) {
  if (![left, others, overhead, current].every(Number.isFinite)) return null;
  const want = Math.max(min, Math.floor(left - others - overhead));
  return Math.abs(want - current) >= 2 ? want : null;
}

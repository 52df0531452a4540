// Pure geometry of the depth chart (tested by vitest): the price window and the step outlines.

/**
 * Number of non-empty (finite price) levels at the front of a side.
 * @param {ArrayLike<number>} px
 */
export function filledLevels(px) {
  let n = 0;
  while (n < px.length && Number.isFinite(px[n])) n++;
  return n;
}

/**
 * The price window of the depth plot: symmetric around the mid, covering every visible level.
 * A one-level book (or one level per side) gets a window of a few spreads so it is not a sliver.
 * @param {{ bidPx: ArrayLike<number>, askPx: ArrayLike<number> }} f
 * @returns {[number, number] | null}
 */
export function priceWindow(f) {
  const nb = filledLevels(f.bidPx);
  const na = filledLevels(f.askPx);
  if (nb === 0 && na === 0) return null;
  const best = nb ? f.bidPx[0] : f.askPx[0];
  const mid = nb && na ? (f.bidPx[0] + f.askPx[0]) / 2 : best;
  const far = Math.max(nb ? mid - f.bidPx[nb - 1] : 0, na ? f.askPx[na - 1] - mid : 0);
  const spread = nb && na ? f.askPx[0] - f.bidPx[0] : 0;
  const half = Math.max(far * 1.08, spread * 2.5) || Math.abs(mid) * 1e-3 || 1;
  return [mid - half, mid + half];
}

/**
 * Step outline of one side: points (price, cumulative size) from the best level outwards to `edge`.
 * @param {ArrayLike<number>} px
 * @param {ArrayLike<number>} cum
 * @param {number} edge price where the outline stops (plot edge)
 * @returns {[number, number][]}
 */
export function stepOutline(px, cum, edge) {
  const n = filledLevels(px);
  if (n === 0) return [];
  /** @type {[number, number][]} */
  const pts = [[px[0], 0], [px[0], cum[0]]];
  for (let k = 1; k < n; k++) {
    pts.push([px[k], cum[k - 1]], [px[k], cum[k]]);
  }
  pts.push([edge, cum[n - 1]], [edge, 0]);
  return pts;
}

/**
 * One side's shape for drawing: the outline of the known depth and, when the side is cut by the
 * number of levels the data has (every level priced: depth beyond is unknown, not absent), the
 * flat stretch from the deepest level to `edge`, drawn dashed. A side with fewer priced levels
 * than `levels` ends there (the book has nothing more): its outline runs on to the edge.
 * @param {ArrayLike<number>} px
 * @param {ArrayLike<number>} cum
 * @param {number} edge
 * @param {number} levels the levels per side the data has
 * @returns {{ known: [number, number][], beyond: [number, number][] | null }}
 */
export function sideShape(px, cum, edge, levels) {
  const n = filledLevels(px);
  if (n === 0) return { known: [], beyond: null };
  if (n < levels) return { known: stepOutline(px, cum, edge), beyond: null };
  const known = stepOutline(px, cum, px[n - 1]);
  return { known, beyond: [[px[n - 1], cum[n - 1]], [edge, cum[n - 1]]] };
}

/**
 * Plot margins for a width: room for the axes when there is room, almost none in a narrow cell.
 * @param {number} width
 * @returns {{ left: number, right: number, top: number, bottom: number, axes: boolean }}
 */
export function marginsFor(width) {
  if (width >= 240) return { left: 58, right: 16, top: 14, bottom: 34, axes: true };
  return { left: 4, right: 4, top: 8, bottom: 8, axes: false };
}

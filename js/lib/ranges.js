// Range arithmetic of zoom and pan, shared by the views that move the shared time range (and the
// heatmap's price range). Pure, no DOM. Ranges are [lo, hi]; bounds null means unbounded.

/**
 * Keep [a, b] inside `bounds`: the same length when it fits (shifted to the nearer edge), the
 * whole of `bounds` when longer or when `bounds` is empty; at least `minSpan` long (widened
 * around its centre).
 * @param {[number, number]} range
 * @param {[number, number] | null} bounds
 * @param {number} [minSpan]
 * @returns {[number, number]}
 */
export function clampRange([a, b], bounds, minSpan = 0) {
  if (b - a < minSpan) {
    const mid = (a + b) / 2;
    [a, b] = [mid - minSpan / 2, mid + minSpan / 2];
  }
  if (!bounds) return [a, b];
  const [e0, e1] = bounds;
  if (!(e1 > e0)) return [e0, e1];
  const span = Math.min(b - a, e1 - e0);
  if (a < e0) return [e0, e0 + span];
  if (b > e1) return [e1 - span, e1];
  return [a, b];
}

/**
 * Zoom [a, b] by `factor` (< 1 in, > 1 out) keeping `at` at the same place, then keep it inside
 * `bounds` and at least `minSpan` long.
 * @param {[number, number]} range
 * @param {number} at
 * @param {number} factor
 * @param {[number, number] | null} bounds
 * @param {number} minSpan
 * @returns {[number, number]}
 */
export function zoomRange([a, b], at, factor, bounds, minSpan) {
  let span = Math.max(minSpan, (b - a) * factor);
  if (bounds) span = Math.min(span, bounds[1] - bounds[0]);
  const f = b > a ? (at - a) / (b - a) : 0.5;
  const lo = at - f * span;
  return clampRange([lo, lo + span], bounds);
}

/**
 * Shift [a, b] by `delta`, kept inside `bounds`.
 * @param {[number, number]} range
 * @param {number} delta
 * @param {[number, number] | null} bounds
 * @returns {[number, number]}
 */
export function panRange([a, b], delta, bounds) {
  return clampRange([a + delta, b + delta], bounds);
}

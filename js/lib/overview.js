// The overview strip: the mid over the whole book on a time axis (min/max per pixel from the
// source's axis), the visible time range, and the cursor; click or drag moves the shared cursor.

import { linear } from "./scales.js";
import { drawTimeAxis } from "./timeaxis.js";

/**
 * @typedef {import("./source.js").Source} Source
 * @typedef {{ left: number, right: number, top: number, bottom: number }} Box
 */

/**
 * Re-reduce the source's axis bins to `n` pixel columns: [lo[], hi[]] of the mid.
 * @param {Source} source
 * @param {number} n
 */
export function axisColumns(source, n) {
  const { mid_lo: lo, mid_hi: hi } = source.axis.arrays;
  const outLo = new Float64Array(n).fill(NaN), outHi = new Float64Array(n).fill(NaN);
  if (!lo || !lo.length || n <= 0) return [outLo, outHi];
  for (let i = 0; i < lo.length; i++) {
    const c = Math.min(n - 1, Math.floor((i * n) / lo.length));
    if (!(outLo[c] <= lo[i])) outLo[c] = Number.isFinite(lo[i]) ? lo[i] : outLo[c];
    if (!(outHi[c] >= hi[i])) outHi[c] = Number.isFinite(hi[i]) ? hi[i] : outHi[c];
  }
  return [outLo, outHi];
}

/**
 * The mid over the whole book across the pixel columns of [left, right]: the time scale, the
 * per-column min/max and their overall extremes (what strips and scrubbers draw).
 * @param {Source} source
 * @param {number} left
 * @param {number} right
 */
export function midColumns(source, left, right) {
  const [t0, t1] = source.extent;
  const x = linear([t0, t1 > t0 ? t1 : t0 + 1], [left, right]);
  const cols = Math.max(1, Math.floor(right - left));
  const [lo, hi] = axisColumns(source, cols);
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < cols; i++) {
    if (lo[i] < min) min = lo[i];
    if (hi[i] > max) max = hi[i];
  }
  return { t0, t1, x, cols, lo, hi, min, max };
}

/**
 * Draw the strip into `box`.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Source} source
 * @param {Box} box
 * @param {import("./theme.js").Theme} theme
 */
export function drawOverview(ctx, source, box, theme) {
  const { left, right, top, bottom } = box;
  const m = midColumns(source, left, right);
  const { t0, t1, x, cols, lo, hi } = m;
  let { min, max } = m;
  ctx.save();
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
  // the visible range, shaded
  const [v0, v1] = source.timeRange;
  if (v0 > t0 || v1 < t1) {
    ctx.fillStyle = theme.dark ? "rgba(100, 181, 246, 0.16)" : "rgba(21, 101, 192, 0.10)";
    const a = Math.max(left, x(v0)), b = Math.min(right, x(v1));
    ctx.fillRect(a, top + 1, Math.max(1, b - a), bottom - top - 2);
  }
  if (Number.isFinite(min)) {
    if (max === min) {
      max += 0.5;
      min -= 0.5;
    }
    const y = linear([min, max], [bottom - 3, top + 3]);
    ctx.strokeStyle = theme.muted;
    ctx.beginPath();
    for (let i = 0; i < cols; i++) {
      if (!Number.isFinite(lo[i])) continue;
      const px = left + i + 0.5;
      ctx.moveTo(px, y(lo[i]) + 0.5);
      ctx.lineTo(px, y(hi[i]) - 0.5);
    }
    ctx.stroke();
  }
  drawTimeAxis(ctx, x, t0, t1, left, right, bottom, theme);
  const cx = Math.round(x(source.cursorTime)) + 0.5;
  ctx.strokeStyle = theme.accent;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(cx, top - 2);
  ctx.lineTo(cx, bottom + 2);
  ctx.stroke();
  ctx.restore();
}

/**
 * Pointer handling of a strip: click or drag moves the shared cursor to the row at that time.
 * @param {HTMLCanvasElement} canvas
 * @param {() => Box} box
 * @param {Source} source
 * @param {import("./model.js").Disposer} disposer
 */
export function attachStrip(canvas, box, source, disposer) {
  let dragging = false;
  const move = (/** @type {PointerEvent} */ e) => {
    const { left, right } = box();
    const [t0, t1] = source.extent;
    const f = Math.min(1, Math.max(0, (e.offsetX - left) / Math.max(1, right - left)));
    source.setCursor(source.rowAt(t0 + f * (t1 - t0)));
  };
  disposer.listen(canvas, "pointerdown", (e) => {
    dragging = true;
    canvas.setPointerCapture?.(e.pointerId);
    move(e);
  });
  disposer.listen(canvas, "pointermove", (e) => dragging && move(e));
  const up = (e) => {
    dragging = false;
    canvas.releasePointerCapture?.(e.pointerId);
  };
  disposer.listen(canvas, "pointerup", up);
  disposer.listen(canvas, "pointercancel", up);
}

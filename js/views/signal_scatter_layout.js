// Pure helpers of the SignalScatter view (no DOM): the layout of the plot and its P(up) panel,
// scales, the density image (log colour scale), look-ups under the pointer, the brush box, texts.
// Python side: obi_widgets/views/signal_scatter.py (documents the payload).

import { linear } from "../lib/scales.js";

/** @typedef {{ x: number, y: number, w: number, h: number }} Rect */
/**
 * @typedef {{ width: number, height: number, plot: Rect, panel: Rect }} Layout
 * @typedef {{ lo: Float64Array, hi: Float64Array, count: Float64Array, signalMean: Float64Array,
 *   moveMean: Float64Array, pUp: Float64Array, pZero: Float64Array }} Profile
 */

export const MARGIN = { left: 68, right: 18, top: 10, bottom: 36 };
export const PANEL_H = 84;
export const GAP = 30;

/**
 * Where the main plot and the P(up) panel go in a canvas of `width` x `height` CSS pixels.
 * @param {number} width
 * @param {number} height
 * @returns {Layout}
 */
export function layoutFor(width, height) {
  const w = Math.max(40, width - MARGIN.left - MARGIN.right);
  const panelH = Math.min(PANEL_H, Math.max(30, Math.floor(height * 0.22)));
  const plotH = Math.max(40, height - MARGIN.top - GAP - panelH - MARGIN.bottom);
  const plot = { x: MARGIN.left, y: MARGIN.top, w, h: plotH };
  const panel = { x: MARGIN.left, y: MARGIN.top + plotH + GAP, w, h: panelH };
  return { width, height: panel.y + panelH + MARGIN.bottom, plot, panel };
}

/**
 * Data -> pixel scales of the layout: x (shared by plot and panel), y (the move), p (0..1 in the panel).
 * @param {Record<string, any>} meta the payload's meta (x_range, y_range)
 * @param {Layout} L
 */
export function scalesFor(meta, L) {
  const [x0, x1] = meta.x_range, [y0, y1] = meta.y_range;
  return {
    x: linear([x0, x1], [L.plot.x, L.plot.x + L.plot.w]),
    y: linear([y0, y1], [L.plot.y + L.plot.h, L.plot.y]),
    p: linear([0, 1], [L.panel.y + L.panel.h, L.panel.y]),
  };
}

/**
 * Whether pixel (px, py) is inside rectangle `r`.
 * @param {Rect} r
 * @param {number} px
 * @param {number} py
 */
export function inside(r, px, py) {
  return px >= r.x && px <= r.x + r.w && py >= r.y && py <= r.y + r.h;
}

/**
 * The profile columns of a decoded payload.
 * @param {Record<string, any>} a the decoded arrays
 * @returns {Profile | null}
 */
export function profileOf(a) {
  if (!a.p_lo) return null;
  return {
    lo: a.p_lo, hi: a.p_hi, count: a.p_count, signalMean: a.p_signal_mean,
    moveMean: a.p_move_mean, pUp: a.p_up, pZero: a.p_zero,
  };
}

/**
 * Index of the profile bucket holding signal `x` (buckets [lo, hi), the last [lo, hi]); -1 outside.
 * @param {Profile} p
 * @param {number} x
 */
export function bucketAt(p, x) {
  const n = p.lo.length;
  for (let k = 0; k < n; k++) {
    if (x >= p.lo[k] && (x < p.hi[k] || (k === n - 1 && x <= p.hi[k]))) return k;
  }
  return -1;
}

/**
 * The x at which a bucket's statistics are drawn: its mean signal, else its centre.
 * @param {Profile} p
 * @param {number} k
 */
export function bucketX(p, k) {
  const m = p.signalMean[k];
  return Number.isFinite(m) ? m : (p.lo[k] + p.hi[k]) / 2;
}

/**
 * The cell k of value v in [lo, hi] among n equal cells: edges[k] <= v < edges[k + 1] with the
 * edges of numpy.linspace(lo, hi, n + 1) (v = hi in the last cell), as cell_index in Python.
 * @param {number} v
 * @param {number} lo
 * @param {number} hi
 * @param {number} n
 */
export function cellIndex(v, lo, hi, n) {
  const step = (hi - lo) / n;
  const edge = (/** @type {number} */ k) => (k >= n ? hi : k * step + lo);
  let k = Math.min(n - 1, Math.max(0, Math.trunc((v - lo) / step)));
  if (v < edge(k)) k -= 1;
  else if (k < n - 1 && v >= edge(k + 1)) k += 1;
  return k;
}

/**
 * The density cell (i, j) holding data point (x, y), or null outside the grid; j = 0 is the lowest y
 * (the convention of obi_widgets.views.signal_scatter.density_grid), with the cell's edges.
 * @param {Record<string, any>} meta
 * @param {number} x
 * @param {number} y
 */
export function cellAt(meta, x, y) {
  const [x0, x1] = meta.x_range, [y0, y1] = meta.y_range;
  const nx = meta.nx, ny = meta.ny;
  if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) return null;
  const i = cellIndex(x, x0, x1, nx), j = cellIndex(y, y0, y1, ny);
  const sx = (x1 - x0) / nx, sy = (y1 - y0) / ny;
  return { i, j, x0: x0 + i * sx, x1: i + 1 >= nx ? x1 : x0 + (i + 1) * sx,
    y0: y0 + j * sy, y1: j + 1 >= ny ? y1 : y0 + (j + 1) * sy };
}

/**
 * The RGBA pixels (nx x ny, top row first) of the density grid (ny rows, row 0 the lowest y):
 * empty cells transparent, others coloured by log(1 + count) / log(1 + max) through `lut`
 * (256 RGBA entries), starting at entry `from` so that a single point stays visible.
 * @param {ArrayLike<number>} counts
 * @param {number} nx
 * @param {number} ny
 * @param {number} maxCount
 * @param {Uint8ClampedArray} lut
 * @param {number} [from]
 * @returns {Uint8ClampedArray}
 */
export function densityPixels(counts, nx, ny, maxCount, lut, from = 64) {
  const out = new Uint8ClampedArray(nx * ny * 4);
  const top = Math.log1p(Math.max(1, maxCount));
  for (let j = 0; j < ny; j++) {
    const dst = (ny - 1 - j) * nx;
    for (let i = 0; i < nx; i++) {
      const c = counts[j * nx + i];
      if (!(c > 0)) continue;
      const f = maxCount > 1 ? Math.log1p(c) / top : 1;
      const e = Math.min(255, Math.round(from + f * (255 - from))) * 4;
      const o = (dst + i) * 4;
      out[o] = lut[e];
      out[o + 1] = lut[e + 1];
      out[o + 2] = lut[e + 2];
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * The brush box (x0, x1, y0, y1) in data units from two pixel corners, clamped to the plot.
 * @param {ReturnType<typeof scalesFor>} s
 * @param {Rect} plot
 * @param {[number, number]} a
 * @param {[number, number]} b
 * @returns {[number, number, number, number]}
 */
export function brushBox(s, plot, a, b) {
  const cx = (/** @type {number} */ v) => Math.min(plot.x + plot.w, Math.max(plot.x, v));
  const cy = (/** @type {number} */ v) => Math.min(plot.y + plot.h, Math.max(plot.y, v));
  const xs = [s.x.invert(cx(a[0])), s.x.invert(cx(b[0]))].sort((p, q) => p - q);
  const ys = [s.y.invert(cy(a[1])), s.y.invert(cy(b[1]))].sort((p, q) => p - q);
  return [xs[0], xs[1], ys[0], ys[1]];
}

/**
 * Index of the drawn point nearest to pixel (px, py) within `tol` pixels, or -1.
 * @param {ArrayLike<number> | undefined} xs
 * @param {ArrayLike<number> | undefined} ys
 * @param {ReturnType<typeof scalesFor>} s
 * @param {number} px
 * @param {number} py
 * @param {number} tol
 */
export function nearestPoint(xs, ys, s, px, py, tol) {
  if (!xs || !ys) return -1;
  let best = -1, bestD = tol * tol;
  for (let k = 0; k < xs.length; k++) {
    const dx = s.x(xs[k]) - px, dy = s.y(ys[k]) - py;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/**
 * A number for a read-out: 4 significant digits, thousands separators for large integers.
 * @param {number | null | undefined} v
 */
export function fmt(v) {
  if (v == null || !Number.isFinite(v)) return "–";
  if (Number.isInteger(v) && Math.abs(v) >= 1000) return v.toLocaleString("en-US");
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/**
 * The regression read-out: "slope b = …  t = …  R² = …  n = …" (from metrics.regress, as sent).
 * @param {Record<string, any> | null} reg
 * @param {string} [error]
 */
export function regressionText(reg, error) {
  if (!reg) return error ? `no regression: ${error}` : "no regression";
  return `slope ${fmt(reg.slope)}  ·  t ${fmt(reg.t_stat)}  ·  R² ${fmt(reg.r2)}  ·  n ${fmt(reg.n)}`;
}

/**
 * The counts line: usable pairs, dropped (NaN) pairs, pairs outside the view.
 * @param {Record<string, any>} meta
 */
export function countsText(meta) {
  const parts = [`${fmt(meta.n)} pairs`];
  if (meta.dropped) parts.push(`${fmt(meta.dropped)} dropped (NaN)`);
  if (meta.outside) parts.push(`${fmt(meta.outside)} outside the view`);
  return parts.join(" · ");
}

// DepthHeatmap, pure part: the rasters Python sends (obi_widgets/views/depth_heatmap.py documents
// the layout), colouring them through a colour map between percentile cut-offs, where a raster
// lands on screen, cell and dot look-ups, and the zoom / pan arithmetic. No DOM here.

import { intensity, percentile, percentiles } from "../lib/colormap.js";

/**
 * @typedef {{ t0: number, t1: number, p0: number, p1: number, nT: number, nP: number, k: number,
 *   tick: number, auto: boolean, pad: number, cells: Float32Array, row: Int32Array,
 *   bidLo: Float64Array, bidHi: Float64Array, askLo: Float64Array, askHi: Float64Array,
 *   dots: { n: number, nDot: number, s: Int32Array, b: Int32Array, px: Float64Array,
 *     buy: Float32Array, sell: Float32Array, other: Float32Array } }} Raster
 * @typedef {{ t: [number, number], p: [number, number] }} Window
 * @typedef {{ left: number, right: number, top: number, bottom: number }} Box
 */

const EMPTY_I = new Int32Array(0);
const EMPTY_F = new Float32Array(0);
const EMPTY_D = new Float64Array(0);

/**
 * The raster of a decoded payload, or null when it holds none.
 * @param {import("../lib/buffers.js").Decoded} d
 * @returns {Raster | null}
 */
export function readRaster(d) {
  const a = d.arrays, m = d.meta;
  if (!a.cells || !(m.n_time > 0) || !(m.n_price > 0) || a.cells.length !== m.n_time * m.n_price) return null;
  const f = (/** @type {string} */ name, /** @type {any} */ empty) => a[name] ?? empty;
  const s = f("dot_s", EMPTY_I);
  return {
    t0: m.t0, t1: m.t1, p0: m.p0, p1: m.p1, nT: m.n_time, nP: m.n_price, k: m.k || 1, tick: m.tick || 1,
    auto: !!m.auto, pad: Number(m.pad) || 0,
    cells: /** @type {Float32Array} */ (a.cells), row: f("row", EMPTY_I),
    bidLo: f("bid_lo", EMPTY_D), bidHi: f("bid_hi", EMPTY_D), askLo: f("ask_lo", EMPTY_D), askHi: f("ask_hi", EMPTY_D),
    dots: { n: s.length, nDot: m.n_dot || 1, s, b: f("dot_b", EMPTY_I), px: f("dot_px", EMPTY_D),
      buy: f("dot_buy", EMPTY_F), sell: f("dot_sell", EMPTY_F), other: f("dot_other", EMPTY_F) },
  };
}

/**
 * Colour cut-off values [lo, hi]: the given percentiles (0..100) of the non-empty cells.
 * [NaN, NaN] when every cell is empty.
 * @param {ArrayLike<number>} cells
 * @param {[number, number]} pct
 * @returns {[number, number]}
 */
export function cutoffValues(cells, pct) {
  const [lo, top] = percentiles(cells, pct);
  let hi = top;
  if (!(hi > lo)) hi = lo * 1.0001 + 1e-12;
  return [lo, hi];
}

/**
 * Intensity 0..1 of a cell between the cut-offs. The log scale is relative to the low cut-off
 * (log(1 + v / lo)), so it behaves the same whatever the size unit (shares or fractions of a BTC).
 * @param {number} v
 * @param {[number, number]} cut
 * @param {boolean} log
 */
export function level(v, cut, log) {
  const norm = log && cut[0] > 0 ? cut[0] : 1;
  return intensity(v / norm, cut[0] / norm, cut[1] / norm, log);
}

/**
 * The size at intensity `f` (0..1): the inverse of `level` (legend labels).
 * @param {number} f
 * @param {[number, number]} cut
 * @param {boolean} log
 */
export function levelValue(f, cut, log) {
  if (!log) return cut[0] + f * (cut[1] - cut[0]);
  const norm = cut[0] > 0 ? cut[0] : 1;
  const a = Math.log1p(cut[0] / norm), b = Math.log1p(cut[1] / norm);
  return norm * Math.expm1(a + f * (b - a));
}

/** First colour-table entry of a non-empty cell: thin liquidity stays visible against empty cells. */
export const FLOOR = 24;

/**
 * Colour-table entry of intensity `f` (0..1) for a non-empty cell: FLOOR..255.
 * @param {number} f
 */
export function lutIndex(f) {
  return FLOOR + Math.round(Math.min(1, Math.max(0, f)) * (255 - FLOOR));
}

/**
 * RGBA pixels of a raster (width nT, height nP, the highest price bucket on the top row).
 * @param {Raster} r
 * @param {[number, number]} cut
 * @param {boolean} log
 * @param {Uint8ClampedArray} table 256-entry RGBA lookup table (colormap.lut)
 */
export function colorize(r, cut, log, table) {
  return colorizeColumns(r, cut, log, table, 0, r.nT);
}

/**
 * RGBA pixels of the time slices [s0, s1) of a raster only (width s1 - s0, height nP): what a
 * live view paints after scrolling the image it already has.
 * @param {Raster} r
 * @param {[number, number]} cut
 * @param {boolean} log
 * @param {Uint8ClampedArray} table
 * @param {number} s0
 * @param {number} s1
 */
export function colorizeColumns(r, cut, log, table, s0, s1) {
  const { nP, cells } = r;
  const w = s1 - s0;
  const out = new Uint8ClampedArray(Math.max(0, w) * nP * 4);
  const ok = Number.isFinite(cut[0]) && Number.isFinite(cut[1]);
  for (let s = s0; s < s1; s++) {
    for (let b = 0; b < nP; b++) {
      const v = cells[s * nP + b];
      const i = ok && v > 0 ? lutIndex(level(v, cut, log)) : 0;
      const o = ((nP - 1 - b) * w + (s - s0)) * 4;
      out[o] = table[i * 4];
      out[o + 1] = table[i * 4 + 1];
      out[o + 2] = table[i * 4 + 2];
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * Where the part of raster `r` inside the visible window lands in the plot box: the source
 * rectangle in cells (the image of `colorize`) and the destination in CSS px; null when none of it
 * is visible.
 * @param {Raster} r
 * @param {Window} view
 * @param {Box} box
 */
export function blitRects(r, view, box) {
  const [vt0, vt1] = view.t, [vp0, vp1] = view.p;
  const t0 = Math.max(r.t0, vt0), t1 = Math.min(r.t1, vt1);
  const p0 = Math.max(r.p0, vp0), p1 = Math.min(r.p1, vp1);
  const w = box.right - box.left, h = box.bottom - box.top;
  const fy = (p) => box.bottom - ((p - vp0) / (vp1 - vp0)) * h;
  const cy = (p) => ((r.p1 - p) / (r.p1 - r.p0)) * r.nP; // image row 0 = top = highest price
  if (!(p1 > p0) || !(vp1 > vp0)) return null;
  if (!(r.t1 > r.t0) && !(vt1 > vt0) && r.t0 === vt0) {
    // a book of no duration (one row, or one timestamp): its one state fills the plot's width
    return { sx: 0, sy: cy(p1), sw: r.nT, sh: cy(p0) - cy(p1), dx: box.left, dy: fy(p1), dw: w, dh: fy(p0) - fy(p1) };
  }
  if (!(t1 > t0) || !(vt1 > vt0)) return null;
  const fx = (t) => box.left + ((t - vt0) / (vt1 - vt0)) * w;
  const cx = (t) => ((t - r.t0) / (r.t1 - r.t0)) * r.nT;
  return {
    sx: cx(t0), sy: cy(p1), sw: cx(t1) - cx(t0), sh: cy(p0) - cy(p1),
    dx: fx(t0), dy: fy(p1), dw: fx(t1) - fx(t0), dh: fy(p0) - fy(p1),
  };
}

/**
 * The cell of `r` at time t (ms) and price p: { s, b, value, pLo, pHi } or null outside it.
 * @param {Raster} r
 * @param {number} t
 * @param {number} p
 */
export function cellAt(r, t, p) {
  if (!(t >= r.t0 && t <= r.t1 && p >= r.p0 && p < r.p1)) return null;
  const s = Math.min(r.nT - 1, Math.floor(((t - r.t0) / (r.t1 - r.t0)) * r.nT));
  const b = Math.min(r.nP - 1, Math.floor(((p - r.p0) / (r.p1 - r.p0)) * r.nP));
  const width = (r.p1 - r.p0) / r.nP;
  const pLo = r.p0 + b * width + r.tick / 2; // the bucket's first and last price levels
  return { s, b, value: r.cells[s * r.nP + b], pLo, pHi: pLo + (r.k - 1) * r.tick };
}

/**
 * Index of the dot of `r` in dot slice `s` and bucket `b`, or -1.
 * @param {Raster} r
 * @param {number} s
 * @param {number} b
 */
export function dotIndex(r, s, b) {
  const d = r.dots;
  let lo = 0, hi = d.n; // dots are sorted by slice then bucket
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (d.s[mid] < s || (d.s[mid] === s && d.b[mid] < b)) lo = mid + 1;
    else hi = mid;
  }
  return lo < d.n && d.s[lo] === s && d.b[lo] === b ? lo : -1;
}

/**
 * Time (ms) at the centre of dot slice `s`.
 * @param {Raster} r
 * @param {number} s
 */
export function dotTime(r, s) {
  return r.t0 + ((s + 0.5) / r.dots.nDot) * (r.t1 - r.t0);
}

/**
 * The dot slice of time t in raster r (clamped).
 * @param {Raster} r
 * @param {number} t
 */
export function dotSlice(r, t) {
  const n = r.dots.nDot;
  return Math.max(0, Math.min(n - 1, Math.floor(((t - r.t0) / (r.t1 - r.t0)) * n)));
}

/**
 * Radius (px) of a dot of volume `v`: area proportional to volume, `maxR` at the reference volume.
 * @param {number} v
 * @param {number} ref
 * @param {number} maxR
 */
export function dotRadius(v, ref, maxR) {
  if (!(v > 0) || !(ref > 0)) return 0;
  return Math.max(1.5, Math.min(maxR, maxR * Math.sqrt(v / ref)));
}

/**
 * Reference volume of the dots (the 98th percentile, so that one block trade does not shrink the rest).
 * @param {Raster} r
 */
export function dotReference(r) {
  const d = r.dots;
  const vols = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) vols[i] = d.buy[i] + d.sell[i] + d.other[i];
  return percentile(vols, 98);
}

/**
 * A row of the book in force near time t, interpolated between the raster's slice-edge rows;
 * null outside its window.
 * @param {Raster} r
 * @param {number} t
 */
export function rowNear(r, t) {
  if (!(t >= r.t0 && t <= r.t1) || r.row.length !== r.nT + 1) return null;
  const q = ((t - r.t0) / (r.t1 - r.t0)) * r.nT;
  const s = Math.min(r.nT - 1, Math.floor(q));
  const a = r.row[s], b = r.row[s + 1];
  return Math.min(b, a + Math.floor((q - s) * (b - a + 1)));
}

/**
 * Automatic price window of [t0, t1]: lowest to highest best price of the raster's slices in it,
 * widened by the raster's pad and a tick (the rule Python uses); null when there is no price.
 * @param {Raster} r
 * @param {number} t0
 * @param {number} t1
 * @returns {[number, number] | null}
 */
export function autoPrice(r, t0, t1) {
  let lo = Infinity, hi = -Infinity;
  const n = r.nT;
  const a = Math.max(0, Math.floor(((t0 - r.t0) / (r.t1 - r.t0)) * n));
  const b = Math.min(n - 1, Math.ceil(((t1 - r.t0) / (r.t1 - r.t0)) * n) - 1);
  for (let s = a; s <= b; s++) {
    for (const v of [r.bidLo[s], r.bidHi[s], r.askLo[s], r.askHi[s]]) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const m = r.pad + r.tick;
  return [lo - m, hi + m];
}

/**
 * How far a new raster of a live view is scrolled from the previous one: the number of whole
 * time slices its start moved forward when both share one grid (same slice width, slice count
 * and price buckets), else -1 (the image must be painted again in full).
 * @param {Raster} prev
 * @param {Raster} next
 */
export function scrollShift(prev, next) {
  if (prev.nT !== next.nT || prev.nP !== next.nP || prev.k !== next.k) return -1;
  if (Math.abs(prev.p0 - next.p0) > 1e-9 * Math.abs(prev.p0) || Math.abs(prev.p1 - next.p1) > 1e-9 * Math.abs(prev.p1)) return -1;
  const dt = (prev.t1 - prev.t0) / prev.nT;
  const dtNext = (next.t1 - next.t0) / next.nT;
  if (!(dt > 0) || Math.abs(dt - dtNext) > 1e-6 * dt) return -1;
  const shift = (next.t0 - prev.t0) / dt;
  const whole = Math.round(shift);
  if (Math.abs(shift - whole) > 1e-3 || whole < 0 || whole >= prev.nT) return -1;
  return whole;
}

/**
 * Whether colour cut-offs are close enough to keep the colours of an image already painted
 * (each bound within `tol` of the old one, relative).
 * @param {[number, number]} prev
 * @param {[number, number]} next
 * @param {number} [tol]
 */
export function cutsClose(prev, next, tol = 0.25) {
  const near = (/** @type {number} */ a, /** @type {number} */ b) => Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-12);
  return near(prev[0], next[0]) && near(prev[1], next[1]);
}

// FootprintChart layout helpers: the decoded frame, column / row geometry, hit-testing, the
// time <-> x map on equal-width bar columns, cell text and delta colours. Pure, no DOM.
// Python side: obi_widgets/views/footprint_chart.py (documents the buffers).

import { formatSize } from "../lib/scales.js";

export const FLAG = { BUY_IMB: 1, SELL_IMB: 2, BUY_STACK: 4, SELL_STACK: 8, POC: 16 };

/**
 * @typedef {{ left: number, right: number, top: number, bottom: number }} Box
 * @typedef {{
 *   meta: Record<string, any>, nBars: number, nRows: number, rowPx: number, q0: number,
 *   t0: Float64Array, t1: Float64Array, total: Float64Array, delta: Float64Array, poc: Float64Array,
 *   lo: Int32Array, hi: Int32Array,
 *   cellBar: Int32Array, cellRow: Int32Array, sell: Float64Array, buy: Float64Array,
 *   unsigned: Float64Array, trades: Int32Array, flags: Uint8Array,
 *   zoneBar: Int32Array, zoneLo: Int32Array, zoneHi: Int32Array, zoneSide: Int8Array,
 *   index: Map<number, number>,
 * }} Frame
 */

/**
 * The frame of a decoded `_frame` buffer, with a (bar, row) -> cell index.
 * @param {{ meta: Record<string, any>, arrays: Record<string, any> }} d
 * @returns {Frame}
 */
export function readFrame(d) {
  const a = d.arrays, m = d.meta || {};
  const f64 = (k) => /** @type {Float64Array} */ (a[k] ?? new Float64Array(0));
  const i32 = (k) => /** @type {Int32Array} */ (a[k] ?? new Int32Array(0));
  const nRows = Number(m.n_rows) || 0;
  const cellBar = i32("cell_bar"), cellRow = i32("cell_row");
  const index = new Map();
  for (let i = 0; i < cellBar.length; i++) index.set(cellBar[i] * Math.max(nRows, 1) + cellRow[i], i);
  return {
    meta: m, nBars: Number(m.n_bars) || 0, nRows, rowPx: Number(m.row_px) || 1, q0: Number(m.q0) || 0,
    t0: f64("bar_t0"), t1: f64("bar_t1"), total: f64("bar_total"), delta: f64("bar_delta"), poc: f64("bar_poc"),
    lo: i32("bar_lo"), hi: i32("bar_hi"),
    cellBar, cellRow, sell: f64("sell"), buy: f64("buy"), unsigned: f64("unsigned"), trades: i32("trades"),
    flags: /** @type {Uint8Array} */ (a.flags ?? new Uint8Array(0)),
    zoneBar: i32("zone_bar"), zoneLo: i32("zone_lo"), zoneHi: i32("zone_hi"),
    zoneSide: /** @type {Int8Array} */ (a.zone_side ?? new Int8Array(0)),
    index,
  };
}

/**
 * Column width and row height of the frame in the plot box.
 * @param {Frame} f
 * @param {Box} b
 */
export function geometry(f, b) {
  const colW = (b.right - b.left) / Math.max(1, f.nBars);
  const rowH = (b.bottom - b.top) / Math.max(1, f.nRows);
  return { colW, rowH };
}

/**
 * Price of the lowest price in row `r` (rows count up from 0 at the bottom).
 * @param {Frame} f
 * @param {number} r
 */
export function rowPrice(f, r) {
  return Number(((f.q0 + r) * f.rowPx).toPrecision(12));
}

/**
 * The cell under (x, y), as { bar, row, cell } (cell -1 where that price did not trade), or null
 * outside the columns.
 * @param {Frame} f
 * @param {Box} b
 * @param {number} x
 * @param {number} y
 */
export function hit(f, b, x, y) {
  if (!f.nBars || x < b.left || x >= b.right || y < b.top || y >= b.bottom) return null;
  const { colW, rowH } = geometry(f, b);
  const bar = Math.min(f.nBars - 1, Math.floor((x - b.left) / colW));
  const row = Math.min(f.nRows - 1, Math.floor((b.bottom - y) / rowH));
  const cell = f.index.get(bar * Math.max(f.nRows, 1) + row);
  return { bar, row, cell: cell ?? -1 };
}

/**
 * The bar holding time `t`: the last bar starting at or before it (-1 before the first bar).
 * @param {Frame} f
 * @param {number} t ms
 */
export function barAt(f, t) {
  let lo = 0, hi = f.nBars;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f.t0[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * x of time `t` on the equal-width columns: inside bar i at the fraction of its span, between
 * bars at the boundary; null outside the bars drawn.
 * @param {Frame} f
 * @param {Box} b
 * @param {number} t
 */
export function timeToX(f, b, t) {
  const i = barAt(f, t);
  if (i < 0 || (i === f.nBars - 1 && t > f.t1[i])) return null;
  const { colW } = geometry(f, b);
  const span = f.t1[i] - f.t0[i];
  const frac = span > 0 ? Math.min(1, (t - f.t0[i]) / span) : 0.5;
  return b.left + (i + frac) * colW;
}

/**
 * Time at x, the inverse of timeToX (clamped to the bars drawn); NaN without bars.
 * @param {Frame} f
 * @param {Box} b
 * @param {number} x
 */
export function xToTime(f, b, x) {
  if (!f.nBars) return NaN;
  const { colW } = geometry(f, b);
  const u = Math.max(0, Math.min(f.nBars - 1e-9, (x - b.left) / colW));
  const i = Math.floor(u);
  return f.t0[i] + (u - i) * (f.t1[i] - f.t0[i]);
}

/**
 * The text of a cell: "sell x buy".
 * @param {number} sell
 * @param {number} buy
 */
export function cellText(sell, buy) {
  return `${formatSize(roundVolume(sell))} x ${formatSize(roundVolume(buy))}`;
}

/**
 * A volume in at most about 4 characters, for narrow cells: 4300 -> "4.3k", 12345 -> "12k".
 * @param {number} v
 */
export function compactSize(v) {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  const short = (/** @type {number} */ x, /** @type {string} */ unit) =>
    `${x >= 100 || x <= -100 ? Math.round(x) : Number(x.toPrecision(2))}${unit}`;
  if (a >= 1e9) return short(v / 1e9, "G");
  if (a >= 1e6) return short(v / 1e6, "M");
  if (a >= 1e3) return short(v / 1e3, "k");
  return String(roundVolume(Number(v.toPrecision(3))));
}

/**
 * The texts a cell may show, widest first: the exact "sell x buy" and a compact one.
 * @param {number} sell
 * @param {number} buy
 * @returns {[string, string][]} [sell text, buy text] pairs
 */
export function cellTexts(sell, buy) {
  return [
    [formatSize(roundVolume(sell)), formatSize(roundVolume(buy))],
    [compactSize(sell), compactSize(buy)],
  ];
}

/**
 * A volume as written: whole numbers as they are, fractions (fractional signs) to 3 digits.
 * @param {number} v
 */
export function roundVolume(v) {
  if (!Number.isFinite(v)) return v;
  return Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : Number(v.toPrecision(3));
}

/**
 * Whether text of `textW` px fits a cell of colW x rowH (2 px padding each side, at least 10 px high).
 * @param {number} textW
 * @param {number} colW
 * @param {number} rowH
 */
export function fits(textW, colW, rowH) {
  return rowH >= 10 && textW + 4 <= colW;
}

/**
 * "#rrggbb" (or "#rgb") with alpha as "rgba(r,g,b,a)"; other colour strings are returned as they are.
 * @param {string} hex
 * @param {number} alpha
 */
export function withAlpha(hex, alpha) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return hex;
  let h = m[1];
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  const n = parseInt(h, 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${Math.max(0, Math.min(1, alpha)).toFixed(3)})`;
}

/**
 * The fill of a cell from its delta: buy colour above 0, sell colour below, stronger with |delta|
 * against the largest |delta| drawn (square-root scale so that small cells stay visible).
 * @param {{ bid: string, ask: string }} theme bid = buy colour, ask = sell colour
 * @param {number} delta
 * @param {number} maxAbs
 */
export function deltaFill(theme, delta, maxAbs) {
  if (!(maxAbs > 0) || !Number.isFinite(delta) || delta === 0) return withAlpha(theme.bid, 0.05);
  const s = Math.sqrt(Math.min(1, Math.abs(delta) / maxAbs));
  return withAlpha(delta > 0 ? theme.bid : theme.ask, 0.1 + 0.55 * s);
}

/**
 * Every k-th row to label so that labels are at least `minPx` apart.
 * @param {number} rowH
 * @param {number} minPx
 */
export function labelEvery(rowH, minPx = 14) {
  if (!(rowH > 0)) return 1;
  const raw = Math.ceil(minPx / rowH);
  for (const nice of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]) if (nice >= raw) return nice;
  return raw;
}

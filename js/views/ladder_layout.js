// Pure layout of the price ladder (tested by vitest): the tick grid of a frame, the visible rows,
// the columns for a width, the bar scales. No DOM. Python side: obi_widgets/views/ladder.py
// (its module docstring documents the frame these helpers read).

/**
 * @typedef {ArrayLike<number>} Nums
 * @typedef {{ row: number, t: number, exact: boolean, tick: number, anchor: number, hi: number, n: number,
 *   price: Nums, bidSz: Nums, askSz: Nums, bidCum: Nums, askCum: Nums, bidLevel: Nums, askLevel: Nums,
 *   buy: Nums | null, sell: Nums | null, other: Nums | null, venueBid: Nums | null, venueAsk: Nums | null,
 *   venues: string[], bestBid: number | null, bestAsk: number | null, levels: number, bidLevels: number,
 *   askLevels: number, imbL1: number | null, imbDepth: number | null, depthLevels: number,
 *   windowMs: number, trades: number }} Grid
 * @typedef {{ key: string, label: string, x: number, w: number }} Column
 */

/**
 * The Grid of a frame Python sent (decoded buffer of Ladder._frame).
 * @param {{ meta: Record<string, any>, arrays: Record<string, any> }} d
 * @returns {Grid}
 */
export function gridFromFrame(d) {
  const a = d.arrays, m = d.meta;
  return {
    row: m.row, t: m.t, exact: true, tick: m.tick, anchor: m.anchor, hi: m.hi, n: a.price.length,
    price: a.price, bidSz: a.bid_sz, askSz: a.ask_sz, bidCum: a.bid_cum, askCum: a.ask_cum,
    bidLevel: a.bid_level, askLevel: a.ask_level,
    buy: a.buy_vol ?? null, sell: a.sell_vol ?? null, other: a.other_vol ?? null,
    venueBid: a.venue_bid_sz ?? null, venueAsk: a.venue_ask_sz ?? null, venues: m.venues ?? [],
    bestBid: m.best_bid ?? null, bestAsk: m.best_ask ?? null,
    levels: m.levels, bidLevels: m.bid_levels, askLevels: m.ask_levels,
    imbL1: m.imb_l1 ?? null, imbDepth: m.imb_depth ?? null, depthLevels: m.depth_levels,
    windowMs: m.window_ms, trades: m.trades,
  };
}

/**
 * The same Grid built in the browser from the levels of one row (the replay track's frame):
 * what the view draws without a kernel. Mirrors ladder_frame() in ladder.py, without trades.
 * @param {{ row: number, t: number, bidPx: Nums, bidSz: Nums, askPx: Nums, askSz: Nums,
 *   bidCum?: Nums, askCum?: Nums, imbL1?: number | null, imbDepth?: number | null }} f
 * @param {number} tick
 * @returns {Grid}
 */
export function gridFromLevels(f, tick) {
  const first = [...Array.from(f.bidPx), ...Array.from(f.askPx)].find(Number.isFinite);
  const anchor = first ?? 0;
  const k = (/** @type {number} */ p) => Math.round((p - anchor) / tick);
  const kb = [], ka = [];
  for (let j = 0; j < f.bidPx.length; j++) if (Number.isFinite(f.bidPx[j])) kb.push([j, k(f.bidPx[j])]);
  for (let j = 0; j < f.askPx.length; j++) if (Number.isFinite(f.askPx[j])) ka.push([j, k(f.askPx[j])]);
  const all = [...kb, ...ka].map((e) => e[1]);
  const hi = all.length ? Math.max(...all) : 0;
  const lo = all.length ? Math.min(...all) : 0;
  const n = hi - lo + 1;
  const price = new Float64Array(n);
  for (let g = 0; g < n; g++) price[g] = anchor + (hi - g) * tick;
  const side = (/** @type {number[][]} */ ks, /** @type {Nums} */ px, /** @type {Nums} */ sz, /** @type {Nums | undefined} */ cum) => {
    const size = new Float64Array(n).fill(NaN), c = new Float64Array(n).fill(NaN), level = new Int16Array(n);
    let run = 0;
    for (const [j, kk] of ks) {
      const g = hi - kk;
      const s = Number.isFinite(sz[j]) ? sz[j] : 0;
      run += s;
      size[g] = s;
      price[g] = px[j];
      c[g] = cum ? cum[j] : run;
      level[g] = j + 1;
    }
    return { size, c, level };
  };
  const b = side(kb, f.bidPx, f.bidSz, f.bidCum), a = side(ka, f.askPx, f.askSz, f.askCum);
  const fin = (/** @type {number | null | undefined} */ v) => (v != null && Number.isFinite(v) ? v : null);
  return {
    row: f.row, t: f.t, exact: false, tick, anchor, hi, n, price,
    bidSz: b.size, askSz: a.size, bidCum: b.c, askCum: a.c, bidLevel: b.level, askLevel: a.level,
    buy: null, sell: null, other: null, venueBid: null, venueAsk: null, venues: [],
    bestBid: Number.isFinite(f.bidPx[0]) ? k(f.bidPx[0]) : null,
    bestAsk: Number.isFinite(f.askPx[0]) ? k(f.askPx[0]) : null,
    levels: f.bidPx.length, bidLevels: kb.length, askLevels: ka.length,
    imbL1: fin(f.imbL1), imbDepth: fin(f.imbDepth), depthLevels: f.bidPx.length, windowMs: 0, trades: 0,
  };
}

/**
 * Grid index of the row at tick offset `k` (from the anchor), or -1 outside the grid.
 * @param {Grid} grid
 * @param {number} k
 */
export function gridIndex(grid, k) {
  const g = grid.hi - k;
  return g >= 0 && g < grid.n ? g : -1;
}

/**
 * Price of the row at tick offset `k`: the level's own price on the grid, else anchor + k * tick.
 * @param {Grid} grid
 * @param {number} k
 */
export function priceAt(grid, k) {
  const g = gridIndex(grid, k);
  return g >= 0 ? grid.price[g] : grid.anchor + k * grid.tick;
}

/**
 * Tick offset of the top row that centres the touch in `rows` rows: the asks above, the bids
 * below, the mid (between best bid and best ask) in the middle.
 * @param {Grid} grid
 * @param {number} rows
 */
export function centredTop(grid, rows) {
  const { bestBid: b, bestAsk: a } = grid;
  const centre = b != null && a != null ? (b + a) / 2 : b != null ? b - 0.5 : a != null ? a + 0.5 : (grid.hi + grid.hi - grid.n + 1) / 2;
  return Math.floor(centre + rows / 2 - 0.5 + 1e-9);
}

/**
 * Tick offset of the deepest level of a side when that side is cut by the number of levels the
 * data has (every level priced: what lies beyond is unknown, not empty); null otherwise.
 * @param {Grid} grid
 * @param {"bid" | "ask"} side
 */
export function truncatedAt(grid, side) {
  const count = side === "bid" ? grid.bidLevels : grid.askLevels;
  if (!(count > 0) || count < grid.levels) return null;
  const level = side === "bid" ? grid.bidLevel : grid.askLevel;
  for (let g = 0; g < grid.n; g++) if (level[g] === count) return grid.hi - g;
  return null;
}

/**
 * Largest value of `values` over the visible rows (tick offsets top .. top - rows + 1); 0 if none.
 * @param {Grid} grid
 * @param {Nums | null} values
 * @param {number} top
 * @param {number} rows
 */
export function visibleMax(grid, values, top, rows) {
  let max = 0;
  if (!values) return max;
  for (let r = 0; r < rows; r++) {
    const g = gridIndex(grid, top - r);
    if (g >= 0 && values[g] > max) max = values[g];
  }
  return max;
}

/**
 * Total traded volume (buy + sell + unsigned) at grid index g; 0 without trades.
 * @param {Grid} grid
 * @param {number} g
 */
export function tradedAt(grid, g) {
  if (g < 0 || !grid.buy) return 0;
  return grid.buy[g] + grid.sell[g] + (grid.other ? grid.other[g] : 0);
}

/**
 * Stacked bar segments of one row: [start, end] in pixels from the bar's anchor, per venue (or
 * one segment without venues), scaled so that `max` fills `width`.
 * @param {number[]} parts sizes (per venue, in order)
 * @param {number} max
 * @param {number} width
 * @returns {[number, number][]}
 */
export function barSegments(parts, max, width) {
  /** @type {[number, number][]} */
  const out = [];
  if (!(max > 0) || !(width > 0)) return out;
  let at = 0;
  for (const p of parts) {
    const w = Number.isFinite(p) && p > 0 ? (p / max) * width : 0;
    out.push([at, at + w]);
    at += w;
  }
  return out;
}

const SIZE_MIN = 34;
const FIXED = { sold: 58, bought: 58, cumBid: 62, cumAsk: 62 };

/**
 * The columns for a width, left to right: [Σ bid] [sold] bid | price | ask [bought] [Σ ask] [volume].
 * Optional columns are dropped (volume first, then sold/bought, then Σ) until the size columns
 * keep at least SIZE_MIN px each; at very small widths only price and the sizes remain, squeezed.
 * @param {number} width
 * @param {{ cumulative: boolean, traded: boolean, priceWidth: number }} opts
 * @returns {Column[]}
 */
export function ladderColumns(width, { cumulative, traded, priceWidth }) {
  width = Math.max(0, Math.floor(width));
  const opt = { cum: cumulative, trades: traded, volume: traded };
  const need = () =>
    priceWidth + 2 * SIZE_MIN + (opt.cum ? FIXED.cumBid + FIXED.cumAsk : 0) +
    (opt.trades ? FIXED.sold + FIXED.bought : 0) + (opt.volume ? 70 : 0);
  for (const drop of ["volume", "trades", "cum"]) if (need() > width) opt[drop] = false;
  const price = Math.min(priceWidth, Math.max(width * 0.6, width - 2 * SIZE_MIN));
  const fixed = (opt.cum ? FIXED.cumBid + FIXED.cumAsk : 0) + (opt.trades ? FIXED.sold + FIXED.bought : 0);
  let rest = Math.max(0, width - price - fixed);
  const volume = opt.volume ? Math.round(Math.min(180, rest * 0.22)) : 0;
  rest -= volume;
  const size = Math.floor(rest / 2);
  /** @type {[string, string, number][]} */
  const spec = [];
  if (opt.cum) spec.push(["cumBid", "Σ bid", FIXED.cumBid]);
  if (opt.trades) spec.push(["sold", "Sold", FIXED.sold]);
  spec.push(["bid", "Bid", size], ["price", "Price", price], ["ask", "Ask", rest - size]);
  if (opt.trades) spec.push(["bought", "Bought", FIXED.bought]);
  if (opt.cum) spec.push(["cumAsk", "Σ ask", FIXED.cumAsk]);
  if (opt.volume) spec.push(["volume", "Volume", volume]);
  /** @type {Column[]} */
  const out = [];
  let x = 0;
  for (const [key, label, w] of spec) {
    out.push({ key, label, x, w });
    x += w;
  }
  return out;
}

/** The imbalance with the heavier side named (shared with the depth chart). */
export { imbalanceLabel as imbalanceText } from "../lib/imbalance_label.js";

/** Venue colours (bar segments and legend), light and dark; never the bid green or ask red. */
export const VENUE_COLOURS = {
  light: ["#1f6fb4", "#e07b00", "#7b4fb0", "#12939a", "#8c564b", "#c2448e", "#8a8a1a", "#6b7280"],
  dark: ["#5aa9f0", "#ffa64d", "#b48ef0", "#4fd1d9", "#c49a86", "#f08ac8", "#d4d45a", "#a3acb9"],
};

/**
 * @param {number} i venue index
 * @param {boolean} dark
 */
export function venueColour(i, dark) {
  const list = dark ? VENUE_COLOURS.dark : VENUE_COLOURS.light;
  return list[i % list.length];
}

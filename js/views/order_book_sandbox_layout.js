// Pure helpers of the order-book sandbox view (no DOM): the ladder rows from the frame, number
// formats, the imbalance bar, the sparkline's scales. Python side: obi_widgets/views/order_book_sandbox.py.

/**
 * @typedef {{ id: number, owner: string, size: number }} QueueOrder
 * @typedef {{ price: number, bid: number, ask: number, ownBid: number, ownAsk: number,
 *   bidQueue: QueueOrder[], askQueue: QueueOrder[], isBestBid: boolean, isBestAsk: boolean,
 *   inSpread: boolean, venueBid: number[], venueAsk: number[] }} LadderRow
 */

/**
 * The ladder rows of a decoded frame (`decode(model.get("_frame"))`).
 * @param {{ meta: any, arrays: Record<string, ArrayLike<number>>, shapes: Record<string, number[]> }} frame
 * @returns {LadderRow[]}
 */
export function ladderRows(frame) {
  const { meta, arrays, shapes } = frame;
  const price = arrays.price;
  if (!price) return [];
  const n = price.length;
  /** @type {LadderRow[]} */
  const rows = [];
  const bb = meta.best_bid;
  const ba = meta.best_ask;
  const tol = (meta.tick || 1) * 1e-6;
  const venues = (meta.venues || []).length;
  for (let i = 0; i < n; i++) {
    const p = price[i];
    const vb = [];
    const va = [];
    if (venues && arrays.venue_bid_sz && arrays.venue_ask_sz) {
      const v = shapes.venue_bid_sz ? shapes.venue_bid_sz[1] : venues;
      for (let j = 0; j < v; j++) {
        vb.push(arrays.venue_bid_sz[i * v + j]);
        va.push(arrays.venue_ask_sz[i * v + j]);
      }
    }
    rows.push({
      price: p,
      bid: arrays.bid_sz[i],
      ask: arrays.ask_sz[i],
      ownBid: arrays.own_bid_sz[i],
      ownAsk: arrays.own_ask_sz[i],
      bidQueue: [],
      askQueue: [],
      isBestBid: bb != null && Math.abs(p - bb) < tol,
      isBestAsk: ba != null && Math.abs(p - ba) < tol,
      inSpread: bb != null && ba != null && p > bb + tol && p < ba - tol,
      venueBid: vb,
      venueAsk: va,
    });
  }
  for (const [r, side, orders] of meta.queues || []) {
    const row = rows[r];
    if (!row) continue;
    const list = orders.map((/** @type {[number, string, number]} */ [id, owner, size]) => ({ id, owner, size }));
    if (side === "bid") row.bidQueue.push(...list);
    else row.askQueue.push(...list);
  }
  return rows;
}

/**
 * Largest size on either side (for the bars' scale); 1 when the book is empty.
 * @param {LadderRow[]} rows
 */
export function maxSize(rows) {
  let m = 0;
  for (const r of rows) m = Math.max(m, r.bid, r.ask);
  return m > 0 ? m : 1;
}

/**
 * A price with the tick's decimals; an en dash when missing.
 * @param {number | null | undefined} v
 * @param {number} decimals
 */
export function formatPrice(v, decimals) {
  return v == null || !Number.isFinite(v) ? "–" : v.toFixed(decimals);
}

/**
 * A number with `digits` decimals and an explicit sign; an en dash when missing.
 * @param {number | null | undefined} v
 * @param {number} digits
 */
export function signed(v, digits) {
  if (v == null || !Number.isFinite(v)) return "–";
  const s = v.toFixed(digits);
  if (/^-0(\.0*)?$/.test(s)) return s.slice(1); // a tiny negative rounds to zero: no sign
  return v > 0 && !/^0(\.0*)?$/.test(s) ? `+${s}` : s;
}

/**
 * A size: whole numbers with thousands separators, otherwise up to 4 significant digits.
 * @param {number | null | undefined} v
 */
export function formatQty(v) {
  if (v == null || !Number.isFinite(v)) return "–";
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return Number(v.toPrecision(4)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/**
 * Where an imbalance in [-1, 1] sits on a bar, in percent from the left (-1 -> 0, 0 -> 50, 1 -> 100).
 * @param {number | null | undefined} v
 */
export function imbalancePercent(v) {
  if (v == null || !Number.isFinite(v)) return 50;
  return 50 + 50 * Math.max(-1, Math.min(1, v));
}

/**
 * Offset of `value` from `mid` in ticks, as text ("+0.31 ticks"); an en dash when either is missing.
 * @param {number | null | undefined} value
 * @param {number | null | undefined} mid
 * @param {number} tick
 */
export function ticksFromMid(value, mid, tick) {
  if (value == null || mid == null || !Number.isFinite(value) || !Number.isFinite(mid) || !(tick > 0)) return "–";
  return `${signed((value - mid) / tick, 2)} ticks`;
}

/**
 * Index of the ladder row a price falls in (nearest tick), or -1 outside the window.
 * @param {LadderRow[]} rows
 * @param {number | null | undefined} price
 * @param {number} tick
 */
export function rowOfPrice(rows, price, tick) {
  if (price == null || !Number.isFinite(price) || !rows.length) return -1;
  const i = Math.round((rows[0].price - price) / tick);
  return i >= 0 && i < rows.length ? i : -1;
}

/**
 * Min and max of the finite values (a flat series gets a small span around it); null when none.
 * @param {ArrayLike<number>} values
 * @returns {[number, number] | null}
 */
export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return null;
  if (lo === hi) {
    const pad = Math.abs(lo) * 1e-4 || 1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

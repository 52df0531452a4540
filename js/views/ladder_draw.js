// Canvas drawing of the price ladder: column header, one row per tick, size bars (stacked per
// venue for a consolidated book), best bid/ask highlight, traded volume, truncation marks.

import { formatSize } from "../lib/scales.js";
import {
  barSegments, gridIndex, priceAt, tradedAt, truncatedAt, venueColour, visibleMax,
} from "./ladder_layout.js";

/**
 * @typedef {import("./ladder_layout.js").Grid} Grid
 * @typedef {import("./ladder_layout.js").Column} Column
 * @typedef {import("../lib/theme.js").Theme} Theme
 * @typedef {{ width: number, height: number, headH: number, rowH: number, rows: number, top: number,
 *   columns: Column[], decimals: number, hoverK: number | null, pinned: boolean }} Layout
 */

/**
 * A colour with an alpha: "#rrggbb" -> "rgba(r, g, b, a)" (other strings are returned as is).
 * @param {string} hex
 * @param {number} a
 */
export function alpha(hex, a) {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/**
 * The sizes per venue of one row and side (or the single size), for the stacked bars.
 * @param {Grid} grid
 * @param {number} g
 * @param {"bid" | "ask"} side
 */
export function sideParts(grid, g, side) {
  const total = side === "bid" ? grid.bidSz[g] : grid.askSz[g];
  const v = side === "bid" ? grid.venueBid : grid.venueAsk;
  const n = grid.venues.length;
  if (!v || !n) return [total];
  const out = [];
  for (let j = 0; j < n; j++) out.push(v[g * n + j]);
  return out;
}

/**
 * Draw the whole ladder.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Grid | null} grid
 * @param {Layout} L
 * @param {Theme} theme
 */
export function drawLadder(ctx, grid, L, theme) {
  const { width, height, headH, rowH, rows, top, columns } = L;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, width, height);
  const col = Object.fromEntries(columns.map((c) => [c.key, c]));
  const fontPx = Math.max(9, Math.min(12, rowH - 5));
  ctx.font = `${fontPx}px ${theme.font}`;
  ctx.textBaseline = "middle";

  // column header
  ctx.fillStyle = theme.dark ? "rgba(255, 255, 255, 0.04)" : "rgba(0, 0, 0, 0.035)";
  ctx.fillRect(0, 0, width, headH);
  ctx.fillStyle = theme.muted;
  ctx.textAlign = "center";
  for (const c of columns) {
    if (c.w < 16) continue;
    ctx.fillText(fitText(ctx, c.label, c.w - 4), c.x + c.w / 2, headH / 2);
  }
  if (!grid) {
    ctx.textAlign = "left";
    ctx.fillText("no data", 6, headH + rowH / 2);
    return;
  }

  const bodyB = headH + rows * rowH;
  const maxSize = Math.max(visibleMax(grid, grid.bidSz, top, rows), visibleMax(grid, grid.askSz, top, rows)) || 1;
  const maxVol = Math.max(...[grid.buy, grid.sell].map((v) => visibleMax(grid, v, top, rows)), 0);
  let maxTraded = 0;
  for (let r = 0; r < rows; r++) maxTraded = Math.max(maxTraded, tradedAt(grid, gridIndex(grid, top - r)));
  const cutBid = truncatedAt(grid, "bid"), cutAsk = truncatedAt(grid, "ask");
  const { bestBid, bestAsk } = grid;
  const venues = grid.venues.length;

  for (let r = 0; r < rows; r++) {
    const k = top - r;
    const g = gridIndex(grid, k);
    const y = headH + r * rowH, cy = y + rowH / 2;
    const isAsk = bestAsk != null && k >= bestAsk;
    const isBid = bestBid != null && k <= bestBid;
    const best = k === bestBid || k === bestAsk;
    const beyondBid = cutBid != null && k < cutBid, beyondAsk = cutAsk != null && k > cutAsk;

    // side tints: the bid column below the touch, the ask column above it; stronger at the best
    if (col.bid && isBid) {
      ctx.fillStyle = alpha(theme.bid, best ? 0.16 : beyondBid ? 0.03 : 0.07);
      ctx.fillRect(col.bid.x, y, col.bid.w, rowH);
    }
    if (col.ask && isAsk) {
      ctx.fillStyle = alpha(theme.ask, best ? 0.16 : beyondAsk ? 0.03 : 0.07);
      ctx.fillRect(col.ask.x, y, col.ask.w, rowH);
    }
    if (best && col.price) {
      ctx.fillStyle = alpha(k === bestBid ? theme.bid : theme.ask, 0.22);
      ctx.fillRect(col.price.x, y, col.price.w, rowH);
    }
    if ((beyondBid && col.bid) || (beyondAsk && col.ask)) hatch(ctx, beyondBid ? col.bid : col.ask, y, rowH, theme);

    // size bars, from the price column outwards; segments per venue
    for (const side of /** @type {const} */ (["bid", "ask"])) {
      const c = col[side];
      const size = g >= 0 ? (side === "bid" ? grid.bidSz[g] : grid.askSz[g]) : NaN;
      if (!c || !Number.isFinite(size)) continue;
      const span = Math.max(0, c.w - 3);
      const segs = barSegments(sideParts(grid, g, side), maxSize, span);
      const base = side === "bid" ? theme.bid : theme.ask;
      segs.forEach(([a, b], j) => {
        if (b <= a) return;
        ctx.fillStyle = venues ? alpha(venueColour(j, theme.dark), 0.78) : alpha(base, best ? 0.55 : 0.38);
        const x0 = side === "bid" ? c.x + c.w - 1 - b : c.x + 1 + a;
        ctx.fillRect(x0, y + 2, Math.max(1, b - a), rowH - 4);
      });
      ctx.fillStyle = theme.fg;
      ctx.font = `${best ? "600 " : ""}${fontPx}px ${theme.font}`;
      ctx.textAlign = side === "bid" ? "right" : "left";
      const tx = side === "bid" ? c.x + c.w - 5 : c.x + 5;
      if (c.w > 18) ctx.fillText(fitText(ctx, formatSize(size), c.w - 6), tx, cy);
    }
    ctx.font = `${fontPx}px ${theme.font}`;

    // price
    if (col.price) {
      const p = priceAt(grid, k);
      ctx.textAlign = "center";
      ctx.fillStyle = best ? (k === bestBid ? theme.bid : theme.ask) : g >= 0 && (grid.bidLevel[g] || grid.askLevel[g]) ? theme.fg : theme.muted;
      ctx.font = `${best ? "700 " : ""}${fontPx}px ${theme.font}`;
      ctx.fillText(fitText(ctx, p.toFixed(L.decimals), col.price.w - 2), col.price.x + col.price.w / 2, cy);
      ctx.font = `${fontPx}px ${theme.font}`;
    }

    // cumulative sizes
    for (const [key, values] of /** @type {const} */ ([["cumBid", grid.bidCum], ["cumAsk", grid.askCum]])) {
      const c = col[key];
      if (!c || g < 0 || !Number.isFinite(values[g])) continue;
      ctx.fillStyle = theme.muted;
      ctx.textAlign = "right";
      ctx.fillText(fitText(ctx, formatSize(values[g]), c.w - 6), c.x + c.w - 5, cy);
    }

    // traded at this price in the window: sold (hit the bid), bought (lifted the ask), volume profile
    if (g >= 0 && grid.buy) {
      for (const [key, values, colour] of /** @type {const} */ ([["sold", grid.sell, theme.ask], ["bought", grid.buy, theme.bid]])) {
        const c = col[key];
        if (!c || !(values[g] > 0)) continue;
        ctx.fillStyle = alpha(colour, 0.12 + 0.3 * (values[g] / (maxVol || 1)));
        ctx.fillRect(c.x + 1, y + 1, c.w - 2, rowH - 2);
        ctx.fillStyle = theme.fg;
        ctx.textAlign = "center";
        ctx.fillText(fitText(ctx, formatSize(values[g]), c.w - 4), c.x + c.w / 2, cy);
      }
      const c = col.volume;
      const total = tradedAt(grid, g);
      if (c && total > 0) {
        const parts = [grid.buy[g], grid.sell[g], grid.other ? grid.other[g] : 0];
        const colours = [theme.bid, theme.ask, theme.muted];
        barSegments(parts, maxTraded, c.w - 6).forEach(([a, b], j) => {
          if (b <= a) return;
          ctx.fillStyle = alpha(colours[j], 0.38);
          ctx.fillRect(c.x + 3 + a, y + 3, Math.max(1, b - a), rowH - 6);
        });
        ctx.fillStyle = theme.fg;
        ctx.textAlign = "left";
        ctx.fillText(fitText(ctx, formatSize(total), c.w - 8), c.x + 6, cy);
      }
    }

    // row separator
    ctx.fillStyle = theme.grid;
    ctx.fillRect(0, y + rowH - 1, width, 1);
  }

  // column separators
  ctx.fillStyle = theme.grid;
  for (const c of columns.slice(1)) ctx.fillRect(c.x, 0, 1, bodyB);
  ctx.fillRect(0, headH - 1, width, 1);

  // the touch: a line between the best ask and the best bid rows
  if (bestBid != null && bestAsk != null) {
    const yMid = headH + (top - (bestBid + bestAsk) / 2 + 0.5) * rowH;
    if (yMid > headH && yMid < bodyB) {
      ctx.fillStyle = alpha(theme.fg, 0.45);
      ctx.fillRect(0, Math.round(yMid) - 1, width, 1.5);
    }
  }
  truncationMark(ctx, grid, L, col.bid, cutBid, "bid", theme);
  truncationMark(ctx, grid, L, col.ask, cutAsk, "ask", theme);

  if (L.hoverK != null) {
    const r = top - L.hoverK;
    if (r >= 0 && r < rows) {
      ctx.strokeStyle = theme.accent;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(1, headH + r * rowH + 0.75, width - 2, rowH - 1.5);
    }
  }
}

/** Diagonal hatch of a cell: depth beyond the levels in the data (unknown, not empty). */
function hatch(ctx, c, y, h, theme) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(c.x, y, c.w, h);
  ctx.clip();
  ctx.strokeStyle = alpha(theme.muted, 0.18);
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let x = c.x - h; x < c.x + c.w; x += 6) {
    ctx.moveTo(x, y + h);
    ctx.lineTo(x + h, y);
  }
  ctx.stroke();
  ctx.restore();
}

/**
 * Where a side is cut by the number of levels: a dashed edge past its deepest level and a label.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Grid} grid
 * @param {Layout} L
 * @param {Column | undefined} c
 * @param {number | null} cut tick offset of the deepest level
 * @param {"bid" | "ask"} side
 * @param {Theme} theme
 */
function truncationMark(ctx, grid, L, c, cut, side, theme) {
  if (!c || cut == null) return;
  const r = L.top - cut; // row of the deepest level
  const edge = side === "bid" ? r + 1 : r; // bids continue below, asks above
  if (edge <= 0 || edge >= L.rows) return;
  const y = L.headH + edge * L.rowH;
  ctx.save();
  ctx.strokeStyle = side === "bid" ? theme.bid : theme.ask;
  ctx.setLineDash([4, 3]);
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(c.x, y - 0.5);
  ctx.lineTo(c.x + c.w, y - 0.5);
  ctx.stroke();
  ctx.setLineDash([]);
  const text = `› ${grid.levels} level${grid.levels === 1 ? "" : "s"}`;
  ctx.font = `italic 10px ${theme.font}`;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = side === "bid" ? "left" : "right";
  ctx.textBaseline = "middle";
  const ty = side === "bid" ? y + L.rowH / 2 : y - L.rowH / 2;
  if (c.w > 40) ctx.fillText(text, side === "bid" ? c.x + 4 : c.x + c.w - 4, ty);
  ctx.restore();
}

/**
 * `text`, cut with an ellipsis to fit `w` pixels.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} w
 */
export function fitText(ctx, text, w) {
  if (w <= 0) return "";
  if (ctx.measureText(text).width <= w) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > w) s = s.slice(0, -1);
  return s.length > 1 ? `${s}…` : "";
}

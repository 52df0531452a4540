// FootprintChart drawing on canvas: cells coloured by delta with "sell x buy" text, imbalance
// highlights, point-of-control outlines, stacked-imbalance bands, the price axis, the bar delta and
// volume rows and the bar times. The numbers are Python's (metrics.footprint); nothing is derived here.

import { drawRightAxis } from "../lib/price_axis.js";
import { decimalsFor, formatSize } from "../lib/scales.js";
import { formatClock, timeStep } from "../lib/timeaxis.js";
import {
  FLAG, cellTexts, compactSize, deltaFill, fits, geometry, labelEvery, roundVolume, rowPrice, timeToX, withAlpha,
} from "./footprint_chart_layout.js";

/**
 * @typedef {import("./footprint_chart_layout.js").Frame} Frame
 * @typedef {import("./footprint_chart_layout.js").Box} Box
 * @typedef {import("../lib/theme.js").Theme} Theme
 */

export const ROW_H = 16; // each of the delta and volume rows under the plot

/**
 * The cells, zones and outlines of every bar.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Frame} f
 * @param {Box} b
 * @param {Theme} theme
 */
export function drawCells(ctx, f, b, theme) {
  const { colW, rowH } = geometry(f, b);
  const maxAbs = Number(f.meta.max_abs_delta) || 0;
  const gap = colW >= 8 ? 1 : 0;
  const y = (/** @type {number} */ r) => b.bottom - (r + 1) * rowH;
  ctx.save();
  ctx.beginPath();
  ctx.rect(b.left, b.top, b.right - b.left, b.bottom - b.top);
  ctx.clip();
  // each bar's traded range, faintly
  ctx.fillStyle = theme.dark ? "rgba(255,255,255,0.035)" : "rgba(0,0,0,0.03)";
  for (let i = 0; i < f.nBars; i++) {
    ctx.fillRect(b.left + i * colW + gap, y(f.hi[i]), colW - 2 * gap, (f.hi[i] - f.lo[i] + 1) * rowH);
  }
  // stacked zones as faint bands from their bar to the right edge of the plot (as trading
  // screens extend them), behind the cells; outlined over their own bar after the cells
  for (let z = 0; z < f.zoneBar.length; z++) {
    const x1 = b.left + (f.zoneBar[z] + 1) * colW;
    ctx.fillStyle = withAlpha(f.zoneSide[z] > 0 ? theme.bid : theme.ask, theme.dark ? 0.07 : 0.045);
    ctx.fillRect(x1, y(f.zoneHi[z]), b.right - x1, (f.zoneHi[z] - f.zoneLo[z] + 1) * rowH);
  }
  const font = `${Math.max(9, Math.min(11, Math.floor(rowH * 0.72)))}px ${theme.font}`;
  const bold = `600 ${font}`;
  ctx.font = font;
  ctx.textBaseline = "middle";
  for (let c = 0; c < f.cellBar.length; c++) {
    const i = f.cellBar[c], r = f.cellRow[c];
    const x0 = b.left + i * colW + gap, w = colW - 2 * gap, y0 = y(r);
    const h = Math.max(1, rowH - (rowH >= 6 ? 1 : 0));
    ctx.fillStyle = deltaFill(theme, f.buy[c] - f.sell[c], maxAbs);
    ctx.fillRect(x0, y0, w, h);
    const flags = f.flags[c];
    ctx.font = font;
    const sep = ctx.measureText(" x ").width;
    // the widest text that fits, bold where imbalanced (measured in the font it is drawn in)
    const widthOf = (/** @type {string} */ text, /** @type {boolean} */ strong) => {
      ctx.font = strong ? bold : font;
      return ctx.measureText(text).width;
    };
    const sellBold = (flags & FLAG.SELL_IMB) !== 0, buyBold = (flags & FLAG.BUY_IMB) !== 0;
    let drawn = null;
    for (const [st, bt] of cellTexts(f.sell[c], f.buy[c])) {
      const sw = widthOf(st, sellBold), bw = widthOf(bt, buyBold);
      if (fits(sw + sep + bw, w, rowH)) {
        drawn = { st, bt, sw, bw };
        break;
      }
    }
    if (drawn) {
      const { st, bt, sw, bw } = drawn;
      const x = x0 + (w - (sw + sep + bw)) / 2, cy = y0 + h / 2 + 0.5;
      ctx.textAlign = "left";
      ctx.font = sellBold ? bold : font;
      ctx.fillStyle = sellBold ? theme.ask : theme.fg;
      ctx.fillText(st, x, cy);
      ctx.font = font;
      ctx.textAlign = "center";
      ctx.fillStyle = theme.muted;
      ctx.fillText("x", x + sw + sep / 2, cy);
      ctx.textAlign = "left";
      ctx.font = buyBold ? bold : font;
      ctx.fillStyle = buyBold ? theme.bid : theme.fg;
      ctx.fillText(bt, x + sw + sep, cy);
      ctx.font = font;
      if (sellBold) underline(ctx, x, x + sw, y0 + h - 1.5, theme.ask);
      if (buyBold) underline(ctx, x + sw + sep, x + sw + sep + bw, y0 + h - 1.5, theme.bid);
    } else {
      // too small for numbers: the imbalances as edge marks (sell left, buy right)
      const mark = Math.max(1, Math.min(3, w / 4));
      if (flags & FLAG.SELL_IMB) {
        ctx.fillStyle = theme.ask;
        ctx.fillRect(x0, y0, mark, h);
      }
      if (flags & FLAG.BUY_IMB) {
        ctx.fillStyle = theme.bid;
        ctx.fillRect(x0 + w - mark, y0, mark, h);
      }
    }
    if (flags & FLAG.POC) {
      ctx.strokeStyle = theme.dark ? "#ffd54f" : "#b26a00";
      ctx.lineWidth = rowH >= 6 ? 1.5 : 1;
      ctx.strokeRect(x0 + 0.75, y0 + 0.75, Math.max(1, w - 1.5), Math.max(1, h - 1.5));
    }
  }
  // the zones' outlines over the cells, and their side stripes
  for (let z = 0; z < f.zoneBar.length; z++) {
    const colour = f.zoneSide[z] > 0 ? theme.bid : theme.ask;
    const x0 = b.left + f.zoneBar[z] * colW + gap, w = colW - 2 * gap;
    const top = y(f.zoneHi[z]), h = (f.zoneHi[z] - f.zoneLo[z] + 1) * rowH;
    ctx.strokeStyle = withAlpha(colour, 0.9);
    ctx.lineWidth = 1;
    ctx.strokeRect(x0 + 0.5, top + 0.5, Math.max(1, w - 1), Math.max(1, h - 1));
    ctx.fillStyle = withAlpha(colour, 0.9);
    ctx.fillRect(f.zoneSide[z] > 0 ? x0 + w - 3 : x0, top, 3, h);
  }
  ctx.restore();
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x0
 * @param {number} x1
 * @param {number} y
 * @param {string} colour
 */
function underline(ctx, x0, x1, y, colour) {
  ctx.fillStyle = colour;
  ctx.fillRect(x0, y, x1 - x0, 1);
}

/**
 * The price axis right of the plot: the lowest price of every k-th row.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Frame} f
 * @param {Box} b
 * @param {number} width
 * @param {string} unit
 * @param {Theme} theme
 */
export function drawPriceAxis(ctx, f, b, width, unit, theme) {
  const { rowH } = geometry(f, b);
  const every = labelEvery(rowH, 14);
  const dec = decimalsFor(f.rowPx);
  /** @type {[number, string][]} */
  const labels = [];
  // label the rows whose price is a multiple of `every` rows: labels stay put while panning
  for (let r = ((-f.q0 % every) + every) % every; r < f.nRows; r += every) {
    labels.push([b.bottom - (r + 0.5) * rowH, rowPrice(f, r).toFixed(dec)]);
  }
  drawRightAxis(ctx, b, width, labels, unit, theme);
}

/**
 * Under the plot: each bar's delta and volume, then the bar start times.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Frame} f
 * @param {Box} b
 * @param {number} width
 * @param {Theme} theme
 */
export function drawBarRows(ctx, f, b, width, theme) {
  const { colW } = geometry(f, b);
  const maxAbs = Math.max(...Array.from(f.delta, Math.abs), 0);
  const y1 = b.bottom + 2, y2 = y1 + ROW_H, y3 = y2 + ROW_H;
  ctx.save();
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, b.bottom, width, ROW_H * 2 + 30);
  ctx.font = `11px ${theme.font}`;
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  ctx.fillStyle = theme.muted;
  ctx.fillText("Δ", b.right + 7, y1 + ROW_H / 2);
  ctx.fillText("vol", b.right + 7, y2 + ROW_H / 2);
  ctx.textAlign = "center";
  for (let i = 0; i < f.nBars; i++) {
    const x0 = b.left + i * colW;
    const dv = f.delta[i];
    ctx.fillStyle = deltaFill(theme, dv, maxAbs);
    ctx.fillRect(x0 + (colW >= 8 ? 1 : 0), y1, Math.max(1, colW - (colW >= 8 ? 2 : 0)), ROW_H - 1);
    const sign = dv > 0 ? "+" : "";
    const dText = [`${sign}${formatSize(roundVolume(dv))}`, `${sign}${compactSize(dv)}`]
      .find((t) => ctx.measureText(t).width + 4 <= colW);
    const vText = [formatSize(roundVolume(f.total[i])), compactSize(f.total[i])]
      .find((t) => ctx.measureText(t).width + 4 <= colW);
    ctx.fillStyle = theme.fg; // the fill carries the sign
    if (dText) ctx.fillText(dText, x0 + colW / 2, y1 + ROW_H / 2);
    if (vText) ctx.fillText(vText, x0 + colW / 2, y2 + ROW_H / 2);
  }
  // bar start times, as many as fit
  ctx.strokeStyle = theme.grid;
  ctx.beginPath();
  ctx.moveTo(b.left, y3 + 0.5);
  ctx.lineTo(b.right, y3 + 0.5);
  const span = f.nBars ? f.t1[f.nBars - 1] - f.t0[0] : 0;
  const step = timeStep(0, span, Math.max(1, f.nBars));
  const probe = formatClock(f.t0[0] ?? 0, step);
  const every = Math.max(1, Math.ceil((ctx.measureText(probe).width + 16) / colW));
  ctx.fillStyle = theme.muted;
  ctx.textBaseline = "top";
  for (let i = 0; i < f.nBars; i += every) {
    const x = Math.round(b.left + i * colW) + 0.5;
    ctx.moveTo(x, y3);
    ctx.lineTo(x, y3 + 4);
    ctx.textAlign = i === 0 ? "left" : "center";
    ctx.fillText(formatClock(f.t0[i], step), x, y3 + 6);
  }
  ctx.stroke();
  ctx.restore();
}

/**
 * The shared cursor's time as a dashed vertical line (when it falls in a drawn bar).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Frame} f
 * @param {Box} b
 * @param {number} t ms
 * @param {Theme} theme
 */
export function drawCursor(ctx, f, b, t, theme) {
  const x = timeToX(f, b, t);
  if (x == null) return;
  const px = Math.round(x) + 0.5;
  ctx.save();
  ctx.strokeStyle = theme.dark ? "rgba(255,255,255,0.9)" : "rgba(0,0,0,0.8)";
  ctx.setLineDash([5, 3]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(px, b.top);
  ctx.lineTo(px, b.bottom + 2 * ROW_H + 2);
  ctx.stroke();
  ctx.restore();
}

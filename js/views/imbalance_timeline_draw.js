// ImbalanceTimeline: canvas drawing of one panel (grid, y ticks, zero line, envelope, label), the
// brush, the cursor and the hover line. Works in CSS pixels on a context from fitCanvas.

import { ticks, tickStep } from "../lib/scales.js";
import { formatTick } from "./imbalance_timeline_data.js";

export const MARGIN = { left: 64, right: 14 }; // keep equal to MARGIN_* in imbalance_timeline.py
const LABEL_STRIP = 19; // px above the data for a panel's label

/**
 * @typedef {import("../lib/theme.js").Theme} Theme
 * @typedef {import("./imbalance_timeline_data.js").Envelope} Envelope
 * @typedef {{ left: number, right: number, top: number, bottom: number }} Box
 * @typedef {{ label: string, units?: string, signed?: boolean, colour: string, fill: string,
 *   note?: string, sign?: boolean }} Style
 */

/** Colours of unsigned series after the accent, dark / light. */
const PALETTE = {
  light: ["#6a4fb3", "#b26a00", "#00838f", "#ad1457"],
  dark: ["#b39ddb", "#ffb74d", "#4dd0e1", "#f48fb1"],
};

/**
 * The colour of the i-th unsigned series.
 * @param {Theme} theme
 * @param {number} i
 */
export function seriesColour(theme, i) {
  if (i === 0) return theme.accent;
  const p = theme.dark ? PALETTE.dark : PALETTE.light;
  return p[(i - 1) % p.length];
}

/**
 * `colour` (a #rrggbb or rgb() string) with alpha `a`; other strings are returned unchanged.
 * @param {string} colour
 * @param {number} a
 */
export function withAlpha(colour, a) {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour.trim());
  if (hex) {
    const v = parseInt(hex[1], 16);
    return `rgba(${v >> 16}, ${(v >> 8) & 255}, ${v & 255}, ${a})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(colour.trim());
  if (rgb) {
    const [r, g, b] = rgb[1].split(",").map((s) => s.trim());
    return `rgba(${r}, ${g}, ${b}, ${a})`;
  }
  return colour;
}

/**
 * Draw one panel: frame, y grid and ticks, zero line, the envelope and the label.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Box} box
 * @param {Envelope} env columns spanning box.left..box.right
 * @param {[number, number] | null} domain
 * @param {Style} style
 * @param {Theme} theme
 * @param {number[]} gridX pixel x of the vertical grid lines
 * @returns {((v: number) => number) | null} value -> y, or null without data
 */
export function drawPanel(ctx, box, env, domain, style, theme, gridX) {
  const { left, right, top, bottom } = box;
  ctx.save();
  ctx.font = `11px ${theme.font}`;
  ctx.lineWidth = 1;
  ctx.strokeStyle = theme.grid;
  ctx.beginPath();
  for (const x of gridX) {
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
  }
  ctx.stroke();
  /** @type {((v: number) => number) | null} */
  let y = null;
  if (domain) {
    const [d0, d1] = domain;
    // the label gets its own strip when the panel is tall enough, so that it never hides data
    const dataTop = top + (bottom - top >= 56 ? LABEL_STRIP : 3);
    const k = (bottom - 3 - dataTop) / (d1 - d0 || 1);
    y = (v) => bottom - 3 - (v - d0) * k;
    let count = Math.max(2, Math.floor((bottom - dataTop) / 30));
    while (count < 5 && ticks(d0, d1, count).length < 2) count++; // at least two labelled ticks
    const step = tickStep(d0, d1, count);
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.beginPath();
    for (const v of ticks(d0, d1, count)) {
      const py = Math.round(y(v)) + 0.5;
      if (py < top + 2 || py > bottom - 1) continue;
      ctx.moveTo(left, py);
      ctx.lineTo(right, py);
      ctx.fillText(formatTick(v, step), left - 6, py);
    }
    ctx.stroke();
    if (style.signed && d0 < 0 && d1 > 0) {
      const z = Math.round(y(0)) + 0.5;
      ctx.strokeStyle = theme.muted;
      ctx.globalAlpha = 0.7;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(left, z);
      ctx.lineTo(right, z);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, right - left, bottom - top);
    ctx.clip();
    drawEnvelope(ctx, box, env, y, style, theme);
    ctx.restore();
  }
  ctx.strokeStyle = theme.grid;
  ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
  // label (and units) at the top left, over a backdrop so that it stays readable on the data
  const text = style.units ? `${style.label} (${style.units})` : style.label;
  ctx.font = `600 11px ${theme.font}`;
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  const w = Math.min(ctx.measureText(text).width, right - left - 12);
  ctx.fillStyle = withAlpha(theme.bg, 0.78);
  ctx.fillRect(left + 1, top + 1, w + 10, 16);
  ctx.fillStyle = theme.fg;
  ctx.fillText(text, left + 6, top + 3, right - left - 12);
  if (!domain) {
    ctx.font = `11px ${theme.font}`;
    ctx.fillStyle = theme.muted;
    ctx.textBaseline = "middle";
    ctx.fillText("no data in this range", left + 6, (top + bottom) / 2 + 6, right - left - 12);
  }
  ctx.restore();
  return y;
}

/**
 * The envelope: one bar per column from min to max, stretched to touch the previous column so the
 * trace stays continuous; signed series are coloured by side of zero, with a light fill from zero.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Box} box
 * @param {Envelope} env
 * @param {(v: number) => number} y
 * @param {Style} style
 * @param {Theme} theme
 */
function drawEnvelope(ctx, box, env, y, style, theme) {
  const n = env.lo.length;
  if (!n) return;
  const cw = (box.right - box.left) / n;
  const zero = style.sign ? y(0) : box.bottom;
  // one path per colour and pass (the fill under the trace, then the trace): a few fills per
  // panel instead of a fillRect and a colour change per pixel column
  const under = [new Path2D(), new Path2D()], trace = [new Path2D(), new Path2D()];
  let pl = NaN, ph = NaN;
  for (let i = 0; i < n; i++) {
    const lo = env.lo[i], hi = env.hi[i];
    if (!(lo === lo && hi === hi)) {
      pl = ph = NaN;
      continue;
    }
    const x = box.left + i * cw, w = Math.max(cw, 1);
    if (style.sign) {
      if (hi > 0) under[0].rect(x, y(hi), w, zero - y(hi));
      if (lo < 0) under[1].rect(x, zero, w, y(lo) - zero);
    } else if (style.fill) under[0].rect(x, y(hi), w, box.bottom - y(hi));
    const a = pl === pl && ph < lo ? ph : lo;
    const b = pl === pl && pl > hi ? pl : hi;
    const yTop = y(b), yBot = y(a);
    const h = Math.max(1.25, yBot - yTop);
    const mid = (yTop + yBot - h) / 2;
    if (style.sign) {
      // the part above zero in the bid colour, below in the ask colour
      const top = Math.min(yTop, mid), bot = top + h;
      if (top < zero) trace[0].rect(x, top, w, Math.min(bot, zero) - top);
      if (bot > zero) trace[1].rect(x, Math.max(top, zero), w, bot - Math.max(top, zero));
    } else trace[0].rect(x, Math.min(yTop, mid), w, h);
    pl = lo;
    ph = hi;
  }
  const colours = style.sign
    ? [[theme.bidFill, theme.askFill], [theme.bid, theme.ask]]
    : [[style.fill, ""], [style.colour, ""]];
  [under, trace].forEach((paths, pass) => {
    for (let k = 0; k < 2; k++) {
      const c = colours[pass][k];
      if (!c) continue;
      ctx.fillStyle = c;
      ctx.fill(paths[k]);
    }
  });
}

/**
 * The brushed span, across all panels.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x0
 * @param {number} x1
 * @param {number} top
 * @param {number} bottom
 * @param {Box} plot
 * @param {Theme} theme
 */
export function drawBrush(ctx, x0, x1, top, bottom, plot, theme) {
  const a = Math.max(plot.left, Math.min(x0, x1)), b = Math.min(plot.right, Math.max(x0, x1));
  if (b < plot.left || a > plot.right) return;
  ctx.save();
  if (a > plot.left + 1 || b < plot.right - 1) {
    // no tint when the selection covers the whole plot (just zoomed to it): the data stays readable
    ctx.fillStyle = withAlpha(theme.accent, theme.dark ? 0.16 : 0.1);
    ctx.fillRect(a, top, Math.max(1, b - a), bottom - top);
  }
  ctx.strokeStyle = withAlpha(theme.accent, 0.8);
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const x of [Math.min(x0, x1), Math.max(x0, x1)]) {
    if (x < plot.left - 0.5 || x > plot.right + 0.5) continue;
    ctx.moveTo(Math.round(x) + 0.5, top);
    ctx.lineTo(Math.round(x) + 0.5, bottom);
  }
  ctx.stroke();
  ctx.restore();
}

/**
 * A vertical line through the panels with a time tag on the axis (`label` centred at x).
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x
 * @param {number} top
 * @param {number} bottom
 * @param {string} label
 * @param {{ colour: string, dash?: number[], tagFg: string }} look
 * @param {Box} plot
 * @param {Theme} theme
 */
export function drawMarker(ctx, x, top, bottom, label, look, plot, theme) {
  if (!(x >= plot.left - 0.5 && x <= plot.right + 0.5)) return;
  const px = Math.round(x) + 0.5;
  ctx.save();
  ctx.strokeStyle = look.colour;
  ctx.lineWidth = 1;
  ctx.setLineDash(look.dash || []);
  ctx.beginPath();
  ctx.moveTo(px, top);
  ctx.lineTo(px, bottom);
  ctx.stroke();
  ctx.setLineDash([]);
  if (label) {
    ctx.font = `11px ${theme.font}`;
    const w = ctx.measureText(label).width + 10;
    const lx = Math.max(plot.left, Math.min(plot.right - w, px - w / 2));
    ctx.fillStyle = look.colour;
    ctx.fillRect(lx, bottom + 2, w, 16);
    ctx.fillStyle = look.tagFg;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(label, lx + 5, bottom + 10);
  }
  ctx.restore();
}

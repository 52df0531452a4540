// Canvas drawing of the SignalScatter view: density image, points, the profile's mean move and
// P(up) panel, the regression line, axes, the brush box, the cursor marker and the crosshair.
// Everything it draws comes from the payload (obi_widgets/views/signal_scatter.py).

import { ticks } from "../lib/scales.js";
import { bucketX, fmt } from "./signal_scatter_layout.js";

/** @typedef {import("./signal_scatter_layout.js").Layout} Layout */
/** @typedef {import("./signal_scatter_layout.js").Profile} Profile */
/** @typedef {import("../lib/theme.js").Theme} Theme */

/** Colours of the overlays, per theme. @param {Theme} th */
export function overlayColours(th) {
  return {
    mean: th.dark ? "#ffb74d" : "#e65100",
    reg: th.dark ? "#e1bee7" : "#6a1b9a",
    pUp: th.dark ? "#64b5f6" : "#1565c0",
    point: th.dark ? "rgba(144, 202, 249, 0.85)" : "rgba(21, 101, 192, 0.75)",
    brush: th.dark ? "rgba(255, 255, 255, 0.10)" : "rgba(21, 101, 192, 0.10)",
    marker: th.dark ? "#ffffff" : "#000000",
  };
}

/**
 * @typedef {{ meta: Record<string, any>, arrays: Record<string, any>, profile: Profile | null,
 *   image: CanvasImageSource | null, s: any, brush: number[] | null, dragBox: number[] | null,
 *   marker: number[] | null, hover: [number, number] | null }} Scene
 */

/**
 * Draw the whole view.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Layout} L
 * @param {Scene} sc
 * @param {Theme} th
 */
export function drawScatter(ctx, L, sc, th) {
  const { meta, s, profile } = sc;
  const col = overlayColours(th);
  const { plot, panel } = L;
  ctx.clearRect(0, 0, L.width, L.height);
  ctx.fillStyle = th.bg;
  ctx.fillRect(0, 0, L.width, L.height);
  ctx.font = `11px ${th.font}`;
  ctx.lineWidth = 1;

  // grid and ticks
  const xt = ticks(meta.x_range[0], meta.x_range[1], Math.max(2, Math.floor(plot.w / 90)));
  const yt = ticks(meta.y_range[0], meta.y_range[1], Math.max(2, Math.floor(plot.h / 50)));
  ctx.strokeStyle = th.grid;
  ctx.beginPath();
  for (const v of xt) {
    const px = Math.round(s.x(v)) + 0.5;
    ctx.moveTo(px, plot.y);
    ctx.lineTo(px, plot.y + plot.h);
    ctx.moveTo(px, panel.y);
    ctx.lineTo(px, panel.y + panel.h);
  }
  for (const v of yt) {
    const py = Math.round(s.y(v)) + 0.5;
    ctx.moveTo(plot.x, py);
    ctx.lineTo(plot.x + plot.w, py);
  }
  for (const v of [0.25, 0.75]) {
    const py = Math.round(s.p(v)) + 0.5;
    ctx.moveTo(panel.x, py);
    ctx.lineTo(panel.x + panel.w, py);
  }
  ctx.stroke();

  // density (and the points themselves when few)
  if (sc.image) {
    ctx.save();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(sc.image, plot.x, plot.y, plot.w, plot.h);
    ctx.restore();
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.w, plot.h);
  ctx.clip();
  // zero lines
  ctx.strokeStyle = th.muted;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  if (meta.y_range[0] < 0 && meta.y_range[1] > 0) {
    const py = Math.round(s.y(0)) + 0.5;
    ctx.moveTo(plot.x, py);
    ctx.lineTo(plot.x + plot.w, py);
  }
  if (meta.x_range[0] < 0 && meta.x_range[1] > 0) {
    const px = Math.round(s.x(0)) + 0.5;
    ctx.moveTo(px, plot.y);
    ctx.lineTo(px, plot.y + plot.h);
  }
  ctx.stroke();
  ctx.setLineDash([]);
  const xs = sc.arrays.px, ys = sc.arrays.py;
  if (xs && ys) {
    ctx.fillStyle = col.point;
    for (let k = 0; k < xs.length; k++) ctx.fillRect(s.x(xs[k]) - 1.5, s.y(ys[k]) - 1.5, 3, 3);
  }
  // regression line
  const reg = meta.regression;
  if (reg && Number.isFinite(reg.slope)) {
    const [x0, x1] = meta.x_range;
    ctx.strokeStyle = col.reg;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(s.x(x0), s.y(reg.intercept + reg.slope * x0));
    ctx.lineTo(s.x(x1), s.y(reg.intercept + reg.slope * x1));
    ctx.stroke();
  }
  // the profile's mean move per bucket
  if (profile) curve(ctx, profile, (k) => profile.moveMean[k], s.x, s.y, col.mean, th.bg);
  // brush box (set, or being dragged)
  const box = sc.dragBox || sc.brush;
  if (box) {
    const bx0 = s.x(box[0]), bx1 = s.x(box[1]), by0 = s.y(box[3]), by1 = s.y(box[2]);
    ctx.fillStyle = col.brush;
    ctx.fillRect(bx0, by0, bx1 - bx0, by1 - by0);
    ctx.strokeStyle = th.fg;
    ctx.lineWidth = 1;
    ctx.setLineDash(sc.dragBox ? [4, 3] : []);
    ctx.strokeRect(bx0 + 0.5, by0 + 0.5, bx1 - bx0, by1 - by0);
    ctx.setLineDash([]);
  }
  // the cursor row (linked source) or the clicked point
  if (sc.marker) {
    ctx.strokeStyle = col.marker;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(s.x(sc.marker[0]), s.y(sc.marker[1]), 6, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.restore();

  // P(up | move) panel
  ctx.strokeStyle = th.muted;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  const half = Math.round(s.p(0.5)) + 0.5;
  ctx.moveTo(panel.x, half);
  ctx.lineTo(panel.x + panel.w, half);
  ctx.stroke();
  ctx.setLineDash([]);
  if (profile) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(panel.x, panel.y - 4, panel.w, panel.h + 8);
    ctx.clip();
    curve(ctx, profile, (k) => profile.pUp[k], s.x, s.p, col.pUp, th.bg);
    ctx.restore();
  }
  if (sc.marker) {
    const mx = Math.round(s.x(sc.marker[0])) + 0.5;
    if (mx >= panel.x && mx <= panel.x + panel.w) {
      ctx.strokeStyle = col.marker;
      ctx.beginPath();
      ctx.moveTo(mx, panel.y);
      ctx.lineTo(mx, panel.y + panel.h);
      ctx.stroke();
    }
  }

  // crosshair
  if (sc.hover) {
    const [hx, hy] = sc.hover;
    ctx.strokeStyle = th.muted;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(Math.round(hx) + 0.5, plot.y);
    ctx.lineTo(Math.round(hx) + 0.5, panel.y + panel.h);
    if (hy >= plot.y && hy <= plot.y + plot.h) {
      ctx.moveTo(plot.x, Math.round(hy) + 0.5);
      ctx.lineTo(plot.x + plot.w, Math.round(hy) + 0.5);
    }
    ctx.stroke();
  }

  // frames, tick labels, axis names
  ctx.strokeStyle = th.grid;
  ctx.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.w - 1, plot.h - 1);
  ctx.strokeRect(panel.x + 0.5, panel.y + 0.5, panel.w - 1, panel.h - 1);
  ctx.fillStyle = th.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of xt) ctx.fillText(fmt(v), s.x(v), panel.y + panel.h + 4);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of yt) ctx.fillText(fmt(v), plot.x - 6, s.y(v));
  for (const v of [0, 0.5, 1]) ctx.fillText(String(v), panel.x - 6, s.p(v));
  ctx.fillStyle = th.fg;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(meta.x_name || "signal", panel.x + panel.w / 2, L.height - 2);
  vertical(ctx, meta.y_name || "future move", 12, plot.y + plot.h / 2);
  vertical(ctx, "P(up | move)", 12, panel.y + panel.h / 2);
}

/**
 * A polyline with dots through the buckets' values (NaN buckets break the line).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Profile} p
 * @param {(k: number) => number} value
 * @param {(v: number) => number} sx
 * @param {(v: number) => number} sy
 * @param {string} colour
 * @param {string} bg
 */
function curve(ctx, p, value, sx, sy, colour, bg) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let open = false;
  for (let k = 0; k < p.lo.length; k++) {
    const v = value(k);
    if (!Number.isFinite(v) || !(p.count[k] > 0)) {
      open = false;
      continue;
    }
    const px = sx(bucketX(p, k)), py = sy(v);
    if (open) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    open = true;
  }
  ctx.stroke();
  for (let k = 0; k < p.lo.length; k++) {
    const v = value(k);
    if (!Number.isFinite(v) || !(p.count[k] > 0)) continue;
    ctx.beginPath();
    ctx.arc(sx(bucketX(p, k)), sy(v), 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = bg;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

/**
 * Text rotated a quarter turn, centred on (x, y).
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} x
 * @param {number} y
 */
function vertical(ctx, text, x, y) {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, 0, 0);
  ctx.restore();
}

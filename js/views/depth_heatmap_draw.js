// DepthHeatmap, drawing: the colour images of the rasters, best bid / ask envelopes, volume dots,
// the price axis and the colour legend. Python side: obi_widgets/views/depth_heatmap.py.

import { drawRightAxis } from "../lib/price_axis.js";
import { decimalsFor, formatSize, ticks } from "../lib/scales.js";
import { blitRects, dotRadius, dotTime, levelValue, lutIndex } from "./depth_heatmap_raster.js";

/**
 * @typedef {import("./depth_heatmap_raster.js").Raster} Raster
 * @typedef {import("./depth_heatmap_raster.js").Window} Window
 * @typedef {import("./depth_heatmap_raster.js").Box} Box
 * @typedef {import("../lib/theme.js").Theme} Theme
 * @typedef {{ x: (t: number) => number, y: (p: number) => number }} Scales
 */

/**
 * An offscreen canvas holding RGBA pixels (drawn scaled with drawImage).
 * @param {Uint8ClampedArray} rgba
 * @param {number} w
 * @param {number} h
 */
export function imageCanvas(rgba, w, h) {
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext("2d"));
  ctx.putImageData(new ImageData(/** @type {any} */ (rgba), w, h), 0, 0);
  return c;
}

/**
 * Draw the visible part of a raster's image (cells stay crisp: no smoothing).
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} image
 * @param {Raster} r
 * @param {Window} view
 * @param {Box} box
 */
export function drawRaster(ctx, image, r, view, box) {
  const q = blitRects(r, view, box);
  if (!q || q.sw <= 0 || q.sh <= 0) return;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(image, q.sx, q.sy, q.sw, q.sh, q.dx, q.dy, q.dw, q.dh);
}

/**
 * Best bid and best ask as step lines: per slice, the min..max band of the best price.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Raster} r
 * @param {Scales} sc
 * @param {[number, number]} span times (ms) to draw (the rest belongs to another raster)
 * @param {Theme} theme
 */
export function drawBest(ctx, r, sc, span, theme) {
  const dt = (r.t1 - r.t0) / r.nT;
  // the bid line hangs below its price and the ask line sits above its own, so that both stay
  // visible when the spread is under a pixel
  const sides = /** @type {[Float64Array, Float64Array, string, number][]} */ ([
    [r.bidLo, r.bidHi, theme.dark ? "#4dff9d" : "#0f7a3f", 1],
    [r.askLo, r.askHi, theme.dark ? "#ff5c5c" : "#c0171b", -1],
  ]);
  const halo = theme.dark ? "rgba(0,0,0,0.6)" : "rgba(255,255,255,0.75)";
  for (const pass of [0, 1]) {
    for (const [lo, hi, colour, dir] of sides) {
      ctx.fillStyle = pass ? colour : halo;
      const grow = pass ? 0 : 1;
      let prev = NaN;
      for (let s = 0; s < r.nT; s++) {
        const a = r.t0 + s * dt, b = a + dt;
        if (b < span[0] || a > span[1]) continue;
        const l = lo[s], h = hi[s];
        if (!Number.isFinite(l) || !Number.isFinite(h)) {
          prev = NaN;
          continue;
        }
        const x0 = sc.x(Math.max(a, span[0])), x1 = sc.x(Math.min(b, span[1]));
        const yh = sc.y(h), yl = sc.y(l);
        const edge = dir > 0 ? yh : yl; // the line's own edge: the bid's top, the ask's bottom
        let y0 = Math.min(yh, yl, Number.isFinite(prev) ? prev : Infinity);
        let y1 = Math.max(yh, yl, Number.isFinite(prev) ? prev : -Infinity);
        if (dir > 0) y1 = Math.max(y1, edge + 1.5);
        else y0 = Math.min(y0, edge - 1.5);
        prev = (yh + yl) / 2;
        ctx.fillRect(x0 - grow, y0 - grow, Math.max(1, x1 - x0) + 2 * grow, y1 - y0 + 2 * grow);
      }
    }
  }
}

/**
 * Trades as volume dots: area ~ volume, a pie of buy (bid colour), sell (ask colour) and unsigned.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Raster} r
 * @param {Scales} sc
 * @param {[number, number]} span times (ms) to draw
 * @param {Box} box
 * @param {number} ref reference volume (dotReference)
 * @param {Theme} theme
 */
export function drawDots(ctx, r, sc, span, box, ref, theme) {
  const d = r.dots;
  const maxR = 8;
  ctx.globalAlpha = 0.9;
  const buyC = theme.dark ? "#3ee08f" : "#12a150", sellC = theme.dark ? "#ff4d4d" : "#d62a2a";
  ctx.lineWidth = 1;
  ctx.strokeStyle = theme.dark ? "rgba(255,255,255,0.85)" : "rgba(20,20,20,0.75)";
  for (let i = 0; i < d.n; i++) {
    const t = dotTime(r, d.s[i]);
    if (t < span[0] || t > span[1]) continue;
    const x = sc.x(t), y = sc.y(d.px[i]);
    if (x < box.left || x > box.right || y < box.top || y > box.bottom) continue;
    const total = d.buy[i] + d.sell[i] + d.other[i];
    const rad = dotRadius(total, ref, maxR);
    if (!rad) continue;
    let a = -Math.PI / 2;
    const parts = /** @type {[number, string][]} */ ([[d.buy[i], buyC], [d.sell[i], sellC], [d.other[i], "#9e9e9e"]]);
    for (const [v, c] of parts) {
      if (!(v > 0)) continue;
      const b = a + (2 * Math.PI * v) / total;
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.arc(x, y, rad, a, b);
      ctx.closePath();
      ctx.fillStyle = c;
      ctx.fill();
      a = b;
    }
    ctx.beginPath();
    ctx.arc(x, y, rad, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

/**
 * The price axis on the right of the plot, labels with the price unit.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Window} view
 * @param {Scales} sc
 * @param {Box} box
 * @param {number} width canvas width (CSS px)
 * @param {number} tick
 * @param {string} unit
 * @param {Theme} theme
 */
export function drawPriceAxis(ctx, view, sc, box, width, tick, unit, theme) {
  const [p0, p1] = view.p;
  const vals = ticks(p0, p1, Math.max(2, Math.floor((box.bottom - box.top) / 42)));
  const step = vals.length > 1 ? vals[1] - vals[0] : tick;
  const dec = Math.max(decimalsFor(step), Math.min(decimalsFor(tick), decimalsFor(step) + 1));
  drawRightAxis(ctx, box, width, vals.map((v) => [sc.y(v), v.toFixed(dec)]), unit, theme);
}

/**
 * The colour legend: the map between the cut-offs, with sizes at both ends and in the middle.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8ClampedArray} table colormap.lut
 * @param {[number, number]} cut
 * @param {boolean} log
 * @param {Theme} theme
 */
export function drawLegend(canvas, table, cut, log, theme) {
  const w = 176, h = 26, bar = 9;
  const dpr = window.devicePixelRatio || 1;
  // redrawn only when what it shows changed (a live view draws many frames a second)
  const key = `${cut[0]}|${cut[1]}|${log}|${table[1020]},${table[1021]},${table[1022]}|${theme.muted}|${theme.grid}|${dpr}`;
  if (canvas.dataset.obiKey === key) return;
  canvas.dataset.obiKey = key;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const x0 = 14, x1 = w - 14;
  for (let x = x0; x < x1; x++) {
    const i = lutIndex((x - x0) / (x1 - x0 - 1));
    ctx.fillStyle = `rgb(${table[i * 4]},${table[i * 4 + 1]},${table[i * 4 + 2]})`;
    ctx.fillRect(x, 1, 1, bar);
  }
  ctx.strokeStyle = theme.grid;
  ctx.strokeRect(x0 - 0.5, 0.5, x1 - x0 + 1, bar + 1);
  ctx.font = `10px ${theme.font}`;
  ctx.fillStyle = theme.muted;
  ctx.textBaseline = "top";
  if (!Number.isFinite(cut[0])) return;
  for (const [f, align] of /** @type {[number, CanvasTextAlign][]} */ ([[0, "left"], [0.5, "center"], [1, "right"]])) {
    ctx.textAlign = align;
    const x = f === 0 ? 2 : f === 1 ? w - 2 : (x0 + x1) / 2;
    ctx.fillText(formatSize(Number(levelValue(f, cut, log).toPrecision(3))), x, bar + 4);
  }
}

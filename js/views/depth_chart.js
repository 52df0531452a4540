// DepthChart view: cumulative bid/ask depth around the mid at the shared cursor row, the overview
// strip on a time axis (click or drag to move the cursor), trades before the cursor fading with
// age, and a hover read-out. Python side: obi_widgets/views/depth_chart.py (documents the buffers).

import { decode } from "../lib/buffers.js";
import { fitCanvas, perFrame } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { kernelNote, reportWidth } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { attachStrip, drawOverview } from "../lib/overview.js";
import { decimalsFor, formatSize, linear, nearestIndex, ticks } from "../lib/scales.js";
import { sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { formatDateTime } from "../lib/timeaxis.js";
import { imbalanceLabel } from "../lib/imbalance_label.js";
import { filledLevels, marginsFor, priceWindow, sideShape } from "./depth_chart_geometry.js";

const OVERVIEW_HEIGHT = 58;

/**
 * @typedef {{ row: number, t: number, exact: boolean, bidPx: ArrayLike<number>, bidCum: ArrayLike<number>,
 *   askPx: ArrayLike<number>, askCum: ArrayLike<number>, imb: ArrayLike<number> | null,
 *   levels: number, l1: number | null, trades: { px: ArrayLike<number>, sz: ArrayLike<number>,
 *   side: ArrayLike<number>, age: ArrayLike<number> }, windowMs: number }} Frame
 */

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const d = new Disposer();
  const root = createRoot(el, "depth-chart", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const timeEl = child(header, "span", "obi-stat obi-time");
  const midEl = child(header, "span", "obi-stat obi-mid");
  const spreadEl = child(header, "span", "obi-stat obi-spread");
  const imbEl = child(header, "span", "obi-stat obi-imb");
  const imbLabel = child(imbEl, "span", "obi-imb-label");
  const gauge = child(imbEl, "span", "obi-gauge");
  const gaugeBar = child(gauge, "span", "obi-gauge-bar");
  const plot = child(root, "div", "obi-plot");
  const depthCanvas = child(plot, "canvas", "obi-depth");
  const tooltip = child(plot, "div", "obi-tooltip");
  tooltip.hidden = true;
  const overviewCanvas = child(root, "canvas", "obi-overview");
  overviewCanvas.setAttribute("aria-label", "mid price over the whole book: click or drag to move the cursor");

  let width = Math.floor(root.clientWidth) || 600;
  let theme = readTheme(root);
  /** @type {{x: number, y: number} | null} */
  let hover = null;
  /** @type {ReturnType<typeof linear> | null} */
  let xScale = null;

  /** The exact frame from Python when it is for the cursor row, else the replay track's. */
  function currentFrame() {
    const cur = source.cursor;
    const exact = decode(model.get("_frame"));
    if (source.showsExact(exact.meta.row) && exact.arrays.bid_px) {
      const a = exact.arrays;
      return /** @type {Frame} */ ({
        row: exact.meta.row, t: exact.meta.t, exact: true, levels: a.bid_px.length,
        bidPx: a.bid_px, bidCum: a.bid_cum, askPx: a.ask_px, askCum: a.ask_cum, imb: a.imb,
        l1: exact.meta.imbalance,
        trades: { px: a.trade_px ?? [], sz: a.trade_sz ?? [], side: a.trade_side ?? [], age: a.trade_age_ms ?? [] },
        windowMs: exact.meta.window_ms,
      });
    }
    const f = source.frameAt(cur);
    if (!f) return null;
    const k = source.track.arrays.row.indexOf(f.row);
    const { bid_cum: bc, ask_cum: ac, imb_l1: l1 } = source.track.arrays;
    const lv = f.bidPx.length;
    return /** @type {Frame} */ ({
      row: f.row, t: f.t, exact: false, levels: lv, bidPx: f.bidPx, askPx: f.askPx,
      bidCum: bc.subarray(k * lv, (k + 1) * lv), askCum: ac.subarray(k * lv, (k + 1) * lv),
      imb: null, l1: Number.isFinite(l1[k]) ? l1[k] : null,
      trades: { px: [], sz: [], side: [], age: [] }, windowMs: 0,
    });
  }

  function drawHeader(/** @type {Frame | null} */ frame) {
    const units = source.units;
    title.textContent = model.get("title") || "";
    if (!frame) return;
    const spread = frame.askPx[0] - frame.bidPx[0];
    const dec = Math.max(2, decimalsFor(source.meta.tick || 0.01));
    const mid = (frame.bidPx[0] + frame.askPx[0]) / 2;
    timeEl.textContent = `${formatDateTime(frame.t)}  ·  row ${frame.row} / ${source.rows - 1}${frame.exact ? "" : " (replay track)"}`;
    timeEl.title = frame.exact ? "" : `a sampled row of the replay track: ${kernelNote(source.model, "the exact row")}`;
    midEl.textContent = `mid ${Number.isFinite(mid) ? mid.toFixed(dec) : "–"} ${units.price === "price" ? "" : units.price}`.trim();
    spreadEl.textContent = `spread ${Number.isFinite(spread) ? spread.toFixed(dec) : "–"}`;
    const imb = frame.l1;
    imbLabel.textContent = `L1 imbalance ${imbalanceLabel(imb)}`;
    const v = imb == null ? 0 : Math.max(-1, Math.min(1, imb));
    gaugeBar.style.left = v >= 0 ? "50%" : `${50 + v * 50}%`;
    gaugeBar.style.width = `${Math.abs(v) * 50}%`;
    gaugeBar.style.background = v >= 0 ? theme.bid : theme.ask;
  }

  function drawDepth(/** @type {Frame | null} */ frame) {
    const height = model.get("height");
    const ctx = fitCanvas(depthCanvas, width, height);
    ctx.clearRect(0, 0, width, height);
    ctx.font = `11px ${theme.font}`;
    const M = marginsFor(width);
    const plotL = M.left, plotR = width - M.right, plotT = M.top, plotB = Math.max(M.top + 1, height - M.bottom);
    const win = frame && priceWindow(frame);
    if (!frame || !win || plotR <= plotL + 10) {
      xScale = null;
      ctx.fillStyle = theme.muted;
      const text = !frame ? "no data" : !win ? "empty book at this row" : "";
      ctx.fillText(text, Math.min(plotL + 8, width / 4), plotT + 16);
      return;
    }
    const units = source.units;
    const nb = filledLevels(frame.bidPx), na = filledLevels(frame.askPx);
    const maxCum = Math.max(nb ? frame.bidCum[nb - 1] : 0, na ? frame.askCum[na - 1] : 0) || 1;
    const x = linear(win, [plotL, plotR]);
    const y = linear([0, maxCum * 1.1], [plotB, plotT]);
    xScale = x;

    const xTicks = M.axes ? ticks(win[0], win[1], Math.max(2, Math.floor((plotR - plotL) / 90))) : [];
    const xDec = decimalsFor(xTicks.length > 1 ? xTicks[1] - xTicks[0] : 1);
    const yTicks = M.axes ? ticks(0, maxCum * 1.1, Math.max(2, Math.floor((plotB - plotT) / 45))) : [];
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of yTicks) {
      const py = Math.round(y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(plotL, py); ctx.lineTo(plotR, py); ctx.stroke();
      ctx.fillText(formatSize(v), plotL - 6, py);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of xTicks) {
      const px = Math.round(x(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(px, plotB); ctx.lineTo(px, plotB + 4); ctx.stroke();
      ctx.fillText(v.toFixed(xDec), px, plotB + 6);
    }
    ctx.beginPath(); ctx.moveTo(plotL, plotB + 0.5); ctx.lineTo(plotR, plotB + 0.5); ctx.stroke();
    if (M.axes) {
      ctx.fillText(units.price === "price" ? "price" : `price (${units.price})`, (plotL + plotR) / 2, plotB + 20);
      ctx.save();
      ctx.translate(12, (plotT + plotB) / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle";
      ctx.fillText(units.size === "size" ? "cumulative size" : `cumulative size (${units.size})`, 0, 0);
      ctx.restore();
    }

    // each side: the known outline, filled; where the data's levels run out while the side is
    // still full, a dashed flat edge to the plot's end (depth there is unknown) and a label
    const side = (px, cum, edge, fill, stroke, outward) => {
      const { known, beyond } = sideShape(px, cum, edge, frame.levels);
      if (!known.length) return;
      const path = (pts) => pts.forEach(([p, c], i) => (i ? ctx.lineTo(x(p), y(c)) : ctx.moveTo(x(p), y(c))));
      ctx.beginPath();
      path(known);
      ctx.closePath();
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.beginPath();
      path(known.slice(1, -1));
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      if (!beyond) return;
      const [[p0, c0], [p1]] = beyond;
      ctx.save();
      ctx.globalAlpha = 0.5; // at least this much lies beyond: a fainter fill
      ctx.fillRect(Math.min(x(p0), x(p1)), y(c0), Math.abs(x(p1) - x(p0)), y(0) - y(c0));
      ctx.globalAlpha = 1;
      ctx.setLineDash([5, 4]);
      ctx.beginPath(); ctx.moveTo(x(p0), y(c0)); ctx.lineTo(x(p1), y(c0)); ctx.stroke();
      ctx.restore();
      if (Math.abs(x(p1) - x(p0)) > 70 || M.axes) {
        const n = frame.levels;
        ctx.fillStyle = theme.muted;
        ctx.font = `italic 11px ${theme.font}`;
        ctx.textBaseline = "bottom";
        ctx.textAlign = outward < 0 ? "right" : "left";
        const label = outward < 0 ? `${n} level${n === 1 ? "" : "s"} ‹` : `› ${n} level${n === 1 ? "" : "s"}`;
        const w = ctx.measureText(label).width;
        const at = outward < 0 ? Math.max(x(p0) - 4, plotL + w) : Math.min(x(p0) + 4, plotR - w);
        ctx.fillText(label, at, y(c0) - 3);
        ctx.font = `11px ${theme.font}`;
      }
    };
    side(frame.bidPx, frame.bidCum, win[0], theme.bidFill, theme.bid, -1);
    side(frame.askPx, frame.askCum, win[1], theme.askFill, theme.ask, 1);

    if (nb && na) {
      const mx = Math.round(x((frame.bidPx[0] + frame.askPx[0]) / 2)) + 0.5;
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = theme.muted;
      ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(mx, plotT); ctx.lineTo(mx, plotB); ctx.stroke();
      ctx.setLineDash([]);
    }

    // trades in the window before the cursor: triangles on the price axis, area ~ size, fading with age
    const tr = frame.trades;
    let maxSize = 0;
    for (let i = 0; i < tr.sz.length; i++) maxSize = Math.max(maxSize, tr.sz[i]);
    for (let i = 0; i < tr.px.length; i++) {
      const px = x(tr.px[i]);
      if (px < plotL || px > plotR) continue;
      const r = 2.5 + 5 * Math.sqrt(tr.sz[i] / (maxSize || 1));
      ctx.fillStyle = tr.side[i] > 0 ? theme.bid : tr.side[i] < 0 ? theme.ask : theme.muted;
      ctx.globalAlpha = 0.2 + 0.8 * (1 - Math.min(1, tr.age[i] / (frame.windowMs || 1)));
      ctx.beginPath();
      ctx.moveTo(px, plotB - 2 * r - 1); ctx.lineTo(px - r, plotB - 1); ctx.lineTo(px + r, plotB - 1);
      ctx.closePath();
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    drawHover(ctx, frame, plotT, plotB, y);
  }

  function drawHover(ctx, /** @type {Frame} */ frame, plotT, plotB, y) {
    if (!hover || !xScale) {
      tooltip.hidden = true;
      return;
    }
    const price = xScale.invert(hover.x);
    const mid = (frame.bidPx[0] + frame.askPx[0]) / 2;
    const bidSide = Number.isFinite(mid) ? price < mid : Number.isFinite(frame.bidPx[0]);
    const px = bidSide ? frame.bidPx : frame.askPx;
    const cum = bidSide ? frame.bidCum : frame.askCum;
    const k = nearestIndex(px, price);
    if (k < 0) {
      tooltip.hidden = true;
      return;
    }
    const hx = Math.round(xScale(px[k])) + 0.5;
    ctx.strokeStyle = theme.fg;
    ctx.globalAlpha = 0.5;
    ctx.beginPath(); ctx.moveTo(hx, plotT); ctx.lineTo(hx, plotB); ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillStyle = bidSide ? theme.bid : theme.ask;
    ctx.beginPath(); ctx.arc(hx, y(cum[k]), 3.5, 0, 2 * Math.PI); ctx.fill();
    const units = source.units;
    const dec = Math.max(2, decimalsFor(source.meta.tick || 0.01));
    const imb = frame.imb ? frame.imb[k] : NaN;
    const n = filledLevels(px);
    const beyond = n === frame.levels && k === n - 1 && (bidSide ? price < px[k] : price > px[k]);
    tooltip.replaceChildren();
    const lines = [
      `${bidSide ? "bid" : "ask"} level ${k + 1} of ${frame.levels}`,
      `price ${px[k].toFixed(dec)} ${units.price === "price" ? "" : units.price}`,
      `cumulative size ${formatSize(cum[k])} ${units.size === "size" ? "" : units.size}`,
      `imbalance, levels 1–${k + 1}: ${frame.imb ? imbalanceLabel(imb) : "– (needs the kernel)"}`,
    ];
    if (beyond) lines.push(`beyond level ${frame.levels}: not in the data`);
    for (const text of lines) child(tooltip, "div", "", text.trim());
    tooltip.hidden = false;
    const left = Math.min(hx + 10, width - tooltip.offsetWidth - 4);
    tooltip.style.left = `${Math.max(4, left)}px`;
    tooltip.style.top = `${plotT + 4}px`;
  }

  // the strip keeps room on the right for a time label centred on the last tick
  const stripBox = () => {
    const M = marginsFor(width);
    return { left: M.left, right: Math.max(M.left + 1, width - (M.axes ? 30 : M.right)), top: 6, bottom: OVERVIEW_HEIGHT - 20 };
  };

  const draw = perFrame(() => {
    theme = readTheme(root);
    const frame = currentFrame();
    drawHeader(frame);
    drawDepth(frame);
    const ctx = fitCanvas(overviewCanvas, width, OVERVIEW_HEIGHT);
    ctx.clearRect(0, 0, width, OVERVIEW_HEIGHT);
    const box = stripBox();
    drawOverview(ctx, source, box, theme);
    overviewCanvas.dataset.obiStrip = `${box.left},${box.right}`;
    markPainted(root, frame ? frame.row : null);
  }, "depth_chart");
  d.add(() => draw.cancel());

  d.on(model, "change:_frame change:height change:title", () => draw());
  d.on(source.model, "change:cursor change:_cursor_at change:time_range", () => draw());
  d.on(source.model, "change:_track change:_axis change:_meta", () => {
    source.refresh();
    draw();
  });
  attachStrip(overviewCanvas, stripBox, source, d);
  d.listen(overviewCanvas, "pointerdown", () => root.focus({ preventScroll: true }));
  d.listen(depthCanvas, "pointermove", (e) => {
    hover = { x: e.offsetX, y: e.offsetY };
    draw();
  });
  d.listen(depthCanvas, "pointerleave", () => {
    hover = null;
    draw();
  });

  // keyboard: arrows step one row (Shift: 1% of the book), PageUp/PageDown 10%, Home/End the ends.
  // Each key press moves the shared cursor at once, so fast repeats are never dropped.
  d.listen(root, "keydown", (e) => {
    const rows = source.rows;
    const pct = Math.max(1, Math.round(rows / 100));
    const moves = { ArrowRight: e.shiftKey ? pct : 1, ArrowLeft: e.shiftKey ? -pct : -1,
      PageDown: 10 * pct, PageUp: -10 * pct, Home: -rows, End: rows };
    if (!(e.key in moves)) return;
    e.preventDefault();
    source.setCursor(source.cursor + moves[e.key]);
  });

  d.add(reportWidth(root, model, source.model, (w) => {
    width = w;
    draw();
  }));
  d.add(watchTheme(() => draw()));
  draw();

  return () => {
    d.dispose();
    root.remove();
  };
}

export default { render: viewRender(render) };

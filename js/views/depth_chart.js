// DepthChart view: cumulative bid/ask depth around the mid at the cursor row, an overview strip of
// the mid over the whole book (click or drag to move the cursor), trades near the cursor time, and
// a hover read-out. Python side: obi_widgets/views/depth_chart.py (it documents the buffers).

import { blocks, float64s } from "../lib/buffers.js";
import { fitCanvas, observeWidth, perFrame } from "../lib/canvas.js";
import { decimalsFor, formatSize, linear, nearestIndex, tickStep, ticks } from "../lib/scales.js";
import { readTheme, watchTheme } from "../lib/theme.js";

const OVERVIEW_HEIGHT = 44;
const MARGIN = { left: 52, right: 14, top: 12, bottom: 26 };

/**
 * @typedef {{ bidPx: Float64Array, bidCum: Float64Array, askPx: Float64Array, askCum: Float64Array, imb: Float64Array }} Frame
 */

/**
 * Decode the `_frame` buffer: five blocks of `levels` float64 values.
 * @param {DataView | null | undefined} data
 * @param {number} levels
 * @returns {Frame}
 */
export function decodeFrame(data, levels) {
  const values = float64s(data);
  if (values.length !== 5 * levels) {
    throw new RangeError(`depth frame has ${values.length} values, expected 5 x ${levels} levels`);
  }
  const [bidPx, bidCum, askPx, askCum, imb] = blocks(values, 5);
  return { bidPx, bidCum, askPx, askCum, imb };
}

/** Number of non-empty (finite price) levels at the front of a side. */
function filledLevels(px) {
  let n = 0;
  while (n < px.length && Number.isFinite(px[n])) n++;
  return n;
}

/**
 * The price window of the depth plot: symmetric around the mid, covering every visible level.
 * @param {Frame} f
 * @returns {[number, number] | null}
 */
export function priceWindow(f) {
  const nb = filledLevels(f.bidPx);
  const na = filledLevels(f.askPx);
  if (nb === 0 && na === 0) return null;
  const best = nb ? f.bidPx[0] : f.askPx[0];
  const mid = nb && na ? (f.bidPx[0] + f.askPx[0]) / 2 : best;
  const far = Math.max(nb ? mid - f.bidPx[nb - 1] : 0, na ? f.askPx[na - 1] - mid : 0);
  const half = (far > 0 ? far : Math.abs(mid) * 1e-3 || 1) * 1.08;
  return [mid - half, mid + half];
}

/**
 * Step outline of one side: points (price, cumulative size) from the best level outwards to `edge`.
 * @param {Float64Array} px
 * @param {Float64Array} cum
 * @param {number} edge price where the outline stops (plot edge)
 * @returns {[number, number][]}
 */
export function stepOutline(px, cum, edge) {
  const n = filledLevels(px);
  if (n === 0) return [];
  const pts = [[px[0], 0], [px[0], cum[0]]];
  for (let k = 1; k < n; k++) {
    pts.push([px[k], cum[k - 1]], [px[k], cum[k]]);
  }
  pts.push([edge, cum[n - 1]], [edge, 0]);
  return pts;
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "obi-depth-chart";
  root.tabIndex = 0;
  root.setAttribute("role", "figure");
  root.innerHTML = `
    <div class="obi-header">
      <span class="obi-title"></span>
      <span class="obi-stat obi-time"></span>
      <span class="obi-stat obi-mid"></span>
      <span class="obi-stat obi-spread"></span>
      <span class="obi-stat obi-imb"><span class="obi-imb-label"></span>
        <span class="obi-gauge" aria-hidden="true"><span class="obi-gauge-bar"></span></span></span>
    </div>
    <div class="obi-plot"><canvas class="obi-depth"></canvas><div class="obi-tooltip" hidden></div></div>
    <canvas class="obi-overview" aria-label="mid price over the whole book: click or drag to move the cursor"></canvas>`;
  el.appendChild(root);
  const $ = (sel) => /** @type {HTMLElement} */ (root.querySelector(sel));
  const depthCanvas = /** @type {HTMLCanvasElement} */ ($(".obi-depth"));
  const overviewCanvas = /** @type {HTMLCanvasElement} */ ($(".obi-overview"));
  const tooltip = $(".obi-tooltip");

  let width = Math.floor(root.clientWidth) || 600;
  let theme = readTheme(root);
  /** @type {Frame | null} */
  let frame = null;
  let overview = { lo: new Float64Array(0), hi: new Float64Array(0) };
  let trades = { price: new Float64Array(0), size: new Float64Array(0), side: new Float64Array(0) };
  /** @type {{x: number, y: number} | null} */
  let hover = null;
  /** @type {ReturnType<typeof linear> | null} */
  let xScale = null;

  function decodeAll() {
    frame = decodeFrame(model.get("_frame"), model.get("levels"));
    const ov = float64s(model.get("_overview"));
    const [lo, hi] = ov.length ? blocks(ov, 2) : [ov, ov];
    overview = { lo, hi };
    const tr = float64s(model.get("_trades"));
    const [price, size, side] = tr.length ? blocks(tr, 3) : [tr, tr, tr];
    trades = { price, size, side };
  }

  function drawHeader() {
    const info = model.get("_info") || {};
    const fmt = (v, d) => (v == null ? "–" : v.toFixed(d));
    const tick = frame ? tickStep(0, Math.abs(frame.askPx[0] - frame.bidPx[0]) || 0.01, 1) : 0.01;
    const d = Math.max(2, decimalsFor(tick / 2));
    $(".obi-title").textContent = model.get("title") || "";
    $(".obi-time").textContent = `${info.time ?? ""}  ·  row ${info.row ?? "–"} / ${model.get("n_rows") - 1}`;
    $(".obi-mid").textContent = `mid ${fmt(info.mid, d)}`;
    $(".obi-spread").textContent = `spread ${fmt(info.spread, d)}`;
    const imb = info.imbalance;
    $(".obi-imb-label").textContent = `L1 imbalance ${imb == null ? "–" : (imb >= 0 ? "+" : "") + imb.toFixed(3)}`;
    const bar = $(".obi-gauge-bar");
    const v = imb == null ? 0 : Math.max(-1, Math.min(1, imb));
    bar.style.left = v >= 0 ? "50%" : `${50 + v * 50}%`;
    bar.style.width = `${Math.abs(v) * 50}%`;
    bar.style.background = v >= 0 ? theme.bid : theme.ask;
  }

  function drawDepth() {
    const height = model.get("height");
    const ctx = fitCanvas(depthCanvas, width, height);
    ctx.clearRect(0, 0, width, height);
    ctx.font = `11px ${theme.font}`;
    const plotL = MARGIN.left, plotR = width - MARGIN.right, plotT = MARGIN.top, plotB = height - MARGIN.bottom;
    const win = frame && priceWindow(frame);
    if (!frame || !win || plotR <= plotL) {
      xScale = null;
      ctx.fillStyle = theme.muted;
      ctx.fillText("empty book at this row", plotL + 8, plotT + 16);
      return;
    }
    const nb = filledLevels(frame.bidPx), na = filledLevels(frame.askPx);
    const maxCum = Math.max(nb ? frame.bidCum[nb - 1] : 0, na ? frame.askCum[na - 1] : 0) || 1;
    const x = linear(win, [plotL, plotR]);
    const y = linear([0, maxCum * 1.1], [plotB, plotT]);
    xScale = x;

    // grid and axes
    const xTicks = ticks(win[0], win[1], Math.max(2, Math.floor((plotR - plotL) / 90)));
    const xDec = decimalsFor(xTicks.length > 1 ? xTicks[1] - xTicks[0] : 1);
    const yTicks = ticks(0, maxCum * 1.1, Math.max(2, Math.floor((plotB - plotT) / 45)));
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

    // the two sides
    const side = (px, cum, edge, fill, stroke) => {
      const pts = stepOutline(px, cum, edge);
      if (!pts.length) return;
      ctx.beginPath();
      pts.forEach(([p, c], i) => (i ? ctx.lineTo(x(p), y(c)) : ctx.moveTo(x(p), y(c))));
      ctx.closePath();
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.beginPath();
      pts.slice(1, -1).forEach(([p, c], i) => (i ? ctx.lineTo(x(p), y(c)) : ctx.moveTo(x(p), y(c))));
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    };
    side(frame.bidPx, frame.bidCum, win[0], theme.bidFill, theme.bid);
    side(frame.askPx, frame.askCum, win[1], theme.askFill, theme.ask);

    // mid line
    if (nb && na) {
      const mx = Math.round(x((frame.bidPx[0] + frame.askPx[0]) / 2)) + 0.5;
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = theme.muted;
      ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(mx, plotT); ctx.lineTo(mx, plotB); ctx.stroke();
      ctx.setLineDash([]);
    }

    // trades in the window before the cursor: triangles on the price axis, area ~ size
    const maxSize = trades.size.reduce((m, v) => Math.max(m, v), 0) || 1;
    for (let i = 0; i < trades.price.length; i++) {
      const px = x(trades.price[i]);
      if (px < plotL || px > plotR) continue;
      const r = 2.5 + 5 * Math.sqrt(trades.size[i] / maxSize);
      const buy = trades.side[i] > 0, sell = trades.side[i] < 0;
      ctx.fillStyle = buy ? theme.bid : sell ? theme.ask : theme.muted;
      ctx.globalAlpha = 0.35 + 0.65 * ((i + 1) / trades.price.length); // newer trades more opaque
      ctx.beginPath();
      ctx.moveTo(px, plotB - 2 * r - 1); ctx.lineTo(px - r, plotB - 1); ctx.lineTo(px + r, plotB - 1);
      ctx.closePath();
      ctx.fill();
    }
    ctx.globalAlpha = 1;

    drawHover(ctx, plotT, plotB, y);
  }

  function drawHover(ctx, plotT, plotB, y) {
    if (!hover || !frame || !xScale) {
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
    const imb = frame.imb[k];
    const step = px.length > 1 && Number.isFinite(px[1]) ? Math.abs(px[1] - px[0]) : 0.01;
    tooltip.innerHTML = "";
    const lines = [
      `${bidSide ? "bid" : "ask"} level ${k}`,
      `price ${px[k].toFixed(Math.max(2, decimalsFor(step)))}`,
      `cumulative size ${formatSize(cum[k])}`,
      `imbalance through level ${k}: ${Number.isFinite(imb) ? (imb >= 0 ? "+" : "") + imb.toFixed(3) : "–"}`,
    ];
    for (const text of lines) {
      const div = document.createElement("div");
      div.textContent = text;
      tooltip.appendChild(div);
    }
    tooltip.hidden = false;
    const left = Math.min(hx + 10, width - tooltip.offsetWidth - 4);
    tooltip.style.left = `${Math.max(4, left)}px`;
    tooltip.style.top = `${plotT + 4}px`;
  }

  function drawOverview() {
    const ctx = fitCanvas(overviewCanvas, width, OVERVIEW_HEIGHT);
    ctx.clearRect(0, 0, width, OVERVIEW_HEIGHT);
    const { lo, hi } = overview;
    const n = lo.length;
    const rows = model.get("n_rows");
    const left = MARGIN.left, right = width - MARGIN.right, top = 6, bottom = OVERVIEW_HEIGHT - 6;
    ctx.strokeStyle = theme.grid;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (lo[i] < min) min = lo[i];
      if (hi[i] > max) max = hi[i];
    }
    if (n && Number.isFinite(min)) {
      if (max === min) { max += 0.5; min -= 0.5; }
      const y = linear([min, max], [bottom - 2, top + 2]);
      const x = linear([0, n], [left, right]);
      ctx.strokeStyle = theme.muted;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(lo[i])) continue;
        const px = x(i + 0.5);
        ctx.moveTo(px, y(lo[i]) + 0.5);
        ctx.lineTo(px, y(hi[i]) - 0.5);
      }
      ctx.stroke();
    }
    ctx.fillStyle = theme.muted;
    ctx.font = `10px ${theme.font}`;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText("mid", left - 6, (top + bottom) / 2);
    const cx = Math.round(rowToX(model.get("cursor"), rows)) + 0.5;
    ctx.strokeStyle = theme.accent;
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(cx, top - 4); ctx.lineTo(cx, bottom + 4); ctx.stroke();
  }

  function rowToX(row, rows) {
    const left = MARGIN.left, right = width - MARGIN.right;
    return rows > 1 ? left + (row / (rows - 1)) * (right - left) : left;
  }

  function xToRow(px) {
    const rows = model.get("n_rows");
    const left = MARGIN.left, right = width - MARGIN.right;
    const f = Math.min(1, Math.max(0, (px - left) / Math.max(1, right - left)));
    return Math.round(f * (rows - 1));
  }

  const draw = perFrame(() => {
    theme = readTheme(root);
    drawHeader();
    drawDepth();
    drawOverview();
    if (root.dataset.obiReady !== "true") root.dataset.obiReady = "true";
  });

  const setCursor = perFrame((row) => {
    const rows = model.get("n_rows");
    const r = Math.min(rows - 1, Math.max(0, row));
    if (r !== model.get("cursor")) {
      model.set("cursor", r);
      model.save_changes();
    }
  });

  // -- model events
  const onData = () => {
    decodeAll();
    draw();
  };
  const onRedraw = () => draw();
  /** @type {[string, () => void][]} */
  const subscriptions = [
    ...["_frame", "_overview", "_trades"].map((k) => [`change:${k}`, onData]),
    ...["_info", "cursor", "height", "title"].map((k) => [`change:${k}`, onRedraw]),
  ];
  for (const [event, handler] of subscriptions) model.on(event, handler);

  // -- pointer on the overview strip: click or drag to move the cursor
  let dragging = false;
  const onDown = (e) => {
    dragging = true;
    overviewCanvas.setPointerCapture?.(e.pointerId);
    setCursor(xToRow(e.offsetX));
    root.focus({ preventScroll: true });
  };
  const onMove = (e) => dragging && setCursor(xToRow(e.offsetX));
  const onUp = (e) => {
    dragging = false;
    overviewCanvas.releasePointerCapture?.(e.pointerId);
  };
  overviewCanvas.addEventListener("pointerdown", onDown);
  overviewCanvas.addEventListener("pointermove", onMove);
  overviewCanvas.addEventListener("pointerup", onUp);
  overviewCanvas.addEventListener("pointercancel", onUp);

  // -- hover read-out on the depth plot
  const onHover = (e) => {
    hover = { x: e.offsetX, y: e.offsetY };
    draw();
  };
  const onLeave = () => {
    hover = null;
    draw();
  };
  depthCanvas.addEventListener("pointermove", onHover);
  depthCanvas.addEventListener("pointerleave", onLeave);

  // -- keyboard: arrows step one row (Shift: 1% of the book), Home/End jump to the ends
  const onKey = (e) => {
    const rows = model.get("n_rows");
    const big = Math.max(1, Math.round(rows / 100));
    const cur = model.get("cursor");
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -rows, End: rows };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const step = moves[e.key];
    setCursor(cur + (e.shiftKey && Math.abs(step) === 1 ? step * big : step));
  };
  root.addEventListener("keydown", onKey);

  // -- size and theme
  const stopWidth = observeWidth(root, (w) => {
    width = w;
    if (Math.abs(model.get("_width") - w) >= 1) {
      model.set("_width", w);
      model.save_changes();
    }
    draw();
  });
  const stopTheme = watchTheme(() => draw());

  onData();

  return () => {
    draw.cancel();
    setCursor.cancel();
    stopWidth();
    stopTheme();
    for (const [event, handler] of subscriptions) model.off(event, handler);
    root.remove();
  };
}

export default { render };

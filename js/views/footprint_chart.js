// FootprintChart view: per bar and per price, seller- x buyer-initiated volume ("sell x buy" in the
// cells when they fit, coloured by delta), each bar's point of control, diagonal imbalances,
// stacked-imbalance zones, the bar delta and volume rows, the shared cursor; wheel / drag zoom and
// pan the shared time range, a click moves the cursor. Python side: obi_widgets/views/footprint_chart.py
// (documents the buffers; the numbers are metrics.footprint's). Helpers: footprint_chart_layout.js
// (pure), footprint_chart_draw.js (canvas).

import { decode } from "../lib/buffers.js";
import { fitCanvas, perFrame } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { reportWidth } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { panRange, zoomRange } from "../lib/ranges.js";
import { decimalsFor, formatSize } from "../lib/scales.js";
import { redrawOnSource, sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { throttle } from "../lib/throttle.js";
import { formatClock, formatDateTime, formatDuration } from "../lib/timeaxis.js";
import { Tooltip } from "../lib/tooltip.js";
import { ROW_H, drawBarRows, drawCells, drawCursor, drawPriceAxis } from "./footprint_chart_draw.js";
import { FLAG, geometry, hit, readFrame, roundVolume, rowPrice, xToTime } from "./footprint_chart_layout.js";

// left + right = CHROME_X, top + bottom = CHROME_Y in Python
const MARGIN = { left: 8, right: 64, top: 4, bottom: 2 * ROW_H + 30 };
const SEND_MS = 120;

/** @typedef {import("./footprint_chart_layout.js").Frame} Frame */

/**
 * @param {{ model: any, el: HTMLElement }} props
 */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const d = new Disposer();
  const root = createRoot(el, "footprint-chart", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const spanEl = child(header, "span", "obi-stat obi-span");
  const barsEl = child(header, "span", "obi-stat obi-bars");
  const statusEl = child(header, "span", "obi-stat obi-status");
  const legend = child(header, "span", "obi-legend");
  const plot = child(root, "div", "obi-plot");
  const canvas = child(plot, "canvas", "obi-footprint");
  canvas.setAttribute("aria-label", "footprint: sell x buy volume per bar and price; wheel to zoom, drag to pan, click to move the cursor");
  const tooltip = new Tooltip(plot);

  let width = Math.floor(root.clientWidth) || 800;
  let theme = readTheme(root);
  /** @type {Frame} */
  let frame = readFrame(decode(model.get("_frame")));
  let viewT = source.timeRange;
  /** @type {{ x: number, y: number } | null} */ let hover = null;

  const box = () => ({
    left: MARGIN.left, right: Math.max(MARGIN.left + 1, width - MARGIN.right),
    top: MARGIN.top, bottom: Math.max(MARGIN.top + 1, model.get("height") - MARGIN.bottom),
  });
  const bounds = () => {
    const [a, b] = source.extent;
    return /** @type {[number, number]} */ (b > a ? [a, b] : viewT);
  };
  const pending = () => Math.abs(Number(frame.meta.t0) - viewT[0]) > 1e-3 || Math.abs(Number(frame.meta.t1) - viewT[1]) > 1e-3;

  function drawHeader() {
    const m = frame.meta;
    title.textContent = model.get("title") || "";
    spanEl.textContent = `${formatDateTime(viewT[0])} – ${formatClock(viewT[1], 0)}  (${formatDuration(viewT[1] - viewT[0])})`;
    const shown = frame.nBars, total = Number(m.total_bars) || 0;
    const kind = m.bar_kind === "time" ? `${m.bar} bars` : m.bar_kind === "trades" ? `bars of ${String(m.bar).trim()}` : `bars of ${String(m.bar).replace(/\s*rows?$/, "")} book rows`;
    const rows = Number(m.row_ticks) > 1 ? `, ${m.row_ticks}-tick rows` : "";
    barsEl.textContent = `${kind}${rows} · signed by ${m.method ?? "?"}` + (total > shown ? ` · last ${shown} of ${total} bars (zoom in)` : "");
    statusEl.textContent = m.note ? String(m.note) : pending() ? "updating…" : "";
    legend.textContent = `sell x buy · imbalance ≥ ${m.imbalance_ratio ?? 3}x diagonal · stacked ≥ ${m.stacked ?? 3}`;
  }

  const draw = perFrame(() => {
    const height = model.get("height");
    const ctx = fitCanvas(canvas, width, height);
    const b = box();
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, width, height);
    if (frame.nBars) {
      drawCells(ctx, frame, b, theme);
      drawPriceAxis(ctx, frame, b, width, source.units.price, theme);
      drawBarRows(ctx, frame, b, width, theme);
      drawCursor(ctx, frame, b, source.cursorTime, theme);
      drawHover(ctx, b);
    } else {
      tooltip.hide();
      ctx.fillStyle = theme.muted;
      ctx.font = `12px ${theme.font}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(String(frame.meta.note || "no trades in the visible time"), width / 2, height / 2);
    }
    drawHeader();
    markPainted(root, source.cursor);
  }, "footprint_chart");
  d.add(() => draw.cancel());

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {{ left: number, right: number, top: number, bottom: number }} b
   */
  function drawHover(ctx, b) {
    if (!hover) {
      tooltip.hide();
      return;
    }
    const f = frame;
    const inRows = hover.y >= b.bottom && hover.y < b.bottom + 2 * ROW_H + 2;
    const h = hit(f, b, hover.x, inRows ? b.bottom - 1 : hover.y);
    if (!h) {
      tooltip.hide();
      return;
    }
    const { colW, rowH } = geometry(f, b);
    ctx.save();
    ctx.strokeStyle = theme.dark ? "rgba(255,255,255,0.6)" : "rgba(0,0,0,0.5)";
    ctx.lineWidth = 1;
    const x0 = b.left + h.bar * colW;
    if (inRows) ctx.strokeRect(Math.round(x0) + 0.5, b.top + 0.5, Math.round(colW) - 1, b.bottom - b.top + 2 * ROW_H);
    else ctx.strokeRect(Math.round(x0) + 0.5, Math.round(b.bottom - (h.row + 1) * rowH) + 0.5, Math.round(colW) - 1, Math.max(1, Math.round(rowH) - 1));
    ctx.restore();
    const su = source.units.size === "size" ? "" : ` ${source.units.size}`;
    const dec = decimalsFor(Number(f.meta.tick) || f.rowPx);
    const v = (/** @type {number} */ x) => `${formatSize(roundVolume(x))}${su}`;
    const i = h.bar;
    /** @type {(string | [string, string])[]} */
    const lines = [["bar", `${formatDateTime(f.t0[i])} – ${formatClock(f.t1[i], 0)}`]];
    if (!inRows) {
      const p = rowPrice(f, h.row);
      const k = Number(f.meta.row_ticks) || 1;
      const price = k > 1 ? `${p.toFixed(dec)} – ${(p + (k - 1) * Number(f.meta.tick)).toFixed(dec)}` : p.toFixed(dec);
      lines.push(["price", price]);
      const c = h.cell;
      if (c < 0) lines.push(["traded", "–"]);
      else {
        lines.push(["sell x buy", `${formatSize(roundVolume(f.sell[c]))} x ${formatSize(roundVolume(f.buy[c]))}`]);
        const delta = f.buy[c] - f.sell[c];
        lines.push(["delta", `${delta > 0 ? "+" : ""}${v(delta)}`]);
        lines.push(["volume", v(f.sell[c] + f.buy[c] + f.unsigned[c])]);
        if (f.unsigned[c] > 0) lines.push(["unsigned", v(f.unsigned[c])]);
        lines.push(["trades", String(f.trades[c])]);
        const fl = f.flags[c];
        const r = f.meta.imbalance_ratio;
        if (fl & FLAG.BUY_IMB) lines.push(`buy imbalance: buy ≥ ${r}x sell one row below${fl & FLAG.BUY_STACK ? " (stacked)" : ""}`);
        if (fl & FLAG.SELL_IMB) lines.push(`sell imbalance: sell ≥ ${r}x buy one row above${fl & FLAG.SELL_STACK ? " (stacked)" : ""}`);
        if (fl & FLAG.POC) lines.push("point of control of the bar");
      }
    }
    lines.push(["bar delta", `${f.delta[i] > 0 ? "+" : ""}${v(f.delta[i])}`]);
    lines.push(["bar volume", v(f.total[i])]);
    lines.push(["bar POC", f.poc[i].toFixed(dec)]);
    tooltip.show(lines, hover.x, Math.min(hover.y, Math.max(b.top, b.bottom - 16 * lines.length - 16)), width);
  }

  // -- zoom, pan, click ---------------------------------------------------------------------
  const sendTime = throttle(() => source.setTimeRange(viewT), SEND_MS);
  d.add(() => sendTime.cancel());
  const minSpan = () => Math.max(1e-3, (bounds()[1] - bounds()[0]) * 1e-7);
  /** time under x: on the drawn bars, else linear on the view */
  const timeAt = (/** @type {number} */ x) => {
    const b = box();
    const t = xToTime(frame, b, x);
    return Number.isFinite(t) ? t : viewT[0] + ((x - b.left) / (b.right - b.left)) * (viewT[1] - viewT[0]);
  };

  d.listen(canvas, "wheel", (/** @type {WheelEvent} */ e) => {
    const b = box();
    if (e.offsetX < b.left || e.offsetX > b.right || e.offsetY < b.top) return;
    e.preventDefault();
    const delta = (e.deltaY || e.deltaX) * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    const factor = Math.exp(Math.max(-3, Math.min(3, delta * 0.0015)));
    const at = Math.max(viewT[0], Math.min(viewT[1], timeAt(e.offsetX)));
    viewT = zoomRange(viewT, at, factor, bounds(), minSpan());
    sendTime();
    draw();
  }, { passive: false });

  /** @type {{ x: number, t: [number, number], moved: boolean } | null} */
  let drag = null;
  d.listen(canvas, "pointerdown", (/** @type {PointerEvent} */ e) => {
    if (e.button !== 0) return;
    root.focus({ preventScroll: true });
    drag = { x: e.offsetX, t: viewT, moved: false };
    canvas.setPointerCapture?.(e.pointerId);
  });
  d.listen(canvas, "pointermove", (/** @type {PointerEvent} */ e) => {
    hover = { x: e.offsetX, y: e.offsetY };
    if (drag) {
      const dx = e.offsetX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (drag.moved) {
        const b = box();
        viewT = panRange(drag.t, (-dx / (b.right - b.left)) * (drag.t[1] - drag.t[0]), bounds());
        sendTime();
        canvas.classList.add("obi-dragging");
      }
    }
    draw();
  });
  const endDrag = (/** @type {PointerEvent} */ e) => {
    if (!drag) return;
    const click = !drag.moved;
    drag = null;
    canvas.classList.remove("obi-dragging");
    if (click && e.type === "pointerup" && frame.nBars) {
      const b = box();
      if (e.offsetX < b.left || e.offsetX > b.right) return;
      source.setCursor(source.rowAt(timeAt(e.offsetX)));
    }
  };
  d.listen(canvas, "pointerup", endDrag);
  d.listen(canvas, "pointercancel", endDrag);
  d.listen(canvas, "pointerleave", () => {
    hover = null;
    draw();
  });
  d.listen(canvas, "dblclick", () => {
    viewT = bounds();
    sendTime.cancel();
    source.setTimeRange(viewT);
    draw();
  });
  d.listen(root, "keydown", (/** @type {KeyboardEvent} */ e) => {
    const span = viewT[1] - viewT[0], mid = (viewT[0] + viewT[1]) / 2;
    if (e.key === "+" || e.key === "=") viewT = zoomRange(viewT, mid, 0.7, bounds(), minSpan());
    else if (e.key === "-") viewT = zoomRange(viewT, mid, 1 / 0.7, bounds(), minSpan());
    else if (e.key === "ArrowLeft" || e.key === "ArrowRight") viewT = panRange(viewT, (e.key === "ArrowLeft" ? -0.1 : 0.1) * span, bounds());
    else if (e.key === "0" || e.key === "Escape") viewT = bounds();
    else return;
    e.preventDefault();
    sendTime();
    draw();
  });

  // -- model events ---------------------------------------------------------------------------
  d.on(model, "change:_frame", () => {
    frame = readFrame(decode(model.get("_frame")));
    draw();
  });
  d.on(model, "change:height change:title", () => draw());
  redrawOnSource(d, source, draw, () => {
    viewT = source.timeRange;
  });
  d.add(reportWidth(root, model, source.model, (w) => {
    width = w;
    draw();
  }));
  d.add(watchTheme(() => {
    theme = readTheme(root);
    draw();
  }));
  draw();

  return () => {
    d.dispose();
    root.remove();
  };
}

export default { render: viewRender(render) };

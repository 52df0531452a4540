// DepthHeatmap view: resting size on time x price (Bookmap-style), best bid / ask step lines,
// trades as volume dots, a colour legend, and zoom / pan that move the shared time range.
// Python side: obi_widgets/views/depth_heatmap.py (documents the buffers). The coarse overview of
// the whole book draws at once while Python re-bins the visible window at screen resolution.

import { decode } from "../lib/buffers.js";
import { fitCanvas, perFrame } from "../lib/canvas.js";
import { lut } from "../lib/colormap.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { panRange, zoomRange } from "../lib/ranges.js";
import { throttle } from "../lib/throttle.js";
import { kernelNote, kernelReachable, reportWidth, setAndSave } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { decimalsFor, formatSize, linear } from "../lib/scales.js";
import { redrawOnSource, sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { drawTimeAxis, formatClock, formatDateTime, formatDuration } from "../lib/timeaxis.js";
import { Tooltip } from "../lib/tooltip.js";
import { drawBest, drawDots, drawLegend, drawPriceAxis, drawRaster, imageCanvas } from "./depth_heatmap_draw.js";
import {
  autoPrice, cellAt, colorize, colorizeColumns, cutoffValues, cutsClose, dotIndex, dotReference, dotSlice, readRaster,
  rowNear, scrollShift,
} from "./depth_heatmap_raster.js";

const MARGIN = { left: 8, right: 68, top: 4, bottom: 28 }; // left + right = CHROME_X in Python
const SEND_MS = 120; // at most one range update to the kernel per this many ms while zooming
const DOT_PX = 6; // raster slices per trade-dot slice (as in Python): a live raster repaints its last ones

/**
 * @typedef {import("./depth_heatmap_raster.js").Raster} Raster
 * @typedef {{ r: Raster, image: HTMLCanvasElement, ref: number }} Layer
 */

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const d = new Disposer();
  const root = createRoot(el, "depth-heatmap", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const spanEl = child(header, "span", "obi-stat obi-span");
  const statusEl = child(header, "span", "obi-stat obi-status");
  const legend = child(header, "span", "obi-legend");
  const legendCanvas = child(legend, "canvas", "obi-legend-bar");
  const legendLabel = child(legend, "span", "obi-legend-label");
  const plot = child(root, "div", "obi-plot");
  const canvas = child(plot, "canvas", "obi-heatmap");
  canvas.setAttribute("aria-label", "resting size over time and price: wheel to zoom, drag to pan, click to move the cursor");
  const tooltip = new Tooltip(plot);

  let width = Math.floor(root.clientWidth) || 600;
  let theme = readTheme(root);
  /** @type {Layer | null} */ let overview = null;
  /** @type {Layer | null} */ let fine = null;
  /** @type {[number, number]} */ let cut = [NaN, NaN];
  let table = lut(theme.dark ? "heat" : "heat-light");
  /** the visible window: time from the shared source, price explicit or null (automatic) */
  let viewT = source.timeRange;
  /** @type {[number, number] | null} */ let viewP = model.get("price_range") || null;
  /** @type {{ x: number, y: number } | null} */ let hover = null;

  const log = () => model.get("scale") === "log";
  const box = () => ({ left: MARGIN.left, right: Math.max(MARGIN.left + 1, width - MARGIN.right),
    top: MARGIN.top, bottom: Math.max(MARGIN.top + 1, model.get("height") - MARGIN.bottom) });
  const bounds = () => {
    const [a, b] = source.extent;
    return /** @type {[number, number]} */ (b > a ? [a, b] : viewT);
  };
  const layerOf = (/** @type {Raster | null} */ r) =>
    r ? { r, image: imageCanvas(colorize(r, cut, log(), table), r.nT, r.nP), ref: dotReference(r) } : null;
  // the fine raster covers the view (a live one is on a fixed grid a little wider than the view)
  const fineCovers = () => !!fine && fine.r.t0 <= viewT[0] + 1e-6 && fine.r.t1 >= viewT[1] - 1e-6;
  // less detail than the screen could show: no fine raster over the view, or one stretched past
  // 3 px a slice (Python sends 2: zoomed in without a kernel to send the finer one, or while it is on its way)
  const coarseView = () => {
    if (!fine || !fineCovers()) return true;
    const b = box();
    const perColumn = (fine.r.t1 - fine.r.t0) / Math.max(1, fine.r.nT);
    return perColumn > (3 * (viewT[1] - viewT[0])) / Math.max(1, b.right - b.left);
  };

  /**
   * A live source's next raster on the same grid: scroll the image painted so far and paint only
   * the slices that are new or may have changed (the last trade-dot slice of the previous one).
   * @param {Raster} rf
   * @returns {boolean} whether it could
   */
  function scrollFine(rf) {
    if (!fine || !source.meta.live) return false;
    const shift = scrollShift(fine.r, rf);
    const pct = model.get("cutoffs") || [1, 99.5];
    const next = cutoffValues(rf.cells, [pct[0], pct[1]]);
    if (shift < 0 || !cutsClose(cut, next)) return false;
    const s0 = Math.max(0, rf.nT - shift - DOT_PX);
    const image = document.createElement("canvas");
    image.width = rf.nT;
    image.height = rf.nP;
    const ctx = /** @type {CanvasRenderingContext2D} */ (image.getContext("2d"));
    ctx.drawImage(fine.image, -shift, 0);
    const w = rf.nT - s0;
    if (w > 0) ctx.putImageData(new ImageData(/** @type {any} */ (colorizeColumns(rf, cut, log(), table, s0, rf.nT)), w, rf.nP), s0, 0);
    fine = { r: rf, image, ref: dotReference(rf) };
    root.dataset.obiPainted = String(w);
    return true;
  }

  /** Decode the payloads, recompute the cut-offs (from the visible, fine raster) and the images. */
  function rebuild(/** @type {boolean} */ decodeAgain = true) {
    /** @type {Raster | null} */
    let rf = fine?.r ?? null, ro = overview?.r ?? null;
    if (decodeAgain) {
      rf = readRaster(decode(model.get("_raster")));
      ro = readRaster(decode(model.get("_overview")));
    }
    table = lut(theme.dark ? "heat" : "heat-light");
    const pct = model.get("cutoffs") || [1, 99.5];
    cut = cutoffValues((rf ?? ro)?.cells ?? [], [pct[0], pct[1]]);
    if (!Number.isFinite(cut[0]) && ro) cut = cutoffValues(ro.cells, [pct[0], pct[1]]);
    fine = layerOf(rf);
    overview = layerOf(ro);
    if (rf) root.dataset.obiPainted = String(rf.nT);
  }

  /** The price window: explicit, else automatic from the best prices of the visible time (from the
   * fine raster where it covers the view, from the overview elsewhere: no jump when Python answers). */
  function priceWindow() {
    if (viewP) return viewP;
    const [v0, v1] = viewT;
    /** @type {[number, number][]} */
    const parts = [];
    const add = (/** @type {Raster | undefined} */ r, /** @type {number} */ a, /** @type {number} */ b) => {
      const w = r && b > a ? autoPrice(r, a, b) : null;
      if (w) parts.push(w);
    };
    if (fine) {
      const f = fine.r;
      add(f, Math.max(v0, f.t0), Math.min(v1, f.t1));
      if (v0 < f.t0) add(overview?.r, v0, Math.min(v1, f.t0));
      if (v1 > f.t1) add(overview?.r, Math.max(v0, f.t1), v1);
    } else add(overview?.r, v0, v1);
    if (!parts.length) {
      // no best price in the visible time (e.g. a zero-width raster): the raster's own range
      const r = fine?.r ?? overview?.r;
      return /** @type {[number, number]} */ (r && r.p1 > r.p0 ? [r.p0, r.p1] : [0, 1]);
    }
    return /** @type {[number, number]} */ ([Math.min(...parts.map((w) => w[0])), Math.max(...parts.map((w) => w[1]))]);
  }

  const scales = (/** @type {[number, number]} */ p) => {
    const b = box();
    return { x: linear(viewT, [b.left, b.right]), y: linear(p, [b.bottom, b.top]) };
  };

  function drawHeader(/** @type {boolean} */ coarse) {
    title.textContent = model.get("title") || "";
    spanEl.textContent = `${formatDateTime(viewT[0])} – ${formatClock(viewT[1], 0)}  (${formatDuration(viewT[1] - viewT[0])})`;
    const kernel = kernelReachable(source.model);
    statusEl.textContent = coarse ? (kernel ? "coarse" : "coarse (finer detail needs the kernel)") : "";
    statusEl.title = coarse ? `drawn from the raster the page holds: ${kernelNote(source.model, "finer detail")}` : "";
    const units = source.units;
    const k = fine?.r.k ?? 1;
    legendLabel.textContent = `resting ${units.size === "size" ? "size" : units.size} per price level${k > 1 ? ` (${k}-tick buckets)` : ""}, ${log() ? "log" : "linear"}`;
    drawLegend(legendCanvas, table, cut, log(), theme);
  }

  const draw = perFrame(() => {
    const height = model.get("height");
    const ctx = fitCanvas(canvas, width, height);
    const b = box();
    const p = priceWindow();
    const view = { t: viewT, p };
    const sc = scales(p);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = `rgb(${table[0]},${table[1]},${table[2]})`;
    ctx.fillRect(b.left, b.top, b.right - b.left, b.bottom - b.top);
    const coarse = coarseView();
    if (overview) drawRaster(ctx, overview.image, overview.r, view, b);
    if (fine) drawRaster(ctx, fine.image, fine.r, view, b);
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.right - b.left, b.bottom - b.top);
    ctx.clip();
    const fineSpan = /** @type {[number, number]} */ (fine ? [fine.r.t0, fine.r.t1] : [Infinity, -Infinity]);
    const outside = /** @type {[number, number][]} */ ([[-Infinity, fineSpan[0]], [fineSpan[1], Infinity]]);
    if (model.get("show_trades")) {
      if (overview) for (const span of outside) drawDots(ctx, overview.r, sc, span, b, (fine ?? overview).ref, theme);
      if (fine) drawDots(ctx, fine.r, sc, fineSpan, b, fine.ref, theme);
    }
    // best bid / ask over the dots: the spread stays readable in busy markets
    if (overview) for (const span of outside) drawBest(ctx, overview.r, sc, span, theme);
    if (fine) drawBest(ctx, fine.r, sc, fineSpan, theme);
    // the shared cursor
    const cx = Math.round(sc.x(source.cursorTime)) + 0.5;
    if (cx >= b.left && cx <= b.right) {
      ctx.strokeStyle = theme.dark ? "rgba(255,255,255,0.9)" : "rgba(0,0,0,0.8)";
      ctx.setLineDash([5, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(cx, b.top); ctx.lineTo(cx, b.bottom); ctx.stroke();
      ctx.setLineDash([]);
    }
    drawHover(ctx, sc, b);
    ctx.restore();
    drawPriceAxis(ctx, view, sc, b, width, fine?.r.tick ?? overview?.r.tick ?? 0.01, source.units.price, theme);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, b.bottom, width, height - b.bottom);
    drawTimeAxis(ctx, sc.x, viewT[0], viewT[1], b.left, b.right, b.bottom, theme);
    drawHeader(coarse);
    markPainted(root, source.cursor);
  }, "depth_heatmap");
  d.add(() => draw.cancel());

  function drawHover(ctx, sc, b) {
    if (!hover || hover.x < b.left || hover.x > b.right || hover.y < b.top || hover.y > b.bottom) {
      tooltip.hide();
      return;
    }
    const t = sc.x.invert(hover.x), p = sc.y.invert(hover.y);
    const layer = fine && cellAt(fine.r, t, p) ? fine : overview;
    const cell = layer ? cellAt(layer.r, t, p) : null;
    ctx.strokeStyle = theme.dark ? "rgba(255,255,255,0.35)" : "rgba(0,0,0,0.3)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(b.left, Math.round(hover.y) + 0.5); ctx.lineTo(b.right, Math.round(hover.y) + 0.5);
    ctx.moveTo(Math.round(hover.x) + 0.5, b.top); ctx.lineTo(Math.round(hover.x) + 0.5, b.bottom);
    ctx.stroke();
    const units = source.units;
    const su = units.size === "size" ? "" : ` ${units.size}`;
    const pu = units.price === "price" ? "" : ` ${units.price}`;
    /** @type {(string | [string, string])[]} */
    const lines = [["time", formatDateTime(t)]];
    if (!layer || !cell) {
      lines.push(["price", `${p.toFixed(decimalsFor(layer?.r.tick ?? 0.01))}${pu}`], ["resting", "–"]);
    } else {
      const r = layer.r;
      const dec = decimalsFor(r.tick);
      const price = r.k > 1 ? `${cell.pLo.toFixed(dec)} – ${cell.pHi.toFixed(dec)}` : cell.pLo.toFixed(dec);
      lines.push(["price", `${price}${pu}`]);
      const rest = `${formatSize(Number(cell.value.toPrecision(4)))}${su}${r.k > 1 ? " per level" : ""}`;
      lines.push(["resting (time-weighted)", rest]);
      const i = r.dots.n ? dotIndex(r, dotSlice(r, t), cell.b) : -1;
      if (i >= 0) {
        const dd = r.dots;
        const vol = dd.buy[i] + dd.sell[i] + dd.other[i];
        lines.push(["traded", `${formatSize(Number(vol.toPrecision(4)))}${su} @ ${dd.px[i].toFixed(dec + 1)}`]);
        lines.push(["buy / sell", `${formatSize(Number(dd.buy[i].toPrecision(4)))} / ${formatSize(Number(dd.sell[i].toPrecision(4)))}${dd.other[i] > 0 ? ` (+${formatSize(Number(dd.other[i].toPrecision(4)))} unsigned)` : ""}`]);
      } else {
        lines.push(["traded", "–"]);
      }
      if (layer === overview && fine !== overview) lines.push("(coarse overview)");
    }
    tooltip.show(lines, hover.x, Math.min(hover.y, b.bottom - 16 * lines.length - 16), width); // stays inside the plot
  }

  // -- zoom, pan, click -----------------------------------------------------------------------
  const sendTime = throttle(() => source.setTimeRange(viewT), SEND_MS);
  const sendPrice = throttle(() => setAndSave(model, "price_range", viewP, source.model), SEND_MS);
  d.add(() => sendTime.cancel());
  d.add(() => sendPrice.cancel());

  const minSpan = () => Math.max(1e-3, (bounds()[1] - bounds()[0]) * 1e-7);
  const tickOf = () => fine?.r.tick ?? overview?.r.tick ?? 0.01;

  /** @param {WheelEvent} e */
  function onWheel(e) {
    const b = box();
    if (e.offsetX < b.left || e.offsetX > width || e.offsetY < b.top || e.offsetY > b.bottom) return;
    e.preventDefault();
    const delta = (e.deltaY || e.deltaX) * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    const factor = Math.exp(Math.max(-3, Math.min(3, delta * 0.0015)));
    const p = priceWindow();
    const sc = scales(p);
    if (e.shiftKey || e.offsetX > b.right) {
      viewP = zoomRange(p, sc.y.invert(e.offsetY), factor, null, 3 * tickOf());
      sendPrice();
    } else {
      viewT = zoomRange(viewT, sc.x.invert(Math.min(e.offsetX, b.right)), factor, bounds(), minSpan());
      sendTime();
    }
    draw();
  }
  d.listen(canvas, "wheel", onWheel, { passive: false });

  /** @type {{ x: number, y: number, t: [number, number], p: [number, number], moved: boolean, id: number } | null} */
  let drag = null;
  d.listen(canvas, "pointerdown", (/** @type {PointerEvent} */ e) => {
    if (e.button !== 0) return;
    root.focus({ preventScroll: true });
    drag = { x: e.offsetX, y: e.offsetY, t: viewT, p: priceWindow(), moved: false, id: e.pointerId };
    canvas.setPointerCapture?.(e.pointerId);
  });
  d.listen(canvas, "pointermove", (/** @type {PointerEvent} */ e) => {
    hover = { x: e.offsetX, y: e.offsetY };
    if (drag) {
      const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
      if (Math.abs(dx) > 3 || Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) {
        const b = box();
        const spanT = drag.t[1] - drag.t[0], spanP = drag.p[1] - drag.p[0];
        viewT = panRange(drag.t, (-dx / (b.right - b.left)) * spanT, bounds());
        sendTime();
        if (viewP || Math.abs(dy) > 8) {
          viewP = panRange(drag.p, (dy / (b.bottom - b.top)) * spanP, null);
          sendPrice();
        }
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
    if (click && e.type === "pointerup") {
      const b = box();
      if (e.offsetX < b.left || e.offsetX > b.right || e.offsetY > b.bottom) return;
      const t = scales(priceWindow()).x.invert(e.offsetX);
      const near = fine ? rowNear(fine.r, t) : null;
      source.setCursor(near ?? source.rowAt(t));
    }
  };
  d.listen(canvas, "pointerup", endDrag);
  d.listen(canvas, "pointercancel", endDrag);
  d.listen(canvas, "pointerleave", () => {
    hover = null;
    draw();
  });
  d.listen(canvas, "dblclick", () => reset());

  function reset() {
    viewT = bounds();
    viewP = null;
    sendTime.cancel();
    sendPrice.cancel();
    source.setTimeRange(viewT);
    setAndSave(model, "price_range", null, source.model);
    draw();
  }

  // keyboard: +/- zoom, arrows pan (Shift+arrows: price), 0 or Escape resets
  d.listen(root, "keydown", (/** @type {KeyboardEvent} */ e) => {
    const span = viewT[1] - viewT[0];
    const mid = (viewT[0] + viewT[1]) / 2;
    const p = priceWindow();
    if (e.key === "+" || e.key === "=") viewT = zoomRange(viewT, mid, 0.7, bounds(), minSpan());
    else if (e.key === "-") viewT = zoomRange(viewT, mid, 1 / 0.7, bounds(), minSpan());
    else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && !e.shiftKey)
      viewT = panRange(viewT, (e.key === "ArrowLeft" ? -0.1 : 0.1) * span, bounds());
    else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
      viewP = panRange(p, (e.key === "ArrowUp" ? 0.1 : -0.1) * (p[1] - p[0]), null);
      sendPrice();
      e.preventDefault();
      draw();
      return;
    } else if (e.key === "0" || e.key === "Escape") return reset();
    else return;
    e.preventDefault();
    sendTime();
    draw();
  });

  // -- model events ---------------------------------------------------------------------------
  d.on(model, "change:_raster", () => {
    const rf = readRaster(decode(model.get("_raster")));
    if (!rf || !scrollFine(rf)) rebuild();
    draw();
  });
  d.on(model, "change:_overview", () => {
    rebuild();
    draw();
  });
  d.on(model, "change:cutoffs change:scale", () => {
    rebuild(false);
    draw();
  });
  d.on(model, "change:price_range", () => {
    viewP = model.get("price_range") || null;
    draw();
  });
  d.on(model, "change:height change:title change:show_trades", () => draw());
  redrawOnSource(d, source, draw, () => {
    viewT = source.timeRange;
  });

  d.add(reportWidth(root, model, source.model, (w) => {
    width = w;
    draw();
  }));
  d.add(watchTheme(() => {
    theme = readTheme(root);
    rebuild(false);
    draw();
  }));
  rebuild();
  draw();

  return () => {
    d.dispose();
    root.remove();
  };
}

export default { render: viewRender(render) };

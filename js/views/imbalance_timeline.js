// ImbalanceTimeline view: the mid (min/max per pixel) on top and one panel per series below, on
// the shared time axis of a BookSource. Drag to brush a selection, double-click in it to zoom every
// linked view, double-click elsewhere to reset, click to move the cursor, wheel to zoom.
// Python side (and the buffers): obi_widgets/views/imbalance_timeline.py. This file only draws.

import { decode } from "../lib/buffers.js";
import { fitCanvas, perFrame } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { panRange, zoomRange } from "../lib/ranges.js";
import { throttle } from "../lib/throttle.js";
import { kernelReachable, reportWidth } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { drawTimeAxis, formatClock, formatDateTime, formatDuration, timeTicks } from "../lib/timeaxis.js";
import { Tooltip } from "../lib/tooltip.js";
import {
  asReduction, columnsFor, layout, readout, spanOf, yDomain,
} from "./imbalance_timeline_data.js";
import { MARGIN, drawBrush, drawMarker, drawPanel, seriesColour, withAlpha } from "./imbalance_timeline_draw.js";

const DRAG_PX = 4; // a press that moves less than this is a click
const WHEEL_MS = 80;
const MIN_SPAN_MS = 1e-3; // the shortest zoom: a microsecond

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const d = new Disposer();
  const root = createRoot(el, "imbalance-timeline", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const rangeEl = child(header, "span", "obi-stat obi-range");
  const cursorEl = child(header, "span", "obi-stat obi-cursor");
  const selEl = child(header, "span", "obi-stat obi-selection");
  const hint = child(header, "span", "obi-hint", "drag: select · double-click: zoom / reset · wheel: zoom");
  hint.setAttribute("aria-hidden", "true");
  const plot = child(root, "div", "obi-plot");
  const canvas = child(plot, "canvas", "obi-timeline");
  canvas.setAttribute("aria-label", "mid and imbalance series over time: drag to select, double-click to zoom");
  const tooltip = new Tooltip(plot);

  let width = Math.floor(root.clientWidth) || 600;
  let theme = readTheme(root);
  /** @type {ReturnType<typeof asReduction>} */
  let whole = asReduction(decode(model.get("_overview")));
  /** @type {ReturnType<typeof asReduction>} */
  let win = asReduction(decode(model.get("_window")));
  /** @type {{ x: number, y: number } | null} */
  let hover = null;
  /** @type {{ x0: number, t0: number, x: number, moved: boolean, id: number } | null} */
  let drag = null;
  /** the geometry of the last paint, for the pointer handlers */
  let geo = { left: MARGIN.left, right: width - MARGIN.right, top: 0, bottom: 0, v0: 0, v1: 1 };

  const panels = () => (whole || win)?.panels ?? [];
  const timeAt = (/** @type {number} */ x) =>
    geo.v0 + ((x - geo.left) / Math.max(1, geo.right - geo.left)) * (geo.v1 - geo.v0);
  const xAt = (/** @type {number} */ t) => geo.left + ((t - geo.v0) / (geo.v1 - geo.v0 || 1)) * (geo.right - geo.left);

  // wheel zoom and pan draw at once but reach the shared model at most every WHEEL_MS (each
  // change makes Python re-reduce the window; a trackpad sends 60+ events a second)
  /** @type {[number, number] | null} */
  let pending = null;
  const commit = throttle(() => {
    const p = pending;
    pending = null;
    if (p) source.setTimeRange(p);
  }, WHEEL_MS);
  const wheelRange = (/** @type {[number, number]} */ r) => {
    pending = r;
    draw();
    commit();
  };
  const setRange = (/** @type {[number, number]} */ r) => {
    pending = null;
    commit.cancel();
    source.setTimeRange(r);
  };
  d.add(() => commit.cancel());

  /** The visible range in ms (never empty). */
  function visible() {
    const [a, b] = pending ?? source.timeRange;
    return /** @type {[number, number]} */ (b > a ? [a, b] : [a, a + 1e-6]);
  }

  function drawHeader(/** @type {[number, number]} */ range, /** @type {boolean} */ exact) {
    title.textContent = model.get("title") || "";
    const [e0, e1] = source.extent;
    const zoomed = range[0] > e0 + 1e-3 || range[1] < e1 - 1e-3; // 1 µs: ns -> ms rounding
    rangeEl.textContent = `${formatDateTime(range[0])} – ${formatClock(range[1], 0)}  (${formatDuration(range[1] - range[0])}${zoomed ? `, zoomed from ${formatDuration(e1 - e0)}` : ""})${exact ? "" : " · coarse"}${exact || kernelReachable(source.model) ? "" : " (finer detail needs the kernel)"}`;
    cursorEl.textContent = `cursor row ${source.cursor} / ${Math.max(0, source.rows - 1)}`;
    const sel = source.selection;
    selEl.textContent = sel ? `selection ${formatDuration(sel[1] - sel[0])}` : "";
    selEl.hidden = !sel;
  }

  const draw = perFrame(() => {
    theme = readTheme(root);
    const height = model.get("height");
    const ctx = fitCanvas(canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    const range = visible();
    const left = MARGIN.left, right = width - MARGIN.right;
    const list = panels();
    const box = layout(height, list.length);
    geo = { left, right, top: box.mid.top, bottom: box.axisY, v0: range[0], v1: range[1] };
    const cols = Math.floor(right - left);
    const columns = cols >= 10 ? columnsFor(win, whole, range, cols) : null;
    drawHeader(range, !!columns?.exact);
    if (!columns) {
      ctx.fillStyle = theme.muted;
      ctx.font = `11px ${theme.font}`;
      ctx.fillText(cols >= 10 ? "no data" : "too narrow", 4, 16, Math.max(10, width - 8));
      tooltip.hide();
      markPainted(root, source.cursor);
      return;
    }
    const { ticks: tt } = timeTicks(range[0], range[1], Math.max(2, Math.floor((right - left) / 90)));
    const gridX = tt.map((t) => Math.round(xAt(t)) + 0.5).filter((x) => x >= left && x <= right);
    const tick = (whole || win)?.tick ?? null;
    const domains = [];
    const scales = [];
    const midDomain = yDomain(columns.mid, { signed: false });
    scales.push(drawPanel(ctx, { left, right, ...box.mid }, columns.mid, midDomain,
      { label: "mid", units: source.units.price === "price" ? "" : source.units.price, colour: theme.fg, fill: "" },
      theme, gridX));
    domains.push(midDomain);
    let unsigned = 0;
    list.forEach((p, i) => {
      const env = columns.series[i];
      const dom = yDomain(env, p);
      const colour = p.signed ? theme.fg : seriesColour(theme, unsigned++);
      scales.push(drawPanel(ctx, { left, right, ...box.panels[i] }, env, dom,
        { label: p.label, units: p.units, signed: p.signed, sign: p.signed, colour, fill: withAlpha(colour, 0.14) },
        theme, gridX));
      domains.push(dom);
    });
    drawTimeAxis(ctx, xAt, range[0], range[1], left, right, box.axisY, theme);

    // selection (the live drag, else the shared one), the cursor, the hover line
    const sel = drag && drag.moved ? spanOf(drag.t0, timeAt(drag.x), 0) : source.selection;
    if (sel) drawBrush(ctx, xAt(sel[0]), xAt(sel[1]), box.mid.top, box.axisY, geo, theme);
    const ct = source.cursorTime;
    drawMarker(ctx, xAt(ct), box.mid.top, box.axisY, formatClock(ct, 0),
      { colour: theme.accent, tagFg: theme.dark ? "#0b0d10" : "#ffffff" }, geo, theme);
    if (hover && hover.x >= left && hover.x <= right && !(drag && drag.moved)) {
      const t = timeAt(hover.x);
      drawMarker(ctx, hover.x, box.mid.top, box.axisY, "", { colour: withAlpha(theme.fg, 0.55), dash: [3, 3], tagFg: theme.bg }, geo, theme);
      const j = Math.max(0, Math.min(cols - 1, Math.floor(hover.x - left)));
      /** @type {(string | [string, string])[]} */
      const lines = [["time", formatDateTime(t)]];
      lines.push(["mid", readout(columns.mid.lo[j], columns.mid.hi[j], midDomain, tick)]);
      list.forEach((p, i) => {
        const env = columns.series[i];
        lines.push([p.units ? `${p.label} (${p.units})` : p.label, readout(env.lo[j], env.hi[j], domains[i + 1])]);
      });
      tooltip.show(lines, hover.x, hover.y, width);
    } else {
      tooltip.hide();
    }
    markPainted(root, source.cursor);
  }, "imbalance_timeline");
  d.add(() => draw.cancel());

  // -- state from the models ----------------------------------------------------------------------
  d.on(model, "change:_overview", () => {
    whole = asReduction(decode(model.get("_overview")));
    draw();
  });
  d.on(model, "change:_window", () => {
    win = asReduction(decode(model.get("_window")));
    draw();
  });
  d.on(model, "change:height change:title", () => draw());
  d.on(source.model, "change:cursor change:_cursor_at change:time_range change:selection", () => draw());
  d.on(source.model, "change:_track change:_axis change:_meta", () => {
    source.refresh();
    draw();
  });

  // -- pointer: brush, click, double-click, wheel, hover ------------------------------------------
  const inPlot = (/** @type {number} */ x, /** @type {number} */ y) =>
    x >= geo.left && x <= geo.right && y >= geo.top && y <= geo.bottom;
  d.listen(canvas, "pointerdown", (e) => {
    root.focus({ preventScroll: true });
    if (e.button !== 0 || !inPlot(e.offsetX, e.offsetY)) return;
    drag = { x0: e.offsetX, t0: timeAt(e.offsetX), x: e.offsetX, moved: false, id: e.pointerId };
    canvas.setPointerCapture?.(e.pointerId);
  });
  d.listen(canvas, "pointermove", (e) => {
    hover = { x: e.offsetX, y: e.offsetY };
    if (drag) {
      drag.x = Math.max(geo.left, Math.min(geo.right, e.offsetX));
      if (Math.abs(drag.x - drag.x0) >= DRAG_PX) drag.moved = true;
    }
    draw();
  });
  const finish = (/** @type {PointerEvent} */ e, /** @type {boolean} */ cancelled) => {
    if (!drag) return;
    const g = drag;
    drag = null;
    canvas.releasePointerCapture?.(g.id);
    if (cancelled) return draw();
    if (g.moved) {
      const span = spanOf(g.t0, timeAt(g.x), 0);
      if (span) source.setSelection(span);
    } else {
      source.setCursor(source.rowAt(timeAt(e.offsetX)));
    }
    draw();
  };
  d.listen(canvas, "pointerup", (e) => finish(e, false));
  d.listen(canvas, "pointercancel", (e) => finish(e, true));
  d.listen(canvas, "pointerleave", () => {
    hover = null;
    draw();
  });
  d.listen(canvas, "dblclick", (e) => {
    if (!inPlot(e.offsetX, e.offsetY)) return;
    const t = timeAt(e.offsetX);
    const sel = source.selection;
    if (sel && t >= sel[0] && t <= sel[1] && sel[1] > sel[0]) setRange(sel);
    else setRange(source.extent);
  });
  d.listen(canvas, "wheel", (/** @type {WheelEvent} */ e) => {
    if (!inPlot(e.offsetX, e.offsetY)) return;
    const [e0, e1] = source.extent;
    if (!(e1 > e0)) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dx = e.deltaX * unit, dy = e.deltaY * unit;
    const range = visible();
    if (Math.abs(dx) > Math.abs(dy)) {
      wheelRange(panRange(range, (dx / Math.max(1, geo.right - geo.left)) * (range[1] - range[0]), [e0, e1]));
    } else {
      wheelRange(zoomRange(range, timeAt(e.offsetX), Math.exp(dy * 0.0015), [e0, e1], MIN_SPAN_MS));
    }
  }, { passive: false });

  // keyboard: arrows pan 10%, + / - zoom around the centre, 0 or Home shows all, Escape clears the selection
  d.listen(root, "keydown", (e) => {
    const ext = source.extent;
    const range = visible();
    const centre = (range[0] + range[1]) / 2;
    /** @type {Record<string, () => void>} */
    const keys = {
      ArrowLeft: () => setRange(panRange(range, -0.1 * (range[1] - range[0]), ext)),
      ArrowRight: () => setRange(panRange(range, 0.1 * (range[1] - range[0]), ext)),
      "+": () => setRange(zoomRange(range, centre, 0.5, ext, MIN_SPAN_MS)),
      "=": () => setRange(zoomRange(range, centre, 0.5, ext, MIN_SPAN_MS)),
      "-": () => setRange(zoomRange(range, centre, 2, ext, MIN_SPAN_MS)),
      "0": () => setRange(ext),
      Home: () => setRange(ext),
      Escape: () => source.setSelection(null),
    };
    if (!(e.key in keys) || !(ext[1] > ext[0] || e.key === "Escape")) return;
    e.preventDefault();
    keys[e.key]();
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

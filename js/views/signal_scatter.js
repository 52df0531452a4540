// SignalScatter view: the signal against the forward move as a point density (log scale), the
// profile's mean move per signal bucket, P(up | move) in a panel below, the regression line and
// its numbers; drag a box to brush (Python returns the rows), Escape / double-click clears; a
// click on a point moves the linked source's cursor there. Python side:
// obi_widgets/views/signal_scatter.py (documents the payload); helpers: signal_scatter_layout.js,
// drawing: signal_scatter_draw.js.

import { decode } from "../lib/buffers.js";
import { fitCanvas, perFrame } from "../lib/canvas.js";
import { lut } from "../lib/colormap.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { reportWidth, saveChanges } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { Tooltip } from "../lib/tooltip.js";
import { drawScatter, overlayColours } from "./signal_scatter_draw.js";
import {
  brushBox, bucketAt, cellAt, countsText, densityPixels, fmt, inside, layoutFor, nearestPoint,
  profileOf, regressionText, scalesFor,
} from "./signal_scatter_layout.js";

const DRAG_PX = 4;
const CLICK_DELAY_MS = 260; // a second click within this turns the click into a double-click

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = model.get("source") ? await sourceOf(model) : null;
  const d = new Disposer();
  const root = createRoot(el, "signal-scatter", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const countsEl = child(header, "span", "obi-stat obi-counts");
  const regEl = child(header, "span", "obi-stat obi-regression");
  const selEl = child(header, "span", "obi-stat obi-selected");
  const legend = child(root, "div", "obi-legend");
  const plotEl = child(root, "div", "obi-plot");
  const canvas = child(plotEl, "canvas", "obi-scatter-canvas");
  canvas.setAttribute("aria-label", "signal against future move: drag to brush, Escape clears, click a point");
  const tooltip = new Tooltip(plotEl);
  const probe = source ? source.model : model;

  let width = Math.floor(root.clientWidth) || 600;
  let theme = readTheme(root);
  /** @type {{ raw: any, data: any, imageKey: string, image: HTMLCanvasElement | null }} */
  let cache = { raw: null, data: null, imageKey: "", image: null };
  /** @type {[number, number] | null} */
  let hover = null;
  /** @type {[number, number] | null} */
  let dragFrom = null;
  /** @type {number[] | null} */
  let dragBox = null;
  let clickTimer = 0;
  let pickSeq = 0;
  let legendKey = "";

  function data() {
    const raw = model.get("_data");
    if (cache.raw !== raw) cache = { raw, data: decode(raw), imageKey: "", image: null };
    return cache.data;
  }

  /** The density as an nx x ny canvas, rebuilt when the data or the theme changes. */
  function densityImage(/** @type {any} */ dd) {
    const m = dd.meta, counts = dd.arrays.density;
    if (!counts || !m.nx || !m.ny) return null;
    const key = `${theme.dark}`;
    if (cache.image && cache.imageKey === key) return cache.image;
    const off = document.createElement("canvas");
    off.width = m.nx;
    off.height = m.ny;
    const octx = /** @type {CanvasRenderingContext2D} */ (off.getContext("2d"));
    const px = densityPixels(counts, m.nx, m.ny, m.max_count, lut(theme.dark ? "heat" : "heat-light"), theme.dark ? 70 : 60);
    const img = octx.createImageData(m.nx, m.ny);
    img.data.set(px);
    octx.putImageData(img, 0, 0);
    cache.image = off;
    cache.imageKey = key;
    return off;
  }

  function layout() {
    return layoutFor(width, Math.max(160, Number(model.get("height")) || 460));
  }

  function drawHeader(/** @type {any} */ dd) {
    const m = dd.meta;
    title.textContent = model.get("title") || "";
    countsEl.textContent = m.n != null ? countsText(m) : "";
    regEl.textContent = m.n != null ? regressionText(m.regression, m.regression_error) : "";
    const sel = model.get("_selected") || {};
    const brush = model.get("brush");
    if (brush && sel.count != null) {
      const up = sel.p_up == null ? "" : ` · P(up) ${fmt(sel.p_up)}`;
      selEl.textContent = `selected ${fmt(sel.count)} · mean move ${fmt(sel.move_mean)}${up}`;
    } else {
      selEl.textContent = brush ? "selecting…" : "drag to select";
    }
    root.dataset.obiSelected = brush && sel.count != null ? String(sel.count) : "";
    const key = String(theme.dark);
    if (key !== legendKey) {
      legendKey = key;
      legend.replaceChildren();
      const col = overlayColours(theme);
      for (const [name, colour] of [["mean move per bucket", col.mean], ["regression", col.reg], ["P(up | move)", col.pUp]]) {
        const item = child(legend, "span", "obi-legend-item");
        child(item, "span", "obi-swatch").style.background = colour;
        child(item, "span", "", name);
      }
      const item = child(legend, "span", "obi-legend-item");
      child(item, "span", "obi-swatch obi-density-swatch");
      child(item, "span", "", "point density (log scale)");
    }
  }

  function showTooltip(/** @type {any} */ dd, /** @type {any} */ L, /** @type {any} */ s) {
    if (!hover || dragBox || dd.meta.n == null) {
      tooltip.hide();
      return;
    }
    const [hx, hy] = hover, m = dd.meta;
    const inPlot = inside(L.plot, hx, hy), inPanel = inside(L.panel, hx, hy);
    if (!inPlot && !inPanel) {
      tooltip.hide();
      return;
    }
    const x = s.x.invert(hx);
    /** @type {(string | [string, string])[]} */
    const lines = [[m.x_name, fmt(x)]];
    if (inPlot) {
      const y = s.y.invert(hy);
      lines.push([m.y_name, fmt(y)]);
      const c = cellAt(m, x, y);
      if (c) lines.push(["points in this cell", fmt(dd.arrays.density[c.j * m.nx + c.i])]);
      const k = nearestPoint(dd.arrays.px, dd.arrays.py, s, hx, hy, 6);
      if (k >= 0) lines.push([`point (row ${dd.arrays.prow[k]})`, `${fmt(dd.arrays.px[k])}, ${fmt(dd.arrays.py[k])}`]);
    }
    const p = profileOf(dd.arrays);
    const b = p ? bucketAt(p, x) : -1;
    if (p && b >= 0) {
      lines.push(`bucket ${b + 1} of ${p.lo.length}: [${fmt(p.lo[b])}, ${fmt(p.hi[b])}${b === p.lo.length - 1 ? "]" : ")"}`);
      lines.push(["pairs", fmt(p.count[b])]);
      lines.push(["mean move", fmt(p.moveMean[b])]);
      lines.push(["P(up | move)", fmt(p.pUp[b])]);
      lines.push(["P(no move)", fmt(p.pZero[b])]);
    }
    tooltip.show(lines, hx, hy, width);
  }

  const draw = perFrame(() => {
    theme = readTheme(root);
    const dd = data();
    drawHeader(dd);
    const L = layout();
    const ctx = fitCanvas(canvas, width, L.height);
    if (dd.meta.x_range) {
      const s = scalesFor(dd.meta, L);
      const marker = model.get("_marker");
      drawScatter(ctx, L, {
        meta: dd.meta, arrays: dd.arrays, profile: profileOf(dd.arrays), image: densityImage(dd), s,
        brush: model.get("brush"), dragBox, marker: marker && marker.length >= 2 ? marker : null, hover,
      }, theme);
      showTooltip(dd, L, s);
      root.dataset.obiBrush = JSON.stringify(model.get("brush") ?? null);
      markPainted(root, source ? source.cursor : null);
    }
  }, "signal_scatter");
  d.add(() => draw.cancel());

  const scalesNow = () => {
    const dd = data();
    return dd.meta.x_range ? { L: layout(), s: scalesFor(dd.meta, layout()) } : null;
  };
  const setBrush = (/** @type {number[] | null} */ box) => {
    model.set("brush", box);
    saveChanges(model, probe);
    draw();
  };
  const pick = (/** @type {number} */ px, /** @type {number} */ py) => {
    const g = scalesNow();
    if (!g || !inside(g.L.plot, px, py)) return;
    const s = g.s;
    const perX = Math.abs(s.x.invert(px + 1) - s.x.invert(px)), perY = Math.abs(s.y.invert(py + 1) - s.y.invert(py));
    model.set("_pick", [s.x.invert(px), s.y.invert(py), perX, perY, ++pickSeq]);
    saveChanges(model, probe);
  };

  d.on(model, "change:_data change:height change:title change:brush change:_selected change:_marker", () => draw());
  if (source) {
    d.on(source.model, "change:cursor", () => draw());
    d.on(source.model, "change:_meta change:_track", () => {
      source.refresh();
      draw();
    });
  }
  d.listen(canvas, "pointerdown", (/** @type {PointerEvent} */ e) => {
    root.focus({ preventScroll: true });
    const g = scalesNow();
    if (e.button !== 0 || !g || !inside(g.L.plot, e.offsetX, e.offsetY)) return;
    dragFrom = [e.offsetX, e.offsetY];
    canvas.setPointerCapture?.(e.pointerId);
  });
  d.listen(canvas, "pointermove", (/** @type {PointerEvent} */ e) => {
    hover = [e.offsetX, e.offsetY];
    if (dragFrom) {
      const moved = Math.hypot(e.offsetX - dragFrom[0], e.offsetY - dragFrom[1]) >= DRAG_PX;
      const g = scalesNow();
      if ((moved || dragBox) && g) dragBox = brushBox(g.s, g.L.plot, dragFrom, [e.offsetX, e.offsetY]);
    }
    draw();
  });
  d.listen(canvas, "pointerup", (/** @type {PointerEvent} */ e) => {
    const from = dragFrom;
    dragFrom = null;
    if (dragBox) {
      const box = dragBox;
      dragBox = null;
      setBrush(box);
    } else if (from) {
      const [px, py] = [e.offsetX, e.offsetY];
      clearTimeout(clickTimer);
      clickTimer = window.setTimeout(() => pick(px, py), CLICK_DELAY_MS);
    }
  });
  d.add(() => clearTimeout(clickTimer));
  d.listen(canvas, "pointerleave", () => {
    hover = null;
    draw();
  });
  d.listen(canvas, "dblclick", () => {
    clearTimeout(clickTimer);
    setBrush(null);
  });
  d.listen(root, "keydown", (/** @type {KeyboardEvent} */ e) => {
    if (e.key !== "Escape") return;
    dragFrom = null;
    dragBox = null;
    setBrush(null);
    e.preventDefault();
  });

  d.add(reportWidth(root, model, probe, (w) => {
    width = w;
    draw();
  }));
  d.add(watchTheme(() => {
    legendKey = "";
    draw();
  }));
  draw();

  return () => {
    d.dispose();
    root.remove();
  };
}

export default { render: viewRender(render) };

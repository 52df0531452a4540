// Ladder view: the DOM / price ladder at the shared cursor row, one row per tick around the touch,
// bid and ask sizes with bars (stacked per venue for a consolidated book), the volume traded at
// each price in a trailing window, imbalance read-outs. Python side: obi_widgets/views/ladder.py
// (documents the frame); layout helpers: ladder_layout.js; drawing: ladder_draw.js.

import { decode } from "../lib/buffers.js";
import { fitCanvas, perFrame } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { kernelNote, reportWidth } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { decimalsFor, formatSize } from "../lib/scales.js";
import { sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { formatDateTime, formatDuration } from "../lib/timeaxis.js";
import { drawLadder, sideParts } from "./ladder_draw.js";
import {
  centredTop, gridFromFrame, gridFromLevels, gridIndex, imbalanceText, ladderColumns, priceAt,
  truncatedAt, venueColour,
} from "./ladder_layout.js";
import { Tooltip } from "../lib/tooltip.js";

const HEAD_H = 22;

/** @typedef {import("./ladder_layout.js").Grid} Grid */

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const d = new Disposer();
  const root = createRoot(el, "ladder", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const timeEl = child(header, "span", "obi-stat obi-time");
  const quoteEl = child(header, "span", "obi-stat obi-quote");
  const imbEl = child(header, "span", "obi-stat obi-imb");
  const depthEl = child(header, "span", "obi-stat obi-imb-depth");
  const tradedEl = child(header, "span", "obi-stat obi-traded");
  const unitsEl = child(header, "span", "obi-stat obi-units");
  const legend = child(root, "div", "obi-legend");
  const note = child(root, "div", "obi-note");
  const plot = child(root, "div", "obi-plot");
  const canvas = child(plot, "canvas", "obi-ladder-canvas");
  canvas.setAttribute("aria-label", "price ladder: wheel scrolls the price, double-click re-centres");
  const tooltip = new Tooltip(plot);

  let width = Math.floor(root.clientWidth) || 400;
  let theme = readTheme(root);
  /** @type {number | null} the pinned top price (after a scroll), or null to follow the touch */
  let pinnedTop = null;
  /** @type {number | null} */
  let hoverY = null;
  /** @type {{ cur: number, raw: any, grid: Grid | null }} */
  let cache = { cur: -1, raw: null, grid: null };
  /** @type {any} */
  let layout = null;
  let legendKey = "";

  function tickOf() {
    const exact = decode(model.get("_frame"));
    const t = exact.meta.tick ?? source.meta.tick;
    return Number.isFinite(t) && t > 0 ? t : 0.01;
  }

  /** The exact frame from Python when it is for the cursor row, else one built from the replay track. */
  function currentGrid() {
    const cur = source.cursor;
    const raw = model.get("_frame");
    if (cache.cur === cur && cache.raw === raw && cache.grid) return cache.grid;
    const exact = decode(raw);
    /** @type {Grid | null} */
    let grid = null;
    if (source.showsExact(exact.meta.row) && exact.arrays.price) {
      grid = gridFromFrame(exact);
    } else {
      const f = source.frameAt(cur);
      if (f) {
        const a = source.track.arrays;
        const k = a.row.indexOf(f.row), lv = f.bidPx.length;
        grid = gridFromLevels({
          ...f,
          bidCum: a.bid_cum?.subarray(k * lv, (k + 1) * lv),
          askCum: a.ask_cum?.subarray(k * lv, (k + 1) * lv),
          imbL1: a.imb_l1?.[k], imbDepth: a.imb_depth?.[k],
        }, tickOf());
      }
    }
    cache = { cur, raw, grid };
    return grid;
  }

  function drawHeader(/** @type {Grid | null} */ g) {
    title.textContent = model.get("title") || "";
    const units = source.units;
    const known = [units.price !== "price" && `prices in ${units.price}`, units.size !== "size" && `sizes in ${units.size}`];
    unitsEl.textContent = known.filter(Boolean).join(" · ");
    if (!g) return;
    const dec = Math.max(decimalsFor(g.tick), 0);
    const fmt = (/** @type {number | null} */ k) => (k == null ? "–" : priceAt(g, k).toFixed(dec));
    timeEl.textContent = `${formatDateTime(g.t)} · row ${g.row} / ${source.rows - 1}`;
    quoteEl.textContent = `${fmt(g.bestBid)} × ${fmt(g.bestAsk)}`;
    imbEl.textContent = `L1 imbalance ${imbalanceText(g.imbL1)}`;
    depthEl.textContent = `depth (${g.depthLevels} level${g.depthLevels === 1 ? "" : "s"}) ${imbalanceText(g.imbDepth)}`;
    tradedEl.textContent = g.buy ? `traded: last ${formatDuration(g.windowMs)}, ${g.trades} trade${g.trades === 1 ? "" : "s"}` : "";
    note.textContent = g.exact ? "" : `replay track (sampled rows, no traded volume): ${kernelNote(source.model, "the exact row")}`;
    note.hidden = g.exact;
    const key = g.venues.join("\u0000") + theme.dark;
    if (key !== legendKey) {
      legendKey = key;
      legend.replaceChildren();
      g.venues.forEach((name, i) => {
        const item = child(legend, "span", "obi-legend-item");
        const sw = child(item, "span", "obi-swatch");
        sw.style.background = venueColour(i, theme.dark);
        child(item, "span", "", name);
      });
    }
    legend.hidden = !g.venues.length;
  }

  function computeLayout(/** @type {Grid | null} */ g) {
    const height = Math.max(HEAD_H + 12, Number(model.get("height")) || 320);
    const want = Math.max(1, Number(model.get("rows")) || 25);
    const rowH = Math.max(12, Math.min(32, Math.floor((height - HEAD_H) / want)));
    const rows = Math.max(1, Math.floor((height - HEAD_H) / rowH));
    const dec = g ? Math.max(0, decimalsFor(g.tick)) : 2;
    const sample = g ? priceAt(g, g.hi).toFixed(dec) : "0000.00";
    const priceWidth = Math.max(52, 8 * sample.length + 14);
    const traded = !!(source.meta.trades || (g && g.buy)); // stable columns while the kernel catches up
    const columns = ladderColumns(width, { cumulative: !!model.get("cumulative"), traded, priceWidth });
    let top = g ? centredTop(g, rows) : 0;
    if (g && pinnedTop != null) top = Math.round((pinnedTop - g.anchor) / g.tick);
    const hoverK = hoverY == null ? null : top - Math.floor((hoverY - HEAD_H) / rowH);
    return { width, height: HEAD_H + rows * rowH, headH: HEAD_H, rowH, rows, top, columns, decimals: dec, hoverK, pinned: pinnedTop != null };
  }

  function showTooltip(/** @type {Grid | null} */ g) {
    const L = layout;
    if (!g || !L || L.hoverK == null || hoverY == null || hoverY < HEAD_H || hoverY >= L.height) {
      tooltip.hide();
      return;
    }
    const k = L.hoverK, gi = gridIndex(g, k);
    const units = source.units;
    const su = units.size === "size" ? "" : ` ${units.size}`;
    /** @type {(string | [string, string])[]} */
    const lines = [["price", `${priceAt(g, k).toFixed(L.decimals)}${units.price === "price" ? "" : ` ${units.price}`}`]];
    for (const side of /** @type {const} */ (["bid", "ask"])) {
      const sz = gi >= 0 ? (side === "bid" ? g.bidSz[gi] : g.askSz[gi]) : NaN;
      const level = gi >= 0 ? (side === "bid" ? g.bidLevel[gi] : g.askLevel[gi]) : 0;
      if (!Number.isFinite(sz)) continue;
      lines.push([`${side} (level ${level})`, `${formatSize(sz)}${su}`]);
      if (g.venues.length) {
        sideParts(g, gi, side).forEach((v, j) => lines.push([`  ${g.venues[j]}`, formatSize(v)]));
      }
      const cum = side === "bid" ? g.bidCum[gi] : g.askCum[gi];
      lines.push([`cumulative ${side}, levels 1–${level}`, `${formatSize(cum)}${su}`]);
    }
    if (lines.length === 1) {
      const cb = truncatedAt(g, "bid"), ca = truncatedAt(g, "ask");
      const beyond = (cb != null && k < cb) || (ca != null && k > ca);
      lines.push(beyond ? `beyond the ${g.levels} level${g.levels === 1 ? "" : "s"} in the data: size unknown` : "no resting orders");
    }
    if (g.buy) {
      const w = formatDuration(g.windowMs);
      lines.push([`bought, last ${w}`, `${formatSize(gi >= 0 ? g.buy[gi] : 0)}${su}`]);
      lines.push([`sold, last ${w}`, `${formatSize(gi >= 0 ? g.sell[gi] : 0)}${su}`]);
      if (g.other && gi >= 0 && g.other[gi] > 0) lines.push([`unsigned, last ${w}`, `${formatSize(g.other[gi])}${su}`]);
    } else {
      lines.push(["traded volume", g.exact ? "no trades given" : "needs the kernel"]);
    }
    const r = L.top - k;
    tooltip.show(lines, Math.min(width - 10, width * 0.55), HEAD_H + (r + 1) * L.rowH - 4, width);
  }

  const draw = perFrame(() => {
    theme = readTheme(root);
    const g = currentGrid();
    drawHeader(g);
    layout = computeLayout(g);
    const ctx = fitCanvas(canvas, width, layout.height);
    drawLadder(ctx, g, layout, theme);
    showTooltip(g);
    root.dataset.obiPinned = String(pinnedTop != null);
    if (g) root.dataset.obiTime = String(g.t); // the shown snapshot's time (ms): a live view's freshness
    markPainted(root, g ? g.row : null);
  }, "ladder");
  d.add(() => draw.cancel());

  const scrollBy = (/** @type {number} */ ticks) => {
    const g = currentGrid();
    if (!g || !layout) return;
    pinnedTop = g.anchor + (layout.top + ticks) * g.tick;
    draw();
  };
  const recentre = () => {
    pinnedTop = null;
    draw();
  };

  d.on(model, "change:_frame change:height change:title change:rows change:cumulative", () => draw());
  d.on(source.model, "change:cursor change:_cursor_at", () => draw());
  d.on(source.model, "change:_track change:_meta", () => {
    source.refresh();
    cache = { cur: -1, raw: null, grid: null };
    draw();
  });
  let wheelRest = 0;
  d.listen(canvas, "wheel", (/** @type {WheelEvent} */ e) => {
    e.preventDefault();
    const px = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    wheelRest += px / 32; // about three ticks per notch (100 px)
    const ticks = Math.trunc(wheelRest);
    wheelRest -= ticks;
    if (ticks) scrollBy(-ticks);
  }, { passive: false });
  d.listen(canvas, "dblclick", recentre);
  d.listen(canvas, "pointerdown", () => root.focus({ preventScroll: true }));
  d.listen(canvas, "pointermove", (e) => {
    hoverY = e.offsetY;
    draw();
  });
  d.listen(canvas, "pointerleave", () => {
    hoverY = null;
    draw();
  });
  // keys: Up/Down scroll a tick (PageUp/PageDown a page), C or Escape re-centre,
  // Left/Right step the shared cursor a row (Shift: 1% of the book).
  d.listen(root, "keydown", (e) => {
    const page = layout ? Math.max(1, layout.rows - 2) : 10;
    const pct = Math.max(1, Math.round(source.rows / 100));
    const key = e.key;
    if (key === "ArrowUp" || key === "ArrowDown" || key === "PageUp" || key === "PageDown") {
      const n = key === "ArrowUp" ? 1 : key === "ArrowDown" ? -1 : key === "PageUp" ? page : -page;
      scrollBy(e.shiftKey && n * n === 1 ? n * page : n);
    } else if (key === "c" || key === "C" || key === "Escape") {
      recentre();
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      source.setCursor(source.cursor + (key === "ArrowRight" ? 1 : -1) * (e.shiftKey ? pct : 1));
    } else {
      return;
    }
    e.preventDefault();
  });

  d.add(reportWidth(root, model, source.model, (w) => {
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

// ImbalanceGauge view: a -1...+1 meter of an imbalance metric at the shared cursor row, its recent
// range as a band on the dial, a sparkline of its last values, the value and a word ("strong bid
// pressure"). SVG. Python side: obi_widgets/views/imbalance_gauge.py (documents _spec, _frame and
// _track); pure geometry and words: imbalance_gauge_geometry.js.

import { decode } from "../lib/buffers.js";
import { observeWidth, perFrame } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { imbalanceLabel } from "../lib/imbalance_label.js";
import { kernelNote } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { formatDateTime, formatDuration } from "../lib/timeaxis.js";
import {
  arcPath, clampUnit, dialPoint, gaugeLayout, pressureGrade, pressureWord, signedText, sparkPath,
  trackGauge, zones,
} from "./imbalance_gauge_geometry.js";

const SVG = "http://www.w3.org/2000/svg";
const HEAD_H = 20;

/**
 * @typedef {{ row: number, t: number, value: number | null, lo: number | null, hi: number | null,
 *   history: ArrayLike<number>, word: string, grade: number, side: number, exact: boolean }} Shown
 */

/**
 * An SVG element with attributes, appended to `parent`.
 * @param {Element} parent
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
function svg(parent, tag, attrs = {}) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent.appendChild(node);
  return node;
}

/**
 * @param {Element} node
 * @param {Record<string, string | number>} attrs
 */
function set(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    const s = String(v);
    if (node.getAttribute(k) !== s) node.setAttribute(k, s);
  }
}

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const d = new Disposer();
  const root = createRoot(el, "imbalance-gauge", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const labelEl = child(header, "span", "obi-stat obi-gauge-label");
  const approx = child(header, "span", "obi-stat obi-gauge-approx", "≈ track");
  approx.title = `drawn from the replay track (sampled rows): ${kernelNote(source.model, "the exact row")}`;
  const drawing = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (svg(root, "svg", { class: "obi-gauge-svg" })));
  drawing.setAttribute("aria-hidden", "true"); // the root's aria-label says it all
  const zoneG = svg(drawing, "g", { class: "obi-gauge-zones" });
  const band = svg(drawing, "path", { class: "obi-gauge-band" });
  const bandTip = svg(band, "title");
  const needle = svg(drawing, "line", { class: "obi-gauge-needle", "stroke-linecap": "round" });
  const pivot = svg(drawing, "circle", { class: "obi-gauge-pivot" });
  const askEnd = svg(drawing, "text", { class: "obi-gauge-end", "text-anchor": "middle" });
  const bidEnd = svg(drawing, "text", { class: "obi-gauge-end", "text-anchor": "middle" });
  const valueText = svg(drawing, "text", { class: "obi-gauge-value", "text-anchor": "middle" });
  const wordText = svg(drawing, "text", { class: "obi-gauge-word", "text-anchor": "middle" });
  const sparkBox = svg(drawing, "rect", { class: "obi-gauge-spark-box", rx: 2 });
  const sparkTip = svg(sparkBox, "title");
  const sparkZero = svg(drawing, "line", { class: "obi-gauge-spark-zero" });
  const sparkLine = svg(drawing, "path", { class: "obi-gauge-spark", fill: "none", "stroke-linejoin": "round" });
  const sparkDot = svg(drawing, "circle", { class: "obi-gauge-spark-dot", r: 2 });

  let width = 0;
  let theme = readTheme(root);
  /** @type {{ raw: any, frame: any }} */
  let frameCache = { raw: null, frame: decode(null) };
  /** @type {{ raw: any, track: any }} */
  let ownCache = { raw: null, track: decode(null) };

  const spec = () => /** @type {Record<string, any>} */ (model.get("_spec") || {});

  function frame() {
    const raw = model.get("_frame");
    if (raw !== frameCache.raw) frameCache = { raw, frame: decode(raw) };
    return frameCache.frame;
  }

  /** The replay track of the metric: the source's imb_l1 / imb_depth, or the gauge's own. */
  function track() {
    const s = spec();
    if (s.track === "own") {
      const raw = model.get("_track");
      if (raw !== ownCache.raw) ownCache = { raw, track: decode(raw) };
      const a = ownCache.track.arrays;
      const st = source.track.arrays;
      // the gauge's track is on the source's track rows (Python resends it when they change)
      if (!a.value || !st.t || st.t.length !== a.value.length) return null;
      return { rows: a.row, t: st.t, values: a.value };
    }
    const a = source.track.arrays;
    if (!a.row || !a[s.track]) return null;
    return { rows: a.row, t: a.t, values: a[s.track] };
  }

  /** What to show: Python's exact frame when it is for the cursor row, else from the track. */
  function shown() {
    const s = spec();
    const th = /** @type {number[]} */ (s.thresholds || []);
    const words = /** @type {string[]} */ (s.words || ["neutral"]);
    const cur = source.cursor;
    const f = frame();
    if (source.showsExact(f.meta.row) && f.arrays.history) {
      const m = f.meta;
      return /** @type {Shown} */ ({
        row: m.row, t: m.t, value: m.value, lo: m.lo, hi: m.hi, history: f.arrays.history,
        word: m.word, grade: m.grade, side: m.side, exact: true,
      });
    }
    const tr = track();
    const g = tr && s.window ? trackGauge(tr, cur, source.cursorTime, s.window, Number(s.history) || 2) : null;
    if (!g) {
      if (f.meta.row == null) return null;
      const m = f.meta; // no track for this metric: the last exact frame, marked approximate
      return /** @type {Shown} */ ({
        row: m.row, t: m.t, value: m.value, lo: m.lo, hi: m.hi, history: f.arrays.history || [],
        word: m.word, grade: m.grade, side: m.side, exact: false,
      });
    }
    const { grade, side } = pressureGrade(g.value, th);
    return /** @type {Shown} */ ({ ...g, word: pressureWord(g.value, th, words), grade, side, exact: false });
  }

  function windowText(/** @type {Record<string, any>} */ s) {
    const w = s.window || {};
    return w.kind === "rows" ? `last ${w.n} row${w.n === 1 ? "" : "s"}` : `last ${formatDuration(Number(w.ms) || 0)}`;
  }

  function sideColour(/** @type {number} */ side, /** @type {number} */ grade) {
    if (grade <= 0 || side === 0) return theme.fg;
    return side > 0 ? theme.bid : theme.ask;
  }

  let zoneKey = "";
  function drawZones(/** @type {ReturnType<typeof gaugeLayout>} */ L, /** @type {number[]} */ th) {
    const key = [L.cx, L.cy, L.r, L.thickness, th.join(","), theme.dark].join("|");
    if (key === zoneKey) return;
    zoneKey = key;
    zoneG.replaceChildren();
    const n = Math.max(1, th.length);
    for (const [a, b, grade, side] of zones(th)) {
      const colour = side > 0 ? theme.bid : side < 0 ? theme.ask : theme.grid;
      const opacity = side === 0 ? 1 : 0.16 + (0.62 * grade) / n;
      svg(zoneG, "path", {
        d: arcPath(a, b, L.cx, L.cy, L.r - L.thickness, L.r), fill: colour, "fill-opacity": opacity.toFixed(3),
      });
    }
  }

  const draw = perFrame(() => {
    theme = readTheme(root);
    const s = spec();
    const th = /** @type {number[]} */ (s.thresholds || []);
    const fixed = Number(model.get("width")) || 0;
    root.style.width = fixed > 0 ? `${fixed}px` : "";
    const w = fixed > 0 ? Math.min(fixed, width || fixed) : width || root.clientWidth || 240;
    const h = Math.max(60, (Number(model.get("height")) || 160) - HEAD_H);
    set(drawing, { width: w, height: h, viewBox: `0 0 ${w} ${h}` });
    title.textContent = model.get("title") || "";
    labelEl.textContent = s.label || "";
    labelEl.title = s.note || ""; // why the gauge shows something else than asked (e.g. no micro-price fit)
    const L = gaugeLayout(w, h);
    drawZones(L, th);
    const g = shown();
    approx.hidden = !g || g.exact;

    const font = theme.font;
    const endY = L.cy + Math.round(L.wordFont * 1.1);
    set(askEnd, { x: L.cx - L.r + L.thickness / 2, y: endY, fill: theme.ask, "font-size": L.wordFont, "font-family": font });
    set(bidEnd, { x: L.cx + L.r - L.thickness / 2, y: endY, fill: theme.bid, "font-size": L.wordFont, "font-family": font });
    askEnd.textContent = "ask −1";
    bidEnd.textContent = "+1 bid";

    const value = g ? g.value : null;
    const has = value != null && Number.isFinite(value);
    const [nx, ny] = dialPoint(has ? /** @type {number} */ (value) : 0, L.cx, L.cy, L.r - 2);
    set(needle, {
      x1: L.cx, y1: L.cy, x2: nx.toFixed(2), y2: ny.toFixed(2), stroke: theme.fg,
      "stroke-width": Math.max(2, L.thickness / 4).toFixed(1), visibility: has ? "visible" : "hidden",
    });
    set(pivot, { cx: L.cx, cy: L.cy, r: Math.max(3, L.thickness / 3).toFixed(1), fill: theme.fg });

    const lo = g ? g.lo : null, hi = g ? g.hi : null;
    const hasBand = lo != null && hi != null;
    const bandR0 = L.r - L.thickness - Math.max(3, L.thickness * 0.25);
    // a band of zero width still shows as a sliver (the value has not moved in the window)
    const pad = hasBand && /** @type {number} */ (hi) - /** @type {number} */ (lo) < 0.01 ? 0.005 : 0;
    set(band, {
      d: hasBand ? arcPath(/** @type {number} */ (lo) - pad, /** @type {number} */ (hi) + pad, L.cx, L.cy, bandR0 - Math.max(3, L.thickness * 0.35), bandR0) : "",
      fill: theme.accent, "fill-opacity": "0.85",
    });
    bandTip.textContent = hasBand ? `range, ${windowText(s)}: ${signedText(lo)} … ${signedText(hi)}` : "";

    const colour = g ? sideColour(g.side, g.grade) : theme.fg;
    set(valueText, { x: L.cx, y: L.valueY, fill: colour, "font-size": L.valueFont, "font-family": font, "font-weight": 600 });
    valueText.textContent = signedText(value);
    set(wordText, { x: L.cx, y: L.wordY, fill: colour, "font-size": L.wordFont, "font-family": font });
    wordText.textContent = g ? g.word : "";

    const sp = L.spark;
    set(sparkBox, { x: sp.x, y: sp.y, width: sp.w, height: sp.h, fill: theme.grid, "fill-opacity": "0.35" });
    set(sparkZero, { x1: sp.x, x2: sp.x + sp.w, y1: sp.y + sp.h / 2, y2: sp.y + sp.h / 2, stroke: theme.muted, "stroke-width": 0.5 });
    const hist = g ? g.history : [];
    set(sparkLine, { d: sparkPath(hist, sp.x, sp.y, sp.w, sp.h), stroke: theme.accent, "stroke-width": 1.2 });
    const last = hist.length ? hist[hist.length - 1] : NaN;
    set(sparkDot, {
      cx: sp.x + sp.w, cy: (sp.y + ((1 - clampUnit(Number.isFinite(last) ? last : 0)) / 2) * sp.h).toFixed(2),
      fill: colour, visibility: Number.isFinite(last) ? "visible" : "hidden",
    });
    sparkTip.textContent = `last ${hist.length} value${hist.length === 1 ? "" : "s"} up to the cursor (${g && g.exact ? "rows" : "replay track samples"})`;

    const when = g ? `${formatDateTime(g.t)}, row ${g.row}` : "";
    root.setAttribute(
      "aria-label",
      `${s.label || "imbalance"} gauge: ${imbalanceLabel(value)}, ${g ? g.word : "no value"}` +
        (hasBand ? `; range ${windowText(s)} ${signedText(lo)} to ${signedText(hi)}` : "") + (when ? `; ${when}` : ""),
    );
    root.dataset.obiExact = String(!!(g && g.exact));
    root.dataset.obiValue = has ? String(value) : "";
    root.dataset.obiWord = g ? g.word : "";
    root.title = when;
    markPainted(root, g ? g.row : null);
  }, "imbalance_gauge");
  d.add(() => draw.cancel());

  d.on(model, "change:_frame change:_track change:_spec change:title change:width change:height", () => draw());
  d.on(source.model, "change:cursor change:_cursor_at", () => draw());
  d.on(source.model, "change:_track change:_meta", () => {
    source.refresh();
    draw();
  });
  d.listen(root, "keydown", (/** @type {KeyboardEvent} */ e) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const pct = Math.max(1, Math.round(source.rows / 100));
    source.setCursor(source.cursor + (e.key === "ArrowRight" ? 1 : -1) * (e.shiftKey ? pct : 1));
    e.preventDefault();
  });
  d.add(observeWidth(root, (w) => {
    width = w;
    draw();
  }));
  d.add(watchTheme(() => {
    zoneKey = "";
    draw();
  }));
  draw();

  return () => {
    d.dispose();
    root.remove();
  };
}

export default { render: viewRender(render) };

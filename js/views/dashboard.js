// Dashboard: the kit's views of one book in one widget. The dashboard's model references the
// shared BookSource and one model per panel (obi_widgets/views/dashboard.py, `_panels`); this
// bundle carries every view's code and renders each panel from its own model -- the raw widget
// model from the widget manager, not anywidget's proxy -- so the panels carry no bundle.
// Arrangement: dashboard_layout.js.

import { observeWidth, perFrame } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { Disposer } from "../lib/model.js";
import { sourceOf } from "../lib/source.js";
import depthChart from "./depth_chart.js";
import depthHeatmap from "./depth_heatmap.js";
import imbalanceGauge from "./imbalance_gauge.js";
import imbalanceTimeline from "./imbalance_timeline.js";
import ladder from "./ladder.js";
import replay from "./replay.js";
import { saveChanges } from "../lib/live_save.js";
import { FILLERS, arrange, fillerHeight, modelId } from "./dashboard_layout.js";

/**
 * @typedef {(props: { model: any, el: HTMLElement }) => Promise<(() => void) | void> | (() => void) | void} Render
 */

/** Panel name -> the render of its view. */
/** @type {Record<string, Render>} */
const VIEWS = {
  replay: replay.render,
  heatmap: depthHeatmap.render,
  ladder: ladder.render,
  timeline: imbalanceTimeline.render,
  depth: depthChart.render,
  gauge: imbalanceGauge.render,
};

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const d = new Disposer();
  const root = createRoot(el, "dashboard", model);
  const header = child(root, "div", "obi-header");
  const title = child(header, "span", "obi-title");
  const stats = child(header, "span", "obi-stat obi-dashboard-rows");
  const grid = child(root, "div", "obi-dashboard-grid");
  const topCol = child(grid, "div", "obi-dashboard-col obi-dashboard-top");
  const leftCol = child(grid, "div", "obi-dashboard-col obi-dashboard-left");
  const rightCol = child(grid, "div", "obi-dashboard-col obi-dashboard-right");
  let disposed = false;
  let twoColumns = false;

  /** @type {Record<string, string>} */
  const refs = model.get("_panels") || {};
  const missing = /** @type {string[]} */ (model.get("_missing") || []);
  const names = Object.keys(refs);
  let width = Math.floor(root.clientWidth) || 1200;
  /** @type {Record<string, HTMLDivElement>} */
  const cells = {};
  for (const name of [...names, ...missing]) {
    const cell = document.createElement("div");
    cell.className = `obi-dashboard-cell obi-dashboard-${name}`;
    cell.dataset.obiPanel = name;
    cells[name] = cell;
  }

  function place() {
    const a = arrange([...names, ...missing], width);
    grid.classList.toggle("obi-dashboard-two", a.two);
    twoColumns = a.two;
    grid.style.setProperty("--obi-dashboard-right", `${a.right}px`);
    for (const [col, list] of /** @type {const} */ ([[topCol, a.top], [leftCol, a.left], [rightCol, a.rightCol]])) {
      for (const n of list) if (cells[n].parentElement !== col) col.appendChild(cells[n]);
      col.hidden = !list.length;
    }
    for (const [n, k] of Object.entries(a.order)) cells[n].style.order = String(k);
  }
  place();
  d.add(observeWidth(root, (w) => {
    width = w;
    place();
  }));

  for (const name of missing) {
    child(cells[name], "div", "obi-dashboard-note", `${name}: this installation of obi_widgets has no view for it yet`);
  }

  /** Panel roots painted: the dashboard is ready and shows the shared cursor's row (once a frame). */
  const check = perFrame(() => {
    const views = names.map((n) => cells[n].querySelector(":scope > .obi-view"));
    if (views.every((v) => v instanceof HTMLElement && v.dataset.obiReady === "true")) markPainted(root, source.cursor);
    const rows = source.rows;
    title.textContent = model.get("title") || "";
    stats.textContent = rows ? `${rows.toLocaleString("en-US")} rows · cursor row ${source.cursor}` : "";
  }, "dashboard");
  d.add(() => check.cancel());
  const watcher = new MutationObserver(() => check());
  watcher.observe(grid, { subtree: true, attributes: true, attributeFilter: ["data-obi-ready", "data-obi-row"] });
  d.add(() => watcher.disconnect());
  d.on(source.model, "change:cursor", () => check());
  d.on(source.model, "change:_meta", () => {
    source.refresh(); // live: the row count grows
    check();
  });
  d.on(model, "change:title", () => check());

  /** @type {Record<string, any>} the panels' models, once resolved */
  const panelModels = {};
  /** Two columns: the filler panel (depth chart, else ladder) takes the right column to the left's height. */
  function balance() {
    if (!twoColumns || disposed) return;
    const filler = FILLERS.find((n) => panelModels[n] && cells[n].parentElement === rightCol);
    if (!filler) return;
    const gap = parseFloat(getComputedStyle(rightCol).rowGap) || 0;
    const heightOf = (/** @type {HTMLElement} */ col, /** @type {string | null} */ skip) => {
      const kids = [...col.children].filter((c) => c instanceof HTMLElement && !c.hidden);
      return kids.reduce((sum, c) => sum + (c === (skip && cells[skip]) ? 0 : /** @type {HTMLElement} */ (c).offsetHeight), 0)
        + gap * Math.max(0, kids.length - 1);
    };
    const m = panelModels[filler];
    const current = Number(m.get("height"));
    const h = fillerHeight({
      left: heightOf(leftCol, null), others: heightOf(rightCol, filler),
      overhead: cells[filler].offsetHeight - current, current,
    });
    if (h != null) {
      m.set("height", h);
      saveChanges(m, source.model);
    }
  }
  const balanceSoon = () => requestAnimationFrame(balance);
  const sizes = new ResizeObserver(balanceSoon);
  d.add(() => sizes.disconnect());

  await Promise.all(names.map(async (name) => {
    const cell = cells[name];
    const view = VIEWS[name];
    if (!view) {
      child(cell, "div", "obi-dashboard-note", `${name}: not in this dashboard bundle (rebuild with npm run build)`);
      return;
    }
    const panel = await model.widget_manager.get_model(modelId(refs[name]));
    if (disposed) return;
    panelModels[name] = panel;
    sizes.observe(cell);
    try {
      const cleanup = await view({ model: panel, el: cell });
      if (typeof cleanup === "function") {
        if (disposed) cleanup();
        else d.add(cleanup);
      }
    } catch (err) {
      child(cell, "div", "obi-dashboard-note obi-dashboard-error", `${name}: could not be drawn (${err})`);
      throw err;
    }
  }));
  check();

  return () => {
    disposed = true;
    d.dispose();
    root.remove();
  };
}

export default { render: viewRender(render) };

// DOM helpers shared by the views: the root element, text-only content, the ready/row flags.

import { attachSnapshot } from "./snapshot.js";

/**
 * The root element of a view: class `obi-view obi-<kebab name>`, focusable, appended to `el`.
 * With the view's `model`, the PNG snapshots are attached (js/lib/snapshot.js): a "Download PNG"
 * button (not on a Dashboard's panels), answers to Python's `to_png`, the notebook's static image.
 * @param {HTMLElement} el
 * @param {string} kebab e.g. "depth-heatmap"
 * @param {any} [model] the view's model
 * @returns {HTMLDivElement}
 */
export function createRoot(el, kebab, model) {
  const root = document.createElement("div");
  root.className = `obi-view obi-${kebab}`;
  root.tabIndex = 0;
  root.setAttribute("role", "figure");
  el.appendChild(root);
  attachSnapshot(root, el, kebab, model);
  return root;
}

/**
 * A child element with a class and optional text (set as text, never parsed as HTML).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {HTMLElement} parent
 * @param {K} tag
 * @param {string} className
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function child(parent, tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  parent.appendChild(node);
  return node;
}

/**
 * Mark the view painted and showing book row `row` (tests read these attributes).
 * @param {HTMLElement} root
 * @param {number | null} row
 */
export function markPainted(root, row) {
  if (row != null && Number.isFinite(row)) {
    const text = String(row);
    if (root.dataset.obiRow !== text) root.dataset.obiRow = text;
  }
  if (root.dataset.obiReady !== "true") root.dataset.obiReady = "true";
}

/** @typedef {(props: { model: any, el: HTMLElement }) => any} RenderFn */

/**
 * A view's render whose clean-up also runs when the output that showed it throws the view away
 * without removing it: JupyterLab's widget renderer, on an `update_display` of the output (the
 * static image, js/lib/snapshot.js), empties its node and renders a new view of the model while
 * the old one stays registered -- it would go on redrawing, off screen, on every change. Only for
 * views displayed on their own (a Dashboard's panels are the dashboard's). The clean-up runs once.
 * @template {RenderFn} R
 * @param {R} render
 * @returns {R}
 */
export function viewRender(render) {
  const wrapped = async (/** @type {{ model: any, el: HTMLElement }} */ props) => {
    const cleanup = await render(props);
    if (typeof cleanup !== "function" || props.el.closest(".obi-view")) return cleanup;
    let done = false;
    const stop = whenDiscarded(props.el, () => {
      // tests set globalThis.obiDiscardLog = [] to count the views cleaned up this way
      const log = /** @type {any} */ (globalThis).obiDiscardLog;
      if (Array.isArray(log)) log.push(props.el.querySelector(".obi-view")?.className ?? "");
      once();
    });
    const once = () => {
      if (done) return;
      done = true;
      stop();
      cleanup();
    };
    return once;
  };
  return /** @type {R} */ (/** @type {unknown} */ (wrapped));
}

/**
 * Call `onDiscard` when `el`, once placed in a parent, is taken out of it into no parent at all
 * (moving it elsewhere, or detaching an ancestor -- JupyterLab's windowing of cells off screen --
 * is not a discard). Returns the stop.
 * @param {HTMLElement} el
 * @param {() => void} onDiscard
 * @returns {() => void}
 */
export function whenDiscarded(el, onDiscard) {
  /** @type {MutationObserver | null} */
  let observer = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let stopped = false;
  const watch = () => {
    if (stopped) return;
    const parent = el.parentNode;
    if (!parent) {
      timer = setTimeout(watch, 250); // not placed yet (ipywidgets places the view after render)
      return;
    }
    observer = new MutationObserver(() => {
      if (el.parentNode === parent) return;
      observer?.disconnect();
      observer = null;
      if (el.parentNode === null) onDiscard();
      else watch(); // moved: follow it
    });
    observer.observe(parent, { childList: true });
  };
  watch();
  return () => {
    stopped = true;
    observer?.disconnect();
    if (timer) clearTimeout(timer);
  };
}

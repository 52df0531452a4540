// DOM helpers shared by the views: the root element, text-only content, the ready/row flags.

/**
 * The root element of a view: class `obi-view obi-<kebab name>`, focusable, appended to `el`.
 * @param {HTMLElement} el
 * @param {string} kebab e.g. "depth-heatmap"
 * @returns {HTMLDivElement}
 */
export function createRoot(el, kebab) {
  const root = document.createElement("div");
  root.className = `obi-view obi-${kebab}`;
  root.tabIndex = 0;
  root.setAttribute("role", "figure");
  el.appendChild(root);
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

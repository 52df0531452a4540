// The hover read-out shared by the views: lines of text in a box that stays inside the view.

import { child } from "./dom.js";

export class Tooltip {
  /** @param {HTMLElement} parent positioned container (position: relative) */
  constructor(parent) {
    this.el = child(parent, "div", "obi-tooltip");
    this.el.hidden = true;
    this.el.setAttribute("role", "tooltip");
  }

  /**
   * Show `lines` (text only) near (x, y) in the parent's coordinates, kept inside `width`.
   * A line may be [label, value] for a two-column row, or a string.
   * @param {(string | [string, string])[]} lines
   * @param {number} x
   * @param {number} y
   * @param {number} width
   */
  show(lines, x, y, width) {
    const el = this.el;
    el.replaceChildren();
    for (const line of lines) {
      const div = child(el, "div", "obi-tooltip-line");
      if (Array.isArray(line)) {
        child(div, "span", "obi-tooltip-key", line[0]);
        child(div, "span", "obi-tooltip-value", line[1]);
      } else {
        div.textContent = line;
      }
    }
    el.hidden = false;
    const w = el.offsetWidth;
    const left = x + 14 + w > width ? x - 14 - w : x + 14;
    el.style.left = `${Math.max(2, left)}px`;
    el.style.top = `${Math.max(2, y + 10)}px`;
  }

  hide() {
    this.el.hidden = true;
  }
}

// Placeholder: the imbalance_timeline view is being built (see obi_widgets/views/imbalance_timeline.py).
import { createRoot, markPainted } from "../lib/dom.js";

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
function render({ el }) {
  const root = createRoot(el, "imbalance-timeline");
  markPainted(root, null);
  return () => root.remove();
}

export default { render };

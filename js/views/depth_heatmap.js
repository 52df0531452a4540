// Placeholder: the depth_heatmap view is being built (see obi_widgets/views/depth_heatmap.py).
import { createRoot, markPainted } from "../lib/dom.js";

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
function render({ el }) {
  const root = createRoot(el, "depth-heatmap");
  markPainted(root, null);
  return () => root.remove();
}

export default { render };

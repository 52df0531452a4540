// Placeholder: the ladder view is being built (see obi_widgets/views/ladder.py).
import { createRoot, markPainted } from "../lib/dom.js";

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
function render({ el }) {
  const root = createRoot(el, "ladder");
  markPainted(root, null);
  return () => root.remove();
}

export default { render };

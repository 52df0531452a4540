// Placeholder: the replay view is being built (see obi_widgets/views/replay.py).
import { createRoot, markPainted } from "../lib/dom.js";

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
function render({ el }) {
  const root = createRoot(el, "replay");
  markPainted(root, null);
  return () => root.remove();
}

export default { render };

// Saving a model's changes to the kernel only while the kernel can receive them. After the kernel
import { observeWidth } from "./canvas.js";
// is shut down JupyterLab keeps the widgets' comms marked live, and every save_changes() then logs
// "Could not send widget sync message"; the views keep working in the browser without it.

/**
 * Whether the model's comm can still reach a kernel (true when that cannot be told).
 * @param {any} model
 */
export function kernelReachable(model) {
  if (model && model.comm_live === false) return false;
  const comm = model && model.comm && model.comm.jsServicesComm; // JupyterLab's comm handler
  if (comm && (comm.isDisposed || (comm._kernel && comm._kernel.isDisposed))) return false;
  return true;
}

/**
 * model.save_changes() when the kernel can receive it; the local state is kept either way.
 * `probe`: a model of the same kernel whose comm is visible, for a view's own model (anywidget
 * hands render() a model without its comm): e.g. the shared source's model.
 * @param {{ save_changes: () => void }} model
 * @param {any} [probe]
 */
export function saveChanges(model, probe = model) {
  if (kernelReachable(probe)) model.save_changes();
}

/**
 * Set `key` on a view's own model and save it (when the kernel can receive it), skipping values
 * equal to the current one. `probe`: the shared source's model (see saveChanges).
 * @param {{ get: (k: string) => any, set: (k: string, v: any) => void, save_changes: () => void }} model
 * @param {string} key
 * @param {any} value
 * @param {any} probe
 */
export function setAndSave(model, key, value, probe) {
  const old = model.get(key);
  if (old === value || (old != null && value != null && JSON.stringify(old) === JSON.stringify(value))) return;
  model.set(key, value);
  saveChanges(model, probe);
}

/**
 * Observe the view's width: call `onWidth(w)` and report it to Python as `_width` (so that it
 * reduces data to that many pixels), at whole-pixel changes only.
 * @param {HTMLElement} root
 * @param {{ get: (k: string) => any, set: (k: string, v: any) => void, save_changes: () => void }} model
 * @param {any} probe the shared source's model
 * @param {(w: number) => void} onWidth
 * @returns {() => void} the clean-up
 */
export function reportWidth(root, model, probe, onWidth) {
  return observeWidth(root, (w) => {
    onWidth(w);
    if (Math.abs(model.get("_width") - w) >= 1) setAndSave(model, "_width", w, probe);
  });
}

/**
 * What a view says where it shows less than the data holds (a coarse overview, a sampled frame):
 * with a kernel the finer picture is on its way; without one (an exported report, a stopped
 * kernel) it says, discreetly, that the finer detail needs the notebook's kernel.
 * @param {any} probe the shared source's model (see saveChanges)
 * @param {string} what e.g. "finer detail", "the exact row"
 * @returns {string}
 */
export function kernelNote(probe, what) {
  return kernelReachable(probe) ? `the kernel sends ${what}` : `${what} needs the notebook's kernel`;
}

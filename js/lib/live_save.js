// Saving a model's changes to the kernel only while the kernel can receive them. After the kernel
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

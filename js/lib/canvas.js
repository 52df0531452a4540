// Canvas plumbing shared by the views: device-pixel-ratio sizing and size observation.

/**
 * Size a canvas to `width` x `height` CSS pixels at the device pixel ratio; returns its context,
 * scaled so that drawing code works in CSS pixels.
 * @param {HTMLCanvasElement} canvas
 * @param {number} width
 * @param {number} height
 * @returns {CanvasRenderingContext2D}
 */
export function fitCanvas(canvas, width, height) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/**
 * Call `onResize(width)` when the element's content width changes. Returns the clean-up.
 * @param {HTMLElement} el
 * @param {(width: number) => void} onResize
 * @returns {() => void}
 */
export function observeWidth(el, onResize) {
  let last = -1;
  const observer = new ResizeObserver((entries) => {
    const width = Math.floor(entries[entries.length - 1].contentRect.width);
    if (width !== last && width > 0) {
      last = width;
      onResize(width);
    }
  });
  observer.observe(el);
  return () => observer.disconnect();
}

/** Milliseconds of drawing per animation frame before the remaining draws wait for the next one. */
export const FRAME_BUDGET_MS = 8;

/** @typedef {{ run: (frame: number) => void }} Job */
/** @type {Set<Job>} the draws waiting for a frame, oldest first */
const queue = new Set();
let scheduled = 0;

/** @param {number} frame */
function runQueue(frame) {
  scheduled = 0;
  const began = performance.now();
  let ran = 0;
  for (const job of [...queue]) {
    // one draw at least per frame; past the budget the others wait (in order) for the next one
    if (ran && performance.now() - began > FRAME_BUDGET_MS) break;
    queue.delete(job);
    job.run(frame);
    ran++;
  }
  if (queue.size && !scheduled) scheduled = requestAnimationFrame(runQueue);
}

/** @param {Job} job */
function enqueue(job) {
  queue.add(job);
  if (!scheduled) scheduled = requestAnimationFrame(runQueue);
}

/**
 * Run `fn` at most once per animation frame, with the latest arguments. The views' draws share
 * one frame budget (FRAME_BUDGET_MS): when many views redraw at once (a live source's flush, a
 * linked cursor), those over the budget draw in the next frame, so that no frame runs long. When
 * `globalThis.obiDrawLog` is an array (benchmarks), each call's duration is appended to it.
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {string} [label] names the calls in `obiDrawLog`
 * @returns {((...args: A) => void) & { cancel: () => void }}
 */
export function perFrame(fn, label = "") {
  /** @type {A | null} */
  let pending = null;
  /** @type {Job} */
  const job = {
    run(frame) {
      const a = pending;
      pending = null;
      if (!a) return;
      // benchmarks set globalThis.obiDrawLog = [] to collect [frame time stamp, draw ms, label]
      const log = /** @type {any} */ (globalThis).obiDrawLog;
      const began = log ? performance.now() : 0;
      fn(...a);
      if (log) log.push([frame, performance.now() - began, label]);
    },
  };
  const wrapped = (/** @type {A} */ ...args) => {
    pending = args;
    if (!queue.has(job)) enqueue(job);
  };
  wrapped.cancel = () => {
    queue.delete(job);
    pending = null;
  };
  return wrapped;
}

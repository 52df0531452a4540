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

/**
 * Run `fn` at most once per animation frame, with the latest arguments. When
 * `globalThis.obiDrawLog` is an array (benchmarks), each call's duration is appended to it.
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {string} [label] names the calls in `obiDrawLog`
 * @returns {((...args: A) => void) & { cancel: () => void }}
 */
export function perFrame(fn, label = "") {
  let id = 0;
  /** @type {A | null} */
  let pending = null;
  const wrapped = (/** @type {A} */ ...args) => {
    pending = args;
    if (!id) {
      id = requestAnimationFrame((frame) => {
        id = 0;
        const a = pending;
        pending = null;
        if (!a) return;
        // benchmarks set globalThis.obiDrawLog = [] to collect [frame time stamp, draw ms, label]
        const log = /** @type {any} */ (globalThis).obiDrawLog;
        const began = log ? performance.now() : 0;
        fn(...a);
        if (log) log.push([frame, performance.now() - began, label]);
      });
    }
  };
  wrapped.cancel = () => {
    if (id) cancelAnimationFrame(id);
    id = 0;
    pending = null;
  };
  return wrapped;
}

// Rate limiting of what a view sends to the shared model while the user zooms or pans (each
// change makes Python re-bin; a trackpad sends 60+ wheel events a second).

/**
 * Call `fn` at most every `ms`, always ending with the latest call; `.cancel()` drops a pending one.
 * @param {() => void} fn
 * @param {number} ms
 * @returns {(() => void) & { cancel: () => void }}
 */
export function throttle(fn, ms) {
  let last = -Infinity, timer = 0;
  const run = () => {
    timer = 0;
    last = performance.now();
    fn();
  };
  const call = () => {
    const wait = last + ms - performance.now();
    if (wait <= 0 && !timer) run();
    else if (!timer) timer = window.setTimeout(run, Math.max(0, wait));
  };
  call.cancel = () => {
    if (timer) window.clearTimeout(timer);
    timer = 0;
  };
  return call;
}

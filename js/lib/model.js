// Model subscriptions and clean-up shared by the views: every listener a view adds is removed
// by the clean-up its render returns.

/**
 * @typedef {{ on: (event: string, cb: (...args: any[]) => void) => void,
 *   off: (event?: string | null, cb?: ((...args: any[]) => void) | null) => void }} Emitter
 */

/** Collects clean-up functions and runs them once, in reverse order. */
export class Disposer {
  constructor() {
    /** @type {(() => void)[]} */
    this.fns = [];
  }

  /**
   * Register a clean-up; returns it.
   * @param {() => void} fn
   */
  add(fn) {
    this.fns.push(fn);
    return fn;
  }

  /**
   * Listen to `events` (space-separated, e.g. "change:cursor change:height") on a model.
   * @param {Emitter} model
   * @param {string} events
   * @param {(...args: any[]) => void} handler
   */
  on(model, events, handler) {
    for (const ev of events.split(/\s+/).filter(Boolean)) {
      model.on(ev, handler);
      this.add(() => model.off(ev, handler));
    }
  }

  /**
   * addEventListener with its removal registered.
   * @param {EventTarget} target
   * @param {string} type
   * @param {(e: any) => void} handler
   * @param {AddEventListenerOptions | boolean} [options]
   */
  listen(target, type, handler, options) {
    target.addEventListener(type, handler, options);
    this.add(() => target.removeEventListener(type, handler, options));
  }

  dispose() {
    const fns = this.fns.splice(0).reverse();
    for (const fn of fns) {
      try {
        fn();
      } catch (err) {
        console.warn("obi_widgets: clean-up failed", err);
      }
    }
  }
}

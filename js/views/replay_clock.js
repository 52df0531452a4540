// The Replay view's playback logic, without DOM: the speed presets, the virtual clock that turns
// elapsed wall time into a book row, the throttle of saves to the kernel, and the recognition of
// the kernel's echoes of our own saves. Pure, so tests/js/replay.test.js drives it with a fake source.

/** Market-time multipliers offered in "time" mode. */
export const TIME_SPEEDS = [0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000];
/** Rows per second offered in "rows" mode. */
export const ROW_SPEEDS = [1, 2, 5, 10, 25, 50, 100, 250, 1000];
/** Longest wall-clock step taken in one animation frame (a hidden tab pauses rAF). */
export const MAX_STEP_MS = 250;

/**
 * Label of a speed: "×0.25" of market time, or "100 rows/s".
 * @param {"time" | "rows"} mode
 * @param {number} speed
 */
export function speedLabel(mode, speed) {
  const v = String(Number(Number(speed).toPrecision(4)));
  return mode === "rows" ? `${v} rows/s` : `×${v}`;
}

/**
 * @typedef {{ rows: number, extent: [number, number], rowAt: (ms: number) => number,
 *   rowTime: (row: number) => number }} Timeline what the clock needs of a Source
 */

/**
 * The virtual clock of a replay. In "time" mode it advances market time by `speed` times the
 * elapsed wall time and shows the row in force (`rowAt`); in "rows" mode it advances `speed` rows
 * per second. `anchor(row)` restarts it from a row (after a step, a click elsewhere, a seek).
 */
export class PlayClock {
  /** @param {Timeline} timeline */
  constructor(timeline) {
    this.timeline = timeline;
    /** @type {"time" | "rows"} */
    this.mode = "time";
    this.speed = 1;
    this.t = timeline.extent[0]; // market time (ms), "time" mode
    this.r = 0; // fractional row, "rows" mode
    this.row = 0;
  }

  /** @param {number} row */
  anchor(row) {
    const n = this.timeline.rows;
    this.row = Math.max(0, Math.min(n - 1, Math.round(row)));
    this.r = this.row;
    this.t = this.timeline.rowTime(this.row);
  }

  /** Seek to a market time (ms): the row in force then. @param {number} ms */
  seek(ms) {
    const [t0, t1] = this.timeline.extent;
    this.t = Math.max(t0, Math.min(t1, ms));
    this.row = Math.max(0, Math.min(this.timeline.rows - 1, this.timeline.rowAt(this.t)));
    this.r = this.row;
  }

  /** Whether the clock is at the end of the book. */
  get atEnd() {
    const n = this.timeline.rows;
    return this.row >= n - 1 || (this.mode === "time" && this.t >= this.timeline.extent[1]);
  }

  /**
   * Advance by `dtMs` of wall time; returns the row to show.
   * @param {number} dtMs
   */
  advance(dtMs) {
    const dt = Math.max(0, Math.min(MAX_STEP_MS, dtMs));
    const n = this.timeline.rows;
    if (this.mode === "rows") {
      this.r = Math.min(n - 1, this.r + (dt / 1000) * this.speed);
      this.row = Math.floor(this.r + 1e-9);
      this.t = this.timeline.rowTime(this.row);
    } else {
      const end = this.timeline.extent[1];
      this.t = Math.min(end, this.t + dt * this.speed);
      const at = this.t >= end ? n - 1 : this.timeline.rowAt(this.t);
      this.row = Math.max(this.row, Math.min(n - 1, at)); // never backwards while playing
      this.r = this.row;
    }
    return this.row;
  }
}

/** At most one call per `intervalMs`: `due(now)` says whether to save now. */
export class Throttle {
  /** @param {number} intervalMs */
  constructor(intervalMs) {
    this.interval = intervalMs;
    this.last = -Infinity;
  }

  /** @param {number} now ms */
  due(now) {
    if (now - this.last < this.interval) return false;
    this.last = now;
    return true;
  }

  reset() {
    this.last = -Infinity;
  }
}

/**
 * Remembers the cursor values this view saved to the kernel in the last `windowMs`, so that the
 * kernel's echo of an older save (which would move the cursor back while playing) is recognised.
 */
export class EchoFilter {
  /** @param {number} windowMs */
  constructor(windowMs = 3000) {
    this.window = windowMs;
    /** @type {Map<number, number>} value -> time saved */
    this.sent = new Map();
  }

  /** @param {number} value @param {number} now */
  saved(value, now) {
    this.sent.set(value, now);
    for (const [v, t] of this.sent) if (now - t > this.window) this.sent.delete(v);
  }

  /** Whether `value` is one we saved recently. @param {number} value @param {number} now */
  isEcho(value, now) {
    const t = this.sent.get(value);
    return t !== undefined && now - t <= this.window;
  }
}

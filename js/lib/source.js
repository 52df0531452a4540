// The browser side of obi_widgets.BookSource (obi_widgets/views/source.py): resolve the shared
// model a view references, decode what it carries, and read / write the shared state on it, so
// that every view of one source moves together in the browser, with or without a kernel.

import { decode, row as rowOf } from "./buffers.js";
import { saveChanges } from "./live_save.js";

/**
 * @typedef {import("@anywidget/types").AnyModel} AnyModel
 * @typedef {import("./buffers.js").Decoded} Decoded
 * @typedef {{ row: number, t: number, bidPx: Float64Array, askPx: Float64Array,
 *   bidSz: Float32Array, askSz: Float32Array }} TrackFrame
 */

const NS_PER_MS = 1e6;

/**
 * Resolve the BookSource a view references in its `source` trait ("IPY_MODEL_<id>").
 * @param {AnyModel} model the view's model
 * @returns {Promise<Source>}
 */
export async function sourceOf(model) {
  const ref = String(model.get("source") ?? "");
  const id = ref.startsWith("IPY_MODEL_") ? ref.slice("IPY_MODEL_".length) : ref;
  if (!id) throw new Error("obi_widgets: this view has no source");
  const shared = await model.widget_manager.get_model(id);
  let source = SOURCES.get(shared);
  if (!source) {
    source = new Source(shared);
    SOURCES.set(shared, source);
  }
  return source;
}

/** One decoded Source per shared model: the views of a source share its decoded payloads.
 * @type {WeakMap<object, Source>} */
const SOURCES = new WeakMap();

/**
 * Index of the last entry of an ascending array <= v (-1 if none).
 * @param {ArrayLike<number>} a
 * @param {number} v
 */
export function bisectRight(a, v) {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export class Source {
  /** @param {AnyModel} model the shared BookSource model */
  constructor(model) {
    this.model = model;
    /** @type {Record<string, any>} */
    this.meta = {};
    /** @type {Decoded} */
    this.axis = decode(null);
    /** @type {Decoded} */
    this.track = decode(null);
    /** @type {unknown} */
    this.rawAxis = undefined;
    /** @type {unknown} */
    this.rawTrack = undefined;
    this.refresh();
  }

  /** Decode the payloads that changed since the last call (a live source changes `_meta` at
   * every flush, the larger axis and track about once a second). */
  refresh() {
    this.meta = this.model.get("_meta") || {};
    const axis = this.model.get("_axis"), track = this.model.get("_track");
    if (axis !== this.rawAxis) this.axis = decode(axis);
    if (track !== this.rawTrack) this.track = decode(track);
    this.rawAxis = axis;
    this.rawTrack = track;
  }

  get rows() {
    return Number(this.meta.rows) || 0;
  }

  /** The shared cursor row. */
  get cursor() {
    return Number(this.model.get("cursor")) || 0;
  }

  /**
   * Move the shared cursor (clamped to the book); every view of the source follows.
   * @param {number} r
   */
  setCursor(r) {
    const n = this.rows;
    const v = Math.max(0, Math.min(n - 1, Math.round(r)));
    if (v === this.cursor) return;
    this.model.set("cursor", v);
    saveChanges(this.model);
  }

  /** Start and end (ms) of the book. */
  get extent() {
    return /** @type {[number, number]} */ ([Number(this.meta.start_ms), Number(this.meta.end_ms)]);
  }

  /** The shared visible time range in ms. */
  get timeRange() {
    const r = this.model.get("time_range");
    if (!r || r.length !== 2) return this.extent;
    return /** @type {[number, number]} */ ([r[0] / NS_PER_MS, r[1] / NS_PER_MS]);
  }

  /**
   * Set the shared visible range (ms); every time view follows.
   * @param {[number, number]} range
   */
  setTimeRange([t0, t1]) {
    if (!(t1 > t0)) return;
    const value = [Math.round(t0 * NS_PER_MS), Math.round(t1 * NS_PER_MS)];
    const old = this.model.get("time_range");
    if (old && old[0] === value[0] && old[1] === value[1]) return;
    this.model.set("time_range", value);
    saveChanges(this.model);
  }

  /** The brushed selection in ms, or null. */
  get selection() {
    const s = this.model.get("selection");
    return s && s.length === 2 ? /** @type {[number, number]} */ ([s[0] / NS_PER_MS, s[1] / NS_PER_MS]) : null;
  }

  /** @param {[number, number] | null} span in ms, or null to clear */
  setSelection(span) {
    const value = span ? [Math.round(span[0] * NS_PER_MS), Math.round(span[1] * NS_PER_MS)] : null;
    this.model.set("selection", value);
    saveChanges(this.model);
  }

  /**
   * Whether a view should draw the exact frame Python sent for row `frameRow` at the current
   * cursor: when it is the cursor's row, and also, on a live source following its newest row,
   * when it is an earlier row: the newest frame is on its way, and the replay track (rebuilt
   * about once a second) would show an older state in between.
   * @param {unknown} frameRow
   */
  showsExact(frameRow) {
    if (typeof frameRow !== "number") return false;
    const cur = this.cursor;
    if (frameRow === cur) return true;
    return !!this.meta.live && !!this.model.get("follow") && frameRow < cur;
  }

  /** Time (ms) of the cursor row: exact once Python has answered, else interpolated on the track. */
  get cursorTime() {
    const at = this.model.get("_cursor_at");
    const cur = this.cursor;
    if (at && at[0] === cur) return Number(at[1]);
    return this.rowTime(cur);
  }

  /**
   * Approximate time (ms) of a row, interpolated between the replay track's sampled rows.
   * @param {number} r
   */
  rowTime(r) {
    const rows = this.track.arrays.row, t = this.track.arrays.t;
    if (!rows || !rows.length) return this.extent[0];
    const k = bisectRight(rows, r);
    if (k < 0) return t[0];
    if (k >= rows.length - 1 || rows[k] === r) return t[Math.min(k, rows.length - 1)];
    const f = (r - rows[k]) / (rows[k + 1] - rows[k]);
    return t[k] + f * (t[k + 1] - t[k]);
  }

  /**
   * Approximate row in force at time `ms` (the inverse of rowTime, on the track).
   * @param {number} ms
   */
  rowAt(ms) {
    const rows = this.track.arrays.row, t = this.track.arrays.t;
    if (!rows || !rows.length) return 0;
    const k = bisectRight(t, ms);
    if (k < 0) return 0;
    if (k >= rows.length - 1) return rows[rows.length - 1];
    const dt = t[k + 1] - t[k];
    const f = dt > 0 ? (ms - t[k]) / dt : 0;
    return Math.min(rows[k + 1] - 1, rows[k] + Math.floor(f * (rows[k + 1] - rows[k])));
  }

  /**
   * The replay track's frame at the last sampled row <= `r` (what views draw without a kernel).
   * @param {number} r
   * @returns {TrackFrame | null}
   */
  frameAt(r) {
    const a = this.track.arrays, s = this.track.shapes;
    if (!a.row || !a.row.length) return null;
    const k = Math.max(0, bisectRight(a.row, r));
    return {
      row: a.row[k],
      t: a.t[k],
      bidPx: /** @type {Float64Array} */ (rowOf(a.bid_px, s.bid_px, k)),
      askPx: /** @type {Float64Array} */ (rowOf(a.ask_px, s.ask_px, k)),
      bidSz: /** @type {Float32Array} */ (rowOf(a.bid_sz, s.bid_sz, k)),
      askSz: /** @type {Float32Array} */ (rowOf(a.ask_sz, s.ask_sz, k)),
    };
  }

  /** Units for axis labels: from the book's metadata, else "price" / "size". */
  get units() {
    return { price: this.meta.price_unit || "price", size: this.meta.size_unit || "size" };
  }
}

/**
 * The source events a time view redraws on: the visible range (after `onRange`, which reads it),
 * the cursor, and new payloads (a live source's flushes: decoded again first).
 * @param {import("./model.js").Disposer} d
 * @param {Source} source
 * @param {() => void} draw
 * @param {() => void} onRange
 */
export function redrawOnSource(d, source, draw, onRange) {
  d.on(source.model, "change:time_range", () => {
    onRange();
    draw();
  });
  d.on(source.model, "change:cursor change:_cursor_at", () => draw());
  d.on(source.model, "change:_track change:_axis change:_meta", () => {
    source.refresh();
    draw();
  });
}

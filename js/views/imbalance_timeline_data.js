// ImbalanceTimeline: pure helpers (no DOM) for the reductions Python sends
// (obi_widgets/views/imbalance_timeline.py documents them), the time-range arithmetic of zoom and
// pan, the panel layout and the number formats of ticks and read-outs.

import { decimalsFor, formatSize, tickStep } from "../lib/scales.js";

/**
 * @typedef {{ label: string, units: string, kind: string, reduce: string, signed: boolean,
 *   domain: [number, number] | null, metric: string, note: string }} Panel
 * @typedef {{ lo: ArrayLike<number>, hi: ArrayLike<number> }} Envelope
 * @typedef {{ t0: number, t1: number, bins: number, range: [number, number] | null, panels: Panel[],
 *   tick: number | null, mid: Envelope, series: Envelope[] }} Reduction
 * @typedef {{ mid: Envelope, series: Envelope[], exact: boolean }} Columns
 * @typedef {{ top: number, bottom: number }} Band
 */

/**
 * A decoded buffer (js/lib/buffers.js) as a Reduction, or null when it holds none.
 * @param {import("../lib/buffers.js").Decoded} d
 * @returns {Reduction | null}
 */
export function asReduction(d) {
  const a = d.arrays, m = d.meta;
  if (!a.mid_lo || !(m.bins > 0)) return null;
  const panels = /** @type {Panel[]} */ (m.panels || []);
  const series = panels.map((_, i) => ({ lo: a[`s${i}_lo`] ?? new Float64Array(m.bins).fill(NaN), hi: a[`s${i}_hi`] ?? new Float64Array(m.bins).fill(NaN) }));
  return {
    t0: Number(m.t0), t1: Number(m.t1), bins: Number(m.bins), range: m.range ?? null, panels,
    tick: m.tick ?? null, mid: { lo: a.mid_lo, hi: a.mid_hi }, series,
  };
}

/**
 * Re-bin an envelope on equal bins over [t0, t1] to `m` columns over [v0, v1]: each column takes
 * the min of `lo` and the max of `hi` over the bins it overlaps (NaN outside [t0, t1]).
 * @param {Envelope} env
 * @param {number} t0
 * @param {number} t1
 * @param {number} v0
 * @param {number} v1
 * @param {number} m
 * @returns {{ lo: Float64Array, hi: Float64Array }}
 */
export function rebin(env, t0, t1, v0, v1, m) {
  const n = env.lo.length;
  const lo = new Float64Array(Math.max(0, m)).fill(NaN), hi = new Float64Array(Math.max(0, m)).fill(NaN);
  if (!(n > 0) || !(m > 0) || !(t1 > t0) || !(v1 > v0)) return { lo, hi };
  const bw = (t1 - t0) / n, dv = (v1 - v0) / m;
  for (let j = 0; j < m; j++) {
    const c0 = v0 + j * dv, c1 = c0 + dv;
    if (c1 <= t0 || c0 >= t1) continue;
    const k0 = Math.max(0, Math.floor((c0 - t0) / bw + 1e-9));
    const k1 = Math.min(n - 1, Math.max(k0, Math.ceil((c1 - t0) / bw - 1e-9) - 1));
    let a = NaN, b = NaN;
    for (let k = k0; k <= k1; k++) {
      const l = env.lo[k], h = env.hi[k];
      if (l === l && !(a <= l)) a = l; // NaN-ignoring min
      if (h === h && !(b >= h)) b = h;
    }
    lo[j] = a;
    hi[j] = b;
  }
  return { lo, hi };
}

/**
 * The columns to draw for the visible `range` (ms) at `m` pixel columns: Python's window reduction
 * as is when it is for this range and width (re-binned, still exact, when it has more bins than
 * columns), else the finer of window / whole-book re-binned.
 * @param {Reduction | null} win
 * @param {Reduction | null} whole
 * @param {[number, number]} range
 * @param {number} m
 * @returns {Columns | null}
 */
export function columnsFor(win, whole, range, m) {
  const [v0, v1] = range;
  const eps = Math.max(1e-6, (v1 - v0) * 1e-9);
  const forRange = win && Math.abs(win.t0 - v0) <= eps && Math.abs(win.t1 - v1) <= eps;
  if (win && forRange && win.bins === m) return { mid: win.mid, series: win.series, exact: true };
  if (win && forRange && win.bins > m) {
    // for this range at a finer width than shown (Python assumed a wider screen: an exported report)
    const re = (/** @type {Envelope} */ e) => rebin(e, v0, v1, v0, v1, m);
    return { mid: re(win.mid), series: win.series.map(re), exact: true };
  }
  const covers = win && win.t0 <= v0 + eps && win.t1 >= v1 - eps;
  const finer = covers && (!whole || (win.t1 - win.t0) / win.bins < (whole.t1 - whole.t0) / whole.bins);
  const red = finer ? win : whole || win;
  if (!red) return null;
  const re = (/** @type {Envelope} */ e) => rebin(e, red.t0, red.t1, v0, v1, m);
  return { mid: re(red.mid), series: red.series.map(re), exact: false };
}

/**
 * Vertical bands of the mid panel and the series panels inside `height` (CSS px): the mid gets 1.5
 * shares, each series one; `gap` px between panels; the time axis below takes `axis` px.
 * @param {number} height
 * @param {number} n number of series panels
 * @param {{ top?: number, gap?: number, axis?: number }} [opts]
 * @returns {{ mid: Band, panels: Band[], axisY: number }}
 */
export function layout(height, n, { top = 8, gap = 10, axis = 26 } = {}) {
  const axisY = Math.max(top + 1, height - axis);
  const avail = Math.max(0, axisY - top - gap * n);
  const share = avail / (1.5 + n);
  const mid = { top, bottom: top + Math.max(1, Math.round(share * 1.5)) };
  const panels = [];
  let y = mid.bottom;
  for (let i = 0; i < n; i++) {
    const t = y + gap;
    const b = i === n - 1 ? axisY : t + Math.max(1, Math.round(share));
    panels.push({ top: t, bottom: Math.max(t + 1, b) });
    y = b;
  }
  if (n === 0) mid.bottom = axisY;
  return { mid, panels, axisY };
}

/**
 * The y domain of a panel: the fixed `domain` if any, else the finite min/max of the columns,
 * padded, with zero included for a signed series; null when there is nothing finite.
 * @param {Envelope} env
 * @param {{ signed?: boolean, domain?: [number, number] | null }} panel
 * @returns {[number, number] | null}
 */
export function yDomain(env, panel) {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < env.lo.length; i++) {
    const l = env.lo[i], h = env.hi[i];
    if (l < lo) lo = l;
    if (h > hi) hi = h;
  }
  if (panel.domain) {
    const [d0, d1] = panel.domain;
    // a fixed domain, widened if values leave it (user data, float rounding)
    return [Math.min(d0, lo), Math.max(d1, hi)];
  }
  if (!(hi >= lo)) return null;
  if (panel.signed) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (hi === lo) {
    const d = Math.abs(hi) * 0.01 || 1;
    return [lo - d, hi + d];
  }
  const pad = (hi - lo) * 0.08;
  return [panel.signed || lo < 0 ? lo - pad : Math.max(0, lo - pad), hi + pad];
}

/**
 * Tick label text on a grid of `step`.
 * @param {number} v
 * @param {number} step
 */
export function formatTick(v, step) {
  if (!Number.isFinite(v)) return "–";
  if (Math.abs(v) < step * 1e-6) v = 0;
  if (step >= 1e4 || Math.abs(v) >= 1e6) return formatSize(v);
  return v.toFixed(decimalsFor(step));
}

/**
 * A value for the read-out, one decimal finer than the panel's ticks: its y domain [lo, hi].
 * @param {number} v
 * @param {[number, number] | null} domain
 * @param {number | null} [tick] price tick, the finest useful precision for prices
 */
export function formatValue(v, domain, tick = null) {
  if (!Number.isFinite(v)) return "–";
  const step = domain ? tickStep(domain[0], domain[1], 5) : 0;
  if (Math.abs(v) >= 1e5 || step >= 1e4) return formatSize(v);
  let dec = step > 0 ? decimalsFor(step / 10) : 4;
  if (tick && tick > 0) dec = Math.max(dec, decimalsFor(tick / 2)); // a mid can sit on a half tick
  return v.toFixed(Math.min(dec, 10));
}

/**
 * Read-out text of one column: "v" when min and max agree at the shown precision, else "lo – hi".
 * @param {number} lo
 * @param {number} hi
 * @param {[number, number] | null} domain
 * @param {number | null} [tick]
 */
export function readout(lo, hi, domain, tick = null) {
  const a = formatValue(lo, domain, tick), b = formatValue(hi, domain, tick);
  if (a === "–" && b === "–") return "no data";
  return a === b || b === "–" ? a : a === "–" ? b : `${a} – ${b}`;
}

/**
 * A selection span from two times, ordered; null when shorter than `minSpan`.
 * @param {number} a
 * @param {number} b
 * @param {number} minSpan
 * @returns {[number, number] | null}
 */
export function spanOf(a, b, minSpan) {
  const lo = Math.min(a, b), hi = Math.max(a, b);
  return hi - lo >= minSpan ? [lo, hi] : null;
}

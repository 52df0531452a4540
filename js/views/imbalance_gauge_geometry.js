// ImbalanceGauge, pure parts (no DOM): the dial's angles and arcs, the sparkline path, the layout
// of a w x h gauge, the word of a value, and the gauge's numbers from a replay track when the
// kernel has not answered for the cursor row. Python mirror: obi_widgets/views/imbalance_gauge.py.

import { bisectRight } from "../lib/source.js";

/**
 * @typedef {{ kind: "rows", n: number } | { kind: "time", ms: number }} GaugeWindow
 * @typedef {{ row: number, t: number, value: number | null, lo: number | null, hi: number | null,
 *   history: ArrayLike<number>, bandStart: number }} TrackGauge
 */

/** A value this close below a threshold counts as on it (float rounding; GRADE_TOLERANCE in Python). */
export const GRADE_TOLERANCE = 1e-9;

const round2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;

/** v clamped to the gauge's scale [-1, 1] (NaN stays NaN). @param {number} v */
export function clampUnit(v) {
  return v < -1 ? -1 : v > 1 ? 1 : v;
}

/**
 * Angle of `v` on the dial in radians, counter-clockwise from the right: -1 at π (left, the ask
 * side), 0 at π/2 (top), +1 at 0 (right, the bid side). Values off the scale stop at its ends.
 * @param {number} v
 */
export function angleOf(v) {
  return (Math.PI * (1 - clampUnit(v))) / 2;
}

/**
 * The point of value `v` at radius `r` around the pivot (cx, cy), in screen coordinates (y down).
 * @param {number} v
 * @param {number} cx
 * @param {number} cy
 * @param {number} r
 * @returns {[number, number]}
 */
export function dialPoint(v, cx, cy, r) {
  const a = angleOf(v);
  return [cx + r * Math.cos(a), cy - r * Math.sin(a)];
}

/**
 * SVG path of the ring sector from value `a` to value `b` between radii r0 < r1 (the dial's
 * zones, the band). The sector runs clockwise on screen from the smaller value to the larger.
 * @param {number} a
 * @param {number} b
 * @param {number} cx
 * @param {number} cy
 * @param {number} r0
 * @param {number} r1
 */
export function arcPath(a, b, cx, cy, r0, r1) {
  const lo = clampUnit(Math.min(a, b)), hi = clampUnit(Math.max(a, b));
  const [x1, y1] = dialPoint(lo, cx, cy, r1).map(round2);
  const [x2, y2] = dialPoint(hi, cx, cy, r1).map(round2);
  const [x3, y3] = dialPoint(hi, cx, cy, r0).map(round2);
  const [x4, y4] = dialPoint(lo, cx, cy, r0).map(round2);
  const R1 = round2(r1), R0 = round2(r0);
  // a span of at most half a turn: never the large arc; clockwise on screen (sweep 1) outside
  return `M${x1} ${y1}A${R1} ${R1} 0 0 1 ${x2} ${y2}L${x3} ${y3}A${R0} ${R0} 0 0 0 ${x4} ${y4}Z`;
}

/**
 * The zones of the dial: [from, to, grade, side] from -1 to +1, split at ±thresholds.
 * @param {number[]} thresholds increasing, in (0, 1]
 * @returns {[number, number, number, number][]}
 */
export function zones(thresholds) {
  const th = thresholds.filter((x) => x > 0 && x <= 1);
  /** @type {[number, number, number, number][]} */
  const out = [];
  const cuts = [-1, ...th.map((x) => -x).reverse(), ...th, 1];
  const n = th.length;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const grade = i < n ? n - i : i - n; // the middle zone (i = n) is grade 0
    const side = i < n ? -1 : i > n ? 1 : 0;
    if (cuts[i + 1] > cuts[i]) out.push([cuts[i], cuts[i + 1], grade, side]);
  }
  return out;
}

/**
 * SVG path of the sparkline of `values` in the box (x0, y0, w, h): +1 at the top, -1 at the
 * bottom, oldest value left; NaN breaks the line. Empty string when nothing is finite.
 * @param {ArrayLike<number>} values
 * @param {number} x0
 * @param {number} y0
 * @param {number} w
 * @param {number} h
 */
export function sparkPath(values, x0, y0, w, h) {
  const n = values.length;
  let d = "", pen = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const x = round2(n > 1 ? x0 + (i * w) / (n - 1) : x0 + w);
    const y = round2(y0 + ((1 - clampUnit(v)) / 2) * h);
    d += `${pen ? "L" : "M"}${x} ${y}`;
    pen = true;
  }
  return d;
}

/**
 * Where the parts of a gauge of `w` x `h` CSS pixels (the drawing, below the header) go.
 * @param {number} w
 * @param {number} h
 */
export function gaugeLayout(w, h) {
  const sparkH = Math.max(14, Math.min(60, Math.round(h * 0.17)));
  const sparkTop = h - sparkH - 2;
  const valueFont = Math.max(13, Math.min(28, Math.round(h * 0.115)));
  const wordFont = Math.max(10, Math.min(16, Math.round(valueFont * 0.72)));
  const wordY = sparkTop - 7;
  const valueY = wordY - wordFont - 3;
  const cy = valueY - valueFont - 4; // clear of the pivot
  const r = Math.max(2, Math.min(w / 2 - 26, cy - 4));
  const thickness = Math.max(5, Math.round(r * 0.2));
  return {
    cx: w / 2, cy, r, thickness, valueY, wordY, valueFont, wordFont,
    spark: { x: 8, y: sparkTop, w: Math.max(10, w - 16), h: sparkH },
  };
}

/**
 * How strong `v` is and which side leads: grade = number of thresholds |v| reaches (a value on a
 * threshold, within GRADE_TOLERANCE, takes the stronger grade), side +1 bid-heavy, -1 ask-heavy, 0 at 0; grade -1 when
 * `v` is missing. The same rule as pressure_grade in Python.
 * @param {number | null | undefined} v
 * @param {number[]} thresholds increasing
 */
export function pressureGrade(v, thresholds) {
  if (v == null || !Number.isFinite(v)) return { grade: -1, side: 0 };
  const a = Math.abs(v) + GRADE_TOLERANCE;
  let grade = 0;
  while (grade < thresholds.length && a >= thresholds[grade]) grade++;
  return { grade, side: v > 0 ? 1 : v < 0 ? -1 : 0 };
}

/**
 * "neutral", "mild bid pressure", "very strong ask pressure", ... ("no value" when missing).
 * @param {number | null | undefined} v
 * @param {number[]} thresholds
 * @param {string[]} words one more than thresholds
 */
export function pressureWord(v, thresholds, words) {
  const { grade, side } = pressureGrade(v, thresholds);
  if (grade < 0) return "no value";
  if (grade === 0 || side === 0) return words[0];
  return `${words[grade]} ${side > 0 ? "bid" : "ask"} pressure`;
}

/**
 * The value in `[-1, 1]` as signed text: "+0.427", "−0.050", "–" when missing.
 * @param {number | null | undefined} v
 * @param {number} [digits]
 */
export function signedText(v, digits = 3) {
  if (v == null || !Number.isFinite(v)) return "–";
  return `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(digits)}`;
}

/**
 * The gauge at cursor row `cursor` from a replay track (rows sampled from the book, their times
 * in ms and the metric's values): the value of the last sample at or before the cursor, the band
 * over the samples in force during the window (the rows `cursor - n + 1 .. cursor`, or the times
 * `[cursorMs - w, cursorMs]`), and the last `history` samples. When the track holds every row
 * these are the numbers Python sends. Null for an empty track.
 * @param {{ rows: ArrayLike<number>, t: ArrayLike<number>, values: ArrayLike<number> }} track
 * @param {number} cursor
 * @param {number} cursorMs time of the cursor row
 * @param {GaugeWindow} window
 * @param {number} history
 * @returns {TrackGauge | null}
 */
export function trackGauge(track, cursor, cursorMs, window, history) {
  const { rows, t, values } = track;
  const n = Math.min(rows.length, t.length, values.length);
  if (!n) return null;
  const k = Math.min(n - 1, Math.max(0, bisectRight(rows, cursor)));
  const from = window.kind === "rows" ? bisectRight(rows, cursor - window.n + 1) : bisectRight(t, cursorMs - window.ms);
  const j0 = Math.min(k, Math.max(0, from));
  let lo = Infinity, hi = -Infinity;
  for (let j = j0; j <= k; j++) {
    const v = values[j];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const h0 = Math.max(0, k - Math.max(1, history) + 1);
  const hist = new Float64Array(k - h0 + 1);
  for (let j = h0; j <= k; j++) hist[j - h0] = values[j];
  const v = values[k];
  return {
    row: rows[k], t: t[k], value: Number.isFinite(v) ? v : null,
    lo: lo <= hi ? lo : null, hi: lo <= hi ? hi : null, history: hist, bandStart: rows[j0],
  };
}

// Colour maps and intensity scales shared by the views (heatmap cells, legends). Pure, no DOM.

/** @typedef {[number, string][]} Stops */

/** Colour stops [position 0..1, "#rrggbb"] of the kit's maps. @type {Record<string, Stops>} */
export const MAPS = {
  // dark background, Bookmap-like: thin liquidity dark blue, through cyan and yellow to hot white
  heat: [[0, "#05070d"], [0.12, "#0c1f4d"], [0.3, "#1658a6"], [0.48, "#1fa6c4"], [0.62, "#5fd38a"],
    [0.74, "#f2e24a"], [0.86, "#f28c28"], [0.95, "#e03a1e"], [1, "#fff6e8"]],
  // light background: white through blue and orange to dark red
  "heat-light": [[0, "#ffffff"], [0.15, "#dbe9f6"], [0.35, "#8dbfe0"], [0.52, "#3a8cc6"], [0.66, "#6cbf7a"],
    [0.78, "#f2d64a"], [0.9, "#ee7d2a"], [1, "#a8150f"]],
};

/**
 * "#rrggbb" -> [r, g, b].
 * @param {string} hex
 * @returns {[number, number, number]}
 */
export function hexRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * A 256-entry RGBA lookup table (Uint8ClampedArray of 1024) interpolating the map's stops.
 * @param {string | Stops} map
 */
export function lut(map) {
  /** @type {Stops} */
  const stops = typeof map === "string" ? MAPS[map] : map;
  if (!stops || stops.length < 2) throw new RangeError(`unknown colour map ${String(map)}`);
  const out = new Uint8ClampedArray(256 * 4);
  let k = 0;
  for (let i = 0; i < 256; i++) {
    const p = i / 255;
    while (k < stops.length - 2 && p > stops[k + 1][0]) k++;
    const [p0, c0] = stops[k];
    const [p1, c1] = stops[k + 1];
    const f = p1 > p0 ? Math.min(1, Math.max(0, (p - p0) / (p1 - p0))) : 0;
    const a = hexRgb(c0), b = hexRgb(c1);
    for (let j = 0; j < 3; j++) out[i * 4 + j] = Math.round(a[j] + (b[j] - a[j]) * f);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * The `p`-th percentile (0..100, linear interpolation) of the finite values > 0 of `values`
 * (empty cells do not count); NaN when there are none.
 * @param {ArrayLike<number>} values
 * @param {number} p
 */
export function percentile(values, p) {
  return percentiles(values, [p])[0];
}

/** Most values sorted by `percentiles`: beyond, an even sample of them (deterministic). */
export const PERCENTILE_SAMPLE = 32768;

/**
 * Several percentiles of the finite values > 0 of `values` from one sort; over
 * PERCENTILE_SAMPLE such values, from every k-th of them (an even sample), which moves a colour
 * cut-off by well under a colour step.
 * @param {ArrayLike<number>} values
 * @param {number[]} ps percentiles, 0..100
 * @returns {number[]}
 */
export function percentiles(values, ps) {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0 && Number.isFinite(v)) count++;
  }
  if (!count) return ps.map(() => NaN);
  const step = Math.max(1, Math.ceil(count / PERCENTILE_SAMPLE));
  const kept = new Float64Array(Math.ceil(count / step));
  let n = 0, seen = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > 0 && Number.isFinite(v))) continue;
    if (seen++ % step === 0) kept[n++] = v;
  }
  const sorted = kept.subarray(0, n).sort();
  return ps.map((p) => {
    const q = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
    const i = Math.floor(q);
    const f = q - i;
    return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
  });
}

/**
 * Intensity in [0, 1] of `v` between the cut-offs `lo` and `hi` (values beyond them clamp to
 * the extreme colours), linear or logarithmic (log(1 + v) scale, which keeps 0 at 0).
 * @param {number} v
 * @param {number} lo
 * @param {number} hi
 * @param {boolean} log
 */
export function intensity(v, lo, hi, log) {
  if (!(v > 0) || !Number.isFinite(v)) return 0;
  const f = log ? Math.log1p : (x) => x;
  const a = f(Math.max(0, lo)), b = f(hi);
  if (!(b > a)) return v >= hi ? 1 : 0;
  return Math.min(1, Math.max(0, (f(v) - a) / (b - a)));
}

// Scales, ticks and number formats shared by the views. Pure functions, no DOM.

/**
 * A linear map from a domain to a range, with its inverse.
 * @param {[number, number]} domain
 * @param {[number, number]} range
 * @returns {((v: number) => number) & { invert: (p: number) => number, domain: [number, number], range: [number, number] }}
 */
export function linear(domain, range) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = (v) => r0 + (v - d0) * k;
  scale.invert = (p) => (k === 0 ? d0 : d0 + (p - r0) / k);
  scale.domain = /** @type {[number, number]} */ ([d0, d1]);
  scale.range = /** @type {[number, number]} */ ([r0, r1]);
  return scale;
}

/**
 * Round tick step (1, 2 or 5 times a power of ten) giving about `count` ticks over [lo, hi].
 * @param {number} lo
 * @param {number} hi
 * @param {number} count
 */
export function tickStep(lo, hi, count) {
  const span = Math.abs(hi - lo);
  if (!(span > 0) || !Number.isFinite(span) || count < 1) return 0;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const ratio = raw / power; // in [1, 10): round to 1, 2, 5 or 10 on a log scale
  const nice = ratio >= Math.sqrt(50) ? 10 : ratio >= Math.sqrt(10) ? 5 : ratio >= Math.sqrt(2) ? 2 : 1;
  return nice * power;
}

/**
 * Tick values: multiples of a round step inside [lo, hi].
 * @param {number} lo
 * @param {number} hi
 * @param {number} count wanted number of ticks (approximate)
 * @returns {number[]}
 */
export function ticks(lo, hi, count = 5) {
  if (lo > hi) [lo, hi] = [hi, lo];
  const step = tickStep(lo, hi, count);
  if (step === 0) return Number.isFinite(lo) ? [lo] : [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const out = [];
  for (let i = first; i <= last; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/**
 * Number of decimals needed to show values on a grid of `step`.
 * @param {number} step
 */
export function decimalsFor(step) {
  if (!(step > 0) || !Number.isFinite(step)) return 2;
  return Math.max(0, Math.min(10, Math.ceil(-Math.log10(step) - 1e-9)));
}

/**
 * A size with a k/M/G suffix: 1234 -> "1.23k".
 * @param {number} v
 */
export function formatSize(v) {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, "");
}

/**
 * Index of the entry of a sorted array nearest to `v` (ascending or descending); -1 if empty.
 * NaN entries (empty levels) must only be at the end.
 * @param {ArrayLike<number>} sorted
 * @param {number} v
 */
export function nearestIndex(sorted, v) {
  let n = 0;
  while (n < sorted.length && Number.isFinite(sorted[n])) n++;
  if (n === 0) return -1;
  let best = 0;
  for (let i = 1; i < n; i++) {
    if (Math.abs(sorted[i] - v) < Math.abs(sorted[best] - v)) best = i;
  }
  return best;
}

// Imbalance values as text with the heavier side named, for the read-outs of the ladder and the
// depth chart. Pure, no DOM.

/**
 * "bid-heavy +0.213", "ask-heavy −0.050", "balanced +0.000"; "–" for a missing value.
 * The value is an imbalance in [-1, 1], positive when the bid side is heavier.
 * @param {number | null | undefined} v
 * @param {number} [digits]
 */
export function imbalanceLabel(v, digits = 3) {
  if (v == null || !Number.isFinite(v)) return "–";
  const s = `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(digits)}`;
  return `${v > 0 ? "bid-heavy" : v < 0 ? "ask-heavy" : "balanced"} ${s}`;
}

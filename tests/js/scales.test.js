import { describe, expect, it } from "vitest";
import { decimalsFor, formatSize, linear, nearestIndex, tickStep, ticks } from "../../js/lib/scales.js";

describe("linear", () => {
  it("maps and inverts", () => {
    const s = linear([100, 101], [0, 200]);
    expect(s(100.5)).toBe(100);
    expect(s.invert(50)).toBeCloseTo(100.25, 12);
    const flipped = linear([0, 10], [300, 100]);
    expect(flipped(10)).toBe(100);
    expect(flipped.invert(200)).toBe(5);
  });
  it("handles an empty domain without NaN", () => {
    const s = linear([5, 5], [0, 10]);
    expect(s(7)).toBe(0);
    expect(s.invert(3)).toBe(5);
  });
});

describe("ticks", () => {
  it("gives round steps", () => {
    expect(tickStep(0, 10, 5)).toBe(2);
    expect(tickStep(0, 100, 10)).toBe(10);
    expect(tickStep(99.7, 99.95, 4)).toBeCloseTo(0.05, 12);
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(99.72, 99.93, 4)).toEqual([99.75, 99.8, 99.85, 99.9]);
  });
  it("is safe on degenerate ranges", () => {
    expect(ticks(3, 3, 5)).toEqual([3]);
    expect(ticks(NaN, 1, 5)).toEqual([]);
    expect(ticks(10, 0, 5)).toEqual([0, 2, 4, 6, 8, 10]);
  });
});

describe("formats", () => {
  it("decimals for a step", () => {
    expect(decimalsFor(0.01)).toBe(2);
    expect(decimalsFor(0.05)).toBe(2);
    expect(decimalsFor(1)).toBe(0);
    expect(decimalsFor(0.0001)).toBe(4);
  });
  it("sizes with suffixes", () => {
    expect(formatSize(950)).toBe("950");
    expect(formatSize(12500)).toBe("12.5k");
    expect(formatSize(3.2e6)).toBe("3.20M");
    expect(formatSize(0.125)).toBe("0.125");
    expect(formatSize(NaN)).toBe("–");
  });
});

describe("nearestIndex", () => {
  it("finds the nearest level, ignoring an empty tail", () => {
    const bids = new Float64Array([10, 9.9, 9.8, NaN]);
    expect(nearestIndex(bids, 9.86)).toBe(1);
    expect(nearestIndex(bids, 5)).toBe(2);
    expect(nearestIndex(new Float64Array([NaN]), 1)).toBe(-1);
  });
});

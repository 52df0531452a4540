import { describe, expect, it } from "vitest";
import { decodeFrame, priceWindow, stepOutline } from "../../js/views/depth_chart.js";

function frameBytes(levels, rows) {
  const flat = rows.flat();
  const dv = new DataView(new ArrayBuffer(flat.length * 8));
  flat.forEach((v, i) => dv.setFloat64(i * 8, v, true));
  expect(flat.length).toBe(5 * levels);
  return dv;
}

const twoLevels = () =>
  decodeFrame(
    frameBytes(2, [
      [10.0, 9.9], // bid px
      [5, 12], // bid cum
      [10.2, 10.3], // ask px
      [2, 10], // ask cum
      [3 / 7, 2 / 22], // imbalance through level
    ]),
    2,
  );

describe("decodeFrame", () => {
  it("splits the five blocks", () => {
    const f = twoLevels();
    expect(Array.from(f.bidPx)).toEqual([10.0, 9.9]);
    expect(Array.from(f.askCum)).toEqual([2, 10]);
    expect(f.imb[0]).toBeCloseTo(3 / 7, 12);
  });
  it("rejects a frame of the wrong size", () => {
    expect(() => decodeFrame(frameBytes(2, [[1, 2], [1, 2], [1, 2], [1, 2], [1, 2]]), 3)).toThrow(/expected 5 x 3/);
  });
});

describe("priceWindow", () => {
  it("is symmetric around the mid and covers every level", () => {
    const [lo, hi] = priceWindow(twoLevels());
    expect((lo + hi) / 2).toBeCloseTo(10.1, 12);
    expect(lo).toBeLessThan(9.9);
    expect(hi).toBeGreaterThan(10.3);
  });
  it("handles a one-sided and an empty book", () => {
    const f = twoLevels();
    f.askPx.fill(NaN);
    const [lo, hi] = priceWindow(f);
    expect(lo).toBeLessThan(9.9);
    expect(hi).toBeGreaterThan(10.0);
    f.bidPx.fill(NaN);
    expect(priceWindow(f)).toBeNull();
  });
});

describe("stepOutline", () => {
  it("steps outwards level by level to the edge", () => {
    const f = twoLevels();
    expect(stepOutline(f.bidPx, f.bidCum, 9.5)).toEqual([
      [10.0, 0], [10.0, 5], [9.9, 5], [9.9, 12], [9.5, 12], [9.5, 0],
    ]);
  });
  it("stops at the first empty level", () => {
    const px = new Float64Array([10.2, NaN]);
    const cum = new Float64Array([2, NaN]);
    expect(stepOutline(px, cum, 11)).toEqual([[10.2, 0], [10.2, 2], [11, 2], [11, 0]]);
    expect(stepOutline(new Float64Array([NaN]), new Float64Array([NaN]), 11)).toEqual([]);
  });
});

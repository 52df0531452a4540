import { describe, expect, it } from "vitest";
import { filledLevels, marginsFor, priceWindow, sideShape, stepOutline } from "../../js/views/depth_chart_geometry.js";
import { imbalanceLabel } from "../../js/lib/imbalance_label.js";

// the frame of tests/test_depth_chart.py at row 0
const twoLevels = () => ({
  bidPx: new Float64Array([10.0, 9.9]), bidCum: new Float64Array([5, 12]),
  askPx: new Float64Array([10.2, 10.3]), askCum: new Float64Array([2, 10]),
});

describe("filledLevels", () => {
  it("counts the priced levels at the front", () => {
    expect(filledLevels([1, 2, NaN])).toBe(2);
    expect(filledLevels([NaN, 2])).toBe(0);
    expect(filledLevels([])).toBe(0);
  });
});

describe("priceWindow", () => {
  it("is symmetric around the mid and covers every level", () => {
    const [lo, hi] = priceWindow(twoLevels());
    expect((lo + hi) / 2).toBeCloseTo(10.1, 12);
    // the farthest level is 0.2 from the mid (8% more: 0.216), but the window is at least
    // 2.5 spreads (0.2) each side
    expect(hi - 10.1).toBeCloseTo(0.5, 12);
    const deep = priceWindow({ bidPx: [10.0, 9.0], askPx: [10.1, 10.2] }); // farthest 1.05 from 10.05
    expect(deep[1] - 10.05).toBeCloseTo(1.05 * 1.08, 12);
  });
  it("gives a one-level book a window of a few spreads, not a sliver", () => {
    const [lo, hi] = priceWindow({ bidPx: [10.0], askPx: [10.1] });
    expect(lo).toBeCloseTo(10.05 - 0.25, 12); // 2.5 spreads each side of the mid
    expect(hi).toBeCloseTo(10.05 + 0.25, 12);
  });
  it("handles a one-sided and an empty book", () => {
    const f = twoLevels();
    f.askPx.fill(NaN);
    const [lo, hi] = priceWindow(f);
    expect(lo).toBeLessThan(9.9);
    expect(hi).toBeGreaterThan(10.0);
    const one = priceWindow({ bidPx: [10.0], askPx: [NaN] }); // one price: 0.1% of it
    expect(one[0]).toBeCloseTo(9.99, 12);
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

describe("sideShape", () => {
  it("cuts a full side at its deepest level: the rest is unknown, drawn dashed", () => {
    const f = twoLevels();
    const s = sideShape(f.askPx, f.askCum, 10.6, 2);
    expect(s.known).toEqual([[10.2, 0], [10.2, 2], [10.3, 2], [10.3, 10], [10.3, 10], [10.3, 0]]);
    expect(s.beyond).toEqual([[10.3, 10], [10.6, 10]]);
  });
  it("runs a side with fewer priced levels than the book has on to the edge", () => {
    const s = sideShape([10.0, NaN], [3, NaN], 9.5, 2);
    expect(s.known).toEqual([[10.0, 0], [10.0, 3], [9.5, 3], [9.5, 0]]);
    expect(s.beyond).toBeNull();
    expect(sideShape([NaN], [NaN], 9.5, 1)).toEqual({ known: [], beyond: null });
  });
});

describe("marginsFor", () => {
  it("keeps the axes when there is room, and a usable plot in a 50-px cell", () => {
    expect(marginsFor(800)).toEqual({ left: 58, right: 16, top: 14, bottom: 34, axes: true });
    const m = marginsFor(50);
    expect(m.axes).toBe(false);
    expect(50 - m.left - m.right).toBeGreaterThan(10);
  });
});

describe("imbalanceLabel", () => {
  it("names the heavier side", () => {
    expect(imbalanceLabel(0.21, 2)).toBe("bid-heavy +0.21");
    expect(imbalanceLabel(-0.0444)).toBe("ask-heavy −0.044");
    expect(imbalanceLabel(null)).toBe("–");
  });
});

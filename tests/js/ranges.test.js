import { describe, expect, it } from "vitest";
import { clampRange, panRange, zoomRange } from "../../js/lib/ranges.js";

// the shared time range's zoom and pan (heatmap and timeline), and the heatmap's price range
describe("zoom and pan", () => {
  const ext = /** @type {[number, number]} */ ([0, 1000]);
  it("keeps the point under the pointer fixed", () => {
    expect(zoomRange([0, 100], 25, 0.5, null, 1)).toEqual([12.5, 62.5]);
    expect(zoomRange([0, 100], 25, 2, [0, 1000], 1)).toEqual([0, 200]);
  });
  it("stays inside the bounds and above the minimum span", () => {
    expect(zoomRange([0, 100], 50, 100, [0, 300], 1)).toEqual([0, 300]);
    expect(zoomRange([0, 100], 50, 1e-9, null, 2)).toEqual([49, 51]);
    expect(panRange([0, 100], -30, [0, 300])).toEqual([0, 100]);
    expect(panRange([0, 100], 250, [0, 300])).toEqual([200, 300]);
    expect(panRange([0, 100], 10, null)).toEqual([10, 110]);
  });
  it("zooms around the pointer keeping its time in place", () => {
    const [a, b] = zoomRange([0, 1000], 250, 0.5, ext, 1e-3);
    expect([a, b]).toEqual([125, 625]); // 250 stays at a quarter of the range
    expect(zoomRange([100, 200], 150, 100, ext, 1e-3)).toEqual([0, 1000]); // never beyond the book
    const [c, d] = zoomRange([0, 100], 10, 4, ext, 1e-3); // out near the start: shifted inside
    expect(c).toBe(0);
    expect(d).toBeCloseTo(400, 9);
  });
  it("pans and stops at the ends", () => {
    expect(panRange([100, 200], 50, ext)).toEqual([150, 250]);
    expect(panRange([900, 1000], 50, ext)).toEqual([900, 1000]);
    expect(panRange([0, 100], -50, ext)).toEqual([0, 100]);
  });
  it("clamps a range to the extent", () => {
    expect(clampRange([-50, 50], ext)).toEqual([0, 100]);
    expect(clampRange([-50, 5000], ext)).toEqual([0, 1000]);
    expect(clampRange([3, 3], [5, 5])).toEqual([5, 5]); // a one-row book
    expect(clampRange([10, 10], ext, 2)).toEqual([9, 11]); // at least the minimum span
  });
});

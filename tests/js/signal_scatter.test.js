import { describe, expect, it } from "vitest";
import {
  brushBox, bucketAt, bucketX, cellAt, cellIndex, countsText, densityPixels, fmt, inside, layoutFor, MARGIN,
  nearestPoint, profileOf, regressionText, scalesFor,
} from "../../js/views/signal_scatter_layout.js";

// the toy payload of tests/test_signal_scatter.py: the box [0, 4] x [-2, 2] on a 2 x 2 grid
const meta = { x_range: [0, 4], y_range: [-2, 2], nx: 2, ny: 2 };

describe("layoutFor / scalesFor", () => {
  it("puts the plot above the P(up) panel, sharing x", () => {
    const L = layoutFor(486, 460);
    expect(L.plot.x).toBe(MARGIN.left);
    expect(L.plot.w).toBe(486 - MARGIN.left - MARGIN.right);
    expect(L.panel.x).toBe(L.plot.x);
    expect(L.panel.y).toBeGreaterThan(L.plot.y + L.plot.h);
    expect(L.height).toBe(460);
    expect(L.plot.h).toBe(460 - 160); // what the Python side assumes (plot_size in _signal_scatter_data.py)
    expect(layoutFor(800, 300).plot.h).toBe(158);
    expect(layoutFor(800, 300).panel.h).toBe(66);
  });
  it("maps the data box to the plot, y up, p from 0 at the bottom to 1 at the top", () => {
    const L = layoutFor(400, 460);
    const s = scalesFor(meta, L);
    expect(s.x(0)).toBe(L.plot.x);
    expect(s.x(4)).toBe(L.plot.x + L.plot.w);
    expect(s.y(-2)).toBe(L.plot.y + L.plot.h);
    expect(s.y(2)).toBe(L.plot.y);
    expect(s.p(1)).toBe(L.panel.y);
    expect(s.p(0)).toBe(L.panel.y + L.panel.h);
    expect(s.y.invert(L.plot.y + L.plot.h / 2)).toBeCloseTo(0);
  });
});

describe("cellAt", () => {
  it("finds the cell like density_grid: upper edges in the last cell, null outside", () => {
    expect(cellAt(meta, 0, -2)).toMatchObject({ i: 0, j: 0, x0: 0, x1: 2, y0: -2, y1: 0 });
    expect(cellAt(meta, 1.9, 0)).toMatchObject({ i: 0, j: 1 });
    expect(cellAt(meta, 2, -0.5)).toMatchObject({ i: 1, j: 0 });
    expect(cellAt(meta, 4, 2)).toMatchObject({ i: 1, j: 1 });
    expect(cellAt(meta, 5, 0)).toBeNull();
    expect(cellAt(meta, 1, NaN)).toBeNull();
  });
  it("puts values on an edge where numpy.histogram2d does (edges of linspace, not a rounded division)", () => {
    // linspace(-0.02, 0.02, 151)[k] = k * step + lo: each edge is in the cell above it, just below it in the one below
    const lo = -0.02, hi = 0.02, n = 150, step = (hi - lo) / n;
    for (let k = 0; k <= n; k++) {
      const e = k === n ? hi : k * step + lo;
      expect(cellIndex(e, lo, hi, n)).toBe(Math.min(k, n - 1));
      if (k > 0 && k < n) expect(cellIndex(e - 1e-12, lo, hi, n)).toBe(k - 1);
    }
    expect(cellIndex(0.1, 0, 0.3, 3)).toBe(1); // (0.1 - 0) / 0.1 = 1 exactly; linspace edge 0.1
  });
});

describe("densityPixels", () => {
  // a ramp LUT: entry e has red = e, so the pixel's red channel is the LUT entry used
  const ramp = new Uint8ClampedArray(1024);
  for (let e = 0; e < 256; e++) ramp.set([e, 255 - e, 7, 255], e * 4);
  it("flips rows (row 0 = lowest y at the bottom), leaves empty cells transparent, log scale", () => {
    // counts (ny=2, nx=2) of the toy: [[1, 1], [1, 2]] -> row 1 (y top) first in the image
    const px = densityPixels([1, 0, 3, 7], 2, 2, 7, ramp, 64);
    const at = (/** @type {number} */ i, /** @type {number} */ j) => Array.from(px.slice(((1 - j) * 2 + i) * 4, ((1 - j) * 2 + i) * 4 + 4));
    expect(at(1, 0)).toEqual([0, 0, 0, 0]); // count 0: transparent
    const entry = (/** @type {number} */ c) => Math.round(64 + (Math.log1p(c) / Math.log1p(7)) * (255 - 64));
    expect(at(0, 0)[0]).toBe(entry(1));
    expect(at(0, 1)[0]).toBe(entry(3));
    expect(at(1, 1)).toEqual([255, 0, 7, 255]); // the maximum: the last entry
    expect(at(0, 0)[3]).toBe(255);
  });
  it("draws a lone point at the top entry when the maximum is 1", () => {
    const px = densityPixels([0, 1], 2, 1, 1, ramp, 64);
    expect(Array.from(px.slice(4, 8))).toEqual([255, 0, 7, 255]);
  });
});

describe("profile helpers", () => {
  const a = {
    p_lo: new Float64Array([-1, 0, 0.5]), p_hi: new Float64Array([0, 0.5, 1]),
    p_count: new Float64Array([3, 0, 2]), p_signal_mean: new Float64Array([-0.4, NaN, 0.9]),
    p_move_mean: new Float64Array([-1, NaN, 2]), p_up: new Float64Array([0.25, NaN, 1]),
    p_zero: new Float64Array([0, NaN, 0.5]),
  };
  it("finds the bucket [lo, hi), the last one closed", () => {
    const p = /** @type {any} */ (profileOf(a));
    expect(bucketAt(p, -1)).toBe(0);
    expect(bucketAt(p, 0)).toBe(1);
    expect(bucketAt(p, 0.4999)).toBe(1);
    expect(bucketAt(p, 1)).toBe(2);
    expect(bucketAt(p, 1.01)).toBe(-1);
    expect(bucketAt(p, -1.5)).toBe(-1);
  });
  it("draws a bucket at its mean signal, at its centre when empty", () => {
    const p = /** @type {any} */ (profileOf(a));
    expect(bucketX(p, 0)).toBe(-0.4);
    expect(bucketX(p, 1)).toBe(0.25);
    expect(profileOf({})).toBeNull();
  });
});

describe("brushBox / nearestPoint / inside", () => {
  const L = layoutFor(400, 460);
  const s = scalesFor(meta, L);
  it("turns two corners into (x0, x1, y0, y1), in any order, clamped to the plot", () => {
    const b = brushBox(s, L.plot, [s.x(3), s.y(-1)], [s.x(1), s.y(1.5)]);
    expect(b.map((v) => Number(v.toFixed(9)))).toEqual([1, 3, -1, 1.5]);
    const c = brushBox(s, L.plot, [0, 0], [s.x(2), s.y(0)]);
    expect(c[0]).toBe(0);
    expect(c[3]).toBe(2);
  });
  it("finds the drawn point nearest the pointer within the tolerance", () => {
    const xs = [0, 2, 4], ys = [0, 1, -2];
    expect(nearestPoint(xs, ys, s, s.x(2) + 3, s.y(1) - 2, 6)).toBe(1);
    expect(nearestPoint(xs, ys, s, s.x(2) + 9, s.y(1), 6)).toBe(-1);
    expect(nearestPoint(undefined, undefined, s, 0, 0, 6)).toBe(-1);
  });
  it("knows the plot's inside", () => {
    expect(inside(L.plot, L.plot.x, L.plot.y)).toBe(true);
    expect(inside(L.plot, L.plot.x - 1, L.plot.y)).toBe(false);
  });
});

describe("texts", () => {
  it("formats numbers", () => {
    expect(fmt(1234567)).toBe("1,234,567");
    expect(fmt(0.123456)).toBe("0.1235");
    expect(fmt(0.00001234)).toBe("1.23e-5");
    expect(fmt(null)).toBe("–");
    expect(fmt(NaN)).toBe("–");
    expect(fmt(0)).toBe("0");
  });
  it("writes the regression and the counts", () => {
    expect(regressionText({ slope: 0.5, t_stat: 12.34, r2: 0.01, n: 1000000 })).toBe(
      "slope 0.5  ·  t 12.34  ·  R² 0.01  ·  n 1,000,000");
    expect(regressionText(null, "too few rows")).toBe("no regression: too few rows");
    expect(countsText({ n: 5, dropped: 0, outside: 0 })).toBe("5 pairs");
    expect(countsText({ n: 999, dropped: 1, outside: 2000 })).toBe("999 pairs · 1 dropped (NaN) · 2,000 outside the view");
  });
});

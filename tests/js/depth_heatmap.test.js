import { describe, expect, it } from "vitest";
import { hexRgb, intensity, lut, MAPS, percentile } from "../../js/lib/colormap.js";
import {
  FLOOR, autoPrice, blitRects, cellAt, colorize, cutoffValues, dotIndex, dotRadius, dotSlice, dotTime, level, levelValue,
  readRaster, rowNear, colorizeColumns, cutsClose, scrollShift,
} from "../../js/views/depth_heatmap_raster.js";

/** A raster by hand: 2 slices over [0, 10] ms, 3 buckets of 1 tick (0.1) from price 9.95. */
function raster(extra = {}) {
  return {
    t0: 0, t1: 10, p0: 9.95, p1: 10.25, nT: 2, nP: 3, k: 1, tick: 0.1, auto: true, pad: 0.2,
    cells: Float32Array.from([1, 0, 4, 2, 8, 0]), // slice 0: buckets 0..2, slice 1: buckets 0..2
    row: Int32Array.from([0, 5, 9]),
    bidLo: Float64Array.from([10.0, 9.9]), bidHi: Float64Array.from([10.0, 10.0]),
    askLo: Float64Array.from([10.1, NaN]), askHi: Float64Array.from([10.2, NaN]),
    dots: { n: 2, nDot: 2, s: Int32Array.from([0, 1]), b: Int32Array.from([2, 0]), px: Float64Array.from([10.2, 10.0]),
      buy: Float32Array.from([3, 0]), sell: Float32Array.from([1, 2]), other: Float32Array.from([0, 0]) },
    ...extra,
  };
}

describe("colormap.lut", () => {
  it("hits the stops exactly at both ends and interpolates between", () => {
    const t = lut([[0, "#000000"], [1, "#ff8040"]]);
    expect(t.length).toBe(1024);
    expect(Array.from(t.subarray(0, 4))).toEqual([0, 0, 0, 255]);
    expect(Array.from(t.subarray(1020, 1024))).toEqual([255, 128, 64, 255]);
    // entry 51 is at 51/255 = 0.2: 0.2 * 255 = 51, 0.2 * 128 = 25.6 -> 26, 0.2 * 64 = 12.8 -> 13
    expect(Array.from(t.subarray(51 * 4, 51 * 4 + 4))).toEqual([51, 26, 13, 255]);
  });
  it("knows the kit's maps and refuses others", () => {
    for (const name of Object.keys(MAPS)) {
      const t = lut(name);
      expect(Array.from(t.subarray(0, 3))).toEqual(hexRgb(MAPS[name][0][1]));
      expect(Array.from(t.subarray(1020, 1023))).toEqual(hexRgb(MAPS[name][MAPS[name].length - 1][1]));
    }
    expect(() => lut("nope")).toThrow(/unknown colour map/);
  });
});

describe("colormap.percentile", () => {
  it("interpolates linearly over the non-empty finite cells", () => {
    const cells = [0, 4, NaN, 1, 3, 2, 0, Infinity];
    // kept: 1 2 3 4 -> p50 at position 1.5 = 2.5; p0 = 1; p100 = 4; p25 at 0.75 = 1.75
    expect(percentile(cells, 50)).toBe(2.5);
    expect(percentile(cells, 0)).toBe(1);
    expect(percentile(cells, 100)).toBe(4);
    expect(percentile(cells, 25)).toBe(1.75);
    expect(percentile(cells, 150)).toBe(4);
    expect(percentile([0, 0, NaN], 50)).toBeNaN();
  });
});

describe("colormap.intensity", () => {
  it("is linear between the cut-offs and clamps beyond them", () => {
    expect(intensity(5, 0, 10, false)).toBe(0.5);
    expect(intensity(2, 2, 10, false)).toBe(0);
    expect(intensity(50, 2, 10, false)).toBe(1);
    expect(intensity(1, 2, 10, false)).toBe(0);
    expect(intensity(0, 0, 10, false)).toBe(0);
    expect(intensity(NaN, 0, 10, false)).toBe(0);
  });
  it("is log(1 + v) between the cut-offs on the log scale", () => {
    expect(intensity(3, 0, 15, true)).toBeCloseTo(Math.log(4) / Math.log(16), 12); // = 0.5
    expect(intensity(3, 1, 15, true)).toBeCloseTo((Math.log(4) - Math.log(2)) / (Math.log(16) - Math.log(2)), 12);
    expect(intensity(20, 1, 15, true)).toBe(1);
  });
  it("handles equal cut-offs", () => {
    expect(intensity(5, 5, 5, false)).toBe(1);
    expect(intensity(4, 5, 5, false)).toBe(0);
  });
});

describe("cut-offs and levels", () => {
  it("takes the percentiles of the non-empty cells", () => {
    expect(cutoffValues([0, 1, 2, 3, 4, 5], [0, 100])).toEqual([1, 5]);
    const [lo, hi] = cutoffValues([0, 7, 7], [0, 100]);
    expect(lo).toBe(7);
    expect(hi).toBeGreaterThan(7);
  });
  it("log level is relative to the low cut-off and levelValue inverts it", () => {
    // log(1 + v/lo): v = lo -> log 2, v = hi = 3 lo -> log 4: v = 2 lo sits at log(3/2)/log(2)
    expect(level(2, [1, 3], true)).toBeCloseTo((Math.log(3) - Math.log(2)) / (Math.log(4) - Math.log(2)), 12);
    // the same in other units (fractions of a BTC)
    expect(level(0.002, [0.001, 0.003], true)).toBeCloseTo(level(2, [1, 3], true), 12);
    for (const log of [true, false]) {
      for (const f of [0, 0.3, 1]) expect(level(levelValue(f, [0.5, 40], log), [0.5, 40], log)).toBeCloseTo(f, 9);
    }
  });
});

describe("colorize", () => {
  it("puts the highest bucket on the top row, slices left to right, empty cells at the map's start", () => {
    const table = lut([[0, "#000000"], [1, "#ffffff"]]);
    const px = colorize(raster(), [1, 8], false, table);
    expect(px.length).toBe(2 * 3 * 4);
    const at = (x, y) => px[(y * 2 + x) * 4];
    // slice 0: buckets (1, 0, 4) -> bottom row 1, middle 0, top 4; slice 1: (2, 8, 0)
    // non-empty cells use entries 24..255 (FLOOR = 24), so the thinnest stays visible
    expect(FLOOR).toBe(24);
    expect(at(0, 2)).toBe(24); // 1 is the low cut-off: the first non-empty colour
    expect(at(0, 1)).toBe(0); // empty
    expect(at(0, 0)).toBe(24 + Math.round((3 / 7) * 231));
    expect(at(1, 1)).toBe(255);
    expect(at(1, 2)).toBe(24 + Math.round((1 / 7) * 231));
    expect(px[3]).toBe(255);
  });
});

describe("readRaster", () => {
  it("reads a decoded payload and refuses a malformed one", () => {
    const d = {
      meta: { t0: 0, t1: 10, p0: 9.95, p1: 10.25, n_time: 2, n_price: 3, k: 1, tick: 0.1, auto: true, pad: 0.2, n_dot: 4 },
      arrays: { cells: new Float32Array(6), row: new Int32Array(3) },
      shapes: {},
    };
    const r = readRaster(d);
    expect(r?.nT).toBe(2);
    expect(r?.dots.n).toBe(0);
    expect(readRaster({ ...d, arrays: { cells: new Float32Array(5) } })).toBeNull();
    expect(readRaster({ meta: {}, arrays: {}, shapes: {} })).toBeNull();
  });
});

describe("geometry", () => {
  const box = { left: 10, right: 110, top: 0, bottom: 60 };
  it("blits the whole raster onto the plot when the windows agree", () => {
    const q = blitRects(raster(), { t: [0, 10], p: [9.95, 10.25] }, box);
    expect(q).toMatchObject({ sx: 0, sw: 2, dx: 10, dw: 100 });
    expect(q?.sy).toBeCloseTo(0, 12);
    expect(q?.sh).toBeCloseTo(3, 12);
    expect(q?.dy).toBeCloseTo(0, 12);
    expect(q?.dh).toBeCloseTo(60, 12);
  });
  it("blits only the visible part when zoomed, nothing when outside", () => {
    const q = blitRects(raster(), { t: [5, 15], p: [9.95, 10.25] }, box);
    expect(q?.sx).toBe(1);
    expect(q?.sw).toBe(1);
    expect(q?.dx).toBe(10);
    expect(q?.dw).toBe(50);
    expect(blitRects(raster(), { t: [20, 30], p: [9.95, 10.25] }, box)).toBeNull();
  });
  it("stretches a raster of no duration (a one-row book) across the plot", () => {
    const flat = { ...raster(), t0: 5, t1: 5 };
    const q = blitRects(flat, { t: [5, 5], p: [9.95, 10.25] }, box);
    expect(q).toMatchObject({ sx: 0, sw: 2, dx: 10, dw: 100 });
    expect(q?.dh).toBeCloseTo(60, 12);
    expect(blitRects(flat, { t: [6, 6], p: [9.95, 10.25] }, box)).toBeNull();
  });
  it("finds cells, dots and rows", () => {
    const c = cellAt(raster(), 7, 10.12);
    expect(c).toMatchObject({ s: 1, b: 1, value: 8 });
    expect(c?.pLo).toBeCloseTo(10.1, 12);
    expect(cellAt(raster(), 7, 10.3)).toBeNull();
    expect(dotIndex(raster(), 0, 2)).toBe(0);
    expect(dotIndex(raster(), 1, 0)).toBe(1);
    expect(dotIndex(raster(), 1, 1)).toBe(-1);
    expect(dotTime(raster(), 1)).toBe(7.5);
    expect(dotSlice(raster(), 9.9)).toBe(1);
    expect(rowNear(raster(), 0)).toBe(0);
    expect(rowNear(raster(), 10)).toBe(9);
    expect(rowNear(raster(), 2.5)).toBe(3); // half-way through rows 0..5
    expect(rowNear(raster(), 11)).toBeNull();
  });
  it("sizes dots by area", () => {
    expect(dotRadius(4, 16, 8)).toBe(4);
    expect(dotRadius(64, 16, 8)).toBe(8);
    expect(dotRadius(0.0001, 16, 8)).toBe(1.5);
    expect(dotRadius(0, 16, 8)).toBe(0);
  });
  it("fits the price window to the best prices of the visible slices", () => {
    const [lo, hi] = /** @type {[number, number]} */ (autoPrice(raster(), 0, 10));
    expect(lo).toBeCloseTo(9.9 - 0.3, 12);
    expect(hi).toBeCloseTo(10.2 + 0.3, 12);
    const [lo1, hi1] = /** @type {[number, number]} */ (autoPrice(raster(), 6, 10));
    expect(lo1).toBeCloseTo(9.6, 12);
    expect(hi1).toBeCloseTo(10.3, 12);
  });
});


describe("live scrolling", () => {
  it("finds the whole-slice shift between two rasters on one grid", () => {
    const a = raster({ t0: 0, t1: 10 });
    expect(scrollShift(a, raster({ t0: 5, t1: 15 }))).toBe(1); // slices are 5 ms wide
    expect(scrollShift(a, raster({ t0: 0, t1: 10 }))).toBe(0);
  });
  it("refuses when the grid differs or the shift is not whole", () => {
    const a = raster({ t0: 0, t1: 10 });
    expect(scrollShift(a, raster({ t0: 2.5, t1: 12.5 }))).toBe(-1); // half a slice
    expect(scrollShift(a, raster({ t0: 5, t1: 17 }))).toBe(-1); // another slice width
    expect(scrollShift(a, raster({ t0: 5, t1: 15, p0: 9.85 }))).toBe(-1); // another price grid
    expect(scrollShift(a, raster({ t0: -5, t1: 5 }))).toBe(-1); // backwards
    expect(scrollShift(a, raster({ t0: 10, t1: 20 }))).toBe(-1); // nothing in common
  });
  it("paints the chosen slices exactly as the full image does", () => {
    const r = raster();
    const table = lut("heat");
    const cut = cutoffValues(r.cells, [0, 100]);
    const full = colorize(r, cut, false, table);
    const last = colorizeColumns(r, cut, false, table, 1, 2);
    // column 1 of the full image (width 2), row by row, equals the one-column image
    for (let y = 0; y < r.nP; y++) {
      expect(Array.from(last.slice(y * 4, y * 4 + 4))).toEqual(Array.from(full.slice((y * 2 + 1) * 4, (y * 2 + 1) * 4 + 4)));
    }
  });
  it("keeps colours while the cut-offs stay within a quarter", () => {
    expect(cutsClose([10, 100], [11, 120])).toBe(true);
    expect(cutsClose([10, 100], [10, 140])).toBe(false); // 40 > a quarter of 140
    expect(cutsClose([NaN, NaN], [10, 100])).toBe(false);
  });
});

describe("percentiles from one sort", () => {
  it("equals the single percentiles on small inputs, NaN when nothing is positive", async () => {
    const { percentiles } = await import("../../js/lib/colormap.js");
    const v = [0, 5, 1, NaN, 3, 2, 4, -1];
    expect(percentiles(v, [0, 50, 100])).toEqual([1, 3, 5]);
    expect(percentiles(v, [25])[0]).toBeCloseTo(percentile(v, 25), 12);
    expect(percentiles([0, -2], [50]).every(Number.isNaN)).toBe(true);
  });
  it("samples big inputs evenly: 1..200000 within 1 % at the 1st percentile, 0.01 % at the 99th", async () => {
    const { percentiles } = await import("../../js/lib/colormap.js");
    const v = Float32Array.from({ length: 200000 }, (_, i) => i + 1);
    const [p1, p99] = percentiles(v, [1, 99]);
    expect(Math.abs(p1 - 2000) / 2000).toBeLessThan(1e-2);
    expect(Math.abs(p99 - 198000) / 198000).toBeLessThan(1e-4);
  });
});

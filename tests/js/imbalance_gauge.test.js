import { describe, expect, it } from "vitest";
import {
  angleOf, arcPath, clampUnit, dialPoint, gaugeLayout, pressureGrade, pressureWord, signedText, sparkPath,
  trackGauge, zones,
} from "../../js/views/imbalance_gauge_geometry.js";

const TH = [0.2, 0.5, 0.8];
const WORDS = ["neutral", "mild", "strong", "very strong"];
const arr = (a) => Array.from(a);

describe("dial geometry", () => {
  it("maps -1..+1 to a half turn, ask on the left, bid on the right", () => {
    expect(angleOf(-1)).toBeCloseTo(Math.PI, 15);
    expect(angleOf(0)).toBeCloseTo(Math.PI / 2, 15);
    expect(angleOf(1)).toBe(0);
    expect(angleOf(-0.5)).toBeCloseTo((3 * Math.PI) / 4, 15);
    expect(angleOf(2)).toBe(0); // off the scale: stops at the end
    expect(clampUnit(-3)).toBe(-1);
    expect(Number.isNaN(clampUnit(NaN))).toBe(true);
    const [x0, y0] = dialPoint(0, 100, 80, 50);
    expect([x0, y0].map((v) => +v.toFixed(9))).toEqual([100, 30]);
    const [x1, y1] = dialPoint(0.5, 100, 80, 50); // 45 degrees right of the top
    expect([x1, y1].map((v) => +v.toFixed(3))).toEqual([135.355, 44.645]);
    const [x2, y2] = dialPoint(-1, 100, 80, 50);
    expect([x2, y2].map((v) => +v.toFixed(9))).toEqual([50, 80]);
  });
  it("draws ring sectors clockwise over the top", () => {
    expect(arcPath(-1, 1, 100, 80, 40, 50)).toBe("M50 80A50 50 0 0 1 150 80L140 80A40 40 0 0 0 60 80Z");
    expect(arcPath(0.5, 0, 100, 80, 40, 50)).toBe("M100 30A50 50 0 0 1 135.36 44.64L128.28 51.72A40 40 0 0 0 100 40Z");
  });
  it("splits the dial at the thresholds, grades growing outwards", () => {
    expect(zones(TH)).toEqual([
      [-1, -0.8, 3, -1], [-0.8, -0.5, 2, -1], [-0.5, -0.2, 1, -1], [-0.2, 0.2, 0, 0],
      [0.2, 0.5, 1, 1], [0.5, 0.8, 2, 1], [0.8, 1, 3, 1],
    ]);
    expect(zones([0.5, 1])).toEqual([[-1, -0.5, 1, -1], [-0.5, 0.5, 0, 0], [0.5, 1, 1, 1]]); // empty [1, 1] dropped
  });
  it("lays out a 240 x 140 drawing", () => {
    const L = gaugeLayout(240, 140);
    expect([L.cx, L.cy, L.r, L.thickness, L.valueY, L.wordY, L.valueFont, L.wordFont]).toEqual([120, 72, 68, 14, 92, 107, 16, 12]);
    expect(L.spark).toEqual({ x: 8, y: 114, w: 224, h: 24 });
    for (const [w, h] of [[120, 60], [120, 80], [240, 140], [600, 400], [2000, 120]]) {
      const M = gaugeLayout(w, h);
      expect(M.cy - M.r).toBeGreaterThanOrEqual(0); // the dial fits above
      expect(M.cx + M.r).toBeLessThanOrEqual(w);
      expect(M.spark.y + M.spark.h).toBeLessThanOrEqual(h);
      expect(M.wordY).toBeLessThan(M.spark.y);
    }
  });
});

describe("sparkline", () => {
  it("puts +1 at the top, -1 at the bottom, and breaks at NaN", () => {
    expect(sparkPath([1, -1, NaN, 0], 0, 10, 30, 20)).toBe("M0 10L10 30M30 20");
    expect(sparkPath([0.5], 0, 10, 30, 20)).toBe("M30 15");
    expect(sparkPath([NaN, NaN], 0, 0, 10, 10)).toBe("");
    expect(sparkPath(new Float64Array([3, -3]), 0, 0, 10, 10)).toBe("M0 0L10 10"); // clamped
  });
});

describe("words", () => {
  it("grades |v| against the thresholds, a value on one taking the stronger word", () => {
    const cases = [
      [0, "neutral"], [0.19999, "neutral"], [-0.19999, "neutral"], [0.2, "mild bid pressure"],
      [-0.2, "mild ask pressure"], [0.4999, "mild bid pressure"], [0.5, "strong bid pressure"],
      [0.49999999999, "strong bid pressure"], [0.4999999, "mild bid pressure"], // within 1e-9: on the threshold
      [-0.79, "strong ask pressure"], [0.8, "very strong bid pressure"], [-1, "very strong ask pressure"],
      [NaN, "no value"], [null, "no value"],
    ];
    for (const [v, want] of cases) expect(pressureWord(v, TH, WORDS)).toBe(want);
    expect(pressureGrade(-0.6, TH)).toEqual({ grade: 2, side: -1 });
    expect(pressureGrade(0, TH)).toEqual({ grade: 0, side: 0 });
    expect(pressureWord(0.1, [0.1], ["calm", "tilted"])).toBe("tilted bid pressure");
  });
  it("writes signed values", () => {
    expect([signedText(0.4271), signedText(-0.05), signedText(0), signedText(null), signedText(NaN)])
      .toEqual(["+0.427", "−0.050", "+0.000", "–", "–"]);
  });
});

describe("trackGauge", () => {
  // the toy book of tests/test_imbalance_gauge.py, every row on the track: the numbers Python sends
  const toy = {
    rows: new Int32Array([0, 1, 2, 3, 4, 5, 6]),
    t: new Float64Array([0, 1000, 2000, 3000, 3000, 10000, 11000]),
    values: new Float32Array([0.5, -0.5, 0, -0.6, 0.8, 0, NaN]),
  };
  const f32 = (x) => Math.fround(x);
  it("gives value, band over rows and history", () => {
    const g = trackGauge(toy, 4, 3000, { kind: "rows", n: 3 }, 3);
    expect([g.row, g.t, g.value, g.lo, g.hi, g.bandStart]).toEqual([4, 3000, f32(0.8), f32(-0.6), f32(0.8), 2]);
    expect(arr(g.history)).toEqual([0, f32(-0.6), f32(0.8)]);
    const end = trackGauge(toy, 6, 11000, { kind: "rows", n: 3 }, 3);
    expect([end.value, end.lo, end.hi]).toEqual([null, 0, f32(0.8)]);
    expect(arr(end.history).map((v) => (Number.isNaN(v) ? "nan" : v))).toEqual([f32(0.8), 0, "nan"]);
    const start = trackGauge(toy, 1, 1000, { kind: "rows", n: 3 }, 3);
    expect(arr(start.history)).toEqual([0.5, -0.5]);
  });
  it("gives the band over a time window, from the row in force at its start", () => {
    const w = { kind: "time", ms: 2000 };
    let g = trackGauge(toy, 4, 3000, w, 2);
    expect([g.lo, g.hi, g.bandStart]).toEqual([f32(-0.6), f32(0.8), 1]);
    g = trackGauge(toy, 3, 3000, w, 2); // row 4 shares the time but comes after the cursor
    expect([g.lo, g.hi, g.bandStart]).toEqual([f32(-0.6), 0, 1]);
    g = trackGauge(toy, 5, 10000, w, 2);
    expect([g.lo, g.hi, g.bandStart]).toEqual([0, f32(0.8), 4]);
  });
  it("reads a sampled track at the last sample at or before the cursor", () => {
    const sampled = { rows: [0, 10, 20], t: [0, 100, 200], values: [0.1, 0.2, 0.3] };
    const g = trackGauge(sampled, 15, 150, { kind: "rows", n: 10 }, 5);
    expect([g.row, g.value, g.lo, g.hi, g.bandStart]).toEqual([10, 0.2, 0.1, 0.2, 0]);
    expect(arr(g.history)).toEqual([0.1, 0.2]);
    expect(trackGauge(sampled, 25, 250, { kind: "time", ms: 20 }, 5).lo).toBe(0.3);
    expect(trackGauge({ rows: [], t: [], values: [] }, 0, 0, { kind: "rows", n: 3 }, 3)).toBeNull();
  });
});

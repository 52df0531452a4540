import { describe, expect, it } from "vitest";
import {
  asReduction, columnsFor, formatTick, formatValue, layout, readout, rebin, spanOf, yDomain,
} from "../../js/views/imbalance_timeline_data.js";
import { withAlpha } from "../../js/views/imbalance_timeline_draw.js";
import { formatClock, formatDuration, timeTicks } from "../../js/lib/timeaxis.js";

const arr = (a) => Array.from(a);

/** A Reduction by hand: `bins` equal bins over [t0, t1], the mid and one series. */
function red(t0, t1, lo, hi, range = null) {
  return {
    t0, t1, bins: lo.length, range, tick: null, panels: [{ label: "x" }],
    mid: { lo: Float64Array.from(lo), hi: Float64Array.from(hi) },
    series: [{ lo: Float64Array.from(lo), hi: Float64Array.from(hi) }],
  };
}

describe("rebin", () => {
  it("takes min of lo and max of hi over the bins each column overlaps", () => {
    // 4 bins over [0, 40): columns of width 20 each cover two bins
    const r = rebin({ lo: [1, -2, 5, 3], hi: [2, 0, 9, 4] }, 0, 40, 0, 40, 2);
    expect(arr(r.lo)).toEqual([-2, 3]);
    expect(arr(r.hi)).toEqual([2, 9]);
  });
  it("repeats a bin in the columns inside it and is NaN outside the span", () => {
    const r = rebin({ lo: [1, 5], hi: [2, 6] }, 0, 20, -10, 30, 4); // columns [-10,0) [0,10) [10,20) [20,30)
    expect(arr(r.lo)).toEqual([NaN, 1, 5, NaN]);
    expect(arr(r.hi)).toEqual([NaN, 2, 6, NaN]);
    const fine = rebin({ lo: [1, 5], hi: [2, 6] }, 0, 20, 12, 18, 3);
    expect(arr(fine.lo)).toEqual([5, 5, 5]);
  });
  it("ignores NaN bins, and gives NaN columns for an all-NaN input or an empty span", () => {
    expect(arr(rebin({ lo: [NaN, 3], hi: [NaN, 4] }, 0, 2, 0, 2, 1).lo)).toEqual([3]);
    expect(arr(rebin({ lo: [NaN, NaN], hi: [NaN, NaN] }, 0, 2, 0, 2, 2).hi)).toEqual([NaN, NaN]);
    expect(arr(rebin({ lo: [1], hi: [1] }, 0, 0, 0, 1, 2).lo)).toEqual([NaN, NaN]);
    expect(rebin({ lo: [1], hi: [1] }, 0, 1, 0, 1, 0).lo.length).toBe(0);
  });
});

describe("columnsFor", () => {
  const whole = red(0, 100, [0, 1, 2, 3], [10, 11, 12, 13]);
  it("uses Python's window as is when it is for this range and width", () => {
    const win = red(25, 50, [7, 8], [9, 9]);
    const c = columnsFor(win, whole, [25, 50], 2);
    expect(c.exact).toBe(true);
    expect(c.series[0].lo).toBe(win.series[0].lo);
  });
  it("re-bins a window for this range with more bins than columns, and calls it exact", () => {
    const win = red(25, 50, [7, 8, 1, 4], [9, 9, 3, 5]);
    const c = columnsFor(win, whole, [25, 50], 2);
    expect(c.exact).toBe(true);
    expect(arr(c.series[0].lo)).toEqual([7, 1]);
    expect(arr(c.series[0].hi)).toEqual([9, 5]);
    expect(columnsFor(red(25, 50, [7], [9]), whole, [25, 50], 2).exact).toBe(false); // fewer bins: coarse
  });
  it("re-bins the finer of window and whole book otherwise", () => {
    const win = red(25, 50, [7, 8], [9, 9]);
    const inside = columnsFor(win, whole, [25, 37.5], 1); // within the window: its first bin
    expect(inside.exact).toBe(false);
    expect(arr(inside.mid.lo)).toEqual([7]);
    const outside = columnsFor(win, whole, [50, 100], 2); // beyond the window: the whole book's bins
    expect(arr(outside.series[0].lo)).toEqual([2, 3]);
    expect(columnsFor(null, null, [0, 1], 3)).toBe(null);
    expect(columnsFor(null, whole, [0, 100], 4).exact).toBe(false);
  });
});

describe("asReduction", () => {
  it("names the series fields by panel and ignores an empty buffer", () => {
    const d = { meta: { bins: 2, t0: 0, t1: 2, panels: [{ label: "a" }, { label: "b" }] },
      arrays: { mid_lo: new Float64Array(2), mid_hi: new Float64Array(2), s0_lo: Float64Array.of(1, 2), s0_hi: Float64Array.of(3, 4) }, shapes: {} };
    const r = asReduction(d);
    expect(arr(r.series[0].hi)).toEqual([3, 4]);
    expect(arr(r.series[1].lo)).toEqual([NaN, NaN]); // a missing field reads as no data
    expect(asReduction({ meta: {}, arrays: {}, shapes: {} })).toBe(null);
  });
});

describe("brushed spans", () => {
  it("orders a brushed span and drops one too short", () => {
    expect(spanOf(30, 10, 1)).toEqual([10, 30]);
    expect(spanOf(10, 10.5, 1)).toBe(null);
  });
});

describe("layout", () => {
  it("stacks the mid (1.5 shares) and the panels, with gaps, above the axis", () => {
    const { mid, panels, axisY } = layout(400, 2, { top: 10, gap: 10, axis: 30 });
    expect(axisY).toBe(370);
    // 370 - 10 - 2 * 10 = 340 px for 3.5 shares: mid 146, panels 97 each (the last one to the axis)
    expect(mid).toEqual({ top: 10, bottom: 156 });
    expect(panels[0]).toEqual({ top: 166, bottom: 263 });
    expect(panels[1]).toEqual({ top: 273, bottom: 370 });
  });
  it("gives the mid everything without series, and stays sane when tiny", () => {
    expect(layout(100, 0, { top: 8, axis: 26 }).mid).toEqual({ top: 8, bottom: 74 });
    const tiny = layout(10, 3);
    for (const p of tiny.panels) expect(p.bottom).toBeGreaterThan(p.top);
  });
});

describe("yDomain", () => {
  it("pads the finite range and includes zero for signed series", () => {
    expect(yDomain({ lo: [1, NaN], hi: [2, 3] }, { signed: false })).toEqual([0.84, 3.16]);
    const [a, b] = yDomain({ lo: [1], hi: [3] }, { signed: true });
    expect(a).toBeCloseTo(-0.24, 12);
    expect(b).toBeCloseTo(3.24, 12);
  });
  it("keeps a fixed domain, widened only when values leave it", () => {
    expect(yDomain({ lo: [-0.5], hi: [0.2] }, { domain: [-1, 1] })).toEqual([-1, 1]);
    expect(yDomain({ lo: [-0.5], hi: [1.5] }, { domain: [-1, 1] })).toEqual([-1, 1.5]);
    expect(yDomain({ lo: [NaN], hi: [NaN] }, { domain: [0, 1] })).toEqual([0, 1]);
  });
  it("is null without finite values and opens a flat series", () => {
    expect(yDomain({ lo: [NaN, NaN], hi: [NaN, NaN] }, { signed: true })).toBe(null);
    expect(yDomain({ lo: [], hi: [] }, {})).toBe(null);
    expect(yDomain({ lo: [5], hi: [5] }, {})).toEqual([4.95, 5.05]);
    expect(yDomain({ lo: [0], hi: [0] }, {})).toEqual([-1, 1]);
  });
});

describe("formats", () => {
  it("formats ticks on their grid", () => {
    expect(formatTick(0.5, 0.5)).toBe("0.5");
    expect(formatTick(-1, 1)).toBe("-1");
    expect(formatTick(1e-17, 0.02)).toBe("0.00"); // float dust on the zero tick
    expect(formatTick(20000, 10000)).toBe("20.0k");
    expect(formatTick(NaN, 1)).toBe("–");
  });
  it("reads values out one decimal finer than the ticks, and half ticks for prices", () => {
    expect(formatValue(0.2345, [-1, 1])).toBe("0.23"); // ticks of 0.5 -> 2 decimals
    expect(formatValue(99.925, [99.9, 100.05], 0.01)).toBe("99.925");
    expect(formatValue(-6100, [-10000, 10000])).toBe("-6100");
    expect(formatValue(1234567, [0, 2e6])).toBe("1.23M");
  });
  it("shows min – max when they differ, one value when they agree", () => {
    expect(readout(0.1, 0.1, [-1, 1])).toBe("0.10");
    expect(readout(-0.08, 0.27, [-1, 1])).toBe("-0.08 – 0.27");
    expect(readout(NaN, NaN, null)).toBe("no data");
  });
  it("adds an alpha to theme colours", () => {
    expect(withAlpha("#1565c0", 0.5)).toBe("rgba(21, 101, 192, 0.5)");
    expect(withAlpha("rgb(1, 2, 3)", 0.1)).toBe("rgba(1, 2, 3, 0.1)");
    expect(withAlpha("red", 0.1)).toBe("red");
  });
});

// -- js/lib/timeaxis.js ---------------------------------------------------------------------------------
const T = Date.UTC(2024, 0, 2, 9, 30, 0); // 2024-01-02 09:30:00 UTC

describe("timeTicks", () => {
  it("picks the smallest round step giving at most `count` ticks", () => {
    expect(timeTicks(T, T + 60_000, 6).step).toBe(10_000); // 60 s / 6 = 10 s, a round step
    expect(timeTicks(T, T + 60_000, 5).step).toBe(15_000); // 60 s / 5 = 12 s -> 15 s
    expect(timeTicks(T, T + 60_000, 5).ticks).toEqual([T, T + 15_000, T + 30_000, T + 45_000, T + 60_000]);
    expect(timeTicks(T, T + 3_600_000, 5).step).toBe(15 * 60_000);
    expect(timeTicks(T, T + 1, 5).step).toBe(0.2); // sub-millisecond
    expect(timeTicks(T, T + 0.004, 4).step).toBe(0.001); // a microsecond
    expect(timeTicks(0, 30 * 86_400_000, 2).step).toBe(15 * 86_400_000); // beyond a week: whole days
  });
  it("puts ticks on multiples of the step inside the range, in either order", () => {
    const { ticks, step } = timeTicks(T + 12_345, T + 47_000, 4);
    expect(step).toBe(10_000);
    expect(ticks).toEqual([T + 20_000, T + 30_000, T + 40_000]);
    expect(timeTicks(T + 47_000, T + 12_345, 4).ticks).toEqual(ticks);
  });
  it("gives one tick for an empty range and none for NaN", () => {
    expect(timeTicks(T, T, 5)).toEqual({ ticks: [T], step: 0 });
    expect(timeTicks(NaN, NaN, 5).ticks).toEqual([]);
  });
});

describe("formatClock", () => {
  it("shows the precision the step needs", () => {
    const t = T + 5_250.125; // 09:30:05.250125
    expect(formatClock(t, 60_000)).toBe("09:30");
    expect(formatClock(t, 5_000)).toBe("09:30:05");
    expect(formatClock(t, 10)).toBe("09:30:05.250");
    expect(formatClock(t, 0)).toBe("09:30:05.250");
    expect(formatClock(t, 0.001)).toBe("09:30:05.250125");
    expect(formatClock(NaN)).toBe("–");
  });
});

describe("formatDuration", () => {
  it("uses the unit that fits", () => {
    expect(formatDuration(0.25)).toBe("250 µs");
    expect(formatDuration(12)).toBe("12 ms");
    expect(formatDuration(1500)).toBe("1.5 s");
    expect(formatDuration(90_000)).toBe("1.5 min");
    expect(formatDuration(714_385)).toBe("11.9 min");
    expect(formatDuration(2 * 3_600_000)).toBe("2 h");
    expect(formatDuration(3 * 86_400_000)).toBe("3 d");
    expect(formatDuration(Infinity)).toBe("–");
  });
});

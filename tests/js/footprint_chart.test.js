import { describe, expect, it } from "vitest";
import {
  FLAG, barAt, cellText, cellTexts, compactSize, deltaFill, fits, geometry, hit, labelEvery, readFrame, roundVolume, rowPrice,
  timeToX, withAlpha, xToTime,
} from "../../js/views/footprint_chart_layout.js";

// two bars of one minute (t in ms), three price rows of 0.01 starting at 100.00 (q0 = 10000)
const decoded = () => ({
  meta: { n_bars: 2, n_rows: 3, row_px: 0.01, q0: 10000, max_abs_delta: 8 },
  arrays: {
    bar_t0: new Float64Array([0, 60000]), bar_t1: new Float64Array([60000, 120000]),
    bar_total: new Float64Array([10, 20]), bar_delta: new Float64Array([2, -8]),
    bar_poc: new Float64Array([100.01, 100.0]),
    bar_lo: new Int32Array([0, 0]), bar_hi: new Int32Array([2, 1]),
    cell_bar: new Int32Array([0, 0, 1, 1]), cell_row: new Int32Array([0, 2, 0, 1]),
    sell: new Float64Array([1, 3, 14, 0]), buy: new Float64Array([2, 4, 4, 2]),
    unsigned: new Float64Array([0, 0, 0, 0]), trades: new Int32Array([1, 2, 3, 1]),
    flags: new Uint8Array([FLAG.POC, FLAG.BUY_IMB, FLAG.SELL_IMB | FLAG.POC, 0]),
  },
});
const box = { left: 10, right: 210, top: 0, bottom: 30 }; // 100 px columns, 10 px rows

describe("readFrame and hit-testing", () => {
  it("indexes cells by bar and row; rows count up from the bottom", () => {
    const f = readFrame(decoded());
    expect([f.nBars, f.nRows, f.index.size]).toEqual([2, 3, 4]);
    expect(geometry(f, box)).toEqual({ colW: 100, rowH: 10 });
    expect(hit(f, box, 15, 29)).toEqual({ bar: 0, row: 0, cell: 0 });
    expect(hit(f, box, 15, 1)).toEqual({ bar: 0, row: 2, cell: 1 });
    expect(hit(f, box, 150, 15)).toEqual({ bar: 1, row: 1, cell: 3 });
    expect(hit(f, box, 150, 5)).toEqual({ bar: 1, row: 2, cell: -1 }); // did not trade there
    expect(hit(f, box, 5, 5)).toBeNull();
    expect(hit(f, box, 210, 5)).toBeNull();
    expect(rowPrice(f, 2)).toBe(100.02);
  });

  it("reads an empty frame", () => {
    const f = readFrame({ meta: { n_bars: 0, n_rows: 0 }, arrays: {} });
    expect(f.nBars).toBe(0);
    expect(hit(f, box, 50, 10)).toBeNull();
    expect(Number.isNaN(xToTime(f, box, 50))).toBe(true);
  });
});

describe("time <-> x on equal-width bars", () => {
  it("maps inside a bar by its fraction, and back", () => {
    const f = readFrame(decoded());
    expect(barAt(f, -1)).toBe(-1);
    expect(barAt(f, 0)).toBe(0);
    expect(barAt(f, 60000)).toBe(1);
    expect(timeToX(f, box, 30000)).toBe(60);
    expect(timeToX(f, box, 90000)).toBe(160);
    expect(timeToX(f, box, -5)).toBeNull();
    expect(timeToX(f, box, 130000)).toBeNull();
    expect(xToTime(f, box, 60)).toBe(30000);
    expect(xToTime(f, box, 160)).toBe(90000);
    expect(xToTime(f, box, 0)).toBe(0); // clamped to the first bar's start
  });
});

describe("text and colours", () => {
  it("writes 'sell x buy' with whole and fractional volumes", () => {
    expect(cellText(12, 340)).toBe("12 x 340");
    expect(cellText(0.5, 12345)).toBe("0.5 x 12.3k");
    expect(roundVolume(2.0000000001)).toBe(2);
    expect(roundVolume(1.23456)).toBe(1.23);
    expect(fits(46, 50, 12)).toBe(true);
    expect(fits(47, 50, 12)).toBe(false);
    expect(fits(10, 50, 9)).toBe(false);
  });

  it("has a compact form for narrow cells", () => {
    expect(compactSize(4300)).toBe("4.3k");
    expect(compactSize(12345)).toBe("12k");
    expect(compactSize(250000)).toBe("250k");
    expect(compactSize(-2500000)).toBe("-2.5M");
    expect(compactSize(999)).toBe("999");
    expect(compactSize(0.125)).toBe("0.125");
    expect(cellTexts(4300, 7800)).toEqual([["4300", "7800"], ["4.3k", "7.8k"]]);
  });

  it("colours by delta: buy colour above 0, sell below, stronger with |delta|", () => {
    const theme = { bid: "#00ff00", ask: "#f00" };
    expect(withAlpha("#f00", 0.5)).toBe("rgba(255,0,0,0.500)");
    expect(withAlpha("red", 0.5)).toBe("red");
    expect(deltaFill(theme, 8, 8)).toBe("rgba(0,255,0,0.650)");
    expect(deltaFill(theme, -2, 8)).toBe("rgba(255,0,0,0.375)");
    expect(deltaFill(theme, 0, 8)).toBe("rgba(0,255,0,0.050)");
    expect(labelEvery(10, 14)).toBe(2);
    expect(labelEvery(3, 14)).toBe(5);
    expect(labelEvery(20, 14)).toBe(1);
  });
});

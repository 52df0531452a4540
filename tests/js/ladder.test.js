import { describe, expect, it } from "vitest";
import {
  barSegments, centredTop, gridFromLevels, gridIndex, imbalanceText, ladderColumns, priceAt,
  tradedAt, truncatedAt, visibleMax,
} from "../../js/views/ladder_layout.js";

const NaN_ = Number.NaN;
// the toy row of tests/test_ladder.py: bids 10.0 (5), 9.8 (7), 9.7 (1); asks 10.2 (2), 10.3 (8), 10.5 (4)
const toy = () =>
  gridFromLevels(
    {
      row: 7, t: 1000,
      bidPx: new Float64Array([10.0, 9.8, 9.7]), bidSz: new Float32Array([5, 7, 1]),
      askPx: new Float64Array([10.2, 10.3, 10.5]), askSz: new Float32Array([2, 8, 4]),
      imbL1: 3 / 7, imbDepth: NaN_,
    },
    0.1,
  );
const arr = (a) => Array.from(a);

describe("gridFromLevels", () => {
  it("puts each level on its tick, top price first, empty ticks empty", () => {
    const g = toy();
    expect([g.anchor, g.hi, g.n, g.bestBid, g.bestAsk]).toEqual([10.0, 5, 9, 0, 2]);
    expect(arr(g.price).map((p) => p.toFixed(1))).toEqual(
      ["10.5", "10.4", "10.3", "10.2", "10.1", "10.0", "9.9", "9.8", "9.7"]);
    expect(arr(g.askSz)).toEqual([4, NaN_, 8, 2, NaN_, NaN_, NaN_, NaN_, NaN_]);
    expect(arr(g.bidSz)).toEqual([NaN_, NaN_, NaN_, NaN_, NaN_, 5, NaN_, 7, 1]);
    expect(arr(g.bidLevel)).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 3]);
    expect(arr(g.askCum)).toEqual([14, NaN_, 10, 2, NaN_, NaN_, NaN_, NaN_, NaN_]);
    expect(arr(g.bidCum)).toEqual([NaN_, NaN_, NaN_, NaN_, NaN_, 5, NaN_, 12, 13]);
    expect(g.price[5]).toBe(10.0); // the level's own float
    expect(g.imbL1).toBeCloseTo(3 / 7, 12);
    expect(g.imbDepth).toBeNull();
    expect(g.buy).toBeNull();
    expect(tradedAt(g, 3)).toBe(0);
  });
  it("handles an empty side and an empty book", () => {
    const g = gridFromLevels({ row: 0, t: 0, bidPx: [NaN_], bidSz: [NaN_], askPx: [10.1], askSz: [3] }, 0.1);
    expect([g.n, g.bestBid, g.bestAsk, g.bidLevels, g.askLevels]).toEqual([1, null, 0, 0, 1]);
    const e = gridFromLevels({ row: 0, t: 0, bidPx: [NaN_], bidSz: [NaN_], askPx: [NaN_], askSz: [NaN_] }, 0.1);
    expect([e.n, e.bestBid, e.bestAsk]).toEqual([1, null, null]);
    expect(Number.isNaN(e.bidSz[0]) && Number.isNaN(e.askSz[0])).toBe(true);
  });
});

describe("rows and prices", () => {
  it("maps tick offsets to grid rows, and prices beyond the grid by the tick", () => {
    const g = toy();
    expect([gridIndex(g, 5), gridIndex(g, 0), gridIndex(g, -3), gridIndex(g, 6), gridIndex(g, -4)]).toEqual([0, 5, 8, -1, -1]);
    expect(priceAt(g, 7)).toBeCloseTo(10.7, 12);
    expect(priceAt(g, 0)).toBe(10.0);
  });
  it("centres the touch: asks above, bids below", () => {
    const g = toy(); // best bid 0, best ask 2: mid at 1
    expect(centredTop(g, 5)).toBe(3); // rows 3, 2 (ask), 1 (spread), 0 (bid), -1
    expect(centredTop(g, 4)).toBe(2); // rows 2, 1, 0, -1
    g.bestAsk = 1; // 1-tick spread, mid 0.5
    expect(centredTop(g, 4)).toBe(2); // rows 2, 1 (ask) | 0 (bid), -1
    g.bestAsk = null;
    expect(centredTop(g, 4)).toBe(1); // the bid just under the middle
  });
  it("finds where a full side is cut by the number of levels", () => {
    const g = toy();
    expect(truncatedAt(g, "bid")).toBe(-3); // 9.7, level 3 of 3
    expect(truncatedAt(g, "ask")).toBe(5); // 10.5
    g.bidLevels = 2; // a side with fewer priced levels than the book has is not cut
    expect(truncatedAt(g, "bid")).toBeNull();
  });
  it("takes the largest size over the visible rows", () => {
    const g = toy();
    expect(visibleMax(g, g.askSz, 5, 9)).toBe(8);
    expect(visibleMax(g, g.askSz, 2, 3)).toBe(2); // 10.2 .. 10.0
    expect(visibleMax(g, g.askSz, 3, 3)).toBe(8); // 10.3 .. 10.1
    expect(visibleMax(g, g.bidSz, 20, 3)).toBe(0); // off the grid
    expect(visibleMax(g, null, 5, 9)).toBe(0);
  });
});

describe("barSegments", () => {
  it("stacks the parts, scaled so that max fills the width", () => {
    expect(barSegments([2, 3], 10, 100)).toEqual([[0, 20], [20, 50]]);
    expect(barSegments([NaN_, 5], 5, 40)).toEqual([[0, 0], [0, 40]]);
    expect(barSegments([1], 0, 40)).toEqual([]);
  });
});

describe("ladderColumns", () => {
  const keys = (cols) => cols.map((c) => c.key);
  const total = (cols) => cols.reduce((s, c) => s + c.w, 0);
  it("lays out every column at a wide width, contiguous and filling it", () => {
    const cols = ladderColumns(800, { cumulative: true, traded: true, priceWidth: 60 });
    expect(keys(cols)).toEqual(["cumBid", "sold", "bid", "price", "ask", "bought", "cumAsk", "volume"]);
    expect(total(cols)).toBe(800);
    cols.slice(1).forEach((c, i) => expect(c.x).toBe(cols[i].x + cols[i].w));
    expect(cols.find((c) => c.key === "price").w).toBe(60);
  });
  it("drops the volume, then sold/bought, then the cumulative columns as it narrows", () => {
    const o = { cumulative: true, traded: true, priceWidth: 60 };
    expect(keys(ladderColumns(380, o))).toEqual(["cumBid", "sold", "bid", "price", "ask", "bought", "cumAsk"]);
    expect(keys(ladderColumns(300, o))).toEqual(["cumBid", "bid", "price", "ask", "cumAsk"]);
    expect(keys(ladderColumns(150, o))).toEqual(["bid", "price", "ask"]);
    expect(keys(ladderColumns(400, { ...o, cumulative: false, traded: false }))).toEqual(["bid", "price", "ask"]);
  });
  it("never gives a negative width", () => {
    for (const w of [0, 20, 50, 90]) {
      const cols = ladderColumns(w, { cumulative: true, traded: true, priceWidth: 60 });
      expect(cols.every((c) => c.w >= 0)).toBe(true);
      expect(total(cols)).toBeLessThanOrEqual(Math.max(w, 0) + 1e-9);
    }
  });
});

describe("imbalanceText", () => {
  it("names the heavier side", () => {
    expect(imbalanceText(0.2134)).toBe("bid-heavy +0.213");
    expect(imbalanceText(-0.05)).toBe("ask-heavy −0.050");
    expect(imbalanceText(0)).toBe("balanced +0.000");
    expect(imbalanceText(0.21, 2)).toBe("bid-heavy +0.21");
    expect(imbalanceText(null)).toBe("–");
    expect(imbalanceText(NaN_)).toBe("–");
  });
});

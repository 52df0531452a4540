import { describe, expect, it } from "vitest";
import {
  extent, formatPrice, formatQty, imbalancePercent, ladderRows, maxSize, rowOfPrice, signed, ticksFromMid,
} from "../../js/views/order_book_sandbox_layout.js";

// four ticks 10.03 .. 10.00: asks at 10.03 (two orders, one yours) and 10.02, bids at 10.00; 10.01 empty
const frame = () => ({
  meta: {
    tick: 0.01, best_bid: 10.0, best_ask: 10.02, venues: [],
    queues: [[0, "ask", [[7, "market", 100], [9, "you", 50]]], [1, "ask", [[3, "market", 200]]], [3, "bid", [[4, "market", 300]]]],
  },
  arrays: {
    price: new Float64Array([10.03, 10.02, 10.01, 10.0]),
    bid_sz: new Float64Array([0, 0, 0, 300]),
    ask_sz: new Float64Array([150, 200, 0, 0]),
    own_bid_sz: new Float64Array([0, 0, 0, 0]),
    own_ask_sz: new Float64Array([50, 0, 0, 0]),
  },
  shapes: {},
});

describe("ladderRows", () => {
  it("puts each queue on its row in time priority and marks the touch and the spread", () => {
    const rows = ladderRows(frame());
    expect(rows.map((r) => r.price)).toEqual([10.03, 10.02, 10.01, 10.0]);
    expect(rows[0].askQueue).toEqual([{ id: 7, owner: "market", size: 100 }, { id: 9, owner: "you", size: 50 }]);
    expect(rows[3].bidQueue).toEqual([{ id: 4, owner: "market", size: 300 }]);
    expect(rows.map((r) => [r.isBestBid, r.isBestAsk, r.inSpread])).toEqual([
      [false, false, false], [false, true, false], [false, false, true], [true, false, false],
    ]);
    expect(rows[0].ownAsk).toBe(50);
    expect(maxSize(rows)).toBe(300);
  });

  it("splits sizes per venue from the (G, V) arrays", () => {
    const f = frame();
    f.meta.venues = ["A", "B"];
    f.arrays.venue_bid_sz = new Float64Array([0, 0, 0, 0, 0, 0, 100, 200]);
    f.arrays.venue_ask_sz = new Float64Array([150, 0, 120, 80, 0, 0, 0, 0]);
    f.shapes = { venue_bid_sz: [4, 2], venue_ask_sz: [4, 2] };
    const rows = ladderRows(f);
    expect(rows[3].venueBid).toEqual([100, 200]);
    expect(rows[1].venueAsk).toEqual([120, 80]);
  });

  it("is empty without a frame, and an empty book scales to 1", () => {
    expect(ladderRows({ meta: {}, arrays: {}, shapes: {} })).toEqual([]);
    expect(maxSize([])).toBe(1);
  });
});

describe("formats", () => {
  it("prices with the tick's decimals, signed numbers, sizes", () => {
    expect(formatPrice(100.005, 3)).toBe("100.005");
    expect(formatPrice(null, 2)).toBe("–");
    expect(signed(0.714, 3)).toBe("+0.714");
    expect(signed(-0.0001, 2)).toBe("0.00");
    expect(signed(-2, 0)).toBe("-2");
    expect(formatQty(2000)).toBe("2,000");
    expect(formatQty(0.123456)).toBe("0.1235");
    expect(ticksFromMid(100.0079, 100.005, 0.01)).toBe("+0.29 ticks");
    expect(ticksFromMid(null, 100, 0.01)).toBe("–");
  });

  it("imbalance bar position and the row of a price", () => {
    expect([imbalancePercent(-1), imbalancePercent(0), imbalancePercent(0.5), imbalancePercent(3), imbalancePercent(null)])
      .toEqual([0, 50, 75, 100, 50]);
    const rows = ladderRows(frame());
    expect([rowOfPrice(rows, 10.02, 0.01), rowOfPrice(rows, 10.0049, 0.01), rowOfPrice(rows, 10.5, 0.01)]).toEqual([1, 3, -1]);
  });

  it("extent skips NaN and pads a flat series", () => {
    expect(extent([1, Number.NaN, 3])).toEqual([1, 3]);
    expect(extent([Number.NaN])).toBe(null);
    const [lo, hi] = /** @type {[number, number]} */ (extent([100, 100]));
    expect(lo < 100 && hi > 100).toBe(true);
  });
});

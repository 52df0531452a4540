import { describe, expect, it } from "vitest";
import { FILLER_MIN, arrange, fillerHeight, modelId, RIGHT_MAX, RIGHT_MIN } from "../../js/views/dashboard_layout.js";

const ALL = ["replay", "heatmap", "ladder", "timeline", "depth", "gauge"];

describe("arrange", () => {
  it("puts the time views left and the frame views right on a laptop-wide cell", () => {
    const a = arrange(ALL, 1400);
    expect(a.two).toBe(true);
    expect(a.top).toEqual(["replay"]);
    expect(a.left).toEqual(["heatmap", "timeline"]);
    expect(a.rightCol).toEqual(["ladder", "depth", "gauge"]);
    expect(a.right).toBe(420); // 30% of 1400
  });

  it("clamps the right column to [RIGHT_MIN, RIGHT_MAX]", () => {
    expect(arrange(ALL, 1000).right).toBe(RIGHT_MIN); // 300 -> 320
    expect(arrange(ALL, 2400).right).toBe(RIGHT_MAX); // 720 -> 440
    expect(arrange(ALL, 1280).right).toBe(384);
  });

  it("falls back to one column below 900 px, in reading order", () => {
    const a = arrange(ALL, 899);
    expect(a.two).toBe(false);
    expect(a.right).toBe(0);
    expect(a.order).toEqual({ replay: 0, heatmap: 1, ladder: 2, timeline: 3, depth: 4, gauge: 5 });
    expect(arrange(ALL, 900).two).toBe(true);
  });

  it("keeps one column when a side has no panel", () => {
    const a = arrange(["heatmap", "timeline"], 1400);
    expect(a.two).toBe(false);
    expect(a.rightCol).toEqual([]);
    expect(arrange(["ladder", "gauge"], 1400).two).toBe(false);
    const b = arrange(["gauge", "heatmap"], 1400); // input order does not matter
    expect(b.two).toBe(true);
    expect(b.left).toEqual(["heatmap"]);
    expect(b.rightCol).toEqual(["gauge"]);
    expect(b.order).toEqual({ heatmap: 0, gauge: 1 });
  });

  it("ignores names it does not know", () => {
    const a = arrange(["heatmap", "nope"], 1400);
    expect(a.left).toEqual(["heatmap"]);
    expect(a.order).toEqual({ heatmap: 0 });
  });
});

describe("modelId", () => {
  it("strips the widget reference prefix", () => {
    expect(modelId("IPY_MODEL_abc123")).toBe("abc123");
    expect(modelId("abc123")).toBe("abc123");
    expect(modelId(null)).toBe("");
    expect(modelId(42)).toBe("");
  });
});

describe("fillerHeight", () => {
  it("gives the filler what the left column has beyond the right column's other panels", () => {
    // left 800; the ladder and gauge cells take 500 with the gaps; the depth cell's headers 90
    expect(fillerHeight({ left: 800, others: 500, overhead: 90, current: 150 })).toBe(210);
  });
  it("leaves changes under 2 px alone", () => {
    expect(fillerHeight({ left: 800, others: 500, overhead: 90, current: 209 })).toBe(null);
    expect(fillerHeight({ left: 800, others: 500, overhead: 90, current: 208 })).toBe(210);
  });
  it("never goes under the minimum", () => {
    expect(fillerHeight({ left: 400, others: 500, overhead: 90, current: 300 })).toBe(FILLER_MIN);
    expect(fillerHeight({ left: 400, others: 500, overhead: 90, current: FILLER_MIN })).toBe(null);
  });
  it("refuses non-finite measures", () => {
    expect(fillerHeight({ left: NaN, others: 500, overhead: 90, current: 150 })).toBe(null);
  });
});

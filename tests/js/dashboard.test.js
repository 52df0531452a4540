import { describe, expect, it } from "vitest";
import { arrange, modelId, RIGHT_MAX, RIGHT_MIN } from "../../js/views/dashboard_layout.js";

const ALL = ["replay", "heatmap", "ladder", "timeline", "depth", "gauge"];

describe("arrange", () => {
  it("puts the time views left and the frame views right on a laptop-wide cell", () => {
    const a = arrange(ALL, 1400);
    expect(a.two).toBe(true);
    expect(a.top).toEqual(["replay"]);
    expect(a.left).toEqual(["heatmap", "timeline"]);
    expect(a.rightCol).toEqual(["ladder", "depth", "gauge"]);
    expect(a.right).toBe(392); // 28% of 1400
  });

  it("clamps the right column to [RIGHT_MIN, RIGHT_MAX]", () => {
    expect(arrange(ALL, 1000).right).toBe(RIGHT_MIN); // 280 -> 300
    expect(arrange(ALL, 2400).right).toBe(RIGHT_MAX); // 672 -> 440
    expect(arrange(ALL, 1280).right).toBe(358); // 358.4
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

import { afterEach, describe, expect, it, vi } from "vitest";
import { FRAME_BUDGET_MS, perFrame } from "../../js/lib/canvas.js";

describe("perFrame: one draw per frame per view, within a shared frame budget", () => {
  let frames = [];
  let clock = 0;
  const nextFrame = () => {
    const due = frames;
    frames = [];
    for (const cb of due) cb(clock);
  };
  afterEach(() => vi.unstubAllGlobals());

  it("coalesces calls and splits many draws over frames past the budget", () => {
    frames = [];
    clock = 0;
    vi.stubGlobal("requestAnimationFrame", (cb) => frames.push(cb));
    vi.spyOn(performance, "now").mockImplementation(() => clock);
    const order = [];
    const view = (name, ms) =>
      perFrame((arg) => {
        order.push(`${name}:${arg}`);
        clock += ms;
      });
    const a = view("a", 5), b = view("b", 5), c = view("c", 5);
    a(1);
    a(2); // coalesced: only the latest arguments
    b(1);
    c(1);
    expect(frames.length).toBe(1); // one animation frame requested for all of them
    nextFrame();
    // 5 ms + 5 ms is past the 8 ms budget after b: c waits for the next frame
    expect(FRAME_BUDGET_MS).toBe(8);
    expect(order).toEqual(["a:2", "b:1"]);
    nextFrame();
    expect(order).toEqual(["a:2", "b:1", "c:1"]);
    expect(frames.length).toBe(0); // nothing left: no more frames requested
  });

  it("always runs one draw per frame, even a slow one, and cancel drops a pending draw", () => {
    frames = [];
    clock = 0;
    vi.stubGlobal("requestAnimationFrame", (cb) => frames.push(cb));
    vi.spyOn(performance, "now").mockImplementation(() => clock);
    const order = [];
    const slow = perFrame(() => {
      order.push("slow");
      clock += 50;
    });
    const dropped = perFrame(() => order.push("dropped"));
    slow();
    dropped();
    dropped.cancel();
    nextFrame();
    expect(order).toEqual(["slow"]);
    nextFrame();
    expect(order).toEqual(["slow"]);
  });
});

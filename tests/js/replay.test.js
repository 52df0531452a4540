import { describe, expect, it } from "vitest";
import { EchoFilter, MAX_STEP_MS, PlayClock, ROW_SPEEDS, TIME_SPEEDS, Throttle, speedLabel } from "../../js/views/replay_clock.js";

/**
 * A fake timeline: rows at times 1000 + 10 * row ms (rows 0..n-1), so rowTime and rowAt are
 * known by hand: row r is at 1000 + 10r, the row in force at t is floor((t - 1000) / 10).
 */
function timeline(n = 101) {
  return {
    rows: n,
    extent: /** @type {[number, number]} */ ([1000, 1000 + 10 * (n - 1)]),
    rowTime: (r) => 1000 + 10 * r,
    rowAt: (t) => Math.max(0, Math.min(n - 1, Math.floor((t - 1000) / 10))),
  };
}

describe("speed presets and labels", () => {
  it("offers the documented speeds", () => {
    expect(TIME_SPEEDS).toEqual([0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000]);
    expect(ROW_SPEEDS[0]).toBe(1);
    expect(ROW_SPEEDS.at(-1)).toBe(1000);
  });
  it("labels market-time multiples and rows per second", () => {
    expect(speedLabel("time", 0.25)).toBe("×0.25");
    expect(speedLabel("time", 1000)).toBe("×1000");
    expect(speedLabel("rows", 50)).toBe("50 rows/s");
    expect(speedLabel("time", 1 / 3)).toBe("×0.3333");
  });
});

describe("PlayClock in market-time mode", () => {
  it("advances speed x wall time and shows the row in force", () => {
    const c = new PlayClock(timeline());
    c.anchor(5); // t = 1050
    expect(c.t).toBe(1050);
    c.speed = 2;
    expect(c.advance(100)).toBe(25); // 1050 + 200 = 1250 -> row 25
    expect(c.t).toBe(1250);
    c.speed = 0.25;
    expect(c.advance(20)).toBe(25); // +5 ms: 1255, still row 25
    expect(c.advance(20)).toBe(26); // 1260 -> row 26
  });
  it("caps one frame's step (a hidden tab) and stops at the end", () => {
    const c = new PlayClock(timeline());
    c.anchor(0);
    c.advance(10_000); // capped to MAX_STEP_MS of wall time
    expect(c.t).toBe(1000 + MAX_STEP_MS);
    c.speed = 1000;
    c.advance(200);
    expect(c.row).toBe(100);
    expect(c.t).toBe(2000);
    expect(c.atEnd).toBe(true);
  });
  it("never goes backwards while playing, even if rowAt is coarse", () => {
    const tl = timeline();
    const c = new PlayClock({ ...tl, rowAt: () => 3 });
    c.anchor(10);
    expect(c.advance(16)).toBe(10);
  });
  it("seeks to a time and clamps it to the book", () => {
    const c = new PlayClock(timeline());
    c.seek(1333);
    expect([c.row, c.t]).toEqual([33, 1333]);
    c.seek(-5);
    expect([c.row, c.t]).toEqual([0, 1000]);
    c.seek(1e9);
    expect([c.row, c.t, c.atEnd]).toEqual([100, 2000, true]);
  });
});

describe("PlayClock in rows mode", () => {
  it("advances speed rows per second, whole rows shown", () => {
    const c = new PlayClock(timeline());
    c.mode = "rows";
    c.speed = 10;
    c.anchor(4);
    expect(c.advance(50)).toBe(4); // 0.5 row
    expect(c.advance(50)).toBe(5); // 1 row
    expect(c.t).toBe(1050);
    c.speed = 1000;
    expect(c.advance(250)).toBe(100); // 250 rows capped at the last row
    expect(c.atEnd).toBe(true);
  });
  it("anchors clamped rows", () => {
    const c = new PlayClock(timeline(3));
    c.anchor(99);
    expect(c.row).toBe(2);
    c.anchor(-4);
    expect(c.row).toBe(0);
  });
});

describe("Throttle", () => {
  it("lets one call through per interval", () => {
    const th = new Throttle(50);
    const times = [0, 10, 49, 50, 60, 99, 100, 170];
    expect(times.map((t) => th.due(t))).toEqual([true, false, false, true, false, false, true, true]);
    th.reset();
    expect(th.due(171)).toBe(true);
  });
  it("gives at most 20 saves in one second of 60 fps frames", () => {
    const th = new Throttle(1000 / 20);
    let n = 0;
    for (let f = 0; f < 60; f++) if (th.due(f * (1000 / 60))) n++;
    expect(n).toBeLessThanOrEqual(20);
    expect(n).toBeGreaterThanOrEqual(15);
  });
});

describe("EchoFilter", () => {
  it("recognises values saved recently, forgets old ones", () => {
    const e = new EchoFilter(1000);
    e.saved(10, 0);
    e.saved(20, 500);
    expect(e.isEcho(10, 900)).toBe(true);
    expect(e.isEcho(15, 900)).toBe(false);
    expect(e.isEcho(10, 1200)).toBe(false);
    e.saved(30, 1600); // prunes 10 (saved at 0) and 20 (saved at 500)
    expect([...e.sent.keys()]).toEqual([30]);
  });
});

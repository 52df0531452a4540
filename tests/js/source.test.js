import { describe, expect, it } from "vitest";
import { Source, bisectRight } from "../../js/lib/source.js";

const TYPES = { f8: Float64Array, f4: Float32Array, i4: Int32Array };

/** An independent writer of the OBW1 layout (see tests/js/buffers.test.js and _buffers.py). */
function encode(fields, meta = {}) {
  const names = Object.keys(fields);
  const descs = names.map((name) => ({ name, dtype: fields[name][0], shape: fields[name][1], offset: 0 }));
  let start = 0;
  for (let pass = 0; pass < 3; pass++) {
    start = 8 + JSON.stringify({ fields: descs, meta }).length + 16;
    start += (8 - (start % 8)) % 8;
    let off = start;
    for (const d of descs) {
      d.offset = off;
      const n = fields[d.name][2].length * TYPES[d.dtype].BYTES_PER_ELEMENT;
      off += n + ((8 - (n % 8)) % 8);
    }
  }
  const text = JSON.stringify({ fields: descs, meta }).padEnd(start - 8, " ");
  const last = descs.at(-1);
  const total = last.offset + fields[last.name][2].length * TYPES[last.dtype].BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(total);
  bytes.set([79, 66, 87, 49]);
  new DataView(bytes.buffer).setUint32(4, text.length, true);
  bytes.set(new TextEncoder().encode(text), 8);
  for (const d of descs) {
    const arr = new TYPES[d.dtype](fields[d.name][2]);
    bytes.set(new Uint8Array(arr.buffer), d.offset);
  }
  return new DataView(bytes.buffer);
}

/** A fake shared model: get/set/on/off/save_changes, recording saves. */
function fakeModel(state) {
  const handlers = {};
  return {
    state,
    saves: 0,
    get(k) {
      return this.state[k];
    },
    set(k, v) {
      this.state[k] = v;
      for (const h of handlers[`change:${k}`] || []) h();
    },
    save_changes() {
      this.saves++;
    },
    on(ev, h) {
      (handlers[ev] ||= []).push(h);
    },
    off() {},
  };
}

// A 10-row book (rows 0..9 at 0, 100, ..., 900 ms after 1e12 ms) whose track samples rows 0, 4, 9.
const T0 = 1e12;
function source(extra = {}) {
  const track = encode(
    {
      row: ["i4", [3], [0, 4, 9]],
      t: ["f8", [3], [T0, T0 + 400, T0 + 900]],
      bid_px: ["f8", [3, 2], [10, 9.9, 10.1, 10, 10.2, 10.1]],
      ask_px: ["f8", [3, 2], [10.2, 10.3, 10.3, 10.4, 10.4, 10.5]],
      bid_sz: ["f4", [3, 2], [1, 2, 3, 4, 5, 6]],
      ask_sz: ["f4", [3, 2], [6, 5, 4, 3, 2, 1]],
    },
    { levels: 2, rows: 10 },
  );
  const axis = encode({ t: ["f8", [2], [T0, T0 + 900]], mid_lo: ["f8", [1], [10.1]] });
  return new Source(
    fakeModel({
      _meta: { rows: 10, start_ms: T0, end_ms: T0 + 900, price_unit: "USD", size_unit: "" },
      _track: track,
      _axis: axis,
      cursor: 0,
      time_range: [T0 * 1e6, (T0 + 900) * 1e6],
      selection: null,
      _cursor_at: [0, T0],
      ...extra,
    }),
  );
}

describe("bisectRight", () => {
  it("gives the last index <= v", () => {
    const a = [1, 3, 3, 7];
    expect(bisectRight(a, 0)).toBe(-1);
    expect(bisectRight(a, 1)).toBe(0);
    expect(bisectRight(a, 2)).toBe(0);
    expect(bisectRight(a, 3)).toBe(2);
    expect(bisectRight(a, 6.9)).toBe(2);
    expect(bisectRight(a, 100)).toBe(3);
    expect(bisectRight([], 5)).toBe(-1);
    expect(bisectRight(new Int32Array([0, 4, 9]), 4)).toBe(1);
  });
});

describe("Source", () => {
  it("decodes the meta, axis and track", () => {
    const s = source();
    expect(s.rows).toBe(10);
    expect(s.extent).toEqual([T0, T0 + 900]);
    expect(Array.from(s.track.arrays.row)).toEqual([0, 4, 9]);
    expect(s.axis.arrays.mid_lo[0]).toBe(10.1);
    expect(s.units).toEqual({ price: "USD", size: "size" });
  });

  it("rowTime: exact at sampled rows, linear between them, clamped outside", () => {
    const s = source();
    expect(s.rowTime(0)).toBe(T0);
    expect(s.rowTime(4)).toBe(T0 + 400);
    expect(s.rowTime(2)).toBe(T0 + 200); // halfway between rows 0 and 4
    expect(s.rowTime(6)).toBe(T0 + 400 + (2 / 5) * 500);
    expect(s.rowTime(9)).toBe(T0 + 900);
    expect(s.rowTime(20)).toBe(T0 + 900);
    expect(s.rowTime(-3)).toBe(T0);
  });

  it("rowAt: the row in force at a time, inverse of rowTime on the track", () => {
    const s = source();
    expect(s.rowAt(T0 - 1)).toBe(0);
    expect(s.rowAt(T0)).toBe(0);
    expect(s.rowAt(T0 + 399)).toBe(3); // 0 + floor(399/400 * 4)
    expect(s.rowAt(T0 + 400)).toBe(4);
    expect(s.rowAt(T0 + 650)).toBe(6); // 4 + floor(250/500 * 5) = 6
    expect(s.rowAt(T0 + 899)).toBe(8); // never the next sampled row before its time
    expect(s.rowAt(T0 + 900)).toBe(9);
    expect(s.rowAt(T0 + 5000)).toBe(9);
  });

  it("frameAt: the track's frame at the last sampled row <= r", () => {
    const s = source();
    const f = s.frameAt(7);
    expect(f.row).toBe(4);
    expect(f.t).toBe(T0 + 400);
    expect(Array.from(f.bidPx)).toEqual([10.1, 10]);
    expect(Array.from(f.askPx)).toEqual([10.3, 10.4]);
    expect(Array.from(f.bidSz)).toEqual([3, 4]);
    expect(Array.from(f.askSz)).toEqual([4, 3]);
    expect(s.frameAt(9).row).toBe(9);
    expect(s.frameAt(-1).row).toBe(0);
  });

  it("without a track: safe defaults", () => {
    const s = source({ _track: new DataView(new ArrayBuffer(0)) });
    expect(s.frameAt(3)).toBeNull();
    expect(s.rowAt(T0 + 100)).toBe(0);
    expect(s.rowTime(3)).toBe(T0);
  });

  it("setCursor clamps, skips no-ops and saves", () => {
    const s = source();
    s.setCursor(3.6);
    expect(s.cursor).toBe(4);
    expect(s.model.saves).toBe(1);
    s.setCursor(4);
    expect(s.model.saves).toBe(1);
    s.setCursor(99);
    expect(s.cursor).toBe(9);
    s.setCursor(-5);
    expect(s.cursor).toBe(0);
  });

  it("cursorTime: exact from _cursor_at for the cursor row, else interpolated", () => {
    const s = source({ cursor: 2, _cursor_at: [2, T0 + 123] });
    expect(s.cursorTime).toBe(T0 + 123);
    s.model.state.cursor = 6;
    expect(s.cursorTime).toBe(T0 + 600);
  });

  it("time range and selection in ms, set as int ns", () => {
    const s = source();
    expect(s.timeRange).toEqual([T0, T0 + 900]);
    s.setTimeRange([T0 + 100, T0 + 200.5]);
    expect(s.model.state.time_range).toEqual([(T0 + 100) * 1e6, (T0 + 200.5) * 1e6]);
    expect(s.timeRange).toEqual([T0 + 100, T0 + 200.5]);
    const saves = s.model.saves;
    s.setTimeRange([T0 + 300, T0 + 300]); // empty: ignored
    expect(s.model.saves).toBe(saves);
    expect(s.selection).toBeNull();
    s.setSelection([T0 + 1, T0 + 2]);
    // ns since the epoch exceed 2^53: a float64 keeps them to ~256 ns, well under a pixel
    const [a, b] = s.selection;
    expect(Math.abs(a - (T0 + 1))).toBeLessThan(1e-3);
    expect(Math.abs(b - (T0 + 2))).toBeLessThan(1e-3);
    s.setSelection(null);
    expect(s.selection).toBeNull();
  });
});

describe("live sources", () => {
  it("draw the newest exact frame while it is on its way, not the older replay track", () => {
    const live = new Source(fakeModel({ _meta: { rows: 100, live: true }, cursor: 99, follow: true }));
    expect(live.showsExact(99)).toBe(true);
    expect(live.showsExact(97)).toBe(true); // the cursor moved on; Python's frame for 99 follows
    expect(live.showsExact(null)).toBe(false);
    const held = new Source(fakeModel({ _meta: { rows: 100, live: true }, cursor: 99, follow: false }));
    expect(held.showsExact(97)).toBe(false); // not following: the user moved the cursor
    const fixed = new Source(fakeModel({ _meta: { rows: 100 }, cursor: 50 }));
    expect(fixed.showsExact(50)).toBe(true);
    expect(fixed.showsExact(49)).toBe(false);
  });

  it("decode the axis and track again only when they change", () => {
    const track = encode({ row: ["i4", [2], [0, 1]], t: ["f8", [2], [0, 5]] });
    const model = fakeModel({ _meta: { rows: 2 }, _track: track, _axis: null });
    const src = new Source(model);
    const first = src.track;
    model.state._meta = { rows: 3, live: true };
    src.refresh();
    expect(src.track).toBe(first); // same payload: the same decoded object
    model.state._track = encode({ row: ["i4", [3], [0, 1, 2]], t: ["f8", [3], [0, 5, 9]] });
    src.refresh();
    expect(Array.from(src.track.arrays.row)).toEqual([0, 1, 2]);
    expect(src.rows).toBe(3);
  });
});

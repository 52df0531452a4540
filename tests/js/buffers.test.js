import { describe, expect, it } from "vitest";
import { blocks, float64s } from "../../js/lib/buffers.js";

/** Bytes of little-endian float64 values, as Python's numpy `<f8` tobytes() gives them. */
function leBytes(values, offset = 0) {
  const buf = new ArrayBuffer(offset + values.length * 8);
  const dv = new DataView(buf);
  values.forEach((v, i) => dv.setFloat64(offset + i * 8, v, true));
  return new DataView(buf, offset, values.length * 8);
}

describe("float64s", () => {
  it("reads an aligned DataView without copying", () => {
    const dv = leBytes([1.5, -2, NaN]);
    const arr = float64s(dv);
    expect(Array.from(arr.subarray(0, 2))).toEqual([1.5, -2]);
    expect(Number.isNaN(arr[2])).toBe(true);
    expect(arr.buffer).toBe(dv.buffer);
  });
  it("copies an unaligned view", () => {
    const dv = leBytes([3.25, 4], 3);
    const arr = float64s(dv);
    expect(Array.from(arr)).toEqual([3.25, 4]);
    expect(arr.buffer).not.toBe(dv.buffer);
  });
  it("accepts ArrayBuffer and Uint8Array, and nothing", () => {
    const dv = leBytes([7]);
    expect(Array.from(float64s(dv.buffer))).toEqual([7]);
    expect(Array.from(float64s(new Uint8Array(dv.buffer)))).toEqual([7]);
    expect(float64s(null).length).toBe(0);
    expect(float64s(undefined).length).toBe(0);
  });
  it("rejects a length that is not a multiple of 8", () => {
    expect(() => float64s(new Uint8Array(12))).toThrow(/multiple of 8/);
    expect(() => float64s("abc")).toThrow(TypeError);
  });
});

describe("blocks", () => {
  it("splits into equal views", () => {
    const [a, b] = blocks(new Float64Array([1, 2, 3, 4]), 2);
    expect(Array.from(a)).toEqual([1, 2]);
    expect(Array.from(b)).toEqual([3, 4]);
  });
  it("rejects uneven splits", () => {
    expect(() => blocks(new Float64Array(5), 2)).toThrow(/equal blocks/);
  });
});

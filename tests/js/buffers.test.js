import { describe, expect, it } from "vitest";
import { EMPTY, decode, field, row } from "../../js/lib/buffers.js";

const TYPES = { f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array, i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array };

/**
 * An independent writer of the documented layout (obi_widgets/views/_buffers.py): "OBW1", uint32
 * header length, JSON header padded with spaces to an 8-byte boundary, arrays at 8-aligned offsets.
 * @param {{ name: string, dtype: keyof TYPES, shape: number[], values: number[] }[]} fields
 * @param {object} meta
 * @param {number} lead bytes before the blob in its ArrayBuffer (to make unaligned views)
 */
function encode(fields, meta = {}, lead = 0) {
  const descs = fields.map((f) => ({ name: f.name, dtype: f.dtype, shape: f.shape, offset: 0 }));
  let text = "";
  let start = 0;
  for (let pass = 0; pass < 3; pass++) {
    text = JSON.stringify({ fields: descs, meta });
    start = 8 + text.length + 16;
    start += (8 - (start % 8)) % 8;
    let off = start;
    descs.forEach((d, i) => {
      d.offset = off;
      const n = fields[i].values.length * TYPES[fields[i].dtype].BYTES_PER_ELEMENT;
      off += n + ((8 - (n % 8)) % 8);
    });
  }
  text = JSON.stringify({ fields: descs, meta });
  const total = descs.length
    ? descs.at(-1).offset + fields.at(-1).values.length * TYPES[fields.at(-1).dtype].BYTES_PER_ELEMENT
    : start;
  const buf = new ArrayBuffer(lead + total);
  const bytes = new Uint8Array(buf, lead);
  bytes.set([79, 66, 87, 49]); // OBW1
  const header = new TextEncoder().encode(text.padEnd(start - 8, " "));
  new DataView(buf, lead + 4, 4).setUint32(0, header.length, true);
  bytes.set(header, 8);
  fields.forEach((f, i) => {
    const Type = TYPES[f.dtype];
    const tmp = new Type(f.values.length);
    tmp.set(f.values);
    bytes.set(new Uint8Array(tmp.buffer), descs[i].offset);
  });
  return new DataView(buf, lead, total);
}

describe("decode", () => {
  const blob = () =>
    encode(
      [
        { name: "t", dtype: "f8", shape: [3], values: [1.5, -2, NaN] },
        { name: "px", dtype: "f4", shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
        { name: "row", dtype: "i4", shape: [2], values: [-7, 2 ** 31 - 1] },
        { name: "side", dtype: "i1", shape: [3], values: [-1, 0, 1] },
        { name: "u", dtype: "u2", shape: [1], values: [65535] },
      ],
      { rows: 3, name: "book", nothing: null },
    );

  it("reads every field with its dtype and shape, and the meta", () => {
    const d = decode(blob());
    expect(d.arrays.t).toBeInstanceOf(Float64Array);
    expect(Array.from(d.arrays.t.subarray(0, 2))).toEqual([1.5, -2]);
    expect(Number.isNaN(d.arrays.t[2])).toBe(true);
    expect(d.arrays.px).toBeInstanceOf(Float32Array);
    expect(Array.from(d.arrays.px)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.shapes.px).toEqual([2, 3]);
    expect(Array.from(d.arrays.row)).toEqual([-7, 2147483647]);
    expect(d.arrays.side).toBeInstanceOf(Int8Array);
    expect(Array.from(d.arrays.side)).toEqual([-1, 0, 1]);
    expect(Array.from(d.arrays.u)).toEqual([65535]);
    expect(d.meta).toEqual({ rows: 3, name: "book", nothing: null });
  });

  it("reads an aligned view in place, copies an unaligned one", () => {
    const aligned = blob();
    expect(decode(aligned).arrays.t.buffer).toBe(aligned.buffer);
    const unaligned = encode([{ name: "t", dtype: "f8", shape: [2], values: [3.25, 4] }], {}, 3);
    const d = decode(unaligned);
    expect(Array.from(d.arrays.t)).toEqual([3.25, 4]);
    expect(d.arrays.t.buffer).not.toBe(unaligned.buffer);
  });

  it("accepts ArrayBuffer and Uint8Array", () => {
    const dv = encode([{ name: "a", dtype: "u1", shape: [2], values: [7, 8] }]);
    expect(Array.from(decode(dv.buffer).arrays.a)).toEqual([7, 8]);
    expect(Array.from(decode(new Uint8Array(dv.buffer)).arrays.a)).toEqual([7, 8]);
  });

  it("decodes nothing and empty bytes to an empty buffer", () => {
    for (const v of [null, undefined, new Uint8Array(0)]) {
      expect(decode(v)).toEqual({ meta: {}, arrays: {}, shapes: {} });
    }
    expect(EMPTY).toEqual({ meta: {}, arrays: {}, shapes: {} });
  });

  it("rejects foreign bytes, unknown dtypes and truncated data", () => {
    expect(() => decode(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toThrow(/OBW1/);
    expect(() => decode(new Uint8Array([79, 66, 87]))).toThrow(/OBW1/);
    expect(() => decode("abc")).toThrow(TypeError);
    const bad = encode([{ name: "x", dtype: "f8", shape: [1], values: [1] }]);
    const bytes = new Uint8Array(bad.buffer);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bad.buffer).getUint32(4, true)));
    bytes.set(new TextEncoder().encode(text.replace('"f8"', '"i8"')), 8);
    expect(() => decode(bad)).toThrow(/unknown dtype i8/);
    const full = encode([{ name: "x", dtype: "f8", shape: [4], values: [1, 2, 3, 4] }]);
    const cut = new DataView(full.buffer, 0, full.byteLength - 8);
    expect(() => decode(cut)).toThrow(/past the end/);
  });
});

describe("row and field", () => {
  it("takes row i of a 2-D field as a view", () => {
    const d = decode(encode([{ name: "m", dtype: "f8", shape: [3, 2], values: [1, 2, 3, 4, 5, 6] }]));
    const r = row(d.arrays.m, d.shapes.m, 1);
    expect(Array.from(r)).toEqual([3, 4]);
    expect(r.buffer).toBe(d.arrays.m.buffer);
    expect(Array.from(row(new Float64Array([9, 8]), [2], 1))).toEqual([8]);
  });
  it("gives an empty array for a missing field", () => {
    const d = decode(null);
    expect(field(d, "nope").length).toBe(0);
  });
});

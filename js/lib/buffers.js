// Decoding of the self-describing binary buffers the Python views send
// (obi_widgets/views/_buffers.py documents the layout): magic "OBW1", a uint32 header length, a
// JSON header naming each field's dtype, shape and byte offset, then the arrays, 8-byte aligned.

/** @typedef {Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array} TypedArray */

/**
 * @typedef {{ meta: Record<string, any>, arrays: Record<string, TypedArray>, shapes: Record<string, number[]> }} Decoded
 */

const TYPES = {
  f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array,
  i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array,
};

/**
 * The bytes of a buffer as anywidget hands it over (DataView), or as tests build it.
 * @param {DataView | ArrayBuffer | Uint8Array | null | undefined} data
 * @returns {{ buffer: ArrayBuffer, offset: number, length: number }}
 */
function bytesOf(data) {
  if (data instanceof ArrayBuffer) return { buffer: data, offset: 0, length: data.byteLength };
  if (ArrayBuffer.isView(data)) {
    return { buffer: /** @type {ArrayBuffer} */ (data.buffer), offset: data.byteOffset, length: data.byteLength };
  }
  throw new TypeError(`expected binary data, got ${data === null ? "null" : typeof data}`);
}

/** An empty decoded buffer (what an empty trait decodes to). */
export const EMPTY = Object.freeze({ meta: {}, arrays: {}, shapes: {} });

/**
 * Decode a self-describing buffer into named typed arrays (no copy when the memory is aligned).
 * @param {DataView | ArrayBuffer | Uint8Array | null | undefined} data
 * @returns {Decoded}
 */
export function decode(data) {
  if (data == null) return { meta: {}, arrays: {}, shapes: {} };
  let { buffer, offset, length } = bytesOf(data);
  if (length === 0) return { meta: {}, arrays: {}, shapes: {} };
  if (offset % 8 !== 0) {
    buffer = buffer.slice(offset, offset + length); // unaligned: copy once
    offset = 0;
  }
  const head = new Uint8Array(buffer, offset, Math.min(length, 8));
  const magic = String.fromCharCode(head[0], head[1], head[2], head[3]);
  if (length < 8 || magic !== "OBW1") throw new RangeError("not an obi_widgets buffer (missing the OBW1 magic)");
  const headerLength = new DataView(buffer, offset + 4, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, offset + 8, headerLength)));
  /** @type {Record<string, TypedArray>} */
  const arrays = {};
  /** @type {Record<string, number[]>} */
  const shapes = {};
  for (const f of header.fields) {
    const Type = TYPES[f.dtype];
    if (!Type) throw new RangeError(`field ${f.name}: unknown dtype ${f.dtype}`);
    const count = f.shape.reduce((a, b) => a * b, 1);
    if (f.offset + count * Type.BYTES_PER_ELEMENT > length) {
      throw new RangeError(`field ${f.name} runs past the end of the buffer`);
    }
    arrays[f.name] = new Type(buffer, offset + f.offset, count);
    shapes[f.name] = f.shape;
  }
  return { meta: header.meta || {}, arrays, shapes };
}

/**
 * Row `i` of a 2-D field (shape [rows, cols]) as a view.
 * @template {TypedArray} T
 * @param {T} values
 * @param {number[]} shape
 * @param {number} i
 * @returns {T}
 */
export function row(values, shape, i) {
  const cols = shape.length > 1 ? shape[1] : 1;
  return /** @type {T} */ (values.subarray(i * cols, (i + 1) * cols));
}

/**
 * A field of a decoded buffer, or an empty Float64Array when it is absent.
 * @param {Decoded} d
 * @param {string} name
 * @returns {TypedArray}
 */
export function field(d, name) {
  return d.arrays[name] ?? new Float64Array(0);
}

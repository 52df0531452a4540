// Decoding of the binary buffers the Python views send (see obi_widgets/views/_serialize.py).
// Python packs arrays as little-endian float64; anywidget hands them over as DataView.

/**
 * A Float64Array over a buffer sent by Python, without a copy when the memory is aligned.
 * @param {DataView | ArrayBuffer | Uint8Array | null | undefined} data
 * @returns {Float64Array}
 */
export function float64s(data) {
  if (data == null) return new Float64Array(0);
  let buffer, offset, length;
  if (data instanceof ArrayBuffer) {
    buffer = data; offset = 0; length = data.byteLength;
  } else if (ArrayBuffer.isView(data)) {
    buffer = data.buffer; offset = data.byteOffset; length = data.byteLength;
  } else {
    throw new TypeError(`expected binary data, got ${typeof data}`);
  }
  if (length % 8 !== 0) throw new RangeError(`float64 buffer has ${length} bytes, not a multiple of 8`);
  if (offset % 8 === 0) return new Float64Array(buffer, offset, length / 8);
  return new Float64Array(buffer.slice(offset, offset + length)); // unaligned: copy once
}

/**
 * Split a flat array into `count` consecutive blocks of equal length (views, no copy).
 * @param {Float64Array} values
 * @param {number} count
 * @returns {Float64Array[]}
 */
export function blocks(values, count) {
  if (values.length % count !== 0) {
    throw new RangeError(`cannot split ${values.length} values into ${count} equal blocks`);
  }
  const n = values.length / count;
  return Array.from({ length: count }, (_, i) => values.subarray(i * n, (i + 1) * n));
}

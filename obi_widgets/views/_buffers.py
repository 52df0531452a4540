"""Self-describing binary buffers: how every array a view sends travels to the browser.

One blob holds named arrays and a small JSON header that describes them, so the JavaScript side
(``js/lib/buffers.js``, :func:`decode` there) needs no per-view knowledge of the layout:

- bytes 0-3: the ASCII magic ``OBW1``; bytes 4-7: the header length H (uint32, little-endian);
- bytes 8 .. 8+H: the header, UTF-8 JSON ``{"fields": [{"name", "dtype", "shape", "offset"}], "meta": {...}}``,
  padded with spaces so that the first array starts on an 8-byte boundary;
- then each array, C order, little-endian, starting at its ``offset`` (from the start of the blob,
  a multiple of 8, so that the browser reads it in place without a copy).

Allowed dtypes are those JavaScript has typed arrays for: float64, float32, int32, uint32, int16,
uint16, int8, uint8. 64-bit integers are refused: times travel as float64 milliseconds since the
epoch (exact to well under a microsecond), prices as float64 or as int32 ticks plus an offset in
``meta``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from ..errors import ParameterError

MAGIC = b"OBW1"
_CODES = {"f8": "<f8", "f4": "<f4", "i4": "<i4", "u4": "<u4", "i2": "<i2", "u2": "<u2", "i1": "i1", "u1": "u1"}
_KINDS = {np.dtype(v): k for k, v in _CODES.items()}


def _code(arr: np.ndarray, name: str) -> str:
    code = _KINDS.get(arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype)
    if code is None:
        raise ParameterError(
            f"buffer field {name!r} has dtype {arr.dtype}: only float64/32, (u)int32/16/8 travel to the browser"
        )
    return code


def _json_safe(value: Any) -> Any:
    """Meta values as JSON: NaN/inf become None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    return value


def pack(fields: dict[str, Any], meta: dict[str, Any] | None = None) -> bytes:
    """Pack named arrays (and JSON-able ``meta``) into one self-describing blob (layout above)."""
    arrays = []
    for name, value in fields.items():
        arr = np.ascontiguousarray(value)
        code = _code(arr, name)
        arrays.append((name, code, np.ascontiguousarray(arr, dtype=_CODES[code])))
    # the header's length depends on the offsets it lists: lay out with a bound, then pad to it
    descs = [{"name": n, "dtype": c, "shape": list(a.shape), "offset": 0} for n, c, a in arrays]
    header = {"fields": descs, "meta": _json_safe(meta or {})}
    text, start, offset = b"", 8, 8
    for _ in range(8):  # converges in two rounds: the slack absorbs the offsets' digits
        text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
        start = 8 + len(text) + 16  # slack for offsets growing by a digit or two
        start += -start % 8
        offset = start
        for desc, (_, _, arr) in zip(descs, arrays):
            desc["offset"] = offset
            offset += arr.nbytes + (-arr.nbytes % 8)
        text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
        if 8 + len(text) <= start:
            break
    else:  # pragma: no cover - a header that keeps outgrowing its slack is a bug here
        raise AssertionError("buffer header layout did not converge")
    text = text + b" " * (start - 8 - len(text))
    out = bytearray(offset)
    out[0:4] = MAGIC
    out[4:8] = len(text).to_bytes(4, "little")
    out[8:start] = text
    for desc, (_, _, arr) in zip(descs, arrays):
        out[desc["offset"] : desc["offset"] + arr.nbytes] = arr.tobytes()
    return bytes(out)


def unpack(blob: bytes) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and meta of a blob made by :func:`pack` (the Python mirror of the JS decoder)."""
    if len(blob) < 8 or blob[:4] != MAGIC:
        raise ParameterError("not an obi_widgets buffer (missing the OBW1 magic)")
    length = int.from_bytes(blob[4:8], "little")
    header = json.loads(blob[8 : 8 + length])
    out = {}
    for d in header["fields"]:
        dtype = np.dtype(_CODES[d["dtype"]])
        count = int(np.prod(d["shape"], dtype=np.int64))
        out[d["name"]] = np.frombuffer(blob, dtype=dtype, count=count, offset=d["offset"]).reshape(d["shape"])
    return out, header["meta"]

"""Self-describing buffers: the byte layout, the Python round trip, and the JS decoder on the same bytes."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess

import numpy as np
import pytest

from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import pack, unpack

from .conftest import ROOT

DTYPES = ["<f8", "<f4", "<i4", "<u4", "<i2", "<u2", "i1", "u1"]


def sample_fields() -> dict[str, np.ndarray]:
    return {
        "t": np.array([1.7e12 + 0.25, -0.0, np.nan, np.inf]),
        "px": np.arange(6, dtype="<f4").reshape(2, 3) / 4,
        "row": np.array([-(2**31), 0, 2**31 - 1], dtype="<i4"),
        "count": np.array([0, 2**32 - 1], dtype="<u4"),
        "s16": np.array([-32768, 7], dtype="<i2"),
        "u16": np.array([65535], dtype="<u2"),
        "side": np.array([-1, 0, 1], dtype="i1"),
        "flag": np.array([[0, 255], [1, 2], [3, 4]], dtype="u1"),
        "empty": np.zeros((0, 4)),
    }


def test_layout_by_hand():
    blob = pack({"a": np.array([1.5, -2.0])}, {"k": 1})
    assert blob[:4] == b"OBW1"
    length = struct.unpack("<I", blob[4:8])[0]
    header = json.loads(blob[8 : 8 + length])
    assert header["meta"] == {"k": 1}
    (field,) = header["fields"]
    assert field["name"] == "a" and field["dtype"] == "f8" and field["shape"] == [2]
    assert field["offset"] % 8 == 0 and field["offset"] >= 8 + length
    assert blob[field["offset"] : field["offset"] + 16] == struct.pack("<2d", 1.5, -2.0)
    assert len(blob) == field["offset"] + 16
    assert blob[8 + len(json.dumps(header, separators=(",", ":"))) : field["offset"]].strip(b" ") == b""


def test_round_trip_every_dtype_and_shape():
    fields = sample_fields()
    out, meta = unpack(pack(fields, {"rows": 3}))
    assert list(out) == list(fields) and meta == {"rows": 3}
    for name, arr in fields.items():
        assert out[name].dtype == arr.dtype.newbyteorder("<") or out[name].dtype == arr.dtype, name
        assert out[name].shape == arr.shape, name
        np.testing.assert_array_equal(out[name], arr)


def test_offsets_are_aligned_and_disjoint():
    blob = pack(sample_fields())
    header = json.loads(blob[8 : 8 + struct.unpack("<I", blob[4:8])[0]])
    end = 0
    for f in header["fields"]:
        assert f["offset"] % 8 == 0 and f["offset"] >= end
        size = int(np.prod(f["shape"])) * np.dtype(f["dtype"]).itemsize
        end = f["offset"] + size


def test_big_endian_and_non_contiguous_inputs():
    be = np.array([1.0, 2.0], dtype=">f8")
    strided = np.arange(10, dtype=np.int32)[::3]
    out, _ = unpack(pack({"be": be, "st": strided}))
    assert out["be"].dtype == np.dtype("<f8")
    np.testing.assert_array_equal(out["be"], [1.0, 2.0])
    np.testing.assert_array_equal(out["st"], [0, 3, 6, 9])


def test_meta_json_safe():
    _, meta = unpack(
        pack(
            {},
            {
                "nan": np.nan,
                "inf": float("inf"),
                "i": np.int64(3),
                "f": np.float32(0.5),
                "b": np.bool_(True),
                "l": [1, np.nan],
                "s": "BTC",
            },
        )
    )
    assert meta == {"nan": None, "inf": None, "i": 3, "f": 0.5, "b": True, "l": [1, None], "s": "BTC"}


@pytest.mark.parametrize("dtype", ["<i8", "<u8", "bool", "<f2", "complex128"])
def test_refuses_dtypes_without_typed_arrays(dtype):
    with pytest.raises(ParameterError, match=r"buffer field 'x' has dtype"):
        pack({"x": np.zeros(2, dtype=dtype)})


def test_unpack_rejects_foreign_bytes():
    with pytest.raises(ParameterError, match="OBW1"):
        unpack(b"not a buffer")
    with pytest.raises(ParameterError, match="OBW1"):
        unpack(b"OB")


# -- the JS decoder (js/lib/buffers.js) on bytes written by pack ------------------------------------
NODE_DECODE = """
import { readFileSync } from "node:fs";
import { decode } from "%s";
const out = [];
for (const path of process.argv.slice(1)) {
  const bytes = readFileSync(path);
  const d = decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const fields = {};
  for (const [name, arr] of Object.entries(d.arrays)) {
    fields[name] = { type: arr.constructor.name, shape: d.shapes[name],
      values: Array.from(arr, (v) => (Number.isNaN(v) ? "NaN" : v === Infinity ? "Inf" : v === -Infinity ? "-Inf" : Object.is(v, -0) ? "-0" : v)) };
  }
  out.push({ meta: d.meta, fields });
}
console.log(JSON.stringify(out));
"""
JS_TYPES = {
    "<f8": "Float64Array",
    "<f4": "Float32Array",
    "<i4": "Int32Array",
    "<u4": "Uint32Array",
    "<i2": "Int16Array",
    "<u2": "Uint16Array",
    "|i1": "Int8Array",
    "|u1": "Uint8Array",
}


def _js(v: float):
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    if v == 0 and np.signbit(v):
        return "-0"
    return float(v)


def test_js_decodes_python_buffers(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: the cross-language buffer test needs Node.js")
    blobs = [
        (sample_fields(), {"rows": 3, "name": "BTCUSDT", "tick": np.nan, "nested": {"a": [1, 2]}}),
        ({"only": np.array([3.5])}, None),
        ({}, {"empty": True}),
    ]
    paths = []
    for i, (fields, meta) in enumerate(blobs):
        p = tmp_path / f"b{i}.obw"
        p.write_bytes(pack(fields, meta))
        paths.append(str(p))
    script = NODE_DECODE % (ROOT / "js" / "lib" / "buffers.js").as_uri()
    res = subprocess.run(
        [node, "--input-type=module", "-e", script, *paths], capture_output=True, text=True, timeout=60, check=False
    )
    assert res.returncode == 0, res.stderr
    decoded = json.loads(res.stdout)
    assert len(decoded) == len(blobs)
    for (fields, meta), got in zip(blobs, decoded):
        expected_meta = (
            {"rows": 3, "name": "BTCUSDT", "tick": None, "nested": {"a": [1, 2]}}
            if meta and "rows" in meta
            else (meta or {})
        )
        assert got["meta"] == expected_meta
        assert list(got["fields"]) == list(fields)
        for name, arr in fields.items():
            g = got["fields"][name]
            assert g["type"] == JS_TYPES[arr.dtype.str], name
            assert g["shape"] == list(arr.shape), name
            assert g["values"] == [_js(v) for v in arr.ravel().astype(np.float64)], name

"""Binance capture parser: the fast engine (numba scanner) against the orjson reference engine,
hand-computed values, and the loader errors (truncated / corrupt / empty gzip, bad numbers)."""

from __future__ import annotations

import gzip
import json
import re
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obi_widgets.errors import DataFormatError, ParameterError
from obi_widgets.io.binance_messages import LINE_COUNTS, iter_binance_messages, read_binance_messages

T0 = 1_723_161_254_000_000_000


def same(a, b) -> None:
    """Two captures equal array for array (dtypes too), snapshots, symbols and line counts."""
    for part in ("depth", "levels", "trades", "bbo"):
        pa, pb = getattr(a, part), getattr(b, part)
        assert pa.keys() == pb.keys(), part
        for key in pa:
            assert pa[key].dtype == pb[key].dtype, f"{part}.{key}: {pa[key].dtype} != {pb[key].dtype}"
            np.testing.assert_array_equal(pa[key], pb[key], err_msg=f"{part}.{key}")
    assert len(a.snapshots) == len(b.snapshots)
    for s, t in zip(a.snapshots, b.snapshots):
        assert {k: v for k, v in s.items() if k not in ("bids", "asks")} == {
            k: v for k, v in t.items() if k not in ("bids", "asks")
        }
        np.testing.assert_array_equal(s["bids"], t["bids"])
        np.testing.assert_array_equal(s["asks"], t["asks"])
    assert a.symbols == b.symbols and a.ignored == b.ignored
    assert {k: v for k, v in a.lines.items() if k != "fallback"} == {
        k: v for k, v in b.lines.items() if k != "fallback"
    }


def both(paths, **kw):
    fast = read_binance_messages(paths, engine="fast", **kw)
    ref = read_binance_messages(paths, engine="reference", **kw)
    same(fast, ref)
    return fast


def write(path, lines, gz=False, newline="\n"):
    text = "".join(line + newline for line in lines)
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(text.encode())
    else:
        path.write_bytes(text.encode())
    return path


def line(i, msg) -> str:
    return f"{T0 + i} {json.dumps(msg, separators=(',', ':'))}"


# -- the real sample ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_files(data_dir):
    folder = data_dir / "binance_spot_BTCUSDT_2024-08-08"
    return [folder / "btcusdt_20240808.gz", folder / "btcusdt_20240809.gz"]


@pytest.mark.realdata
def test_real_capture_fast_equals_reference(sample_files):
    fast = both(sample_files)
    # counts by grep: 6495 depth, 19904 trade, 73174 bookTicker stream lines, one REST snapshot
    assert fast.lines["read"] == 41249 + 58325
    assert (fast.lines["depth"], fast.lines["trade"], fast.lines["bbo"], fast.lines["snapshot"]) == (
        6495,
        19904,
        73174,
        1,
    )
    assert fast.lines["fallback"] <= 3  # the snapshot and the first depth line (symbol learnt)
    assert sum(fast.lines[k] for k in LINE_COUNTS if k not in ("read", "fallback")) == fast.lines["read"]
    # first depth line of the file, by hand: E, U, u and its first bid/ask
    assert fast.depth["E"][0] == 1723161255208 and fast.depth["U"][0] == 50093239189
    assert fast.levels["price"][0] == 61737.63 and fast.levels["qty"][3] == 1.54698


@pytest.mark.realdata
@pytest.mark.parametrize("chunk_lines", [777, 4_999, 40_000])
def test_real_capture_chunks_fast_equal_reference(sample_files, chunk_lines):
    fast = list(iter_binance_messages(sample_files, chunk_lines=chunk_lines))
    ref = list(iter_binance_messages(sample_files, chunk_lines=chunk_lines, engine="reference"))
    assert len(fast) == len(ref) > 1
    for a, b in zip(fast, ref):
        same(a, b)
        assert a.lines["read"] == chunk_lines or a is fast[-1]


# -- hand-made captures -------------------------------------------------------------------------
def depth(k, U, u, b, a, pu=None, sym="BTCUSDT", env=True):
    data = {"e": "depthUpdate", "E": 1000 + k, "s": sym, "U": U, "u": u, "b": b, "a": a}
    if pu is not None:
        data["pu"] = pu
    return {"stream": f"{sym.lower()}@depth", "data": data} if env else data


def test_futures_capture_by_hand(tmp_path):
    lines = [
        line(0, {"lastUpdateId": 7, "E": 1, "T": 1, "bids": [["10.5", "2"]], "asks": [["11", "3"]]}),
        line(1, depth(1, 5, 9, [["10.5", "1.25"]], [["11.0", "0"], ["11.5", "4"]], pu=4)),
        line(
            2,
            {
                "stream": "btcusdt@bookTicker",
                "data": {
                    "e": "bookTicker",
                    "u": 9,
                    "s": "BTCUSDT",
                    "b": "10.5",
                    "B": "1.25",
                    "a": "11.5",
                    "A": "4",
                    "T": 1001,
                    "E": 1002,
                },
            },
        ),  # fmt: skip
        line(3, {"e": "markPriceUpdate", "E": 5, "s": "BTCUSDT", "p": "1"}),  # another kind: ignored
        "",
        line(
            5,
            {
                "data": {
                    "a": [["12", "1"]],
                    "pu": 9,
                    "b": [],
                    "u": 11,
                    "U": 10,
                    "s": "BTCUSDT",
                    "E": 1003,
                    "e": "depthUpdate",
                },
                "stream": "btcusdt@depth",
            },
        ),  # fmt: skip
        line(6, {"e": "trade", "E": 1004, "s": "BTCUSDT", "t": 77, "p": "10.50", "q": "0.001", "T": 1003, "m": False}),
    ]
    path = write(tmp_path / "fut.txt", lines, newline="\r\n")
    cap = both(path)
    assert cap.depth["pu"].tolist() == [4, 9] and cap.depth["U"].tolist() == [5, 10]
    assert cap.depth["line"].tolist() == [2, 6] and cap.depth["local_ts"].tolist() == [T0 + 1, T0 + 5]
    assert cap.depth["n_bid"].tolist() == [1, 0] and cap.depth["n_ask"].tolist() == [2, 1]
    assert cap.depth["offset"].tolist() == [0, 3]
    assert cap.levels["side"].tolist() == [1, -1, -1, -1]
    assert cap.levels["price"].tolist() == [10.5, 11.0, 11.5, 12.0]
    assert cap.levels["qty"].tolist() == [1.25, 0.0, 4.0, 1.0]
    assert cap.bbo["E"].tolist() == [1002] and cap.bbo["ask_qty"].tolist() == [4.0]
    assert cap.trades["id"].tolist() == [77] and cap.trades["buyer_maker"].tolist() == [False]
    assert cap.trades["price"].tolist() == [10.5] and cap.trades["qty"].tolist() == [0.001]
    assert cap.snapshots[0]["before_depth"] == 0 and cap.snapshots[0]["last_update_id"] == 7
    assert cap.ignored == 1 and cap.symbols == frozenset({"BTCUSDT"})
    assert cap.lines == {**cap.lines, "read": 7, "blank": 1, "depth": 2, "bbo": 1, "trade": 1, "snapshot": 1}
    assert cap.lines["ignored_kind"] == 1


def test_symbol_filter_spot_ticker_escapes_and_gzip(tmp_path):
    lines = [
        line(0, depth(1, 1, 2, [["1.5", "1"]], [], sym="ETHUSDT")),
        line(1, depth(2, 1, 2, [["2.5", "1"]], [["3", "2"]], sym="btcusdt")),
        line(
            2,
            {"stream": "ethusdt@bookTicker", "data": {"u": 3, "s": "ETHUSDT", "b": "1", "B": "1", "a": "2", "A": "1"}},
        ),
        line(3, {"u": 4, "s": "BTCUSDT", "b": "2.5", "B": "1", "a": "3", "A": "2"}),  # bare spot bookTicker
        f'{T0 + 4} {{"e":"trade","E":9,"s":"BTC\\u0055SDT","t":1,"p":"2.5","q":"1e-3","T":8,"m":true}}',  # escapes
        "   ",
    ]
    path = write(tmp_path / "cap.gz", lines, gz=True)
    cap = both(path, symbol="BTCUSDT")
    assert cap.lines["other_symbol"] == 2 and cap.lines["blank"] == 1
    assert cap.symbols == frozenset({"btcusdt"})  # as written
    assert cap.bbo["u"].tolist() == [4] and cap.bbo["E"].tolist() == [-1]
    assert cap.trades["qty"].tolist() == [0.001]
    assert cap.lines["fallback"] >= 1  # the escaped line went through orjson
    with pytest.raises(DataFormatError, match="several symbols"):
        read_binance_messages(path)


# -- hypothesis: random messages, key orders and decimal strings -------------------------------------
digits = st.text("0123456789", min_size=1, max_size=12)
decimal = st.one_of(
    st.builds(lambda s, i, f: f"{s}{i}.{f}", st.sampled_from(["", "-"]), digits, digits),
    st.builds(lambda s, i: f"{s}{i}", st.sampled_from(["", "-"]), digits),
    st.sampled_from(["0", "0.00000000", "61737.63000000", "1e-5", "2E3", "12345678901234567890.5", "1.", "abc"]),
    st.builds(lambda i, f: f"{i}.{f}", st.text("0123456789", min_size=10, max_size=25), digits),
)
level = st.lists(decimal, min_size=2, max_size=2)
ints = st.integers(-(2**40), 2**62)


@st.composite
def message(draw):
    kind = draw(st.sampled_from(["depth", "trade", "ticker", "fticker", "other"]))
    if kind == "depth":
        d = {"e": "depthUpdate", "E": draw(ints), "s": "BTCUSDT", "U": draw(ints), "u": draw(ints)}
        d["b"] = draw(st.lists(level, max_size=4))
        d["a"] = draw(st.lists(level, max_size=4))
        if draw(st.booleans()):
            d["pu"] = draw(ints)
    elif kind == "trade":
        d = {"e": "trade", "E": draw(ints), "s": "BTCUSDT", "t": draw(ints), "p": draw(decimal), "q": draw(decimal)}
        d.update(T=draw(ints), m=draw(st.booleans()), M=True)
    elif kind in ("ticker", "fticker"):
        d = {"u": draw(ints), "s": "BTCUSDT", "b": draw(decimal), "B": draw(decimal), "a": draw(decimal)}
        d["A"] = draw(decimal)
        if kind == "fticker":
            d.update(e="bookTicker", E=draw(ints), T=draw(ints))
    else:
        d = {"e": "kline", "E": draw(ints), "s": "BTCUSDT", "k": {"o": "1", "x": [1, None, True]}}
    keys = draw(st.permutations(list(d)))
    d = {k: d[k] for k in keys}
    if draw(st.booleans()):
        keys = list(d)
        drop = draw(st.sampled_from(keys))
        if draw(st.integers(0, 9)) == 0:  # sometimes a field is missing: both engines must raise
            d.pop(drop)
    return {"stream": "btcusdt@x", "data": d} if draw(st.booleans()) else d


def outcome(path, engine):
    try:
        return read_binance_messages(path, engine=engine), None
    except DataFormatError as exc:
        return None, str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(msgs=st.lists(message(), min_size=1, max_size=12), spaces=st.booleans())
def test_random_messages_fast_equals_reference(tmp_path_factory, msgs, spaces):
    sep = (", ", ": ") if spaces else (",", ":")
    text = [f"{T0 + i} {json.dumps(m, separators=sep)}" for i, m in enumerate(msgs)]
    path = write(tmp_path_factory.mktemp("h") / "cap.txt", text)
    fast, ferr = outcome(path, "fast")
    ref, rerr = outcome(path, "reference")
    # with several bad lines the engines may report different ones (the reference converts level
    # strings in batches, so a later line's missing field can surface first), each naming its line
    assert (ferr is None) == (rerr is None), (ferr, rerr)
    if ferr is not None:
        assert re.search(r"cap.txt:\d+: ", ferr) and re.search(r"cap.txt:\d+: ", str(rerr))
    if fast is not None:
        same(fast, ref)
        # independent of both engines: every level price is float() of its string
        want = [
            float(p)
            for m in msgs
            for d in [m.get("data", m)]
            if d.get("e") == "depthUpdate"
            for p, _ in d["b"] + d["a"]
        ]
        assert fast.levels["price"].tolist() == want


@settings(max_examples=200, deadline=None)
@given(s=decimal)
def test_decimal_strings_convert_exactly_as_float(tmp_path_factory, s):
    msg = {"u": 1, "s": "BTCUSDT", "b": s, "B": "1", "a": "1", "A": "1"}
    path = write(tmp_path_factory.mktemp("d") / "cap.txt", [line(0, msg)])
    try:
        expected = float(s)
    except ValueError:
        with pytest.raises(DataFormatError, match=r"cap.txt:1: a bookTicker price or quantity is not a number"):
            read_binance_messages(path)
        return
    got = read_binance_messages(path).bbo["bid"][0]
    assert got == expected and np.signbit(got) == np.signbit(expected)


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.realdata
@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_truncated_gzip_names_the_file_and_last_good_line(sample_files, tmp_path, engine):
    raw = sample_files[0].read_bytes()
    cut = tmp_path / "cut.gz"
    cut.write_bytes(raw[: len(raw) // 2])
    # the complete lines in the inflatable half, independently of the kit
    good = zlib.decompressobj(31).decompress(raw[: len(raw) // 2]).count(b"\n")
    with pytest.raises(DataFormatError, match=r"cut.gz: the gzip file is truncated .* after line (\d+)") as info:
        read_binance_messages(cut, engine=engine)
    last = int(str(info.value).split("after line ")[1].split(",")[0])
    if engine == "fast":
        assert last == good
    else:
        assert 0 < last <= good


@pytest.mark.realdata
@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_corrupt_gzip(sample_files, tmp_path, engine):
    crc = tmp_path / "crc.gz"
    data = bytearray(sample_files[1].read_bytes())
    data[-8] ^= 0xFF  # the CRC32 in the trailer
    crc.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match=r"crc.gz: the gzip data is corrupt .* after line"):
        read_binance_messages(crc, engine=engine)
    raw = bytearray(sample_files[0].read_bytes())
    mid = len(raw) // 2
    raw[mid : mid + 64] = bytes(64)
    bad = tmp_path / "bad.gz"
    bad.write_bytes(bytes(raw))
    # zeroed bytes inside a deflate block may still inflate (to garbage, then a CRC error at the end):
    # whichever comes first, a bad line or the inflate error, names the file
    with pytest.raises(DataFormatError, match=r"bad.gz(: the gzip (data is corrupt|file is truncated)|:\d+: expected)"):
        read_binance_messages(bad, engine=engine)


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_bad_numbers_name_their_own_line(tmp_path, engine):
    good = [line(i, depth(i, i, i, [["1.5", "2"]], [])) for i in range(5)]
    lines = [*good[:2], line(2, depth(2, 2, 2, [["1.5", "2"]], [["x1", "1"]])), *good[3:]]
    path = write(tmp_path / "cap.txt", lines)
    with pytest.raises(DataFormatError, match=r"cap.txt:3: price levels"):
        read_binance_messages(path, engine=engine)
    trade = {"e": "trade", "E": 1, "s": "BTCUSDT", "t": 1, "p": "1.0", "q": "n/a", "T": 1, "m": True}
    path = write(tmp_path / "t.txt", [*good[:3], line(3, trade), *good[3:]])
    with pytest.raises(DataFormatError, match=r"t.txt:4: the trade quantity 'q' is not a number"):
        read_binance_messages(path, engine=engine)
    tick = {"u": 4, "s": "BTCUSDT", "b": "1", "B": "1", "a": "", "A": "1"}
    path = write(tmp_path / "b.txt", [good[0], line(1, tick), *good[1:]])
    with pytest.raises(DataFormatError, match=r"b.txt:2: a bookTicker price or quantity is not a number"):
        read_binance_messages(path, engine=engine)
    odd = {**depth(1, 1, 1, [], []), "data": {**depth(1, 1, 1, [], [])["data"], "E": 1.5}}
    path = write(tmp_path / "e.txt", [good[0], line(1, odd)])
    with pytest.raises(DataFormatError, match=r"e.txt:2: the field 'E' must be an integer"):
        read_binance_messages(path, engine=engine)


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_empty_files_say_so(tmp_path, engine):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(DataFormatError, match=r"empty.txt: the capture file is empty \(0 bytes\)"):
        read_binance_messages(empty, engine=engine)
    gz = tmp_path / "nothing.gz"
    gz.write_bytes(gzip.compress(b""))
    with pytest.raises(DataFormatError, match=r"nothing.gz: the capture file is empty \(a gzip stream of no data\)"):
        read_binance_messages(gz, engine=engine)
    blank = write(tmp_path / "blank.txt", ["", "  ", ""])
    with pytest.raises(DataFormatError, match=r"blank.txt: the capture file has no messages, only 3 blank"):
        read_binance_messages(blank, engine=engine)
    ok = write(tmp_path / "ok.txt", [line(0, depth(1, 1, 1, [], []))])
    with pytest.raises(DataFormatError, match=r"empty.txt: the capture file is empty"):
        read_binance_messages([ok, empty], engine=engine)


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_not_a_capture_line_names_file_and_line(tmp_path, engine):
    lines = [line(0, depth(1, 1, 1, [], [])), "hello world", line(2, depth(1, 1, 1, [], []))]
    with pytest.raises(DataFormatError, match=r"x.txt:2: expected '<local_ts_ns> <json>'"):
        read_binance_messages(write(tmp_path / "x.txt", lines), engine=engine)
    with pytest.raises(DataFormatError, match=r"y.txt:1: expected '<local_ts_ns> <json>'"):
        read_binance_messages(write(tmp_path / "y.txt", ["12345"]), engine=engine)
    with pytest.raises(DataFormatError, match=r"z.txt:1: expected '<local_ts_ns> <json>'"):
        read_binance_messages(write(tmp_path / "z.txt", ['1 {"e": "trade",']), engine=engine)
    with pytest.raises(ParameterError):
        read_binance_messages(write(tmp_path / "w.txt", ["1 {}"]), engine="simd")


def test_multi_member_gzip_and_file_boundaries(tmp_path):
    a = [line(i, depth(i, i, i, [[f"{i}.5", "1"]], [])) for i in range(3)]
    b = [line(i, {"u": i, "s": "BTCUSDT", "b": "1", "B": "1", "a": "2", "A": "1"}) for i in range(4)]
    path = tmp_path / "m.gz"
    path.write_bytes(gzip.compress("\n".join(a).encode() + b"\n") + gzip.compress("\n".join(b).encode()))
    cap = both([path, write(tmp_path / "p.txt", a)])
    assert cap.depth["file"].tolist() == [0, 0, 0, 1, 1, 1] and cap.depth["line"].tolist() == [1, 2, 3, 1, 2, 3]
    assert cap.bbo["u"].tolist() == [0, 1, 2, 3] and cap.lines["read"] == 10
    chunks = list(iter_binance_messages([path, path], chunk_lines=4))
    assert [c.lines["read"] for c in chunks] == [4, 4, 4, 2]


@pytest.mark.realdata
def test_stopping_early_ends_the_reader_thread(sample_files):
    import threading

    it = iter_binance_messages(sample_files, chunk_lines=1_000)
    first = next(it)
    assert first.lines["read"] == 1_000
    it.close()  # the generator's finally stops and joins the inflating thread
    assert not any(t.name == "obi-binance-inflate" and t.is_alive() for t in threading.enumerate())


def test_usdm_aggregate_trades_read_as_trades(tmp_path):
    """USD-M's documented trade stream is aggTrade: one row per aggregate, its id "a"."""
    agg = {"e": "aggTrade", "E": 2001, "s": "BTCUSDT", "a": 501, "p": "61000.10", "q": "0.250", "f": 9, "l": 12,
           "T": 2000, "m": True}  # fmt: skip
    lines = [
        line(0, {"stream": "btcusdt@aggTrade", "data": agg}),
        line(1, {"e": "trade", "E": 2003, "s": "BTCUSDT", "t": 77, "p": "61000.20", "q": "0.1", "T": 2002, "m": False}),
    ]
    cap = both(write(tmp_path / "agg.txt", lines))
    assert cap.trades["id"].tolist() == [501, 77]
    assert cap.trades["price"].tolist() == [61000.10, 61000.20] and cap.trades["qty"].tolist() == [0.25, 0.1]
    assert cap.trades["T"].tolist() == [2000, 2002] and cap.trades["buyer_maker"].tolist() == [True, False]
    assert cap.lines["trade"] == 2 and cap.lines["ignored_kind"] == 0

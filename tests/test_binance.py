"""Binance capture loader: hand-made captures (sync rule, gaps, futures pu rule) and the real sample."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from obi_widgets import Book, Trades
from obi_widgets.errors import CrossedBookError, DataFormatError, ParameterError, SequenceGapError
from obi_widgets.io.binance import read_binance, read_binance_trades, split_symbol
from obi_widgets.io.binance_messages import iter_binance_messages, read_binance_messages
from obi_widgets.io.builder import build_book

N = None
E0 = 1_723_161_255_000  # ms


def as_lists(arr):
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(arr)]


def depth(k, U, u, b, a, pu=None):
    data = {"e": "depthUpdate", "E": E0 + 100 * k, "s": "BTCUSDT", "U": U, "u": u, "b": b, "a": a}
    if pu is not None:
        data["pu"] = pu
    return {"stream": "btcusdt@depth@100ms", "data": data}


def snapshot(L, bids, asks):
    return {"lastUpdateId": L, "bids": bids, "asks": asks}


def trade(k, price, qty, m):
    return {
        "stream": "btcusdt@trade",
        "data": {
            "e": "trade",
            "E": E0 + 100 * k,
            "s": "BTCUSDT",
            "t": 1000 + k,
            "p": price,
            "q": qty,
            "T": E0 + 100 * k - 1,
            "m": m,
            "M": True,
        },
    }


def ticker(u, b, B, a, A):
    return {"stream": "btcusdt@bookTicker", "data": {"u": u, "s": "BTCUSDT", "b": b, "B": B, "a": a, "A": A}}


def write_capture(path, messages, gz=False):
    """One line per message: local time (ns, 1 ms apart) and the JSON."""
    text = "".join(f"{1_723_161_254_000_000_000 + i * 1_000_000} {json.dumps(m)}\n" for i, m in enumerate(messages))
    if gz:
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


# A spot capture: the snapshot (lastUpdateId 100) arrives after two diffs, as in the real sample.
SPOT = [
    depth(1, 90, 95, [["100.0", "1"]], [["101.0", "1"]]),  # u <= 100: already in the snapshot, dropped
    depth(2, 96, 101, [["99.0", "0"], ["100.5", "2"]], [["101.0", "0"]]),  # 96 <= 101 <= 101: the first diff applied
    ticker(101, "100.50", "2.0", "101.50", "3.0"),
    snapshot(100, [["100.0", "5"], ["99.0", "4"]], [["101.0", "6"], ["101.5", "3"]]),
    depth(3, 102, 104, [["100.5", "0"]], [["101.25", "7"]]),
    trade(3, "100.0", "0.5", True),  # buyer is maker: a sell
    trade(4, "101.25", "0.1", False),
    depth(5, 105, 105, [], []),  # no level change: still one row
    depth(6, 103, 104, [["100.5", "9"]], []),  # an old duplicate: skipped
    depth(7, 106, 108, [["100.0", "0"]], []),
]
# by hand: snapshot bids 100x5 99x4 | asks 101x6 101.5x3, then each applied diff
SPOT_BID_PX = [[100.5, 100.0], [100.0, N], [100.0, N], [N, N]]
SPOT_BID_SZ = [[2.0, 5.0], [5.0, N], [5.0, N], [N, N]]
SPOT_ASK_PX = [[101.5, N], [101.25, 101.5], [101.25, 101.5], [101.25, 101.5]]
SPOT_ASK_SZ = [[3.0, N], [7.0, 3.0], [7.0, 3.0], [7.0, 3.0]]

# ... continued with a gap (U 110 after u 108), a diff during the gap, a second snapshot, a clean diff
GAP = [
    depth(8, 110, 112, [["99.5", "1"]], []),
    depth(9, 113, 115, [], [["101.25", "0"]]),
    snapshot(114, [["99.5", "1"], ["99.0", "2"]], [["101.5", "3"], ["102.0", "1"]]),
    depth(10, 116, 117, [["99.75", "1"]], []),
]


def test_spot_sync_rule_applies_buffered_diffs(tmp_path):
    res = read_binance(write_capture(tmp_path / "cap.txt", SPOT), levels=2)
    book = res.book
    assert as_lists(book.bid_px) == SPOT_BID_PX
    assert as_lists(book.bid_sz) == SPOT_BID_SZ
    assert as_lists(book.ask_px) == SPOT_ASK_PX
    assert as_lists(book.ask_sz) == SPOT_ASK_SZ
    assert book.ts.tolist() == [(E0 + 100 * k) * 1_000_000 for k in (2, 3, 5, 7)]
    assert res.meta["update_id"].tolist() == [101, 104, 105, 108]
    assert res.meta["stale_dropped"] == 1 and res.meta["duplicates_dropped"] == 1
    assert res.meta["market"] == "spot" and res.meta["gaps"] == ()
    assert not res.flags["gap"].any() and not res.flags["crossed"].any()
    # trades: m true -> seller-initiated
    assert isinstance(res.trades, Trades)
    assert res.trades.side.tolist() == [-1, 1]
    assert res.trades.price.tolist() == [100.0, 101.25] and res.trades.size.tolist() == [0.5, 0.1]
    assert res.trades.ts.tolist() == [(E0 + 299) * 1_000_000, (E0 + 399) * 1_000_000]
    # bookTicker: spot has no event time; on the exchange clock its row takes the E of the diff
    # whose [U, u] = [96, 101] contains its u = 101 (diff k=2), like the book row of that diff
    assert isinstance(res.bbo, Book) and res.meta["bbo_time"] == "exchange" and res.meta["clock"] == "exchange"
    assert res.bbo.ts.tolist() == [(E0 + 200) * 1_000_000] == res.book.ts.tolist()[:1]
    assert res.meta["bbo_stamped"]["depth_diff"] == 1 and res.meta["bbo_stamped"]["fallback"] == 0
    assert res.meta["bbo_update_id"].tolist() == [101]
    assert (res.bbo.bid_px[0, 0], res.bbo.bid_sz[0, 0], res.bbo.ask_px[0, 0]) == (100.5, 2.0, 101.5)


def test_levels_converted_in_batches(tmp_path, monkeypatch):
    import obi_widgets.io.binance_messages as binance_messages

    path = write_capture(tmp_path / "cap.txt", SPOT)
    fast = read_binance_messages(path)
    monkeypatch.setattr(binance_messages, "_FLUSH", 2)  # the reference engine converts level strings every 2 messages
    batched = read_binance_messages(path, engine="reference")
    for key in ("side", "price", "qty"):
        np.testing.assert_array_equal(batched.levels[key], fast.levels[key])
    res = read_binance(path, levels=2)
    assert as_lists(res.book.bid_px) == SPOT_BID_PX and as_lists(res.book.ask_sz) == SPOT_ASK_SZ


def test_local_time_and_gzip(tmp_path):
    res = read_binance(write_capture(tmp_path / "cap.gz", SPOT, gz=True), levels=2, clock="local")
    # rows: the two buffered diffs were received at lines 2; the others at lines 5, 8, 10 (1 ms apart)
    assert res.book.ts.tolist() == [1_723_161_254_000_000_000 + i * 1_000_000 for i in (1, 4, 7, 9)]
    assert res.trades.ts.tolist() == [1_723_161_254_000_000_000 + i * 1_000_000 for i in (5, 6)]
    assert res.bbo.ts.tolist() == [1_723_161_254_002_000_000]  # the ticker's own line (line 3)
    assert res.meta["clock"] == "local" == res.meta["bbo_time"]
    assert as_lists(res.book.bid_px) == SPOT_BID_PX


def test_time_is_a_deprecated_alias_of_clock(tmp_path):
    path = write_capture(tmp_path / "cap.txt", SPOT)
    with pytest.warns(DeprecationWarning, match="clock='local'"):
        old = read_binance(path, levels=2, time="local")
    assert old.book.ts.tolist() == read_binance(path, levels=2, clock="local").book.ts.tolist()
    assert old.meta["clock"] == "local"
    with pytest.warns(DeprecationWarning):
        assert read_binance_trades(path, time="local").ts.tolist() == old.trades.ts.tolist()
    with pytest.raises(ParameterError, match="disagree"), pytest.warns(DeprecationWarning):
        read_binance(path, time="exchange", clock="local")
    with pytest.raises(ParameterError, match="clock='wall'"):
        read_binance(path, clock="wall")


def test_sequence_gap_raises_naming_the_line(tmp_path):
    path = write_capture(tmp_path / "gap.txt", SPOT + GAP)
    line = len(SPOT) + 1
    with pytest.raises(
        SequenceGapError, match=rf"gap.txt:{line}: depth update \(U=110, u=112\) does not follow: expected U=109"
    ):
        read_binance(path)


def test_sequence_gap_flagged_then_resynchronised(tmp_path):
    res = read_binance(write_capture(tmp_path / "gap.txt", SPOT + GAP), levels=2, on_gap="flag")
    book = res.book
    assert res.meta["update_id"].tolist() == [101, 104, 105, 108, 112, 115, 115, 117]
    assert res.flags["gap"].tolist() == [False] * 4 + [True, True, False, False]
    assert res.unreliable.tolist() == res.flags["gap"].tolist()
    # during the gap the diffs are still applied (flagged); the second snapshot (114) then gets
    # the buffered diff 113..115 replayed onto it and one clean row is emitted for that state
    assert as_lists(book.bid_px)[4:] == [[99.5, N], [99.5, N], [99.5, 99.0], [99.75, 99.5]]
    assert as_lists(book.ask_px)[4:] == [[101.25, 101.5], [101.5, N], [101.5, 102.0], [101.5, 102.0]]
    assert book.ts[6] == book.ts[5]  # the resync row has the time of the last replayed diff
    assert len(res.meta["gaps"]) == 1 and "U=109" in res.meta["gaps"][0]
    assert res.meta["snapshots_used"] == 2


# Futures: the first diff straddles lastUpdateId itself (U <= L <= u) and later diffs chain by pu.
FUTURES = [
    snapshot(100, [["9.0", "1"]], [["12.0", "1"]]),
    depth(1, 90, 99, [["9.0", "5"]], [], pu=89),  # u < 100: dropped
    depth(2, 96, 100, [["10.0", "1"]], [], pu=95),  # 96 <= 100 <= 100: first
    depth(3, 104, 106, [], [["11.0", "2"]], pu=100),  # pu == 100: follows (U may jump on futures)
    depth(4, 107, 109, [["10.5", "3"]], [], pu=106),
    depth(5, 110, 111, [["10.5", "0"]], [], pu=108),  # pu 108 != 109: gap
]


def test_futures_pu_rule(tmp_path):
    path = write_capture(tmp_path / "fut.txt", FUTURES)
    with pytest.raises(SequenceGapError, match=r"fut.txt:6: .*pu=108.*expected pu=109"):
        read_binance(path)
    res = read_binance(path, levels=2, on_gap="flag")
    assert res.meta["market"] == "futures"
    assert as_lists(res.book.bid_px) == [[10.0, 9.0], [10.0, 9.0], [10.5, 10.0], [10.0, 9.0]]
    assert as_lists(res.book.ask_px) == [[12.0, N], [11.0, 12.0], [11.0, 12.0], [11.0, 12.0]]
    assert res.flags["gap"].tolist() == [False, False, False, True]
    assert res.meta["stale_dropped"] == 1
    # the spot rule on the same file: 96..100 is already in the snapshot and 104 does not straddle 101
    with pytest.raises(SequenceGapError, match=r"fut.txt:4: .*U <= 101 <= u"):
        read_binance(path, market="spot")


def test_book_meta_from_the_symbol_and_market(tmp_path):
    fut = read_binance(write_capture(tmp_path / "fut.txt", FUTURES), levels=2, on_gap="flag")
    # prices 9, 10, 10.5, 11, 12: the inferred grid is 0.5
    assert dict(fut.book.meta) == {
        "venue": "Binance USD-M",
        "symbol": "BTCUSDT",
        "price_unit": "USDT",
        "size_unit": "BTC",
        "tick": 0.5,
    }
    spot = read_binance(write_capture(tmp_path / "cap.txt", SPOT), levels=2, tick_size=0.05)
    assert spot.book.meta["venue"] == "Binance" and spot.book.meta["tick"] == 0.05
    assert spot.bbo.meta == spot.book.meta


@pytest.mark.parametrize(
    ("symbol", "assets"),
    [
        ("BTCUSDT", ("BTC", "USDT")),
        ("ethbtc", ("ETH", "BTC")),
        ("BTCFDUSD", ("BTC", "FDUSD")),
        ("BTCUSD_PERP", ("BTC", "USD")),
        ("BTCUSDT_240927", ("BTC", "USDT")),
        ("USDT", None),
        ("XYZABC", None),
    ],
)
def test_split_symbol(symbol, assets):
    assert split_symbol(symbol) == assets


def test_bad_input(tmp_path):
    with pytest.raises(DataFormatError, match="no REST depth snapshot"):
        read_binance(write_capture(tmp_path / "nosnap.txt", SPOT[:2]))
    bad = tmp_path / "bad.txt"
    bad.write_text('1 {"lastUpdateId": 1, "bids": [], "asks": []}\nnot a capture line\n')
    with pytest.raises(DataFormatError, match=r"bad.txt:2: expected '<local_ts_ns> <json>'"):
        read_binance(bad)
    partial = tmp_path / "partial.txt"
    partial.write_text('5 {"stream": "btcusdt@depth@100ms", "data": {"e": "depthUpdate", "E": 1, "U": 1}}\n')
    with pytest.raises(DataFormatError, match=r"partial.txt:1: message lacks the field"):
        read_binance(partial)
    with pytest.raises(ParameterError):
        read_binance(write_capture(tmp_path / "cap.txt", SPOT), on_gap="ignore")
    with pytest.raises(FileNotFoundError):
        read_binance(tmp_path / "missing.gz")


def test_crossed_rebuild_detected(tmp_path):
    # a diff that leaves the book crossed (bid 102 above the 101.5 ask) is caught
    crossed = SPOT[:5] + [depth(4, 105, 105, [["102.0", "1"]], [])]
    path = write_capture(tmp_path / "crossed.txt", crossed)
    with pytest.raises(CrossedBookError, match="crossed at row 2"):
        read_binance(path)
    res = read_binance(path, on_crossed="flag")
    assert res.flags["crossed"].tolist() == [False, False, True]


# -- the real sample (shared/data) -----------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_files(data_dir):
    folder = data_dir / "binance_spot_BTCUSDT_2024-08-08"
    return [folder / "btcusdt_20240808.gz", folder / "btcusdt_20240809.gz"]


@pytest.fixture(scope="module")
def sample(sample_files):
    return read_binance(sample_files, levels=10)


@pytest.mark.realdata
def test_real_capture_is_never_crossed_and_in_sequence(sample):
    book = sample.book
    assert len(book) > 6000 and book.levels == 10
    assert not sample.flags["crossed"].any() and not sample.flags["gap"].any()
    assert (np.asarray(book.bid_px[:, 0]) < np.asarray(book.ask_px[:, 0])).all()
    assert sample.meta["gaps"] == () and sample.meta["snapshots_used"] == 1
    assert sample.meta["stale_dropped"] == 2  # the two diffs entirely before lastUpdateId 50093239218
    uid = sample.meta["update_id"]
    assert (np.diff(uid) > 0).all()
    # the capture spans midnight across the two files, in order
    assert str(np.datetime64(int(book.ts[0]), "ns"))[:10] == "2024-08-08"
    assert str(np.datetime64(int(book.ts[-1]), "ns"))[:10] == "2024-08-09"


@pytest.mark.realdata
def test_real_capture_meta(sample):
    want = {"venue": "Binance", "symbol": "BTCUSDT", "price_unit": "USDT", "size_unit": "BTC", "tick": 0.01}
    assert dict(sample.book.meta) == want
    assert dict(sample.bbo.meta) == want
    assert sample.book.tick == 0.01


@pytest.mark.realdata
def test_real_capture_matches_book_ticker(sample):
    # Matching rule: a bookTicker event with update id x shows the book after update x. Our rows
    # are the book after each diff's last id u, and diffs chain without holes, so the states are
    # the same exactly when x == u of some applied diff; other tickers fall inside a diff's range.
    uid = sample.meta["update_id"]
    bu = sample.meta["bbo_update_id"]
    pos = np.searchsorted(uid, bu)
    hit = pos < uid.size
    hit[hit] = uid[pos[hit]] == bu[hit]
    rows, tick = pos[hit], np.flatnonzero(hit)
    assert rows.size > 1000
    book, bbo = sample.book, sample.bbo
    for mine, theirs in (
        (book.bid_px, bbo.bid_px),
        (book.bid_sz, bbo.bid_sz),
        (book.ask_px, bbo.ask_px),
        (book.ask_sz, bbo.ask_sz),
    ):
        assert np.array_equal(np.asarray(mine)[rows, 0], np.asarray(theirs)[tick, 0])


@pytest.mark.realdata
def test_real_capture_trades_and_clocks(sample, sample_files):
    trades = sample.trades
    assert len(trades) == 19904
    sides = set(np.unique(trades.side).tolist())
    assert sides == {-1, 1}
    # the capture clock runs about 1.27 s behind the exchange's event time
    cap = read_binance_messages(sample_files)
    lag = (cap.depth["E"] * 1_000_000 - cap.depth["local_ts"]) / 1e9
    assert 1.1 < float(np.median(lag)) < 1.45
    assert len(read_binance_trades(sample_files, clock="local")) == 19904


@pytest.mark.realdata
def test_real_capture_second_file_alone_has_no_snapshot(sample_files):
    with pytest.raises(DataFormatError, match="no REST depth snapshot"):
        read_binance(sample_files[1])


@pytest.mark.realdata
def test_real_capture_trap_dropping_buffered_diffs_crosses(sample_files):
    # The trap: take the snapshot and only the diffs received AFTER it (dropping the buffered
    # ones instead of applying those with u > lastUpdateId), and apply them blindly.
    cap = read_binance_messages(sample_files)
    snap, d, lv = cap.snapshots[0], cap.depth, cap.levels
    first = snap["before_depth"]  # the diffs received after the snapshot line
    assert first == 3 and d["u"][first - 1] > snap["last_update_id"]  # ... and one buffered diff was needed
    start = int(d["offset"][first])
    nb, na = len(snap["bids"]), len(snap["asks"])
    counts = (d["n_bid"] + d["n_ask"])[first:]
    side = np.concatenate([np.ones(nb, np.int8), -np.ones(na, np.int8), lv["side"][start:]])
    price = np.concatenate([snap["bids"][:, 0], snap["asks"][:, 0], lv["price"][start:]])
    size = np.concatenate([snap["bids"][:, 1], snap["asks"][:, 1], lv["qty"][start:]])
    e_ns = d["E"][first:] * 1_000_000
    ts = np.concatenate([np.full(nb + na, e_ns[0]), np.repeat(e_ns, counts)])
    emit = np.zeros(side.size, dtype=bool)
    emit[nb + na - 1 + np.cumsum(counts)] = True
    with pytest.raises(CrossedBookError, match="crossed at row"):
        build_book(ts, side, price, size, emit=emit)
    res = build_book(ts, side, price, size, emit=emit, on_crossed="flag")
    crossed = res.flags["crossed"]
    r = int(np.flatnonzero(crossed)[0])
    seconds = (int(res.book.ts[r]) - int(res.book.ts[0])) / 1e9
    assert 80 < seconds < 95  # "crossed from about 88 s on"
    assert crossed[r:].mean() > 0.9
    assert res.book.bid_px[r, 0] == 61820.99  # the stale bid that the dropped diff had deleted


@pytest.mark.realdata
@pytest.mark.parametrize("chunk_lines", [4_999, 40_000])
def test_chunks_concatenate_to_the_whole_parse(sample_files, chunk_lines):
    from obi_widgets.io.binance_messages import concat_captures

    whole = read_binance_messages(sample_files)
    chunks = list(iter_binance_messages(sample_files, chunk_lines=chunk_lines))
    assert len(chunks) > 1
    joined = concat_captures(chunks)
    for part in ("depth", "levels", "trades", "bbo"):
        for key, arr in getattr(whole, part).items():
            np.testing.assert_array_equal(getattr(joined, part)[key], arr, err_msg=f"{part}.{key}")
    assert [(s["before_depth"], s["line"], s["last_update_id"]) for s in joined.snapshots] == [
        (s["before_depth"], s["line"], s["last_update_id"]) for s in whole.snapshots
    ]
    assert joined.ignored == whole.ignored and joined.symbols == whole.symbols

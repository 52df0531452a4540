"""Tardis CSV loaders on small hand-written files (incremental_book_L2, book_snapshot_N, trades)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obi_widgets import Book, Trades
from obi_widgets.errors import CrossedBookError, DataFormatError, ParameterError, TimestampError
from obi_widgets.io.builder import BuildResult, build_book
from obi_widgets.io.tardis import read_tardis, read_tardis_book, read_tardis_snapshots, read_tardis_trades

HEADER = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n"
# times in microseconds; comments give the book after each message (bids | asks, best first)
L2_ROWS = [
    "deribit,BTC-PERPETUAL,1585699209000000,1585699209000100,false,bid,6400.0,100",  # before any snapshot: skipped
    "deribit,BTC-PERPETUAL,1585699209920000,1585699209947000,true,ask,6415.5,2000",  # snapshot 1 ...
    "deribit,BTC-PERPETUAL,1585699209920000,1585699209947000,true,ask,6416.0,500",
    "deribit,BTC-PERPETUAL,1585699209920000,1585699209947000,true,bid,6415.0,3000",
    "deribit,BTC-PERPETUAL,1585699209920000,1585699209947000,true,bid,6414.5,100",  # -> 6415x3000 6414.5x100 | 6415.5x2000 6416x500
    "deribit,BTC-PERPETUAL,1585699210010000,1585699210040000,false,bid,6415.0,2500",  # message A (2 rows)
    "deribit,BTC-PERPETUAL,1585699210010000,1585699210040000,false,ask,6415.5,0",  # -> 6415x2500 6414.5x100 | 6416x500
    "deribit,BTC-PERPETUAL,1585699210100000,1585699210130000,false,bid,6414.5,0",  # B -> 6415x2500 | 6416x500
    "deribit,BTC-PERPETUAL,1585699210200000,1585699210230000,true,bid,6420.0,10",  # snapshot 2 (two arrivals): reset
    "deribit,BTC-PERPETUAL,1585699210200000,1585699210230000,true,ask,6420.5,20",
    "deribit,BTC-PERPETUAL,1585699210200000,1585699210231000,true,ask,6421.0,30",  # -> 6420x10 | 6420.5x20 6421x30
    "deribit,BTC-PERPETUAL,1585699210300000,1585699210330000,false,ask,6420.5,5",  # C -> 6420x10 | 6420.5x5 6421x30
]
N = None  # an empty level


def as_lists(arr):
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(arr)]


def write(path, text: str, gz: bool = False):
    if gz:
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


@pytest.fixture
def l2_file(tmp_path):
    return write(
        tmp_path / "deribit_incremental_book_L2_2020-04-01_BTC-PERPETUAL.csv", HEADER + "\n".join(L2_ROWS) + "\n"
    )


def check_l2(res):
    book = res.book
    us = [1585699209920000, 1585699210010000, 1585699210100000, 1585699210200000, 1585699210300000]
    assert book.ts.tolist() == [t * 1000 for t in us]
    assert as_lists(book.bid_px) == [[6415.0, 6414.5], [6415.0, 6414.5], [6415.0, N], [6420.0, N], [6420.0, N]]
    assert as_lists(book.bid_sz) == [[3000, 100], [2500, 100], [2500, N], [10, N], [10, N]]
    assert as_lists(book.ask_px) == [[6415.5, 6416.0], [6416.0, N], [6416.0, N], [6420.5, 6421.0], [6420.5, 6421.0]]
    assert as_lists(book.ask_sz) == [[2000, 500], [500, N], [500, N], [20, 30], [5, 30]]
    assert res.meta["skipped_before_snapshot"] == 1
    assert res.meta["snapshots"] == 2
    assert res.meta["exchange"] == "deribit" and res.meta["symbol"] == "BTC-PERPETUAL"
    assert book.name == "deribit BTC-PERPETUAL"
    assert not res.unreliable.any()


def test_incremental_book(l2_file):
    res = read_tardis_book(l2_file, levels=2)
    assert isinstance(res, BuildResult)
    check_l2(res)
    assert res.tick_size == 0.5


@pytest.mark.parametrize("chunksize", [1, 2, 3, 5])
def test_incremental_book_in_small_chunks(l2_file, chunksize):
    # messages and snapshots cut by chunk boundaries must still give one row each
    check_l2(read_tardis_book(l2_file, levels=2, chunksize=chunksize))


def test_incremental_book_gzip_local_time_and_dispatch(tmp_path):
    path = write(tmp_path / "x.csv.gz", HEADER + "\n".join(L2_ROWS) + "\n", gz=True)
    res = read_tardis_book(path, levels=2, clock="local")
    assert res.book.ts.tolist() == [
        t * 1000 for t in (1585699209947000, 1585699210040000, 1585699210130000, 1585699210231000, 1585699210330000)
    ]
    check = read_tardis(path, levels=2)
    assert isinstance(check, BuildResult) and len(check.book) == 5


def test_incremental_book_two_files(tmp_path):
    # the second day starts with its own snapshot: the book is reset at the file boundary
    a = write(tmp_path / "day1.csv", HEADER + "\n".join(L2_ROWS[1:8]) + "\n")
    b = write(tmp_path / "day2.csv", HEADER + "\n".join(L2_ROWS[8:]) + "\n")
    res = read_tardis_book([a, b], levels=2, chunksize=2)
    assert as_lists(res.book.bid_px) == [[6415.0, 6414.5], [6415.0, 6414.5], [6415.0, N], [6420.0, N], [6420.0, N]]
    assert res.meta["skipped_before_snapshot"] == 0 and res.meta["snapshots"] == 2


def test_incremental_book_crossed(tmp_path):
    rows = L2_ROWS[1:5] + ["deribit,BTC-PERPETUAL,1585699210010000,1585699210040000,false,bid,6416.0,1"]
    path = write(tmp_path / "crossed.csv", HEADER + "\n".join(rows) + "\n")
    with pytest.raises(CrossedBookError, match="row 1"):
        read_tardis_book(path)
    res = read_tardis_book(path, on_crossed="flag", levels=1)
    assert res.flags["crossed"].tolist() == [False, True]


def test_incremental_book_errors(tmp_path, l2_file):
    bad_side = write(
        tmp_path / "side.csv", HEADER + "\n".join(L2_ROWS[1:3] + [L2_ROWS[3].replace(",bid,", ",mid,")]) + "\n"
    )
    with pytest.raises(DataFormatError, match=r"side.csv:4: bad side"):
        read_tardis_book(bad_side)
    bad_amount = write(
        tmp_path / "amount.csv", HEADER + "\n".join(L2_ROWS[1:3] + [L2_ROWS[3].replace(",3000", ",-3")]) + "\n"
    )
    with pytest.raises(DataFormatError, match=r"amount.csv:4: bad amount"):
        read_tardis_book(bad_amount)
    no_snap = write(tmp_path / "nosnap.csv", HEADER + L2_ROWS[0] + "\n")
    with pytest.raises(DataFormatError, match="no snapshot"):
        read_tardis_book(no_snap)
    back = write(
        tmp_path / "back.csv",
        HEADER + "\n".join(L2_ROWS[1:5] + [L2_ROWS[5].replace("1585699210010000,", "1585699209000000,", 1)]) + "\n",
    )
    with pytest.raises(TimestampError, match=r"back.csv:6: book time goes backwards.*clock='local'"):
        read_tardis_book(back)
    assert len(read_tardis_book(back, clock="local").book) == 2
    trades = write(tmp_path / "trades.csv", TRADES)
    with pytest.raises(DataFormatError, match=r"trades.csv: not a Tardis incremental_book_L2 file.*trades file"):
        read_tardis_book(trades)
    two = write(
        tmp_path / "two.csv", HEADER + L2_ROWS[1] + "\n" + L2_ROWS[2].replace("BTC-PERPETUAL", "ETH-PERPETUAL") + "\n"
    )
    with pytest.raises(DataFormatError, match="several symbols"):
        read_tardis_book(two)
    assert as_lists(read_tardis_book(two, symbol="eth-perpetual", levels=1).book.ask_px) == [[6416.0]]
    with pytest.raises(ParameterError):
        read_tardis_book(l2_file, clock="exchange_time")
    with pytest.raises(FileNotFoundError):
        read_tardis_book(tmp_path / "missing.csv")


# -- book_snapshot_N ---------------------------------------------------------------------------------
def snapshot_header(n):
    cols = ["exchange", "symbol", "timestamp", "local_timestamp"]
    for i in range(n):
        cols += [f"asks[{i}].price", f"asks[{i}].amount", f"bids[{i}].price", f"bids[{i}].amount"]
    return ",".join(cols) + "\n"


SNAP5 = snapshot_header(5) + (
    # level by level: ask px, ask amt, bid px, bid amt; empty cells for missing levels
    "binance-futures,BTCUSDT,1585699200123000,1585699200130000,"
    "6412.5,1.5,6412.4,2.0,6412.6,0.5,6412.3,1.0,6413.0,3.0,6412.0,4.0,6413.5,1.0,,,,,,\n"
    "binance-futures,BTCUSDT,1585699200223000,1585699200230000,"
    "6412.6,0.5,6412.5,0.7,6413.0,3.0,6412.4,2.0,,,6412.3,1.0,,,,,,,,\n"
)


def test_book_snapshot(tmp_path):
    path = write(tmp_path / "binance-futures_book_snapshot_5_2020-04-01_BTCUSDT.csv.gz", SNAP5, gz=True)
    book = read_tardis_snapshots(path)
    assert isinstance(book, Book) and book.shape == (2, 5)
    assert book.ts.tolist() == [1585699200123000000, 1585699200223000000]
    assert as_lists(book.ask_px) == [[6412.5, 6412.6, 6413.0, 6413.5, N], [6412.6, 6413.0, N, N, N]]
    assert as_lists(book.ask_sz) == [[1.5, 0.5, 3.0, 1.0, N], [0.5, 3.0, N, N, N]]
    assert as_lists(book.bid_px) == [[6412.4, 6412.3, 6412.0, N, N], [6412.5, 6412.4, 6412.3, N, N]]
    assert as_lists(book.bid_sz) == [[2.0, 1.0, 4.0, N, N], [0.7, 2.0, 1.0, N, N]]
    assert book.name == "binance-futures BTCUSDT"
    top2 = read_tardis_snapshots(path, levels=2, clock="local")
    assert top2.shape == (2, 2) and top2.ts.tolist() == [1585699200130000000, 1585699200230000000]
    assert isinstance(read_tardis(path), Book)
    with pytest.raises(ParameterError, match="levels=6"):
        read_tardis_snapshots(path, levels=6)


def test_book_snapshot_crossed_names_the_line(tmp_path):
    text = SNAP5.replace("6412.5,0.7", "6412.7,0.7")  # second row: bid 6412.7 above ask 6412.6
    path = write(tmp_path / "crossed_snap.csv", text)
    with pytest.raises(CrossedBookError, match=r"book is crossed at \S*crossed_snap.csv:3 \("):
        read_tardis_snapshots(path)


# -- trades ------------------------------------------------------------------------------------------
TRADES = (
    "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n"
    "binance,BTCUSDT,1585699200045000,1585699200048000,294880000,sell,6412.01,0.003\n"
    "binance,BTCUSDT,1585699200046000,1585699200049000,294880001,buy,6412.02,0.5\n"
    "binance,BTCUSDT,1585699200046000,1585699200050000,294880002,unknown,6412.02,0.1\n"
)


def test_trades(tmp_path):
    path = write(tmp_path / "binance_trades_2020-04-01_BTCUSDT.csv.gz", TRADES, gz=True)
    t = read_tardis_trades(path)
    assert isinstance(t, Trades) and len(t) == 3
    assert t.side.tolist() == [-1, 1, 0]
    assert t.price.tolist() == [6412.01, 6412.02, 6412.02]
    assert t.size.tolist() == [0.003, 0.5, 0.1]
    assert t.ts.tolist() == [1585699200045000000, 1585699200046000000, 1585699200046000000]
    assert read_tardis_trades(path, clock="local").ts.tolist()[-1] == 1585699200050000000
    assert len(read_tardis(path)) == 3


def test_trades_errors(tmp_path):
    bad = write(tmp_path / "t.csv", TRADES.replace(",buy,", ",long,"))
    with pytest.raises(DataFormatError, match=r"t.csv:3: trade side is 'long'"):
        read_tardis_trades(bad)
    zero = write(tmp_path / "z.csv", TRADES.replace(",0.5\n", ",0\n"))
    with pytest.raises(DataFormatError, match=r"z.csv:3: trade amount"):
        read_tardis_trades(zero)
    back = write(
        tmp_path / "b.csv", TRADES.replace("1585699200046000,1585699200049000", "1585699200040000,1585699200049000")
    )
    with pytest.raises(TimestampError, match=r"b.csv:3: trade time goes backwards"):
        read_tardis_trades(back)
    assert len(read_tardis_trades(back, clock="local")) == 3


def test_book_meta_venue_symbol_tick(l2_file, tmp_path):
    book = read_tardis_book(l2_file, levels=2).book
    assert dict(book.meta) == {"venue": "deribit", "symbol": "BTC-PERPETUAL", "clock": "exchange", "tick": 0.5}
    snap = read_tardis_snapshots(write(tmp_path / "snap.csv.gz", SNAP5, gz=True))
    assert dict(snap.meta) == {
        "venue": "binance-futures",
        "symbol": "BTCUSDT",
        "clock": "exchange",
        # local_timestamp - timestamp is 7 ms on both rows
        "clock_offset_median_ns": 7_000_000,
        "clock_offset_p5_ns": 7_000_000,
        "clock_offset_p95_ns": 7_000_000,
        "rows_read": 2,
        "skipped_other_symbol": 0,
    }
    assert snap.tick == 0.1  # estimated from the prices: 6412.4, 6412.5, 6412.6, ...


# -- the fast path against the pandas implementation it replaced -------------------------------------
def pandas_l2_reference(path, levels, clock="exchange"):
    """The previous loader in a few lines: pandas.read_csv of the whole file, the same message rules."""
    frame = pd.read_csv(path, dtype={"is_snapshot": str, "side": str}, keep_default_na=False)
    snap = frame["is_snapshot"].str.lower().isin(["true", "1"]).to_numpy()
    first = int(np.argmax(snap))
    frame, snap = frame.iloc[first:], snap[first:]
    local = frame["local_timestamp"].to_numpy()
    emit = np.ones(len(frame), dtype=bool)
    emit[:-1] = ((local[1:] != local[:-1]) & ~(snap[1:] & snap[:-1])) | (snap[1:] != snap[:-1])
    reset = snap & ~np.concatenate([[False], snap[:-1]])
    ts = frame["timestamp" if clock == "exchange" else "local_timestamp"].to_numpy(np.int64) * 1000
    side = np.where(frame["side"].str.lower() == "bid", 1, -1)
    return build_book(
        ts,
        side,
        frame["price"].to_numpy(float),
        frame["amount"].to_numpy(float),
        emit=emit,
        reset=reset,
        levels=levels,
        on_crossed="flag",
    )


def same_book(a, b):
    assert a.ts.tolist() == b.ts.tolist()
    for f in ("bid_px", "bid_sz", "ask_px", "ask_sz"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def l2_text(rng, n_msgs, exchange="binance-futures", symbol="BTCUSDT"):
    """A random but valid incremental_book_L2 stream: a snapshot, then messages of 1..6 updates that
    never cross (the mid walks; updates stay on their side of it), one more snapshot halfway."""
    rows = []
    mid, t, e = 60000.0, 1_700_000_000_000_000, 0
    for i in range(n_msgs):
        t += int(rng.integers(1, 5000))
        e = max(e, t - int(rng.integers(500, 3000)))  # the exchange's clock: behind, never backwards
        if i in (0, n_msgs // 2):
            for d in range(1, 6):
                rows.append(f"{exchange},{symbol},{e},{t},true,bid,{mid - d * 0.5},{d}")
                rows.append(f"{exchange},{symbol},{e},{t},true,ask,{mid + d * 0.5},{d}.5")
            continue
        for _ in range(int(rng.integers(1, 7))):
            d = int(rng.integers(1, 12)) * 0.5
            amount = 0 if rng.random() < 0.3 else round(float(rng.exponential(2.0)) + 0.001, 3)
            if rng.random() < 0.5:
                rows.append(f"{exchange},{symbol},{e},{t},false,bid,{mid - d},{amount}")
            else:
                rows.append(f"{exchange},{symbol},{e},{t},false,ask,{mid + d},{amount}")
    return HEADER + "\n".join(rows) + "\n"


@pytest.mark.parametrize("gz", [False, True])
def test_fast_path_equals_pandas_on_a_generated_file(tmp_path, gz):
    path = write(tmp_path / ("gen.csv.gz" if gz else "gen.csv"), l2_text(np.random.default_rng(1), 3000), gz=gz)
    ref = pandas_l2_reference(path, 5)
    for block_size in (97, 4096, 1 << 20):  # messages and snapshots cut by block boundaries
        res = read_tardis_book(path, levels=5, block_size=block_size, on_crossed="flag")
        same_book(res.book, ref.book)
    local = read_tardis_book(path, levels=5, clock="local", block_size=5000)
    same_book(local.book, pandas_l2_reference(path, 5, clock="local").book)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), n=st.integers(2, 60), block=st.integers(40, 3000), chunk=st.integers(1, 50))
def test_fast_path_equals_pandas_hypothesis(tmp_path, seed, n, block, chunk):
    path = write(tmp_path / f"h{seed}.csv", l2_text(np.random.default_rng(seed), n))
    res = read_tardis_book(path, levels=3, block_size=block, chunksize=chunk, on_crossed="flag")
    same_book(res.book, pandas_l2_reference(path, 3).book)


def test_general_path_quotes_exponents_crlf(tmp_path, l2_file):
    # the numba pass hands such blocks to pyarrow: same numbers
    text = l2_file.read_text()
    quoted = text.replace("deribit,", '"deribit",').replace(",6415.0,", ",6.415e3,").replace("\n", "\r\n")
    path = write(tmp_path / "quoted.csv", quoted)
    same_book(read_tardis_book(path, levels=2).book, read_tardis_book(l2_file, levels=2).book)


def test_meta_counts_rows_skipped_and_clock_offset(tmp_path, l2_file):
    res = read_tardis_book(l2_file, levels=2)
    assert res.meta["rows_read"] == 12 and res.meta["rows"] == 11
    assert res.meta["skipped"] == {"before_snapshot": 1, "other_symbol": 0}
    assert res.meta["clock"] == "exchange" and res.meta["files"] == 1
    # local - exchange per row (us): 100, 27000 x4, 30000 x3, 30000, 30000, 31000, 30000 -> median 30000
    diffs = np.array([100] + [27000] * 4 + [30000] * 5 + [31000, 30000]) * 1000
    assert res.meta["clock_offset_median_ns"] == 30_000_000
    assert res.meta["clock_offset_p5_ns"] == int(round(np.percentile(diffs, 5)))
    assert res.meta["clock_offset_p95_ns"] == int(round(np.percentile(diffs, 95)))
    two = write(
        tmp_path / "two.csv", HEADER + "\n".join(L2_ROWS[1:5] + [L2_ROWS[5].replace("BTC-PERPETUAL", "ETH")]) + "\n"
    )
    res = read_tardis_book(two, symbol="BTC-PERPETUAL", levels=2)
    assert res.meta["skipped"] == {"before_snapshot": 0, "other_symbol": 1} and res.meta["rows_read"] == 5


def test_time_is_a_deprecated_alias_of_clock(l2_file, tmp_path):
    with pytest.warns(DeprecationWarning, match="clock="):
        res = read_tardis_book(l2_file, levels=2, time="local")
    assert res.book.ts.tolist() == read_tardis_book(l2_file, levels=2, clock="local").book.ts.tolist()
    trades = write(tmp_path / "trades.csv", TRADES)
    with pytest.warns(DeprecationWarning):
        assert read_tardis_trades(trades, time="local").ts[-1] == 1585699200050000000
    with pytest.warns(DeprecationWarning), pytest.raises(ParameterError, match="disagree"):
        read_tardis_trades(trades, time="local", clock="exchange")


def test_empty_truncated_and_non_numeric_files(tmp_path, l2_file):
    empty = write(tmp_path / "empty.csv", "")
    with pytest.raises(DataFormatError, match=r"empty.csv: empty file"):
        read_tardis(empty)
    empty_gz = write(tmp_path / "empty.csv.gz", "", gz=True)
    with pytest.raises(DataFormatError, match=r"empty.csv.gz: empty file"):
        read_tardis_book(empty_gz)
    # a non-numeric price names its own line, also deep in a later block
    rows = l2_text(np.random.default_rng(2), 400).splitlines()
    rows[301] = rows[301].rsplit(",", 2)[0] + ",12x.5," + rows[301].rsplit(",", 1)[1]
    bad = write(tmp_path / "badprice.csv", "\n".join(rows) + "\n")
    for block_size in (100, 5000, 1 << 20):
        with pytest.raises(DataFormatError, match=r"badprice.csv:302: price is '12x.5', expected a number"):
            read_tardis_book(bad, block_size=block_size)
    ragged = write(tmp_path / "ragged.csv", HEADER + L2_ROWS[1] + "\n" + L2_ROWS[2].rsplit(",", 1)[0] + "\n")
    with pytest.raises(DataFormatError, match=r"ragged.csv:3: 7 fields, expected 8"):
        read_tardis_book(ragged)
    # a truncated gzip: DataFormatError naming the file and the last complete line read
    whole = gzip.compress(l2_text(np.random.default_rng(3), 3000).encode())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(
        DataFormatError, match=r"cut.csv.gz: truncated or corrupt gzip file: the data ends after line \d+"
    ):
        read_tardis_book(cut, block_size=4096)
    corrupt = tmp_path / "corrupt.csv.gz"
    corrupt.write_bytes(whole[:20] + bytes(200) + whole[220:])
    with pytest.raises(DataFormatError, match=r"corrupt.csv.gz: truncated or corrupt gzip"):
        read_tardis_book(corrupt)


def test_files_out_of_order_get_a_hint(tmp_path):
    a = write(tmp_path / "day1.csv", HEADER + "\n".join(L2_ROWS[1:8]) + "\n")
    b = write(tmp_path / "day2.csv", HEADER + "\n".join(L2_ROWS[8:]) + "\n")
    with pytest.raises(
        TimestampError, match=r"day1.csv:\d+: .*files look out of order: day1.csv starts before the end of day2.csv"
    ):
        read_tardis_book([b, a])
    t1 = write(tmp_path / "t1.csv", TRADES)
    t2 = write(tmp_path / "t2.csv", TRADES.replace("15856992000", "15856992100"))
    assert len(read_tardis_trades([t1, t2])) == 6
    with pytest.raises(TimestampError, match="out of order"):
        read_tardis_trades([t2, t1])


def pandas_snapshot_reference(path, levels):
    frame = pd.read_csv(path)
    get = lambda s, f: np.column_stack([frame[f"{s}[{i}].{f}"].to_numpy(float) for i in range(levels)])  # noqa: E731
    return (
        frame["timestamp"].to_numpy(np.int64) * 1000,
        get("bids", "price"),
        get("bids", "amount"),
        get("asks", "price"),
        get("asks", "amount"),
    )


def test_snapshots_and_trades_equal_pandas_on_generated_files(tmp_path):
    rng = np.random.default_rng(4)
    n, L = 3000, 25
    ts = 1_700_000_000_000_000 + np.cumsum(rng.integers(0, 2000, n))
    mid = 60000 + np.cumsum(rng.choice([-1, 0, 1], n)) * 0.1
    cols = {"exchange": ["binance"] * n, "symbol": ["BTCUSDT"] * n, "timestamp": ts, "local_timestamp": ts + 1500}
    for i in range(L):
        cols[f"asks[{i}].price"] = np.round(mid + 0.1 * (i + 1), 1)
        cols[f"asks[{i}].amount"] = np.round(rng.exponential(1.0, n) + 0.001, 3)
        cols[f"bids[{i}].price"] = np.round(mid - 0.1 * i, 1)
        cols[f"bids[{i}].amount"] = np.round(rng.exponential(1.0, n) + 0.001, 3)
    frame = pd.DataFrame(cols)
    frame.loc[5, ["bids[24].price", "bids[24].amount"]] = np.nan  # an empty level: empty cells
    path = tmp_path / "snap25.csv.gz"
    frame.to_csv(path, index=False)
    book = read_tardis_snapshots(path, block_size=20000)
    ref = pandas_snapshot_reference(path, L)
    assert book.ts.tolist() == ref[0].tolist()
    for got, want in zip((book.bid_px, book.bid_sz, book.ask_px, book.ask_sz), ref[1:]):
        np.testing.assert_array_equal(got, want)
    assert book.meta["clock_offset_median_ns"] == 1_500_000 and book.meta["rows_read"] == n
    trades = pd.DataFrame(
        {
            "exchange": "binance",
            "symbol": "BTCUSDT",
            "timestamp": ts,
            "local_timestamp": ts + 7,
            "id": np.arange(n),
            "side": rng.choice(["buy", "sell", "unknown"], n),
            "price": np.round(mid, 1),
            "amount": np.round(rng.exponential(0.1, n) + 0.0001, 4),
        }
    )
    tpath = tmp_path / "trades.csv"
    trades.to_csv(tpath, index=False)
    t = read_tardis_trades(tpath, block_size=10000)
    assert t.ts.tolist() == (ts * 1000).tolist()
    assert t.price.tolist() == pd.read_csv(tpath)["price"].tolist()
    assert t.size.tolist() == pd.read_csv(tpath)["amount"].tolist()
    assert t.side.tolist() == trades["side"].map({"buy": 1, "sell": -1, "unknown": 0}).tolist()


def test_gzip_members_and_padding(tmp_path, l2_file):
    text = l2_file.read_bytes()
    cut = text.index(b"\n", len(text) // 2) + 1
    two = tmp_path / "members.csv.gz"
    two.write_bytes(gzip.compress(text[:cut]) + gzip.compress(text[cut:]) + bytes(512))
    for block_size in (64, 1 << 20):
        same_book(read_tardis_book(two, levels=2, block_size=block_size).book, read_tardis_book(l2_file, levels=2).book)

"""Tardis CSV loaders on small hand-written files (incremental_book_L2, book_snapshot_N, trades)."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from obi_widgets import Book, Trades
from obi_widgets.errors import CrossedBookError, DataFormatError, ParameterError, TimestampError
from obi_widgets.io.builder import BuildResult
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
    assert dict(snap.meta) == {"venue": "binance-futures", "symbol": "BTCUSDT"}
    assert snap.tick == 0.1  # estimated from the prices: 6412.4, 6412.5, 6412.6, ...

"""ccxt order-book dicts to Book: hand-written snapshots, expected values written out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book
from obi_widgets.errors import BookError, CrossedBookError, DataFormatError, ParameterError, TimestampError
from obi_widgets.io.ccxt import read_ccxt_book

nan = np.nan
T0 = 1711537208403  # ms: 2024-03-27T11:00:08.403Z


def snap(bids, asks, ts=T0, **extra):
    out = {"bids": bids, "asks": asks, "timestamp": ts, "datetime": None, "nonce": None, "symbol": "LTC/USDT"}
    out.update(extra)
    return out


def same(a, b):
    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


def test_one_dict_is_one_row():
    book = read_ccxt_book(snap([[96.35, 18.4], [96.34, 2.0]], [[96.37, 3.3], [96.38, 1.0]]))
    assert isinstance(book, Book)
    assert book.shape == (1, 2)
    assert book.ts.tolist() == [1711537208403000000]
    assert book.bid_px.tolist() == [[96.35, 96.34]]
    assert book.bid_sz.tolist() == [[18.4, 2.0]]
    assert book.ask_px.tolist() == [[96.37, 96.38]]
    assert book.ask_sz.tolist() == [[3.3, 1.0]]
    assert book.name == "LTC/USDT"


def test_list_with_counts_strings_and_ragged_depth():
    snaps = [
        snap([[100.0, 1.0, 3], [99.5, 2.0, 1]], [[100.5, 1.5, 0]], ts=T0),
        snap([["100.0", "4"]], [], ts=T0 + 5),  # numeric strings, an empty ask side
        snap([[99.0, 0.5, 7]], [[101.0, 2.0, 2], [101.5, 3.0, 1], [102.0, 1.0, 9]], ts=T0 + 5),
    ]
    book = read_ccxt_book(snaps)
    assert book.shape == (3, 3)  # the deepest side seen
    assert (book.ts - 1711537208403000000).tolist() == [0, 5_000_000, 5_000_000]
    assert same(book.bid_px, [[100.0, 99.5, nan], [100.0, nan, nan], [99.0, nan, nan]])
    assert same(book.bid_sz, [[1.0, 2.0, nan], [4.0, nan, nan], [0.5, nan, nan]])
    assert same(book.ask_px, [[100.5, nan, nan], [nan, nan, nan], [101.0, 101.5, 102.0]])
    assert same(book.ask_sz, [[1.5, nan, nan], [nan, nan, nan], [2.0, 3.0, 1.0]])


def test_levels_truncates_and_pads():
    snaps = [snap([[10.0, 1], [9.0, 2], [8.0, 3]], [[11.0, 4]], ts=1), snap([[10.0, 5]], [[11.0, 6], [12.0, 7]], ts=2)]
    one = read_ccxt_book(snaps, levels=1)
    assert one.bid_px.tolist() == [[10.0], [10.0]] and one.ask_sz.tolist() == [[4.0], [6.0]]
    four = read_ccxt_book(snaps, levels=4)
    assert same(four.bid_px, [[10.0, 9.0, 8.0, nan], [10.0, nan, nan, nan]])
    assert same(four.ask_sz, [[4.0, nan, nan, nan], [6.0, 7.0, nan, nan]])
    with pytest.raises(ParameterError, match="levels"):
        read_ccxt_book(snaps, levels=0)


def test_truncation_drops_deep_disorder():
    # level 2 is out of order, but only level 0..1 are kept: nothing to complain about
    s = snap([[10.0, 1], [9.0, 2], [9.5, 3]], [[11.0, 4]], ts=1)
    assert read_ccxt_book(s, levels=2).bid_px.tolist() == [[10.0, 9.0]]
    with pytest.raises(BookError, match="snapshot 0"):
        read_ccxt_book(s)


def test_datetime_fallback_and_sub_ms_timestamp():
    snaps = [
        snap([[1.0, 1]], [[2.0, 1]], ts=None, datetime="2024-03-27T11:00:08.473Z"),
        snap([[1.0, 1]], [[2.0, 1]], ts=1711537208473.25),
    ]
    book = read_ccxt_book(snaps)
    assert book.ts.tolist() == [1711537208473000000, 1711537208473250000]
    assert pd.Timestamp(book.ts[0]) == pd.Timestamp("2024-03-27 11:00:08.473")


def test_missing_time_names_the_snapshot():
    snaps = [snap([[1.0, 1]], [[2.0, 1]], ts=1), snap([[1.0, 1]], [[2.0, 1]], ts=None)]
    with pytest.raises(DataFormatError, match=r"snapshot 1 has no time"):
        read_ccxt_book(snaps)
    no_keys = [{"bids": [[1.0, 1]], "asks": []}]
    with pytest.raises(DataFormatError, match=r"snapshot 0 has no time"):
        read_ccxt_book(no_keys)
    with pytest.raises(DataFormatError, match=r"snapshot 0: 'datetime' is 'yesterday'"):
        read_ccxt_book([snap([[1.0, 1]], [], ts=None, datetime="yesterday")])
    with pytest.raises(DataFormatError, match=r"snapshot 1: 'timestamp' is 'soon'"):
        read_ccxt_book([snap([[1.0, 1]], [], ts=1), snap([[1.0, 1]], [], ts="soon")])


def test_bids_must_descend():
    snaps = [snap([[10.0, 1], [9.0, 1]], [[11.0, 1]], ts=1), snap([[10.0, 1], [10.5, 1]], [[11.0, 1]], ts=2)]
    with pytest.raises(
        BookError, match=r"snapshot 1: bids must be strictly descending.*level 0 is 10.0 and level 1 is 10.5"
    ):
        read_ccxt_book(snaps)


def test_asks_must_ascend_and_no_duplicate_levels():
    s = snap([[10.0, 1]], [[11.0, 1], [12.0, 1], [11.5, 1]], ts=1)
    with pytest.raises(
        BookError, match=r"snapshot 0: asks must be strictly ascending.*level 1 is 12.0 and level 2 is 11.5"
    ):
        read_ccxt_book(s)
    dup = snap([[10.0, 1], [10.0, 2]], [[11.0, 1]], ts=1)
    with pytest.raises(BookError, match=r"snapshot 0: bids .* level 0 is 10.0 and level 1 is 10.0"):
        read_ccxt_book(dup)


def test_sizes_must_be_positive():
    s = [snap([[10.0, 1]], [[11.0, 1]], ts=1), snap([[10.0, 1], [9.0, 0]], [[11.0, 1]], ts=2)]
    with pytest.raises(BookError, match=r"snapshot 1, bids level 1 \(price 9.0\): amount is 0.0"):
        read_ccxt_book(s)
    with pytest.raises(BookError, match=r"snapshot 0, asks level 0 \(price 11.0\): amount is -2.0"):
        read_ccxt_book(snap([[10.0, 1]], [[11.0, -2]], ts=1))
    with pytest.raises(BookError, match=r"snapshot 0, asks level 0: price is inf"):
        read_ccxt_book(snap([[10.0, 1]], [[float("inf"), 2]], ts=1))


def test_crossed_and_locked_name_the_snapshot():
    ok = snap([[10.0, 1]], [[11.0, 1]], ts=1)
    with pytest.raises(
        CrossedBookError, match=r"crossed at snapshot 1 .*: best bid 11.5 >= best ask 11.0 \(1 of 2 snapshots"
    ):
        read_ccxt_book([ok, snap([[11.5, 1]], [[11.0, 1]], ts=2)])
    with pytest.raises(CrossedBookError, match=r"locked at snapshot 0 "):
        read_ccxt_book(snap([[11.0, 1]], [[11.0, 1]], ts=2))


def test_time_order():
    with pytest.raises(
        TimestampError,
        match=r"ccxt snapshot times go backwards at snapshot 2: \S+ 00:00:00.007000 after \S+ 00:00:00.009000",
    ):
        read_ccxt_book([snap([[1.0, 1]], [], ts=5), snap([[1.0, 1]], [], ts=9), snap([[1.0, 1]], [], ts=7)])


def test_same_object_appended_twice_is_refused():
    ob = snap([[10.0, 1]], [[11.0, 1]], ts=1)
    with pytest.raises(DataFormatError, match=r"snapshots 0 and 2 are the same dict object.*watch_order_book"):
        read_ccxt_book([ob, snap([[10.0, 1]], [[11.0, 1]], ts=1), ob])
    bids, asks = [[10.0, 1]], [[11.0, 1]]
    shallow = [{"bids": bids, "asks": asks, "timestamp": t} for t in (1, 2)]
    with pytest.raises(DataFormatError, match=r"snapshots 0 and 1 share the same 'bids' and 'asks' list"):
        read_ccxt_book(shallow)
    # one side reused (unchanged) is fine
    book = read_ccxt_book(
        [{"bids": bids, "asks": [[11.0, 1]], "timestamp": 1}, {"bids": bids, "asks": [[12.0, 2]], "timestamp": 2}]
    )
    assert book.ask_px.tolist() == [[11.0], [12.0]]


def test_malformed_input():
    with pytest.raises(DataFormatError, match=r"snapshot 1 has no 'asks' key"):
        read_ccxt_book([snap([[1.0, 1]], [], ts=1), {"bids": [], "timestamp": 2}])
    with pytest.raises(DataFormatError, match=r"snapshot 1, bids level 1: entry \[9.0\] is not \[price, amount\]"):
        read_ccxt_book([snap([[1.0, 1]], [], ts=1), snap([[10.0, 1], [9.0]], [], ts=2)])
    with pytest.raises(DataFormatError, match=r"snapshot 0, asks level 0: entry 'ab'"):
        read_ccxt_book(snap([], ["ab"], ts=1))
    with pytest.raises(DataFormatError, match=r"snapshot 0, bids level 0: entry \['x', 1\]"):
        read_ccxt_book(snap([["x", 1]], [], ts=1))
    with pytest.raises(DataFormatError, match=r"snapshot 1 is a list"):
        read_ccxt_book([snap([], [], ts=1), [1, 2]])
    with pytest.raises(DataFormatError, match="empty"):
        read_ccxt_book([])
    with pytest.raises(DataFormatError, match=r"snapshot 0: 'bids' is a NoneType"):
        read_ccxt_book({"bids": None, "asks": [], "timestamp": 1})


def test_symbols_must_agree():
    with pytest.raises(DataFormatError, match=r"snapshot 1 is for symbol 'BTC/USDT' but snapshot 0 is for 'LTC/USDT'"):
        read_ccxt_book([snap([[1.0, 1]], [], ts=1), snap([[1.0, 1]], [], ts=2, symbol="BTC/USDT")])
    assert read_ccxt_book(snap([[1.0, 1]], [], ts=1), name="okx").name == "okx"


def test_validate_false_keeps_the_data_as_given():
    book = read_ccxt_book(snap([[10.0, 1], [10.5, 1]], [[10.2, 1]], ts=1), validate=False)
    assert book.bid_px.tolist() == [[10.0, 10.5]] and book.ask_px.tolist()[0][0] == 10.2


def test_dict_subclass_like_ccxt_orderbook():
    class OrderBook(dict):
        pass

    ob = OrderBook(
        bids=[[5.0, 1.0, "id1"]], asks=[[6.0, 2.0, "id2"]], timestamp=2000, datetime=None, nonce=42, symbol=None
    )
    book = read_ccxt_book(ob)
    assert book.ts.tolist() == [2_000_000_000] and book.bid_px.tolist() == [[5.0]] and book.name is None

"""Book and Trades: construction, invariants, slicing, export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book, Trades
from obi_widgets.errors import BookError, CrossedBookError, ObiError, TimestampError, TradesError

NAN = np.nan


def two_level_book() -> Book:
    ts = np.array([0, 1, 2, 3]) * 1_000_000_000 + 1_700_000_000_000_000_000
    bid_px = [[10.0, 9.9], [10.0, 9.9], [10.1, 10.0], [10.0, NAN]]
    bid_sz = [[5, 7], [4, 7], [1, 9], [3, NAN]]
    ask_px = [[10.2, 10.3], [10.1, 10.2], [10.2, 10.3], [10.1, 10.2]]
    ask_sz = [[2, 8], [6, 2], [3, 3], [4, 4]]
    return Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz, name="toy")


def test_shape_and_dtypes():
    b = two_level_book()
    assert len(b) == 4 and b.levels == 2 and b.shape == (4, 2)
    assert b.ts.dtype == np.int64 and b.bid_px.dtype == np.float64
    for a in (b.bid_px, b.bid_sz, b.ask_px, b.ask_sz):
        assert a.flags.c_contiguous and not a.flags.writeable


def test_one_dimensional_arrays_mean_one_level():
    b = Book.from_arrays([1, 2], [9.0, 9.5], [1, 2], [10.0, 10.5], [3, 4])
    assert b.shape == (2, 1)
    assert b.ask_sz[1, 0] == 4


def test_caller_arrays_stay_writeable():
    px = np.array([[9.0], [9.5]])
    Book.from_arrays([1, 2], px, [[1.0], [1.0]], [[10.0], [10.0]], [[1.0], [1.0]])
    px[0, 0] = 8.0  # must not raise


def test_empty_level_sizes_become_nan():
    b = Book.from_arrays([1], [[10.0, NAN]], [[1.0, 0.0]], [[11.0, 12.0]], [[1.0, 2.0]])
    assert np.isnan(b.bid_sz[0, 1])


def test_datetime64_timestamps_are_accepted():
    ts = np.array(["2024-01-02T09:30:00", "2024-01-02T09:30:01"], dtype="datetime64[ns]")
    b = Book.from_arrays(ts, [9.0, 9.0], [1, 1], [10.0, 10.0], [1, 1])
    assert b.ts[1] - b.ts[0] == 1_000_000_000


@pytest.mark.parametrize(
    "change, error, words",
    [
        (dict(ts=[3, 2, 5, 6]), TimestampError, "row 1"),
        (dict(bid_sz=[[5, 7], [-4, 7], [1, 9], [3, NAN]]), BookError, "row 1, level 0"),
        (dict(ask_sz=[[2, 8], [6, 2], [3, NAN], [4, 4]]), BookError, "row 2, level 1"),
        (dict(bid_px=[[10.0, 9.9], [10.0, 10.05], [10.1, 10.0], [10.0, NAN]]), BookError, "strictly decrease"),
        (dict(ask_px=[[10.2, 10.3], [10.1, 10.2], [10.2, 10.2], [10.1, 10.2]]), BookError, "strictly increase"),
        (dict(bid_px=[[10.0, 9.9], [NAN, 9.9], [10.1, 10.0], [10.0, NAN]]), BookError, "size 4.0 but no price"),
        (
            dict(
                bid_px=[[10.0, 9.9], [NAN, 9.9], [10.1, 10.0], [10.0, NAN]], bid_sz=[[5, 7], [NAN, 7], [1, 9], [3, NAN]]
            ),
            BookError,
            "level 0 at row 1 is empty but level 1 is not",
        ),
        (dict(ask_px=[[10.2, 10.3], [10.1, 10.2], [10.0, 10.3], [10.1, 10.2]]), CrossedBookError, "crossed at row 2"),
        (dict(ask_px=[[10.2, 10.3], [10.1, 10.2], [10.1, 10.3], [10.1, 10.2]]), CrossedBookError, "locked at row 2"),
        (dict(bid_px=[[10.0, 9.9], [10.0, 9.9], [10.1, 10.0], [np.inf, NAN]]), BookError, "infinite"),
    ],
)
def test_invariants_name_the_row(change, error, words):
    base = dict(
        ts=[0, 1, 2, 3],
        bid_px=[[10.0, 9.9], [10.0, 9.9], [10.1, 10.0], [10.0, NAN]],
        bid_sz=[[5, 7], [4, 7], [1, 9], [3, NAN]],
        ask_px=[[10.2, 10.3], [10.1, 10.2], [10.2, 10.3], [10.1, 10.2]],
        ask_sz=[[2, 8], [6, 2], [3, 3], [4, 4]],
    )
    base.update(change)
    with pytest.raises(error, match=words):
        Book.from_arrays(**base)


def test_errors_are_value_errors_with_one_base():
    assert issubclass(CrossedBookError, BookError) and issubclass(BookError, ObiError)
    assert issubclass(ObiError, ValueError)


def test_shape_mismatch():
    with pytest.raises(BookError, match="same shape"):
        Book.from_arrays([0, 1], [[1.0, 0.9]] * 2, [[1, 1]] * 2, [[2.0]] * 2, [[1]] * 2)
    with pytest.raises(BookError, match="3 rows but ts has 2"):
        Book.from_arrays([0, 1], [1.0, 1, 1], [1, 1, 1], [2.0, 2, 2], [1, 1, 1])


def test_row_slicing_shares_memory_and_keeps_name():
    b = two_level_book()
    s = b[1:3]
    assert len(s) == 2 and s.name == "toy"
    assert np.shares_memory(s.bid_px, b.bid_px)
    assert s.ask_px[0, 0] == 10.1
    one = b[-1]
    assert len(one) == 1 and one.bid_px[0, 0] == 10.0
    with pytest.raises(IndexError):
        b[4]


def test_fancy_indexing():
    b = two_level_book()
    assert b[np.array([0, 2])].bid_sz[:, 0].tolist() == [5.0, 1.0]
    assert len(b[b.bid_sz[:, 0] > 3]) == 2
    with pytest.raises(IndexError, match="increasing"):
        b[np.array([2, 0])]


def test_time_slicing():
    b = two_level_book()
    t0 = int(b.ts[0])
    assert len(b.between(t0 + 1_000_000_000, t0 + 3_000_000_000)) == 2
    start = pd.Timestamp(t0) + pd.Timedelta("1s")
    assert len(b.between(start)) == 3
    assert len(b.between(None, str(pd.Timestamp(t0) + pd.Timedelta("0.5s")))) == 1
    assert b.row_at(t0 + 1_500_000_000) == 1
    assert b.row_at(pd.Timestamp(t0) + pd.Timedelta("10s")) == 3
    with pytest.raises(TimestampError, match="before the first row"):
        b.row_at(t0 - 1)
    with pytest.raises(TimestampError):
        b.between("not a time")


def test_to_frame():
    f = two_level_book().to_frame()
    assert list(f.columns[:4]) == ["bid_px_0", "bid_sz_0", "ask_px_0", "ask_sz_0"]
    assert f.shape == (4, 8)
    assert isinstance(f.index, pd.DatetimeIndex)
    assert f["ask_sz_1"].iloc[0] == 8.0
    assert np.isnan(f["bid_px_1"].iloc[3])


def test_repr_mentions_size_and_times():
    r = repr(two_level_book())
    assert "toy" in r and "4 rows x 2 levels" in r and "2023-11-14" in r


def test_trades_construction_and_validation():
    t = Trades.from_arrays([1, 2, 2], [10.0, 10.1, 10.0], [1, 2, 3], [1, -1, 0])
    assert len(t) == 3 and t.side.dtype == np.int8
    assert Trades.from_arrays([1], [10.0], [1]).side.tolist() == [0]
    with pytest.raises(TradesError, match="row 1"):
        Trades.from_arrays([1, 2], [10.0, 10.0], [1, 0])
    with pytest.raises(TradesError, match="side at row 0"):
        Trades.from_arrays([1], [10.0], [1], [2])
    with pytest.raises(TradesError, match="price at row 0"):
        Trades.from_arrays([1], [np.nan], [1])
    with pytest.raises(TimestampError, match="row 1"):
        Trades.from_arrays([2, 1], [10.0, 10.0], [1, 1])
    with pytest.raises(TradesError, match="shape"):
        Trades.from_arrays([1, 2], [10.0], [1, 1])


def test_trades_slicing_and_frame():
    t = Trades.from_arrays([1, 2, 3, 4], [10.0, 10.1, 10.2, 10.3], [1, 2, 3, 4], [1, -1, 1, -1])
    assert t[1:3].price.tolist() == [10.1, 10.2]
    assert len(t.between(2, 4)) == 2
    f = t.to_frame()
    assert list(f.columns) == ["price", "size", "side"] and len(f) == 4

"""The shared checks: durations (to_duration_ns), time order, row indices, crossed books."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book, Trades
from obi_widgets._time import to_duration_ns
from obi_widgets.errors import CrossedBookError, ParameterError, TimestampError
from obi_widgets.io.builder import build_book
from obi_widgets.metrics import aggregate, sign_trades, trade_imbalance

T0 = 1_700_000_000_000_000_000


# -- durations -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "ns"),
    [
        ("5s", 5_000_000_000),
        ("100ms", 100_000_000),
        ("1min", 60_000_000_000),
        ("250us", 250_000),
        (pd.Timedelta("2s"), 2_000_000_000),
        (np.timedelta64(250, "ms"), 250_000_000),
        (np.timedelta64(3, "s"), 3_000_000_000),
        (dt.timedelta(seconds=1, microseconds=5), 1_000_005_000),
        (7, 7),
        (np.int64(1_000), 1_000),
    ],
)
def test_to_duration_ns_reads(value, ns):
    got = to_duration_ns(value, "freq")
    assert got == ns and type(got) is int


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (True, r"freq must be a duration .* got True"),
        (1.5, r"freq=1.5 is a float"),
        (np.float64(2.0), r"freq=.*2.0.* is a float"),
        ("soon", r"cannot read freq='soon' as a duration"),
        ("NaT", r"freq='NaT' is not a duration"),
        (pd.NaT, r"freq=NaT is not a duration"),
        (None, r"freq must be a duration .* got NoneType None"),
        ([1], r"freq must be a duration .* got list \[1\]"),
        (-1, r"freq must be a positive duration, got -1"),
        ("-1s", r"freq must be a positive duration, got '-1s'"),
        (0, r"freq must be a positive duration, got 0"),
        (pd.Timedelta(0), r"freq must be a positive duration"),
    ],
)
def test_to_duration_ns_refuses_naming_the_parameter_and_value(value, match):
    with pytest.raises(ParameterError, match=match):
        to_duration_ns(value, "freq")


def test_to_duration_ns_zero_when_allowed():
    assert to_duration_ns(0, "lag", allow_zero=True) == 0
    assert to_duration_ns("0s", "lag", allow_zero=True) == 0
    with pytest.raises(ParameterError, match=r"lag must be a positive duration or 0, got '-1ms'"):
        to_duration_ns("-1ms", "lag", allow_zero=True)


def six_trades() -> Trades:
    ts = T0 + np.array([0, 1, 2, 3, 4, 5]) * 500_000_000
    return Trades.from_arrays(ts, [10.0] * 6, [1, 2, 3, 4, 5, 6], [1, -1, 1, 1, -1, 1])


def test_book_and_trade_metrics_read_durations_alike():
    # the OFI-side parser took int ns and the trade-side one refused ints: now both take them
    vals, ts = np.arange(6.0), six_trades().ts
    pd.testing.assert_series_equal(aggregate(vals, ts, 1_000_000_000), aggregate(vals, ts, "1s"))
    pd.testing.assert_series_equal(aggregate(vals, ts, np.timedelta64(1, "s")), aggregate(vals, ts, "1s"))
    trades = six_trades()
    pd.testing.assert_series_equal(trade_imbalance(trades, freq=1_000_000_000), trade_imbalance(trades, freq="1s"))
    pd.testing.assert_series_equal(
        trade_imbalance(trades, window=pd.Timedelta("1s")), trade_imbalance(trades, window="1s")
    )
    with pytest.raises(ParameterError, match=r"aggregate\(\): freq=0.5 is a float"):
        aggregate(vals, ts, 0.5)


def test_lee_ready_lag_in_int_ns():
    book = Book.from_arrays(T0 + np.array([0, 10]), [9.0, 9.5], [1, 1], [10.0, 10.5], [1, 1])
    trades = Trades.from_arrays(T0 + np.array([10, 20]), [10.0, 9.5], [1, 1])
    assert sign_trades(trades, book, method="lee_ready", lag=5).tolist() == (
        sign_trades(trades, book, method="lee_ready", lag="5ns").tolist()
    )
    assert sign_trades(trades, book, method="lee_ready", lag=0).tolist() == (
        sign_trades(trades, book, method="lee_ready", lag="0s").tolist()
    )


# -- time order and row indices: Trades as Book ----------------------------------------------------
def test_trades_refuse_backwards_timestamps_naming_the_row():
    with pytest.raises(
        TimestampError, match=r"trade timestamps go backwards at row 2 in t: .*00:00:00.000000001 after"
    ):
        Trades.from_arrays([1, 3, 1], [1.0] * 3, [1.0] * 3, name="t")
    with pytest.raises(TimestampError, match=r"^timestamps go backwards at row 2 in b: "):
        Book.from_arrays([1, 3, 1], [9.0] * 3, [1] * 3, [10.0] * 3, [1] * 3, name="b")


@pytest.mark.parametrize("make", ["book", "trades"])
def test_decreasing_row_indices_refused_alike(make):
    ts = T0 + np.arange(4)
    if make == "book":
        series = Book.from_arrays(ts, [9.0] * 4, [1] * 4, [10.0] * 4, [1] * 4)
    else:
        series = Trades.from_arrays(ts, [10.0] * 4, [1.0] * 4)
    msg = r"row indices must be increasing to keep time order: row 0 \(position 2\) comes after row 3"
    with pytest.raises(TimestampError, match=msg):
        series[np.array([1, 3, 0])]
    with pytest.raises(IndexError, match=msg):  # still an IndexError, as before
        series[[1, 3, 0]]
    assert series[np.array([1, 1, 3])].ts.tolist() == [T0 + 1, T0 + 1, T0 + 3]  # repeats keep time order
    assert series[np.array([], dtype=np.int64)].ts.tolist() == []
    assert series[-1].ts.tolist() == [T0 + 3]
    with pytest.raises(IndexError, match="out of range"):
        series[4]
    with pytest.raises(IndexError, match=r"boolean mask has shape \(3,\), expected \(4,\)"):
        series[np.array([True, False, True])]
    with pytest.raises(IndexError, match="dtype"):
        series[np.array([0.5, 1.5])]
    with pytest.raises(IndexError, match="boolean"):
        series[True]
    assert series.between(T0 + 1, T0 + 3).ts.tolist() == [T0 + 1, T0 + 2]


# -- the crossed-book check ------------------------------------------------------------------------
def test_crossed_and_locked_messages_are_one_shape():
    ts = T0 + np.arange(3)
    with pytest.raises(
        CrossedBookError,
        match=r"^book is crossed at row 1 in b \(.*\): best bid 10.5 >= best ask 10.0 \(2 of 3 rows crossed or locked\)$",
    ):
        Book.from_arrays(ts, [9.0, 10.5, 10.0], [1] * 3, [10.0, 10.0, 10.0], [1] * 3, name="b")
    with pytest.raises(CrossedBookError, match=r"^book is locked at row 0 \("):
        Book.from_arrays(ts, [10.0, 9.0, 9.0], [1] * 3, [10.0, 10.0, 10.0], [1] * 3)
    with pytest.raises(
        CrossedBookError,
        match=r"^built book is crossed at row 1 \(.*, after input row 2\): best bid 11.0 >= best ask 10.5 "
        r"\(1 of 2 rows crossed or locked\); pass on_crossed='flag'",
    ):
        build_book([0, 0, 1], ["bid", "ask", "bid"], [10.0, 10.5, 11.0], [1, 1, 1], emit="ts", levels=1)
    # one-sided rows (NaN best) are never crossed
    Book.from_arrays(ts, [np.nan, 10.5, 9.0], [np.nan, 1, 1], [10.0, np.nan, 10.0], [1, np.nan, 1])

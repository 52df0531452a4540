"""Tests of obi_widgets.metrics.trades: trade signing (tick rule, Lee-Ready, BVC), trade imbalance
and cumulative volume delta. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError, TradesError
from obi_widgets.metrics.trades import bvc_buy_fraction, cumulative_volume_delta, sign_trades, trade_imbalance

from ._es_trades import es_path, load_es_trades

T0 = pd.Timestamp("2024-01-02 09:30:00").value
SEC = 1_000_000_000
MIN = 60 * SEC


def phi(x: float) -> float:
    """Standard normal CDF, written out from its definition."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def trades_of(prices, sizes=None, sides=None, ts=None) -> Trades:
    n = len(prices)
    if ts is None:
        ts = T0 + SEC * np.arange(n)
    if sizes is None:
        sizes = np.ones(n)
    return Trades.from_arrays(np.asarray(ts, dtype=np.int64), prices, sizes, sides)


# -- tick rule -------------------------------------------------------------------------------------
def test_tick_rule_with_zero_ticks():
    # 10 (first) | 10 zero tick, no change yet | 11 up | 11 zero tick after up | 10.5 down |
    # 10.5, 10.5 zero ticks after down | 12 up
    t = trades_of([10, 10, 11, 11, 10.5, 10.5, 10.5, 12])
    s = sign_trades(t)
    assert s.dtype == np.int8
    assert s.tolist() == [0, 0, 1, 1, -1, -1, -1, 1]


@pytest.mark.parametrize("first", [1, -1])
def test_tick_rule_first_parameter_fills_the_trades_before_the_first_change(first):
    t = trades_of([10, 10, 11, 11, 10.5])
    assert sign_trades(t, first=first).tolist() == [first, first, 1, 1, -1]


def test_tick_rule_edge_sizes():
    assert sign_trades(trades_of([5.0]), first=1).tolist() == [1]
    assert sign_trades(trades_of([5.0])).tolist() == [0]
    assert sign_trades(trades_of([5.0, 5.0, 5.0])).tolist() == [0, 0, 0]
    assert sign_trades(trades_of([])).shape == (0,)


def test_tick_rule_bad_arguments():
    t = trades_of([1.0, 2.0])
    with pytest.raises(ParameterError, match="first"):
        sign_trades(t, first=2)
    with pytest.raises(ParameterError, match="method"):
        sign_trades(t, method="quote")
    with pytest.raises(ParameterError, match="Trades"):
        sign_trades(np.array([1.0, 2.0]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=40), st.sampled_from([-1, 0, 1]))
def test_tick_rule_properties(steps, first):
    price = 100.0 + 0.25 * np.cumsum(steps)
    s = sign_trades(trades_of(price), first=first)
    # mirror-image prices give mirror-image signs (and first -> -first)
    s_neg = sign_trades(trades_of(-price + 300.0), first=-first)
    assert np.array_equal(s, -s_neg)
    # a trade that moved the price is signed by that move
    moved = np.flatnonzero(np.diff(price) != 0) + 1
    assert np.array_equal(s[moved], np.sign(np.diff(price))[moved - 1])


# -- Lee & Ready ---------------------------------------------------------------------------------
@pytest.fixture
def lr_case():
    # quotes: from t=100 ns bid 99.9 / ask 100.1 (mid 100.0); from t=110 ns bid 100.0 / ask 100.2 (mid 100.1)
    book = Book.from_arrays(np.array([100, 110]), [99.9, 100.0], [1, 1], [100.1, 100.2], [1, 1])
    trades = Trades.from_arrays(
        np.array([89, 90, 101, 102, 103, 104, 110, 111]),
        [100.2, 100.3, 100.05, 99.95, 100.0, 100.0, 100.05, 100.05],
        np.ones(8),
    )
    return book, trades


def test_lee_ready_above_below_and_at_the_mid(lr_case):
    book, trades = lr_case
    s = sign_trades(trades, book, method="lee_ready", inclusive=True)
    # 0: no quote yet -> tick rule, first trade -> 0;  1: no quote -> tick: 100.3 > 100.2 -> +1
    # 2: 100.05 above mid 100.0 -> +1;  3: 99.95 below -> -1
    # 4: 100.0 at the mid (float mid of 99.9 and 100.1) -> tick: up from 99.95 -> +1
    # 5: 100.0 at the mid, zero tick -> last change was up -> +1
    # 6: t=110, the row stamped 110 is in force (inclusive): mid 100.1, 100.05 below -> -1
    # 7: mid 100.1 -> -1
    assert s.dtype == np.int8
    assert s.tolist() == [0, 1, 1, -1, 1, 1, -1, -1]


def test_lee_ready_default_takes_the_quotes_strictly_before(lr_case):
    book, trades = lr_case
    s = sign_trades(trades, book, method="lee_ready")
    assert s.tolist() == sign_trades(trades, book, method="lee_ready", inclusive=False).tolist()
    # only trade 6 (t=110) changes: quotes of row t=100, mid 100.0 -> 100.05 above -> +1
    assert s.tolist() == [0, 1, 1, -1, 1, 1, 1, -1]


def test_lee_ready_lag(lr_case):
    book, trades = lr_case
    s = sign_trades(trades, book, method="lee_ready", lag="2ns")
    # quotes at t - 2 ns: trade 2 (t=101) looks at t=99, before the book -> tick: 100.05 < 100.3 -> -1
    # trade 3 (t=102) -> row 100, mid 100 -> -1; trades 4, 5 -> at mid -> +1 (as before)
    # trade 6 (t=110) -> t=108 -> mid 100.0 -> +1; trade 7 (t=111) -> t=109 -> mid 100.0 -> +1
    assert s.tolist() == [0, 1, -1, -1, 1, 1, 1, 1]
    assert np.array_equal(sign_trades(trades, book, method="lee_ready", lag=pd.Timedelta(2, "ns")), s)


def test_lee_ready_no_quote_conventions(lr_case):
    book, trades = lr_case
    zero = sign_trades(trades, book, method="lee_ready", no_quote="zero")
    # as in the default case: trade 6 (t=110) sees the quotes strictly before it, mid 100.0 -> +1
    assert zero.tolist() == [0, 0, 1, -1, 1, 1, 1, -1]
    with pytest.raises(TradesError, match="trade 0 .*2 trade"):
        sign_trades(trades, book, method="lee_ready", no_quote="raise")
    forced = sign_trades(trades, book, method="lee_ready", first=-1)
    assert forced.tolist() == [-1, 1, 1, -1, 1, 1, 1, -1]


def test_lee_ready_one_sided_book_has_no_mid():
    # row 0 has no ask: no mid, the tick rule decides; row 1 is two-sided (mid 10.0)
    book = Book.from_arrays(np.array([0, 10]), [9.9, 9.9], [5, 5], [np.nan, 10.1], [np.nan, 3])
    trades = Trades.from_arrays(np.array([1, 2, 11]), [10.0, 10.2, 10.05], np.ones(3))
    s = sign_trades(trades, book, method="lee_ready")
    assert s.tolist() == [0, 1, 1]  # tick, tick (up), quote (above 10.0)
    with pytest.raises(TradesError, match="one-sided"):
        sign_trades(trades, book, method="lee_ready", no_quote="raise")


def test_lee_ready_argument_errors(lr_case):
    book, trades = lr_case
    with pytest.raises(ParameterError, match="book="):
        sign_trades(trades, method="lee_ready")
    with pytest.raises(ParameterError, match="Book"):
        sign_trades(trades, book=trades, method="lee_ready")
    with pytest.raises(ParameterError, match="lag=5.0 is a float"):
        sign_trades(trades, book, method="lee_ready", lag=5.0)
    with pytest.raises(ParameterError, match="lag"):
        sign_trades(trades, book, method="lee_ready", lag="-1s")
    with pytest.raises(ParameterError, match="no_quote"):
        sign_trades(trades, book, method="lee_ready", no_quote="nan")


# -- bulk volume classification ------------------------------------------------------------------
@pytest.fixture
def bvc_trades():
    # minute 0: 100 (2), 101 (3) -> close 101, dP = 101 - 100 (first trade) = 1, volume 5
    # minute 1: 100 (5)          -> close 100, dP = -1, volume 5
    # minute 2: nothing (skipped)
    # minute 3: 102 (4)          -> close 102, dP = +2, volume 4
    ts = T0 + np.array([0, 30 * SEC, MIN + SEC, 3 * MIN + 5 * SEC])
    return Trades.from_arrays(ts, [100.0, 101.0, 100.0, 102.0], [2.0, 3.0, 5.0, 4.0])


def test_bvc_time_bars_by_hand(bvc_trades):
    # sigma = std([1, -1, 2], ddof=1): mean 2/3, squared deviations 1/9 + 25/9 + 16/9 = 14/3, / 2 = 7/3
    sigma = math.sqrt(7.0 / 3.0)
    fr = [phi(1 / sigma), phi(-1 / sigma), phi(2 / sigma)]
    bars = bvc_buy_fraction(bvc_trades, freq="1min")
    assert bars.attrs["sigma"] == pytest.approx(sigma, rel=1e-12)
    assert bars["volume"].tolist() == [5.0, 5.0, 4.0]
    assert bars["dp"].tolist() == [1.0, -1.0, 2.0]
    assert bars["close"].tolist() == [101.0, 100.0, 102.0]
    np.testing.assert_allclose(bars["buy_fraction"], fr, rtol=1e-12)
    np.testing.assert_allclose(bars["buy_volume"], [5 * fr[0], 5 * fr[1], 4 * fr[2]], rtol=1e-12)
    np.testing.assert_allclose(bars["buy_volume"] + bars["sell_volume"], bars["volume"], rtol=1e-12)
    assert list(bars.index) == [
        pd.Timestamp(T0 + 30 * SEC),
        pd.Timestamp(T0 + MIN + SEC),
        pd.Timestamp(T0 + 3 * MIN + 5 * SEC),
    ]
    assert list(bars["start"]) == [pd.Timestamp(T0), pd.Timestamp(T0 + MIN), pd.Timestamp(T0 + 3 * MIN)]
    # per trade: 2 * Phi - 1 of the trade's bar, a float
    s = sign_trades(bvc_trades, method="bvc")
    assert s.dtype == np.float64
    np.testing.assert_allclose(s, [2 * fr[0] - 1, 2 * fr[0] - 1, 2 * fr[1] - 1, 2 * fr[2] - 1], rtol=1e-12)


def test_bvc_fixed_sigma(bvc_trades):
    bars = bvc_buy_fraction(bvc_trades, freq="1min", sigma=2.0)
    np.testing.assert_allclose(bars["buy_fraction"], [phi(0.5), phi(-0.5), phi(1.0)], rtol=1e-12)
    assert bars.attrs["sigma"] == 2.0


def test_bvc_volume_bars_split_trades(bvc_trades):
    # sizes 2, 3, 5, 4 -> cumulative 2, 5, 10, 14; bars of 4:
    # bar 0 (0,4] ends in trade 1 (close 101), bar 1 (4,8] in trade 2 (close 100),
    # bar 2 (8,12] in trade 3 (close 102), bar 3 (12,14] incomplete (close 102, volume 2)
    # dP = 101-100, 100-101, 102-100, 102-102 = 1, -1, 2, 0; sigma = std(ddof=1) = sqrt(5/3)
    sigma = math.sqrt(5.0 / 3.0)
    f = [phi(1 / sigma), phi(-1 / sigma), phi(2 / sigma), 0.5]
    bars = bvc_buy_fraction(bvc_trades, bar_volume=4)
    assert bars["volume"].tolist() == [4.0, 4.0, 4.0, 2.0]
    assert bars["complete"].tolist() == [True, True, True, False]
    assert bars["dp"].tolist() == [1.0, -1.0, 2.0, 0.0]
    np.testing.assert_allclose(bars["buy_fraction"], f, rtol=1e-12)
    # trade 0: all in bar 0; trade 1: 2 in bar 0, 1 in bar 1; trade 2: 3 in bar 1, 2 in bar 2;
    # trade 3: 2 in bar 2, 2 in bar 3 -> volume-weighted buy fractions
    frac = [f[0], (2 * f[0] + f[1]) / 3, (3 * f[1] + 2 * f[2]) / 5, (2 * f[2] + 2 * f[3]) / 4]
    s = sign_trades(bvc_trades, method="bvc", bar_volume=4)
    np.testing.assert_allclose(s, 2 * np.array(frac) - 1, rtol=1e-12)


def test_bvc_undefined_cases_raise():
    flat = trades_of([10.0, 10.0, 10.0], ts=T0 + MIN * np.arange(3))
    with pytest.raises(TradesError, match="does not change"):
        bvc_buy_fraction(flat, freq="1min")
    one_bar = trades_of([10.0, 11.0])
    with pytest.raises(TradesError, match="only 1 bar"):
        bvc_buy_fraction(one_bar, freq="1min")
    with pytest.raises(ParameterError, match="exactly one"):
        bvc_buy_fraction(one_bar, freq="1min", bar_volume=1)
    with pytest.raises(ParameterError, match="exactly one"):
        bvc_buy_fraction(one_bar)
    with pytest.raises(ParameterError, match="sigma"):
        bvc_buy_fraction(one_bar, freq="1min", sigma=0)
    with pytest.raises(ParameterError, match="bar_volume"):
        bvc_buy_fraction(one_bar, bar_volume=-1)


# -- trade imbalance -------------------------------------------------------------------------------
@pytest.fixture
def six():
    # t = 0..5 s; sizes 3 5 4 2 6 10; sides + - + + - +
    return trades_of([10, 11, 11, 10, 10, 12.0], [3, 5, 4, 2, 6, 10], [1, -1, 1, 1, -1, 1])


def test_trade_imbalance_time_bins(six):
    imb = trade_imbalance(six, freq="2s")
    # [0,2): (3-5)/8; [2,4): (4+2)/6; [4,6): (-6+10)/16
    np.testing.assert_allclose(imb.to_numpy(), [-0.25, 1.0, 0.25])
    assert list(imb.index) == [pd.Timestamp(T0), pd.Timestamp(T0 + 2 * SEC), pd.Timestamp(T0 + 4 * SEC)]
    cnt = trade_imbalance(six, freq="2s", by="count")
    np.testing.assert_allclose(cnt.to_numpy(), [0.0, 1.0, 0.0])


def test_trade_imbalance_empty_bin_is_nan():
    t = trades_of([1.0, 1.0], [2, 3], [1, -1], ts=T0 + np.array([0, 2 * SEC]))
    imb = trade_imbalance(t, freq="1s")
    assert len(imb) == 3
    assert imb.iloc[0] == 1.0 and np.isnan(imb.iloc[1]) and imb.iloc[2] == -1.0


def test_trade_imbalance_rolling_windows(six):
    by_count = trade_imbalance(six, window=2)
    # pairs: (3,-5) (-5,4) (4,2) (2,-6) (-6,10)
    np.testing.assert_allclose(by_count.to_numpy(), [np.nan, -0.25, -1 / 9, 1.0, -0.5, 0.25])
    assert list(by_count.index) == [pd.Timestamp(T0 + k * SEC) for k in range(6)]
    by_time = trade_imbalance(six, window="2s")  # (t - 2s, t]: the same pairs, and trade 0 alone
    np.testing.assert_allclose(by_time.to_numpy(), [1.0, -0.25, -1 / 9, 1.0, -0.5, 0.25])
    counts = trade_imbalance(six, window=3, by="count")  # (+,-,+) (-,+,+) (+,+,-) (+,-,+)
    np.testing.assert_allclose(counts.to_numpy(), [np.nan, np.nan, 1 / 3, 1 / 3, 1 / 3, 1 / 3])


def test_trade_imbalance_unknown_sides():
    t = trades_of([1.0, 1.0, 1.0], [1, 5, 3], [1, 0, -1])
    np.testing.assert_allclose(trade_imbalance(t, freq="1min").to_numpy(), [(1 - 3) / 4])
    with pytest.raises(TradesError, match="1 trade.* unknown sign .*row 1"):
        trade_imbalance(t, freq="1min", unknown="raise")
    # a window holding only the unknown trade is NaN, not 0 or rounding noise
    np.testing.assert_allclose(trade_imbalance(t, window=1).to_numpy(), [1.0, np.nan, -1.0])
    unsigned = trades_of([1.0, 2.0], [1, 1])
    with pytest.raises(TradesError, match="all 2 trades"):
        trade_imbalance(unsigned, freq="1min")


def test_trade_imbalance_explicit_and_fractional_signs(six):
    # integer signs override trades.side
    flipped = trade_imbalance(six, freq="2s", signs=-six.side)
    np.testing.assert_allclose(flipped.to_numpy(), [0.25, -1.0, -0.25])
    # fractional: sizes 2, 2, 4 with signs 0.5, -1, 0: buy 2*.75 + 0 + 4*.5 = 3.5, sell .5 + 2 + 2 = 4.5
    t = trades_of([1.0, 1.0, 1.0], [2, 2, 4])
    imb = trade_imbalance(t, freq="1min", signs=np.array([0.5, -1.0, 0.0]))
    np.testing.assert_allclose(imb.to_numpy(), [-0.125])


def test_trade_imbalance_argument_errors(six):
    with pytest.raises(ParameterError, match="exactly one"):
        trade_imbalance(six)
    with pytest.raises(ParameterError, match="exactly one"):
        trade_imbalance(six, freq="1s", window=3)
    with pytest.raises(ParameterError, match="by"):
        trade_imbalance(six, freq="1s", by="notional")
    with pytest.raises(ParameterError, match="freq=60.0 is a float"):
        trade_imbalance(six, freq=60.0)
    with pytest.raises(ParameterError, match="window"):
        trade_imbalance(six, window=0)
    with pytest.raises(ParameterError, match="row 2 is 2"):
        trade_imbalance(six, freq="1s", signs=np.array([1, 1, 2, 1, 1, 1]))
    with pytest.raises(ParameterError, match="row 0"):
        trade_imbalance(six, freq="1s", signs=np.array([1.5, 1, 1, 1, 1, 1.0]))
    with pytest.raises(ParameterError, match="shape"):
        trade_imbalance(six, freq="1s", signs=np.ones(5, dtype=np.int8))
    with pytest.raises(ParameterError, match="unknown"):
        trade_imbalance(six, freq="1s", unknown="zero")


def test_cumulative_volume_delta(six):
    cvd = cumulative_volume_delta(six)
    assert cvd.tolist() == [3.0, -2.0, 2.0, 4.0, -2.0, 8.0]
    t = trades_of([1.0, 1.0, 1.0], [1, 5, 3], [1, 0, -1])
    assert cumulative_volume_delta(t).tolist() == [1.0, 1.0, -2.0]
    with pytest.raises(TradesError):
        cumulative_volume_delta(t, unknown="raise")
    frac = cumulative_volume_delta(trades_of([1.0, 1.0], [4, 2]), signs=np.array([0.5, -0.25]))
    assert frac.tolist() == [2.0, 1.5]


_sides = st.lists(st.tuples(st.integers(1, 20), st.sampled_from([-1, 1]), st.integers(0, 5)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(_sides)
def test_swapping_sides_negates_trade_imbalance(rows):
    sizes = np.array([r[0] for r in rows], dtype=float)
    sides = np.array([r[1] for r in rows], dtype=np.int8)
    ts = T0 + SEC * np.cumsum([r[2] for r in rows])
    t = Trades.from_arrays(ts, np.ones(len(rows)), sizes, sides)
    swapped = Trades.from_arrays(ts, np.ones(len(rows)), sizes, -sides)
    for kw in ({"freq": "3s"}, {"window": 3}, {"window": "4s"}, {"freq": "2s", "by": "count"}):
        a = trade_imbalance(t, **kw).to_numpy()
        b = trade_imbalance(swapped, **kw).to_numpy()
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_allclose(a[~np.isnan(a)], -b[~np.isnan(b)], atol=1e-12)
        assert np.all(np.abs(a[~np.isnan(a)]) <= 1.0)
    cvd = cumulative_volume_delta(t)
    assert cvd[-1] == pytest.approx(float(sizes @ sides))
    np.testing.assert_allclose(cumulative_volume_delta(swapped), -cvd)


# -- real data ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def es(data_dir):
    from .conftest import skip_or_fail

    if not es_path(data_dir).exists():
        skip_or_fail(f"ES futures trades not found at {es_path(data_dir)}")
    return load_es_trades(data_dir)


@pytest.mark.realdata
def test_es_trades_tick_rule_and_bvc(es):
    tick = sign_trades(es)
    assert tick.dtype == np.int8 and len(tick) == 500_000
    known = tick != 0
    assert known.mean() > 0.999  # only the trades before the first price change are unknown
    buy_share = (tick[known] > 0).mean()
    assert 0.4 < buy_share < 0.6, buy_share
    bvc = sign_trades(es, method="bvc", freq="1min")
    assert np.all((bvc >= -1) & (bvc <= 1))
    bars = bvc_buy_fraction(es, freq="1min")
    assert bars["volume"].sum() == pytest.approx(es.size.sum())
    # bulk and tick classification agree on the direction of most busy minutes' flow
    per_min = trade_imbalance(es, freq="1min", signs=tick)
    busy = bars[bars["volume"] > bars["volume"].median()]
    bulk = (2 * busy["buy_fraction"] - 1).to_numpy()
    tick_imb = per_min.reindex(busy["start"]).to_numpy()
    ok = np.isfinite(tick_imb) & (bulk != 0) & (tick_imb != 0)
    agree = (np.sign(bulk[ok]) == np.sign(tick_imb[ok])).mean()
    assert agree > 0.6, agree


@pytest.mark.realdata
def test_amzn_lee_ready_agrees_with_lobster_aggressor(amzn_files):
    from .conftest import skip_or_fail

    if not all(p.exists() for p in amzn_files):
        skip_or_fail(f"LOBSTER AMZN sample not found at {amzn_files[0].parent}")
    book = Book.from_lobster(*amzn_files)
    trades = Trades.from_lobster(amzn_files[0])
    # LOBSTER's book row for an execution is the book AFTER it: take the quotes strictly before
    lr = sign_trades(trades, book, method="lee_ready", inclusive=False)
    agree = (lr == trades.side).mean()
    assert agree > 0.9, agree
    # even with the post-trade quotes, a large majority agree; the tick rule alone does worse
    assert (sign_trades(trades, book, method="lee_ready", inclusive=True) == trades.side).mean() > 0.8
    assert (sign_trades(trades) == trades.side).mean() < agree
    # visible executions hit the displayed quote: the quote rule classifies every one of them
    visible = Trades.from_lobster(amzn_files[0], hidden=False)
    assert (sign_trades(visible, book, method="lee_ready", inclusive=False) == visible.side).mean() > 0.99


def test_too_many_bins_is_an_error_not_a_memory_blow_up(six):
    with pytest.raises(ParameterError, match="bins between the first and the last trade"):
        trade_imbalance(six, freq="1ns")

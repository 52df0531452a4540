"""Tests of obi_widgets.metrics.liquidity: depth, book slope, sweep cost / slippage curve, Kyle's
lambda and Amihud illiquidity. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError, TradesError
from obi_widgets.metrics.liquidity import amihud, book_slope, depth, kyle_lambda, slippage_curve, sweep_cost

T0 = pd.Timestamp("2024-01-02 09:30:00").value
SEC = 1_000_000_000
MIN = 60 * SEC
NAN = np.nan


@pytest.fixture
def book():
    # row 0: bids 99.9 x2, 99.8 x3, 99.7 x5 | asks 100.1 x2, 100.2 x4, 100.4 x10   (mid 100.0)
    # row 1: bid  99.9 x1                   | asks 100.1 x2, 100.3 x1             (mid 100.0)
    # row 2: no bid                         | ask  100.1 x5                       (no mid)
    bid_px = [[99.9, 99.8, 99.7], [99.9, NAN, NAN], [NAN, NAN, NAN]]
    bid_sz = [[2, 3, 5], [1, NAN, NAN], [NAN, NAN, NAN]]
    ask_px = [[100.1, 100.2, 100.4], [100.1, 100.3, NAN], [100.1, NAN, NAN]]
    ask_sz = [[2, 4, 10], [2, 1, NAN], [5, NAN, NAN]]
    return Book.from_arrays(T0 + np.arange(3), bid_px, bid_sz, ask_px, ask_sz)


# -- depth --------------------------------------------------------------------------------------------
def test_depth_by_levels(book):
    np.testing.assert_array_equal(depth(book), [26, 4, 5])
    np.testing.assert_array_equal(depth(book, side="bid"), [10, 1, 0])
    np.testing.assert_array_equal(depth(book, side="ask"), [16, 3, 5])
    np.testing.assert_array_equal(depth(book, levels=1), [4, 3, 5])
    np.testing.assert_array_equal(depth(book, levels=2), [2 + 3 + 2 + 4, 1 + 2 + 1, 5])


def test_depth_within_bps_of_the_mid(book):
    # 15 bps of 100 = 0.15: bid 99.9 and ask 100.1 only
    np.testing.assert_array_equal(depth(book, bps=15), [4, 3, NAN])
    # 20 bps = 0.20: 99.8 and 100.2 are exactly on the (inclusive) band edge, though
    # |99.8 - 100.0| is 0.20000000000000284 in floating point
    np.testing.assert_array_equal(depth(book, bps=20), [2 + 3 + 2 + 4, 1 + 2, NAN])
    np.testing.assert_array_equal(depth(book, bps=20, side="ask"), [6, 2, NAN])
    np.testing.assert_array_equal(depth(book, levels=1, bps=1000), [4, 3, NAN])


def test_depth_notional(book):
    np.testing.assert_allclose(depth(book, levels=1, unit="notional"), [99.9 * 2 + 100.1 * 2, 99.9 + 200.2, 500.5])


def test_depth_argument_errors(book):
    with pytest.raises(ParameterError, match="only 3 level"):
        depth(book, levels=4)
    with pytest.raises(ParameterError, match="levels"):
        depth(book, levels=0)
    with pytest.raises(ParameterError, match="bps"):
        depth(book, bps=-5)
    with pytest.raises(ParameterError, match="side"):
        depth(book, side="buy")
    with pytest.raises(ParameterError, match="unit"):
        depth(book, unit="usd")
    with pytest.raises(ParameterError, match="Book"):
        depth(np.zeros((3, 3)))


# -- Næs & Skjeltorp slope ------------------------------------------------------------------------------
def test_book_slope_by_hand(book):
    # bid, row 0: cumulative sizes 2, 5, 10; v = ln of them; p0 = 100
    bid = (
        math.log(2) / abs(99.9 / 100 - 1)
        + (math.log(5) / math.log(2) - 1) / abs(99.8 / 99.9 - 1)
        + (math.log(10) / math.log(5) - 1) / abs(99.7 / 99.8 - 1)
    ) / 3
    # ask, row 0: cumulative sizes 2, 6, 16
    ask = (
        math.log(2) / abs(100.1 / 100 - 1)
        + (math.log(6) / math.log(2) - 1) / abs(100.2 / 100.1 - 1)
        + (math.log(16) / math.log(6) - 1) / abs(100.4 / 100.2 - 1)
    ) / 3
    # row 1: bid one level of 1 (ln 1 = 0); asks cumulative 2, 3
    bid1 = math.log(1) / abs(99.9 / 100 - 1)
    ask1 = (math.log(2) / abs(100.1 / 100 - 1) + (math.log(3) / math.log(2) - 1) / abs(100.3 / 100.1 - 1)) / 2
    np.testing.assert_allclose(book_slope(book, side="bid"), [bid, bid1, NAN], rtol=1e-12)
    np.testing.assert_allclose(book_slope(book, side="ask"), [ask, ask1, NAN], rtol=1e-12)
    np.testing.assert_allclose(book_slope(book), [(bid + ask) / 2, (bid1 + ask1) / 2, NAN], rtol=1e-12)
    # bid side, ~700 for the first term alone: a sanity check of the order of magnitude
    assert 700 < bid < 1200


def test_book_slope_levels_and_plain_volume(book):
    # levels=2, plain cumulative volume, bid row 0: (2/0.001 + (5/2 - 1)/(0.1/99.9)) / 2
    expect = (2 / abs(99.9 / 100 - 1) + (5 / 2 - 1) / abs(99.8 / 99.9 - 1)) / 2
    got = book_slope(book, levels=2, side="bid", log_volume=False)
    assert got[0] == pytest.approx(expect, rel=1e-12)
    assert got[0] == pytest.approx((2000 + 1498.5) / 2, rel=1e-9)


def test_book_slope_undefined_term_is_nan():
    # best ask of exactly 1 share: v_1 = ln 1 = 0 is the denominator of the second term
    b = Book.from_arrays(np.array([0]), [[9.9, 9.8]], [[3, 3]], [[10.1, 10.2]], [[1, 4]])
    assert np.isnan(book_slope(b, side="ask")[0])
    assert np.isfinite(book_slope(b, side="bid")[0])
    assert np.isnan(book_slope(b)[0])
    assert np.isfinite(book_slope(b, side="ask", log_volume=False)[0])


# -- sweep cost -----------------------------------------------------------------------------------------
def test_sweep_cost_buy_through_several_levels(book):
    # row 0 asks 100.1 x2, 100.2 x4, 100.4 x10; mid 100; cost = 1e4 (vwap - 100) / 100
    cases = {
        1: 100.1,
        2: 100.1,
        4: (2 * 100.1 + 2 * 100.2) / 4,  # 100.15
        6: (2 * 100.1 + 4 * 100.2) / 6,  # 100.1667
        11: (2 * 100.1 + 4 * 100.2 + 5 * 100.4) / 11,
        16: (2 * 100.1 + 4 * 100.2 + 10 * 100.4) / 16,  # the whole visible ask side
    }
    for q, vwap in cases.items():
        assert sweep_cost(book, q)[0] == pytest.approx(1e4 * (vwap - 100) / 100, rel=1e-9), q
    assert sweep_cost(book, 4)[0] == pytest.approx(15.0, rel=1e-9)
    assert np.isnan(sweep_cost(book, 17)[0])  # too thin


def test_sweep_cost_sell_rows_and_references(book):
    # sell row 0: bids 99.9 x2, 99.8 x3, 99.7 x5; 4 -> vwap 99.85 -> 15 bps; 6 -> 598.9/6
    assert sweep_cost(book, 4, "sell")[0] == pytest.approx(15.0, rel=1e-9)
    assert sweep_cost(book, 6, "sell")[0] == pytest.approx(1e4 * (100 - 598.9 / 6) / 100, rel=1e-9)
    # row 1 buy 3: 2 x 100.1 + 1 x 100.3 -> 16.67 bps; 4 is more than the ask side holds
    row0, row1 = (2 * 100.1 + 100.2) / 3, (2 * 100.1 + 100.3) / 3
    np.testing.assert_allclose(sweep_cost(book, 3)[:2], [1e4 * (row0 - 100) / 100, 1e4 * (row1 - 100) / 100])
    assert np.isnan(sweep_cost(book, 4)[1])
    # row 2 has no bid: no mid, so the mid-referenced cost is NaN; vs the best ask it is 0 (one level)
    assert np.isnan(sweep_cost(book, 1)[2])
    assert sweep_cost(book, 5, reference="best")[2] == 0.0
    # reference "best": 4 lots in row 0 cost (100.15 - 100.1) / 100.1
    assert sweep_cost(book, 4, reference="best")[0] == pytest.approx(1e4 * 0.05 / 100.1, rel=1e-9)
    # unit "price": 100.15 - 100 and 100 - 99.85
    assert sweep_cost(book, 4, unit="price")[0] == pytest.approx(0.15, rel=1e-9)
    assert sweep_cost(book, 4, "sell", unit="price")[0] == pytest.approx(0.15, rel=1e-9)
    # the sell side of row 1 has a single lot
    assert np.isnan(sweep_cost(book, 2, "sell")[1])


def test_slippage_curve_columns(book):
    curve = slippage_curve(book, [1, 4, 17])
    assert curve.shape == (3, 3)
    np.testing.assert_allclose(curve[0], [10.0, 15.0, NAN], rtol=1e-9)
    for j, q in enumerate([1, 4, 17]):
        np.testing.assert_array_equal(curve[:, j], sweep_cost(book, q))
    sells = slippage_curve(book, (4,), "sell", unit="price")
    np.testing.assert_allclose(sells[:, 0], [0.15, NAN, NAN], rtol=1e-9)


def test_sweep_argument_errors(book):
    for q in (0, -1, NAN, "x", True):
        with pytest.raises(ParameterError, match="quantity"):
            sweep_cost(book, q)
    with pytest.raises(ParameterError, match="side"):
        sweep_cost(book, 1, side="bid")
    with pytest.raises(ParameterError, match="reference"):
        sweep_cost(book, 1, reference="micro")
    with pytest.raises(ParameterError, match=r"quantities\[1\]"):
        slippage_curve(book, [1, -2])
    with pytest.raises(ParameterError, match="quantities"):
        slippage_curve(book, [])


@st.composite
def books(draw):
    rows, levels = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    ticks = lambda: np.array(draw(st.lists(st.integers(1, 3), min_size=levels, max_size=levels)))  # noqa: E731
    sizes = lambda: np.array(draw(st.lists(st.integers(0, 20), min_size=levels, max_size=levels)), float)  # noqa: E731
    bp, bs, ap, asz = [], [], [], []
    for _ in range(rows):
        bid0 = draw(st.integers(900, 1000))
        ask0 = bid0 + draw(st.integers(1, 3))
        n_b, n_a = draw(st.integers(0, levels)), draw(st.integers(0, levels))
        b = (bid0 - np.concatenate(([0], np.cumsum(ticks()[1:])))) / 100.0
        a = (ask0 + np.concatenate(([0], np.cumsum(ticks()[1:])))) / 100.0
        sb, sa = sizes() + 1, sizes() + 1
        b[n_b:], sb[n_b:], a[n_a:], sa[n_a:] = NAN, NAN, NAN, NAN
        bp.append(b), bs.append(sb), ap.append(a), asz.append(sa)
    return Book.from_arrays(np.arange(rows), bp, bs, ap, asz)


@settings(max_examples=60, deadline=None)
@given(books(), st.lists(st.floats(0.5, 120), min_size=2, max_size=6, unique=True), st.sampled_from(["buy", "sell"]))
def test_sweep_cost_is_monotone_in_quantity_and_non_negative(b, qs, side):
    qs = sorted(qs)
    for ref in ("mid", "best"):
        curve = slippage_curve(b, qs, side, reference=ref)
        ok = np.isfinite(curve)
        assert np.all(curve[ok] >= -1e-9)
        # once too thin, larger quantities stay too thin
        assert np.all(ok[:, :-1] | ~ok[:, 1:])
        d = np.diff(curve, axis=1)
        both = ok[:, :-1] & ok[:, 1:]
        assert np.all(d[both] >= -1e-9)
        # depth beyond the book is NaN, within the book defined wherever the reference is
        side_depth = depth(b, side="ask" if side == "buy" else "bid")
        ref_ok = np.isfinite(0.5 * (b.bid_px[:, 0] + b.ask_px[:, 0])) if ref == "mid" else side_depth > 0
        for j, q in enumerate(qs):
            np.testing.assert_array_equal(ok[:, j], ref_ok & (side_depth >= q))


# -- Kyle's lambda -------------------------------------------------------------------------------------
def _kyle_case(mids, flows, price=100.0):
    """Book rows: one just before the first bin, then one at 30 s into bin n with mid mids[n+1];
    trades: in bin n, one trade per signed size in flows[n] (all at `price`)."""
    ts = [T0 - 1] + [T0 + n * MIN + 30 * SEC for n in range(len(mids) - 1)]
    mids = np.asarray(mids)
    book = Book.from_arrays(np.array(ts), mids - 0.005, np.ones(len(mids)), mids + 0.005, np.ones(len(mids)))
    tts, size, side = [], [], []
    for n, flow in enumerate(flows):
        for k, f in enumerate(flow):
            tts.append(T0 + n * MIN + (10 + k) * SEC)
            size.append(abs(f))
            side.append(1 if f > 0 else -1)
    trades = Trades.from_arrays(np.array(tts), np.full(len(tts), price), size, side)
    return book, trades


def test_kyle_lambda_by_hand():
    # signed volume per minute x = 100, 200 (300 buy, 100 sell), 300, 400
    # mid changes y = .01, .03, .02, .05 (mids 100, 100.01, 100.04, 100.06, 100.11)
    # x - 250 = -150 -50 50 150 (Sxx 50000); y - .0275 = -.0175 .0025 -.0075 .0225 (Sxy 5.5)
    # slope 1.1e-4, intercept 0; residuals -.001 .008 -.013 .006 (SSE 2.7e-4)
    # se = sqrt(2.7e-4 / 2 / 50000); R2 = 1 - 2.7e-4 / 8.75e-4
    book, trades = _kyle_case([100, 100.01, 100.04, 100.06, 100.11], [[100], [300, -100], [300], [400]])
    r = kyle_lambda(book, trades, "1min")
    assert r.n == 4
    assert r.slope == pytest.approx(1.1e-4, rel=1e-6)
    assert r.intercept == pytest.approx(0.0, abs=1e-9)
    se = math.sqrt(2.7e-4 / 2 / 50000)
    assert r.stderr == pytest.approx(se, rel=1e-6)
    assert r.t_stat == pytest.approx(1.1e-4 / se, rel=1e-6)
    assert r.r2 == pytest.approx(1 - 2.7 / 8.75, rel=1e-6)
    assert r["slope"] == r.slope and r.to_dict()["n"] == 4
    # dollar flow: every trade at 100, so x is 100 times larger and the slope 100 times smaller
    rd = kyle_lambda(book, trades, "1min", flow="dollar")
    assert rd.slope == pytest.approx(1.1e-6, rel=1e-6)
    assert rd.t_stat == pytest.approx(r.t_stat, rel=1e-9)


def test_kyle_lambda_empty_bins():
    # as above with an empty minute (no trade, mid unchanged) inserted third:
    # x = 100 200 0 300 400, y = .01 .03 0 .02 .05; x - 200 = -100 0 -200 100 200 (Sxx 1e5),
    # y - .022 = -.012 .008 -.022 -.002 .028 (Sxy 11) -> slope 1.1e-4, intercept 0;
    # SSE 2.7e-4 -> se = sqrt(2.7e-4 / 3 / 1e5) = 3e-5; R2 = 1 - 2.7e-4 / 1.48e-3
    book, trades = _kyle_case([100, 100.01, 100.04, 100.04, 100.06, 100.11], [[100], [300, -100], [], [300], [400]])
    r = kyle_lambda(book, trades, "1min")
    assert r.n == 5
    assert r.slope == pytest.approx(1.1e-4, rel=1e-6)
    assert r.stderr == pytest.approx(3e-5, rel=1e-6)
    assert r.r2 == pytest.approx(1 - 2.7 / 14.8, rel=1e-6)
    dropped = kyle_lambda(book, trades, "1min", drop_empty=True)
    assert dropped.n == 4 and dropped.stderr == pytest.approx(math.sqrt(2.7e-4 / 2 / 50000), rel=1e-6)


def test_kyle_lambda_hasbrouck_form():
    # one buy per minute of 1, 4, 9 lots at 100: sqrt dollar volume 10, 20, 30
    # log returns of mids 100 -> 101 -> 104 -> 106; OLS slope = sum (x - 20)(y - ybar) / 200
    mids = [100.0, 101.0, 104.0, 106.0]
    book, trades = _kyle_case(mids, [[1], [4], [9]])
    y = [math.log(101 / 100), math.log(104 / 101), math.log(106 / 104)]
    ybar = sum(y) / 3
    slope = (-10 * (y[0] - ybar) + 10 * (y[2] - ybar)) / 200
    r = kyle_lambda(book, trades, "1min", flow="sqrt_dollar", response="log_return")
    assert r.slope == pytest.approx(slope, rel=1e-6)
    # without intercept: slope = sum x y / sum x^2
    r0 = kyle_lambda(book, trades, "1min", flow="sqrt_dollar", response="log_return", intercept=False)
    assert r0.slope == pytest.approx((10 * y[0] + 20 * y[1] + 30 * y[2]) / 1400, rel=1e-6)
    assert r0.intercept == 0.0


def test_kyle_lambda_errors():
    book, trades = _kyle_case([100, 100.01, 100.04], [[100], [200]])
    with pytest.raises(ParameterError, match="at least 3"):
        kyle_lambda(book, trades, "1min")  # two bins only
    unsigned = Trades.from_arrays(trades.ts, trades.price, trades.size)
    with pytest.raises(TradesError, match="unknown sign"):
        kyle_lambda(book, unsigned, "1min")
    with pytest.raises(ParameterError, match="flow"):
        kyle_lambda(book, trades, "1min", flow="shares")
    with pytest.raises(ParameterError, match="float"):
        kyle_lambda(book, trades, 60.0)
    with pytest.raises(ParameterError, match="Trades"):
        kyle_lambda(book, book, "1min")


# -- Amihud ------------------------------------------------------------------------------------------
def test_amihud_by_hand():
    # minute 0: 100 x10, 101 x10 -> dollar volume 2010, close 101 (first bin: no return -> NaN)
    # minute 1: no trade -> NaN;  minute 2: 99.99 x100 -> DV 9999, r = 99.99/101 - 1 = -0.01
    ts = T0 + np.array([0, 5 * SEC, 2 * MIN])
    trades = Trades.from_arrays(ts, [100.0, 101.0, 99.99], [10.0, 10.0, 100.0])
    a = amihud(trades, "1min")
    assert list(a.index) == [pd.Timestamp(T0 + k * MIN) for k in range(3)]
    assert np.isnan(a.iloc[0]) and np.isnan(a.iloc[1])
    assert a.iloc[2] == pytest.approx(0.01 / 9999, rel=1e-9)
    assert a.mean() == pytest.approx(0.01 / 9999, rel=1e-9)
    lg = amihud(trades, "1min", returns="log")
    assert lg.iloc[2] == pytest.approx(abs(math.log(99.99 / 101)) / 9999, rel=1e-9)


def test_amihud_from_mid():
    # mid 100 before minute 0, 102 during it, 100.98 during minute 2
    ts = T0 + np.array([-1, 30 * SEC, 2 * MIN + 30 * SEC])
    ones = np.ones(3)
    book = Book.from_arrays(ts, [99.995, 101.995, 100.975], ones, [100.005, 102.005, 100.985], ones)
    ts = T0 + np.array([0, 5 * SEC, 2 * MIN])
    trades = Trades.from_arrays(ts, [100.0, 101.0, 99.99], [10.0, 10.0, 100.0])
    a = amihud(trades, "1min", book=book)
    # minute 0: 102/100 - 1 = .02 over 2010; minute 1: no volume; minute 2: 100.98/102 - 1 = -.01 over 9999
    np.testing.assert_allclose(a.to_numpy(), [0.02 / 2010, NAN, 0.01 / 9999], rtol=1e-9)


def test_amihud_errors():
    trades = Trades.from_arrays(T0 + np.arange(2), [1.0, -1.0], [1.0, 1.0])
    with pytest.raises(ParameterError, match="not > 0"):
        amihud(trades, "1min")
    with pytest.raises(ParameterError, match="returns"):
        amihud(trades, "1min", returns="pct")


# -- real data -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def amzn(amzn_files):
    from .conftest import skip_or_fail

    if not all(p.exists() for p in amzn_files):
        skip_or_fail(f"LOBSTER AMZN sample not found at {amzn_files[0].parent}")
    return Book.from_lobster(*amzn_files), Trades.from_lobster(amzn_files[0])


@pytest.mark.realdata
def test_amzn_kyle_lambda_is_positive(amzn):
    book, trades = amzn
    r = kyle_lambda(book, trades, "1min")
    assert r.n > 350  # 390 minutes in the session
    assert r.slope > 0 and r.t_stat > 3
    h = kyle_lambda(book, trades, "5min", flow="sqrt_dollar", response="log_return")
    assert h.slope > 0 and h.t_stat > 3


@pytest.mark.realdata
def test_amzn_liquidity_measures_are_sane(amzn):
    book, trades = amzn
    d = depth(book)
    assert np.all(d > 0)
    cost = sweep_cost(book, 1)  # one share: always at the best ask
    spread = book.ask_px[:, 0] - book.bid_px[:, 0]
    mid = 0.5 * (book.ask_px[:, 0] + book.bid_px[:, 0])
    np.testing.assert_allclose(cost, 1e4 * (spread / 2) / mid, rtol=1e-9)
    a = amihud(trades, "5min")
    assert a.notna().sum() > 70 and (a.dropna() >= 0).all()

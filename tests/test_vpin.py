"""Tests of obi_widgets.metrics.vpin: equal-volume buckets with split trades, VPIN, and the three
classifications. Expected values are worked out by hand in the comments, or (property tests) by a
unit-by-unit brute force written here independently of the code under test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Trades
from obi_widgets.errors import ParameterError, TradesError
from obi_widgets.metrics.vpin import volume_buckets, vpin

from ._es_trades import es_path, load_es_trades

T0 = pd.Timestamp("2024-01-02 09:30:00").value
SEC = 1_000_000_000
MIN = 60 * SEC


def trades_of(sizes, sides=None, prices=None, ts=None) -> Trades:
    n = len(sizes)
    ts = T0 + SEC * np.arange(n) if ts is None else np.asarray(ts, dtype=np.int64)
    prices = np.full(n, 100.0) if prices is None else prices
    return Trades.from_arrays(ts, prices, np.asarray(sizes, dtype=float), sides)


def stamps(*seconds):
    return [pd.Timestamp(T0 + int(s * SEC)) for s in seconds]


# -- golden cases ----------------------------------------------------------------------------------
def test_trade_split_across_two_buckets():
    # sizes 3 5 4 2 6 10 (cumulative 3 8 12 14 20 30), sides + - + + - +, buckets of 7:
    # (0,7]:   3 buy (t0) + 4 of t1's 5 sell      -> B 3, S 4, |B-S| 1, completed by t1
    # (7,14]:  1 sell (rest of t1) + 4 buy + 2 buy -> B 6, S 1, |B-S| 5, completed by t3
    # (14,21]: 6 sell (t4) + 1 of t5's 10 buy      -> B 1, S 6, |B-S| 5, completed by t5
    # (21,28]: 7 buy (t5)                          -> B 7, S 0, |B-S| 7, completed by t5
    # (28,30]: incomplete, dropped
    t = trades_of([3, 5, 4, 2, 6, 10], [1, -1, 1, 1, -1, 1])
    b = volume_buckets(t, 7)
    assert b["buy_volume"].tolist() == [3.0, 6.0, 1.0, 7.0]
    assert b["sell_volume"].tolist() == [4.0, 1.0, 6.0, 0.0]
    assert b["order_imbalance"].tolist() == [1.0, 5.0, 5.0, 7.0]
    assert b["first_trade"].tolist() == [0, 1, 4, 5]
    assert b["last_trade"].tolist() == [1, 3, 5, 5]
    assert list(b.index) == stamps(1, 3, 5, 5)
    assert list(b["start"]) == stamps(0, 1, 4, 5)
    v = vpin(t, 7, window=2)
    # (1+5)/14, (5+5)/14, (5+7)/14
    np.testing.assert_allclose(v.to_numpy(), [np.nan, 6 / 14, 10 / 14, 12 / 14])
    assert list(v.index) == stamps(1, 3, 5, 5)
    assert v.name == "vpin"


def test_trade_split_across_three_buckets():
    # sizes 1 10 1 (cumulative 1 11 12), sides + - +, buckets of 4: t1 spans all three buckets
    # (0,4]:  1 buy + 3 sell  -> |B-S| 2, completed by t1
    # (4,8]:  4 sell          -> |B-S| 4, completed by t1
    # (8,12]: 3 sell + 1 buy  -> |B-S| 2, completed by t2
    t = trades_of([1, 10, 1], [1, -1, 1])
    b = volume_buckets(t, 4)
    assert b["buy_volume"].tolist() == [1.0, 0.0, 1.0]
    assert b["order_imbalance"].tolist() == [2.0, 4.0, 2.0]
    assert list(b.index) == stamps(1, 1, 2)
    np.testing.assert_allclose(vpin(t, 4, window=1).to_numpy(), [2 / 4, 4 / 4, 2 / 4])
    np.testing.assert_allclose(vpin(t, 4, window=2).to_numpy(), [np.nan, 6 / 8, 6 / 8])
    np.testing.assert_allclose(vpin(t, 4, window=3).to_numpy(), [np.nan, np.nan, 8 / 12])
    assert vpin(t, 4, window=4).isna().all()


def test_bucket_boundaries_exactly_on_trades_and_float_sizes():
    t = trades_of([4, 4, 1], [1, -1, 1])  # no split; the 1 left over is an incomplete bucket
    b = volume_buckets(t, 4)
    assert b["buy_volume"].tolist() == [4.0, 0.0]
    assert b["last_trade"].tolist() == [0, 1]
    assert b["first_trade"].tolist() == [0, 1]
    # 0.1 + 0.1 + 0.1 != 0.3 in binary floating point; it still fills one bucket of 0.3
    f = trades_of([0.1, 0.1, 0.1], [1, 1, -1])
    bf = volume_buckets(f, 0.3)
    assert len(bf) == 1 and bf["last_trade"].tolist() == [2]
    np.testing.assert_allclose(bf["buy_volume"], [0.2])


def test_tick_classification():
    # prices 10 10 11 10 -> tick signs 0 0 + - (first=0); sizes 2 2 3 1; buckets of 4
    # (0,4]: t0, t1 unknown -> half buy, half sell: B 2, S 2, |B-S| 0
    # (4,8]: 3 buy + 1 sell -> |B-S| 2          -> VPIN(window 2) = 2/8
    t = trades_of([2, 2, 3, 1], prices=[10.0, 10.0, 11.0, 10.0])
    b = volume_buckets(t, 4, classification="tick")
    assert b["buy_volume"].tolist() == [2.0, 3.0]
    np.testing.assert_allclose(vpin(t, 4, 2, "tick").to_numpy(), [np.nan, 0.25])
    # first=+1: t0, t1 buys -> |B-S| 4 and 2 -> 6/8
    np.testing.assert_allclose(vpin(t, 4, 2, "tick", first=1).to_numpy(), [np.nan, 0.75])


def test_bvc_bucket_bars():
    # prices 10 11 12 10, sizes 2 2 3 1, buckets of 4 closing at t1 (11) and t3 (10):
    # dP = 11 - 10 (first trade) = +1, 10 - 11 = -1; sigma = std([1, -1], ddof=1) = sqrt(2)
    # B = 4 Phi(+-1/sqrt 2); |B - S| = 4 |2 Phi(1/sqrt 2) - 1| = 4 erf(1/2) for both buckets
    t = trades_of([2, 2, 3, 1], prices=[10.0, 11.0, 12.0, 10.0])
    e = math.erf(0.5)
    b = volume_buckets(t, 4, classification="bvc", bvc_bar="bucket")
    np.testing.assert_allclose(b["buy_volume"], [2 * (1 + e), 2 * (1 - e)], rtol=1e-12)
    np.testing.assert_allclose(b["order_imbalance"], [4 * e, 4 * e], rtol=1e-12)
    np.testing.assert_allclose(vpin(t, 4, 2, "bvc", bvc_bar="bucket").to_numpy(), [np.nan, e], rtol=1e-12)
    # a fixed sigma of 1: |2 Phi(1) - 1| = erf(1/sqrt 2)
    fixed = vpin(t, 4, 1, "bvc", bvc_bar="bucket", sigma=1.0)
    np.testing.assert_allclose(fixed.to_numpy(), [math.erf(1 / math.sqrt(2))] * 2, rtol=1e-12)


def test_bvc_time_bars_inside_buckets():
    # minute 0: 10 (2), 11 (2) -> bar close 11, dP = +1; minute 1: 10 (4) -> dP = -1
    # sigma = sqrt(2); bar buy fractions f0 = (1 + e)/2, f1 = (1 - e)/2 with e = erf(1/2)
    # buckets of 3 (cumulative volume 2 4 8):
    # (0,3]: 3 units of bar 0           -> B = 3 f0,        |B-S| = |6 f0 - 3| = 3e
    # (3,6]: 1 unit of bar 0, 2 of bar 1 -> B = f0 + 2 f1,  |B-S| = |2 f0 + 4 f1 - 3| = e
    # (6,8]: incomplete, dropped;        VPIN(window 2) = 4e / 6
    ts = T0 + np.array([0, 10 * SEC, MIN + SEC])
    t = trades_of([2, 2, 4], prices=[10.0, 11.0, 10.0], ts=ts)
    e = math.erf(0.5)
    b = volume_buckets(t, 3, classification="bvc")
    np.testing.assert_allclose(b["buy_volume"], [1.5 * (1 + e), (1 + e) / 2 + (1 - e)], rtol=1e-12)
    np.testing.assert_allclose(b["order_imbalance"], [3 * e, e], rtol=1e-12)
    np.testing.assert_allclose(vpin(t, 3, 2, "bvc").to_numpy(), [np.nan, 4 * e / 6], rtol=1e-12)
    # bars of 30 s: the same minute-0 trades are still one bar, so the same result
    np.testing.assert_allclose(vpin(t, 3, 2, "bvc", bvc_bar="30s").to_numpy(), [np.nan, 4 * e / 6], rtol=1e-12)


# -- validation -------------------------------------------------------------------------------------
def test_unknown_sides_raise_for_side_classification():
    t = trades_of([1, 2, 3])
    with pytest.raises(TradesError, match="3 of 3 trades .*row 0.*'tick' or 'bvc'"):
        vpin(t, 2)


def test_argument_errors():
    t = trades_of([1, 2, 3], [1, -1, 1])
    for bad in (0, -1, np.nan, np.inf, "a"):
        with pytest.raises(ParameterError, match="bucket_volume"):
            vpin(t, bad)
    for bad in (0, 1.5, True, None):
        with pytest.raises(ParameterError, match="window"):
            vpin(t, 2, window=bad)
    with pytest.raises(ParameterError, match="classification"):
        vpin(t, 2, classification="lee_ready")
    with pytest.raises(ParameterError, match="bvc_bar"):
        vpin(t, 2, classification="bvc", bvc_bar="soon")
    with pytest.raises(ParameterError, match="Trades"):
        vpin(pd.DataFrame({"size": [1.0]}), 2)


def test_not_enough_volume_gives_empty_results():
    t = trades_of([1, 2], [1, -1])
    assert len(vpin(t, 10)) == 0
    assert len(volume_buckets(t, 10)) == 0
    empty = trades_of([], [])
    assert len(vpin(empty, 10)) == 0
    assert list(volume_buckets(empty, 10).columns) == list(volume_buckets(t, 1).columns)


# -- properties ---------------------------------------------------------------------------------------
def brute_force_buckets(sizes, sides, v):
    """Bucket order imbalance by expanding every trade into unit-volume pieces (integer sizes)."""
    units = np.repeat(np.asarray(sides, dtype=float), np.asarray(sizes, dtype=int))
    k = len(units) // v
    return [abs(units[i * v : (i + 1) * v].sum()) for i in range(k)]


_rows = st.lists(st.tuples(st.integers(1, 30), st.sampled_from([-1, 1])), min_size=1, max_size=50)


@settings(max_examples=80, deadline=None)
@given(_rows, st.integers(1, 25), st.integers(1, 6))
def test_vpin_matches_unit_brute_force_and_lies_in_0_1(rows, v, window):
    sizes = [r[0] for r in rows]
    sides = [r[1] for r in rows]
    t = trades_of(sizes, sides)
    oi = brute_force_buckets(sizes, sides, v)
    b = volume_buckets(t, v)
    np.testing.assert_allclose(b["order_imbalance"].to_numpy(), oi, atol=1e-9)
    np.testing.assert_allclose((b["buy_volume"] + b["sell_volume"]).to_numpy(), np.full(len(oi), float(v)))
    got = vpin(t, v, window).to_numpy()
    expect = [np.nan if k < window - 1 else sum(oi[k - window + 1 : k + 1]) / (window * v) for k in range(len(oi))]
    np.testing.assert_allclose(got, expect, atol=1e-12)
    finite = got[np.isfinite(got)]
    assert np.all((finite >= 0) & (finite <= 1))
    # swapping buy and sell leaves |B - S|, hence VPIN, unchanged
    swapped = trades_of(sizes, [-s for s in sides])
    np.testing.assert_allclose(vpin(swapped, v, window).to_numpy(), got, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(-3, 3)), min_size=3, max_size=50), st.integers(2, 20))
def test_vpin_in_unit_interval_for_tick_and_bvc(rows, v):
    sizes = [r[0] for r in rows]
    prices = 100.0 + 0.25 * np.cumsum([r[1] for r in rows])
    ts = T0 + 20 * SEC * np.arange(len(rows))
    t = trades_of(sizes, prices=prices, ts=ts)
    out = [vpin(t, v, 2, "tick")]
    for bar in ("1min", "bucket"):
        try:
            out.append(vpin(t, v, 2, "bvc", bvc_bar=bar))
        except TradesError:  # sigma undefined: too few bars or a flat price; that is the contract
            pass
    for s in out:
        x = s.to_numpy()
        x = x[np.isfinite(x)]
        assert np.all((x >= 0) & (x <= 1))


# -- real data ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def es(data_dir):
    from .conftest import skip_or_fail

    if not es_path(data_dir).exists():
        skip_or_fail(f"ES futures trades not found at {es_path(data_dir)}")
    return load_es_trades(data_dir)


@pytest.mark.realdata
@pytest.mark.parametrize("classification", ["tick", "bvc"])
def test_es_vpin(es, classification):
    total = float(es.size.sum())
    v = total / 500  # about 3,700 contracts per bucket; the paper's V is a fiftieth of daily volume
    s = vpin(es, v, window=50, classification=classification)
    assert len(s) in (499, 500)  # floor(total / v), up to the float rounding of total / v
    x = s.to_numpy()
    assert np.isnan(x[:49]).all() and np.isfinite(x[49:]).all()
    assert np.all((x[49:] >= 0) & (x[49:] <= 1))
    # not degenerate: classified flow is far from all-one-sided and from perfectly balanced
    assert 0.02 < np.median(x[49:]) < 0.7
    assert s.index.is_monotonic_increasing
    assert s.index[0] >= pd.Timestamp(es.ts[0]) and s.index[-1] <= pd.Timestamp(es.ts[-1])
    b = volume_buckets(es, v, classification=classification)
    assert (b["buy_volume"] + b["sell_volume"]).to_numpy() == pytest.approx(v)


@pytest.mark.realdata
def test_es_vpin_tick_and_bvc_move_together(es):
    v = float(es.size.sum()) / 500
    tick = vpin(es, v, 50, "tick").to_numpy()[49:]
    bvc = vpin(es, v, 50, "bvc").to_numpy()[49:]
    assert np.corrcoef(tick, bvc)[0, 1] > 0.3


def test_too_many_buckets_is_an_error_not_a_memory_blow_up():
    t = trades_of([1e6, 1e6], [1, -1])
    with pytest.raises(ParameterError, match="buckets .*use larger buckets"):
        vpin(t, 1e-3)

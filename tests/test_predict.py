"""Tests of obi_widgets.metrics.predict: forward returns, the per-bucket profile and OLS.
Expected values are worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError
from obi_widgets.metrics import level1_imbalance
from obi_widgets.metrics.predict import forward_return, imbalance_profile, regress

T0 = pd.Timestamp("2024-01-02 09:30:00").value
SEC = 1_000_000_000
NAN = np.nan


@pytest.fixture
def book():
    # rows at 0, 1, 1.5, 3, 4 s with mids 100, 100.5, 101, 100, 99 (spread 0.5)
    ts = T0 + (np.array([0, 1, 1.5, 3, 4]) * SEC).astype(np.int64)
    mids = np.array([100, 100.5, 101, 100, 99])
    return Book.from_arrays(ts, mids - 0.25, np.ones(5), mids + 0.25, np.ones(5))


def test_forward_return_in_rows(book):
    np.testing.assert_allclose(forward_return(book, 1), [0.5, 0.5, -1, -1, NAN])
    np.testing.assert_allclose(forward_return(book, 2), [1, -0.5, -2, NAN, NAN])
    np.testing.assert_allclose(forward_return(book, 5), [NAN] * 5)
    log = forward_return(book, 1, kind="log")
    np.testing.assert_allclose(
        log, [math.log(100.5 / 100), math.log(101 / 100.5), math.log(100 / 101), math.log(99 / 100), NAN]
    )


def test_forward_return_in_time(book):
    # "next": the first row at or after t + 1 s
    # t=0 -> row at 1 s (100.5); t=1 -> 3 s (100); t=1.5 -> 3 s (100); t=3 -> 4 s (99); t=4 -> none
    np.testing.assert_allclose(forward_return(book, "1s"), [0.5, -0.5, -1, -1, NAN])
    # "last": the book in force at t + 1 s
    # t=0 -> row at 1 s; t=1 -> row at 1.5 s (101); t=1.5 -> still 1.5 s; t=3 -> 4 s; t=4 -> after the end
    np.testing.assert_allclose(forward_return(book, "1s", align="last"), [0.5, 0.5, 0.0, -1, NAN])
    np.testing.assert_allclose(forward_return(book, pd.Timedelta("500ms")), [0.5, 0.5, -1, -1, NAN])
    np.testing.assert_allclose(forward_return(book, "10s"), [NAN] * 5)


def test_forward_return_to_the_next_change():
    # mids 100, 100, 100.5, 100.5, 99.5 at 0..4 s: rows 0, 1 -> row 2 (+0.5); rows 2, 3 -> row 4 (-1)
    ts = T0 + np.arange(5) * SEC
    mids = np.array([100, 100, 100.5, 100.5, 99.5])
    b = Book.from_arrays(ts, mids - 0.25, np.ones(5), mids + 0.25, np.ones(5))
    np.testing.assert_allclose(forward_return(b, "next"), [0.5, 0.5, -1, -1, NAN])
    np.testing.assert_allclose(
        forward_return(b, "next", kind="log"),
        [math.log(100.5 / 100), math.log(100.5 / 100), math.log(99.5 / 100.5), math.log(99.5 / 100.5), NAN],
    )
    # price= override: NaN prices are passed over (next_move's missing="skip"); a NaN row is NaN itself
    price = np.array([1.0, NAN, 1.0, 3.0, 3.0])
    np.testing.assert_allclose(forward_return(b, "next", price=price), [2, NAN, 2, NAN, NAN])
    with pytest.raises(ParameterError, match="align='last' does not apply"):
        forward_return(b, "next", align="last")
    with pytest.raises(ParameterError, match="horizon"):
        forward_return(b, "nxt")


def test_forward_return_next_in_a_book_where_every_row_moves(book):
    # the fixture's mids change at every row: "next" is one row ahead
    np.testing.assert_array_equal(forward_return(book, "next"), forward_return(book, 1))


def test_forward_return_price_override_and_nan(book):
    price = np.array([1.0, 2.0, NAN, 4.0, 8.0])
    np.testing.assert_allclose(forward_return(book, 1, price=price), [1, NAN, NAN, 4, NAN])
    np.testing.assert_allclose(
        forward_return(book, 1, price=price, kind="log"), [math.log(2), NAN, NAN, math.log(2), NAN]
    )
    with pytest.raises(ParameterError, match="price -2.0 at row 1"):
        forward_return(book, 1, price=np.array([1.0, -2.0, 3, 4, 5]), kind="log")


def test_forward_return_argument_errors(book):
    for bad in (0, -1, True):
        with pytest.raises(ParameterError, match="horizon"):
            forward_return(book, bad)
    with pytest.raises(ParameterError, match="horizon=1.5 is a float"):
        forward_return(book, 1.5)
    with pytest.raises(ParameterError, match="kind"):
        forward_return(book, 1, kind="pct")
    with pytest.raises(ParameterError, match="align"):
        forward_return(book, "1s", align="nearest")
    with pytest.raises(ParameterError, match="shape"):
        forward_return(book, 1, price=np.ones(4))


# -- imbalance profile --------------------------------------------------------------------------------
SIGNAL = [-1, -0.5, 0, 0.5, 1, 1, NAN, 0.2]
MOVES = [-1, 0, 1, 1, 0, 2, 5, NAN]


def test_profile_uniform_buckets():
    # NaN rows dropped -> 6 pairs; uniform edges -1, 0, 1
    # [-1, 0): signals -1, -.5, moves -1, 0 -> mean -.5, P(up | move) 0/1, zeros 1/2
    # [0, 1]:  signals 0, .5, 1, 1, moves 1, 1, 0, 2 -> mean 1, P(up | move) 3/3, zeros 1/4
    p = imbalance_profile(SIGNAL, MOVES, bins=2, binning="uniform")
    assert list(p.columns) == ["lo", "hi", "count", "signal_mean", "move_mean", "p_up", "p_zero"]
    assert p["lo"].tolist() == [-1.0, 0.0] and p["hi"].tolist() == [0.0, 1.0]
    assert p["count"].tolist() == [2, 4]
    np.testing.assert_allclose(p["signal_mean"], [-0.75, 0.625])
    np.testing.assert_allclose(p["move_mean"], [-0.5, 1.0])
    np.testing.assert_allclose(p["p_up"], [0.0, 1.0])
    np.testing.assert_allclose(p["p_zero"], [0.5, 0.25])


def test_profile_quantile_buckets():
    # 6 signals -1 -.5 0 .5 1 1: quantiles at 1/3 and 2/3 (linear) are -1/6 and 2/3
    # buckets: {-1, -.5}, {0, .5}, {1, 1} with moves {-1, 0}, {1, 1}, {0, 2}
    p = imbalance_profile(SIGNAL, MOVES, bins=3)
    np.testing.assert_allclose(p["hi"], [-1 / 6, 2 / 3, 1.0])
    assert p["count"].tolist() == [2, 2, 2]
    np.testing.assert_allclose(p["move_mean"], [-0.5, 1.0, 1.0])
    np.testing.assert_allclose(p["p_up"], [0.0, 1.0, 1.0])
    np.testing.assert_allclose(p["p_zero"], [0.5, 0.0, 0.5])


def test_profile_merges_duplicate_quantile_edges_and_flat_buckets():
    # signals 0 0 0 0 1 1: quartile edges 0, 0, 0, .75, 1 -> unique 0, .75, 1 -> two buckets
    p = imbalance_profile([0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 1, -1], bins=4)
    assert len(p) == 2 and p["count"].tolist() == [4, 2]
    assert np.isnan(p["p_up"].iloc[0])  # every move is 0: P(up | move) is undefined
    assert p["p_zero"].tolist() == [1.0, 0.0] and p["p_up"].iloc[1] == 0.5
    one = imbalance_profile([3, 3, 3], [1, -1, 2], bins=5)  # a constant signal: one bucket
    assert one["count"].tolist() == [3] and one["p_up"].iloc[0] == pytest.approx(2 / 3)


def test_profile_explicit_edges():
    p = imbalance_profile([-2, -0.5, 0.5, 0.9, 3], [1, 2, 3, 4, 5], bins=[-1, 0, 1])
    # -2 and 3 fall outside the edges and are dropped
    assert p["count"].tolist() == [1, 2]
    np.testing.assert_allclose(p["move_mean"], [2, 3.5])
    empty = imbalance_profile([0.5, 0.6], [1, 1], bins=[-1, 0, 1])
    assert empty["count"].tolist() == [0, 2] and np.isnan(empty["move_mean"].iloc[0])


def test_profile_errors():
    with pytest.raises(ParameterError, match="same length"):
        imbalance_profile([1, 2], [1])
    with pytest.raises(ParameterError, match="no row"):
        imbalance_profile([NAN], [1])
    with pytest.raises(ParameterError, match="bins"):
        imbalance_profile([1, 2], [1, 2], bins=[1, 1, 2])
    with pytest.raises(ParameterError, match="bins"):
        imbalance_profile([1, 2], [1, 2], bins=0)
    with pytest.raises(ParameterError, match="binning"):
        imbalance_profile([1, 2], [1, 2], binning="log")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1, 1), st.integers(-2, 2)), min_size=1, max_size=60),
    st.integers(1, 8),
    st.sampled_from(["quantile", "uniform"]),
)
def test_profile_accounts_for_every_row(rows, bins, binning):
    x = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows], dtype=float)
    p = imbalance_profile(x, y, bins=bins, binning=binning)
    assert p["count"].sum() == len(rows)
    assert (p["count"] * p["move_mean"].fillna(0)).sum() == pytest.approx(y.sum(), abs=1e-9)
    up = p["p_up"].to_numpy()
    assert np.all((up[np.isfinite(up)] >= 0) & (up[np.isfinite(up)] <= 1))


# -- regression -------------------------------------------------------------------------------------------
def test_regress_by_hand():
    # x 1 2 3 4, y 2 4 5 4 (+ two rows with a NaN, dropped): Sxx 5, Sxy 3.5 -> slope .7, intercept 2
    # residuals -.7 .6 .9 -.8 -> SSE 2.3, s2 = 1.15, se = sqrt(1.15 / 5); Syy 4.75 -> R2 = 1 - 2.3/4.75
    r = regress([1, 2, 3, 4, NAN, 5], [2, 4, 5, 4, 1, NAN])
    assert r.n == 4
    assert r.slope == pytest.approx(0.7)
    assert r.intercept == pytest.approx(2.0)
    assert r.stderr == pytest.approx(math.sqrt(0.23))
    assert r.t_stat == pytest.approx(0.7 / math.sqrt(0.23))
    assert r.r2 == pytest.approx(1 - 2.3 / 4.75)
    # through the origin: slope = sum xy / sum x^2 = 41 / 30
    r0 = regress([1, 2, 3, 4], [2, 4, 5, 4], intercept=False)
    assert r0.slope == pytest.approx(41 / 30) and r0.intercept == 0.0


def test_regress_errors_and_perfect_fit():
    with pytest.raises(ParameterError, match="2 usable"):
        regress([1, 2, NAN], [1, 2, 3])
    with pytest.raises(ParameterError, match="no variation"):
        regress([1, 1, 1, 1], [1, 2, 3, 4])
    perfect = regress([1, 2, 4], [3, 5, 9])  # y = 1 + 2x
    assert perfect.slope == pytest.approx(2) and perfect.r2 == pytest.approx(1)
    assert abs(perfect.t_stat) > 1e6
    flat = regress([1, 2, 3], [5, 5, 5])
    assert flat.slope == 0 and np.isnan(flat.t_stat) and np.isnan(flat.r2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-100, 100), min_size=3, max_size=40),
    st.floats(-5, 5),
    st.floats(-5, 5),
    st.floats(0.1, 10),
)
def test_regress_recovers_a_line_and_scales(xs, a, b, c):
    x = np.array(xs)
    assume(np.ptp(x) > 1e-3)
    y = a + b * x
    r = regress(x, y)
    assert r.slope == pytest.approx(b, abs=1e-6)
    assert r.intercept == pytest.approx(a, abs=1e-6)
    noise = np.sin(np.arange(x.size) * 1.7)  # deterministic noise
    r1 = regress(x, y + noise)
    r2 = regress(c * x, y + noise)  # rescaling x divides the slope, keeps t and R2
    assert r2.slope == pytest.approx(r1.slope / c, rel=1e-6, abs=1e-12)
    if np.isfinite(r1.t_stat):
        assert r2.t_stat == pytest.approx(r1.t_stat, rel=1e-6, abs=1e-9)


# -- real data ------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_amzn_queue_imbalance_predicts_the_next_move(amzn_files):
    from .conftest import skip_or_fail

    if not all(p.exists() for p in amzn_files):
        skip_or_fail(f"LOBSTER AMZN sample not found at {amzn_files[0].parent}")
    book = Book.from_lobster(*amzn_files)
    move = forward_return(book, 10)
    imb = level1_imbalance(book)
    prof = imbalance_profile(imb, move, bins=5)
    assert prof["count"].sum() == np.isfinite(move).sum()
    # Gould & Bonart's finding: P(up | move) rises with the queue imbalance
    up = prof["p_up"].to_numpy()
    assert np.all(np.diff(up) > 0) and up[0] < 0.45 and up[-1] > 0.55
    r = regress(imb, move)
    assert r.slope > 0 and r.t_stat > 5
    assert len(Trades.from_lobster(amzn_files[0])) > 10_000

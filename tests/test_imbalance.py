"""Level-1 and depth imbalance: hand-computed cases, conventions, properties, real data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from obi_widgets import Book, metrics
from obi_widgets.errors import ParameterError

NAN = np.nan


def book3() -> Book:
    # three rows, three levels
    return Book.from_arrays(
        [0, 1, 2],
        [[10.0, 9.9, 9.8], [10.0, 9.9, NAN], [10.0, 9.9, 9.8]],
        [[3, 1, 4], [0, 2, NAN], [0, 0, 0]],
        [[10.1, 10.2, 10.3], [10.1, 10.2, 10.3], [10.1, 10.2, 10.3]],
        [[1, 5, 9], [0, 2, 6], [0, 0, 0]],
    )


def test_level1_by_hand():
    got = metrics.level1_imbalance(book3())
    # (3-1)/(3+1) = 0.5; (0-0)/(0+0) undefined; same
    assert got[0] == pytest.approx(0.5)
    assert np.isnan(got[1]) and np.isnan(got[2])


def test_level1_ratio_form_stoikov():
    got = metrics.level1_imbalance(book3(), form="ratio")
    assert got[0] == pytest.approx(0.75)
    assert np.isnan(got[1])


def test_no_warning_on_zero_sizes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.level1_imbalance(book3())
        metrics.depth_imbalance(book3(), levels=3)


def test_depth_equal_weights_by_hand():
    got = metrics.depth_imbalance(book3(), levels=3)
    # row 0: bid 3+1+4 = 8, ask 1+5+9 = 15 -> -7/23; row 1: bid 0+2 (+empty) = 2, ask 0+2+6 = 8 -> -6/10
    assert got[0] == pytest.approx(-7 / 23)
    assert got[1] == pytest.approx(-0.6)
    assert np.isnan(got[2])
    two = metrics.depth_imbalance(book3(), levels=2)
    assert two[0] == pytest.approx((4 - 6) / 10)


def test_depth_linear_and_exp_weights_by_hand():
    lin = metrics.depth_imbalance(book3(), levels=3, weights="linear")
    bid = 3 + 1 / 2 + 4 / 3
    ask = 1 + 5 / 2 + 9 / 3
    assert lin[0] == pytest.approx((bid - ask) / (bid + ask))
    ex = metrics.depth_imbalance(book3(), levels=2, weights="exp", decay=1.0)
    bid, ask = 3 + np.exp(-1), 1 + 5 * np.exp(-1)
    assert ex[0] == pytest.approx((bid - ask) / (bid + ask))
    arr = metrics.depth_imbalance(book3(), levels=2, weights=[0.0, 1.0])
    assert arr[0] == pytest.approx((1 - 5) / 6)


def test_depth_one_level_equals_level1():
    b = book3()
    np.testing.assert_array_equal(metrics.depth_imbalance(b, levels=1), metrics.level1_imbalance(b))


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(levels=4), "only 3 level"),
        (dict(levels=0), "levels must be an integer >= 1"),
        (dict(levels=2, weights=[1.0]), r"expected \(2,\)"),
        (dict(levels=2, weights=[1.0, -1.0]), ">= 0"),
        (dict(levels=2, weights="cubic"), "weights must be"),
        (dict(levels=2, weights="exp", decay=-1), "decay"),
        (dict(levels=2, form="log"), "form must be"),
    ],
)
def test_depth_parameter_errors(kwargs, words):
    with pytest.raises(ParameterError, match=words):
        metrics.depth_imbalance(book3(), **kwargs)


def test_metrics_reject_non_books():
    with pytest.raises(ParameterError, match="expects an obi_widgets.Book"):
        metrics.level1_imbalance(np.zeros((3, 4)))


sizes = arrays(np.float64, (6, 3), elements=st.floats(0, 1e6, allow_nan=False))


def make_book(bsz, asz):
    px = np.arange(3, dtype=float)
    return Book.from_arrays(
        np.arange(len(bsz)), np.tile(100 - px, (len(bsz), 1)), bsz, np.tile(101 + px, (len(asz), 1)), asz
    )


@settings(max_examples=60, deadline=None)
@given(sizes, sizes, st.sampled_from([None, "linear", "exp"]))
def test_swapping_sides_negates_and_bounds_hold(bsz, asz, weights):
    a = metrics.depth_imbalance(make_book(bsz, asz), levels=3, weights=weights)
    b = metrics.depth_imbalance(make_book(asz, bsz), levels=3, weights=weights)
    defined = ~np.isnan(a)
    np.testing.assert_array_equal(defined, ~np.isnan(b))
    np.testing.assert_allclose(a[defined], -b[defined], atol=1e-12)
    assert np.all(np.abs(a[defined]) <= 1 + 1e-12)
    r = metrics.depth_imbalance(make_book(bsz, asz), levels=3, weights=weights, form="ratio")
    np.testing.assert_allclose(r[defined], (a[defined] + 1) / 2, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(sizes, sizes, st.integers(0, 5), st.integers(1, 6))
def test_row_slicing_commutes(bsz, asz, i, j):
    book = make_book(bsz, asz)
    full = metrics.depth_imbalance(book, levels=2)
    np.testing.assert_array_equal(metrics.depth_imbalance(book[i:j], levels=2), full[i:j])


@pytest.mark.realdata
def test_aapl_depth_imbalance(aapl_files):
    book = Book.from_lobster(*aapl_files)
    l1 = metrics.level1_imbalance(book)
    d10 = metrics.depth_imbalance(book, levels=10)
    assert l1.shape == d10.shape == (999,)
    # row 0 by hand from the file: bid 18 @ 585.33, ask 200 @ 585.94
    assert l1[0] == pytest.approx((18 - 200) / 218)
    bid10, ask10 = book.bid_sz[0].sum(), book.ask_sz[0].sum()
    assert d10[0] == pytest.approx((bid10 - ask10) / (bid10 + ask10))
    assert np.all(np.abs(d10) <= 1)


def test_imbalance_atr_by_hand():
    s = 1_000_000_000
    # bins of 1 s: [0.2, -0.4, 0.1] | (empty) | [0.5] | [-0.5, 0.0]
    ts = np.array([0, 0.2 * s, 0.9 * s, 2.1 * s, 3.0 * s, 3.5 * s], dtype=np.int64)
    sig = np.array([0.2, -0.4, 0.1, 0.5, -0.5, 0.0])
    tr_expected = [0.6, 0.0, 0.4, 1.0]
    # bin 0: H-L = 0.2-(-0.4) = 0.6; bin 1 empty: 0; bin 2: H=L=0.5, prev close 0.1 -> 0.4;
    # bin 3: H=0, L=-0.5, prev close 0.5 -> 0.5-(-0.5) = 1.0
    sma = metrics.imbalance_atr(sig, ts, "1s", window=2, smoothing="sma")
    assert np.isnan(sma.iloc[0])
    np.testing.assert_allclose(sma.to_numpy()[1:], [0.3, 0.2, 0.7])
    wilder = metrics.imbalance_atr(sig, ts, "1s", window=2)
    seed = (tr_expected[0] + tr_expected[1]) / 2
    a2 = seed + (tr_expected[2] - seed) / 2
    a3 = a2 + (tr_expected[3] - a2) / 2
    np.testing.assert_allclose(wilder.to_numpy()[1:], [seed, a2, a3])
    assert wilder.index[0] == pd.Timestamp(0) and wilder.name == "iatr"


def test_imbalance_atr_errors():
    with pytest.raises(ParameterError, match="window"):
        metrics.imbalance_atr([0.1], [0], window=0)
    with pytest.raises(ParameterError, match="smoothing"):
        metrics.imbalance_atr([0.1], [0], smoothing="ema")

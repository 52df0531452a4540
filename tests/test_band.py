"""Tests of obi_widgets.metrics.band.band_imbalance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Book
from obi_widgets.errors import ParameterError
from obi_widgets.metrics.band import band_imbalance
from obi_widgets.metrics.imbalance import depth_imbalance

from ._book_strategies import T0, books

NAN = np.nan


def three_level_book() -> Book:
    rows = [
        # bid levels (price, size) x3, ask levels x3; mid 100.00 in rows 0-3
        ([(99.99, 5), (99.95, 3), (99.85, 7)], [(100.01, 2), (100.10, 4), (100.20, 1)]),
        ([(99.99, 5), (99.95, 3), (99.92, 7)], [(100.01, 2), (100.10, 4), (100.20, 1)]),
        ([(99.99, 5), (99.95, 3), (NAN, NAN)], [(100.01, 2), (NAN, NAN), (NAN, NAN)]),
        ([(99.50, 5), (99.40, 3), (99.30, 7)], [(100.50, 2), (100.60, 4), (100.70, 1)]),
        ([(NAN, NAN)] * 3, [(100.01, 2), (100.10, 4), (100.20, 1)]),
    ]
    bid = np.array([[lv for lv in r[0]] for r in rows], dtype=float)
    ask = np.array([[lv for lv in r[1]] for r in rows], dtype=float)
    return Book.from_arrays(T0 + np.arange(len(rows)), bid[..., 0], bid[..., 1], ask[..., 0], ask[..., 1])


def test_band_golden():
    book = three_level_book()
    # 10 bps of 100.00 is 0.10:
    # row 0: bids 99.99 + 99.95 = 8 (99.85 is out), asks 100.01 + 100.10 (on the edge, in) = 6 -> 2/14
    # row 1: the deepest bid 99.92 is inside the band: more volume may hide beyond level 3 -> NaN
    # row 2: both sides end with an empty level, so they are complete: 8 vs 2 -> 6/10
    # row 3: nothing within 10 bps on either side -> 0/0 -> NaN
    # row 4: no bid at all: no mid -> NaN
    np.testing.assert_allclose(band_imbalance(book, 10), [2 / 14, NAN, 0.6, NAN, NAN], rtol=1e-12)
    np.testing.assert_allclose(band_imbalance(book, 10, form="ratio"), [8 / 14, NAN, 0.8, NAN, NAN], rtol=1e-12)
    # keep: row 1 uses the visible depth, 15 vs 6
    np.testing.assert_allclose(band_imbalance(book, 10, truncated="keep"), [2 / 14, 9 / 21, 0.6, NAN, NAN], rtol=1e-12)
    # 1 bp = 0.01: only the best levels, both exactly on the edge (100.00 - 99.99 is 0.010000000000005 in floats)
    np.testing.assert_allclose(band_imbalance(book, 1)[:3], [3 / 7, 3 / 7, 3 / 7], rtol=1e-12)
    # 55 bps = 0.55: row 3 now has 99.50 (5) and 100.50 (2) inside -> 3/7; at 60 bps 99.40 and 100.60
    # sit exactly on the edges and count too: 8 vs 6
    assert band_imbalance(book, 55)[3] == pytest.approx(3 / 7)
    assert band_imbalance(book, 60)[3] == pytest.approx(2 / 14)


def test_wide_band_on_a_complete_book_is_depth_imbalance():
    book = three_level_book()[2:3]  # both sides complete (they end with empty levels)
    np.testing.assert_allclose(band_imbalance(book, 500), depth_imbalance(book, 3))


def _mirror_rows(book: Book) -> Book:
    """Each row reflected around its own mid (p -> 2 m - p), sides swapped; rows without a mid emptied."""
    m = (0.5 * (book.bid_px[:, 0] + book.ask_px[:, 0]))[:, None]
    bid_px, ask_px = 2 * m - book.ask_px, 2 * m - book.bid_px
    bid_sz = np.where(np.isnan(bid_px), NAN, book.ask_sz)
    ask_sz = np.where(np.isnan(ask_px), NAN, book.bid_sz)
    return Book.from_arrays(book.ts, bid_px, bid_sz, ask_px, ask_sz)


@settings(max_examples=150, deadline=None)
@given(books(max_levels=4), st.sampled_from([0.5, 1, 5, 10, 25]), st.sampled_from(["nan", "keep"]))
def test_band_mirror_negates(book, bps, truncated):
    flipped = _mirror_rows(book)
    a = band_imbalance(book, bps, truncated=truncated)
    b = band_imbalance(flipped, bps, truncated=truncated)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(b, -a, rtol=0, atol=1e-12)
    r = band_imbalance(book, bps, form="ratio", truncated=truncated)
    assert ((r[~np.isnan(r)] >= 0) & (r[~np.isnan(r)] <= 1)).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"bps": 0}, "bps"),
        ({"bps": -5}, "bps"),
        ({"bps": np.inf}, "bps"),
        ({"bps": "10"}, "bps"),
        ({"bps": True}, "bps"),
        ({"form": "log"}, "form"),
        ({"truncated": "drop"}, "truncated"),
    ],
)
def test_band_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        band_imbalance(three_level_book(), **kwargs)


def test_band_negative_prices_have_no_bps():
    book = Book.from_arrays(T0 + np.arange(1), [-1.0], [3.0], [-0.5], [1.0])
    assert np.isnan(band_imbalance(book, 10)).all()

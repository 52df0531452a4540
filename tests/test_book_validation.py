"""Large books are validated in one compiled pass (``_book_kernels.book_ok``); every broken invariant
is still found and named exactly like on a small book (the numpy checks name it)."""

from __future__ import annotations

import numpy as np
import pytest

from obi_widgets import Book
from obi_widgets.book import COMPILED_CHECK_CELLS
from obi_widgets.errors import BookError, CrossedBookError, TimestampError

T, L = 110_000, 10  # 1.1 M cells per array: above the compiled-check threshold
assert T * L >= COMPILED_CHECK_CELLS


def arrays():
    base = 10_000 + (np.arange(T) % 7)
    lv = np.arange(L)
    bid_px = (base[:, None] - 1 - lv) * 0.5
    ask_px = (base[:, None] + 1 + lv) * 0.5
    bid_sz = np.full((T, L), 3.0)
    ask_sz = np.full((T, L), 4.0)
    ts = np.arange(T, dtype=np.int64) * 1_000
    return ts, bid_px, bid_sz, ask_px, ask_sz


R = 98_765  # the broken row, late in the book


def broken(kind):
    ts, bp, bs, ap, as_ = arrays()
    if kind == "time":
        ts[R] = ts[R - 1] - 1
    elif kind == "inf":
        ap[R, 4] = np.inf
    elif kind == "negative size":
        bs[R, 2] = -1.0
    elif kind == "nan size":
        as_[R, 0] = np.nan
    elif kind == "size without price":
        bp[R, 9] = np.nan
        bs[R, 9] = 2.0
    elif kind == "hole":
        ap[R, 3] = np.nan
        as_[R, 3] = np.nan
    elif kind == "order":
        bp[R, 6] = bp[R, 5]
    elif kind == "crossed":
        bp[R, 0] = ap[R, 0]
    return ts, bp, bs, ap, as_


CASES = [
    ("time", TimestampError, rf"row {R}\b.*"),
    ("inf", BookError, rf"ask price at row {R}, level 4 is infinite"),
    ("negative size", BookError, rf"bid size at row {R}, level 2 is -1.0"),
    ("nan size", BookError, rf"ask size at row {R}, level 0 is nan"),
    ("size without price", BookError, rf"bid level 9 at row {R} has size 2.0 but no price"),
    ("hole", BookError, rf"ask level 3 at row {R} is empty but level 4 is not"),
    ("order", BookError, rf"bid prices must strictly decrease with the level; row {R} has level 5"),
    ("crossed", CrossedBookError, rf"locked at row {R}\b"),
]


@pytest.mark.parametrize("kind, error, message", CASES, ids=[c[0] for c in CASES])
def test_large_book_names_the_broken_row(kind, error, message):
    with pytest.raises(error, match=message):
        Book(*broken(kind))


def test_large_valid_book_passes_and_empty_level_sizes_become_nan():
    ts, bp, bs, ap, as_ = arrays()
    bp[5, 8:] = np.nan
    bs[5, 8:] = 0.0  # a source writing 0 for an empty level
    ap[7, 9] = np.nan
    as_[7, 9] = np.nan
    book = Book(ts, bp, bs, ap, as_)
    assert np.isnan(book.bid_sz[5, 8:]).all() and np.isnan(book.ask_sz[7, 9])
    assert book.bid_sz[5, 7] == 3.0 and book.bid_sz[6, 8] == 3.0
    assert bs[5, 8] == 0.0  # the caller's array is not changed


def test_valid_large_book_keeps_sizes_when_no_empty_level_has_a_size():
    ts, bp, bs, ap, as_ = arrays()
    book = Book(ts, bp, bs, ap, as_)
    assert np.shares_memory(book.bid_sz, bs)  # no NaN-filling copy was needed

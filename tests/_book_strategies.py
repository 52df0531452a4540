"""Hypothesis strategies for small valid books on a tick grid, and the mirror transform (test helpers)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from obi_widgets import Book

TICK = 0.01
T0 = 1_340_265_600_000_000_000  # 2012-06-21 00:00 UTC in ns


@st.composite
def books(
    draw,
    max_rows: int = 25,
    max_levels: int = 3,
    min_rows: int = 1,
    allow_empty: bool = True,
    allow_zero_size: bool = True,
):
    """A valid Book: prices k * 0.01 (k integer, as read from a feed), integer sizes, empty tails.

    The best bid moves by a few ticks per row (so equal prices, improvements, retreats and
    several-tick jumps all occur); spreads 1-3 ticks; gaps of 1-2 ticks between levels.
    """
    rows = draw(st.integers(min_rows, max_rows))
    levels = draw(st.integers(1, max_levels))
    steps = draw(st.lists(st.integers(-3, 3), min_size=rows, max_size=rows))
    bid0 = 10_000 + np.cumsum(steps)
    spread = np.array(draw(st.lists(st.integers(1, 3), min_size=rows, max_size=rows)))
    gaps_b = np.array(draw(st.lists(st.integers(1, 2), min_size=rows * levels, max_size=rows * levels))).reshape(
        rows, levels
    )
    gaps_a = np.array(draw(st.lists(st.integers(1, 2), min_size=rows * levels, max_size=rows * levels))).reshape(
        rows, levels
    )
    gaps_b[:, 0] = 0
    gaps_a[:, 0] = 0
    bid_t = bid0[:, None] - np.cumsum(gaps_b, axis=1)
    ask_t = (bid0 + spread)[:, None] + np.cumsum(gaps_a, axis=1)
    lo = 0 if allow_zero_size else 1
    bid_sz = np.array(
        draw(st.lists(st.integers(lo, 50), min_size=rows * levels, max_size=rows * levels)), dtype=float
    ).reshape(rows, levels)
    ask_sz = np.array(
        draw(st.lists(st.integers(lo, 50), min_size=rows * levels, max_size=rows * levels)), dtype=float
    ).reshape(rows, levels)
    bid_px = bid_t * TICK
    ask_px = ask_t * TICK
    if allow_empty:
        # number of non-empty levels per row and side (0 = the whole side empty)
        nb = np.array(draw(st.lists(st.integers(0, levels), min_size=rows, max_size=rows)))
        na = np.array(draw(st.lists(st.integers(0, levels), min_size=rows, max_size=rows)))
        lev = np.arange(levels)
        eb = lev[None, :] >= nb[:, None]
        ea = lev[None, :] >= na[:, None]
        bid_px[eb] = np.nan
        bid_sz[eb] = np.nan
        ask_px[ea] = np.nan
        ask_sz[ea] = np.nan
    ts = T0 + np.cumsum(np.array(draw(st.lists(st.integers(0, 2_000_000_000), min_size=rows, max_size=rows))))
    return Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz)


def mirror(book: Book, centre: float = 200.0) -> Book:
    """The book with its sides swapped: prices reflected around ``centre`` (p -> centre - p).

    The new bids are the old asks reflected, with the old ask sizes, and vice versa: every buy
    becomes a sell at the mirrored price, so OFI and imbalances change sign.
    """
    return Book.from_arrays(book.ts, centre - book.ask_px, book.ask_sz, centre - book.bid_px, book.bid_sz)

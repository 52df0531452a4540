"""One compiled pass over a book's arrays that says whether every Book invariant holds (numba).

:func:`book_ok` reads each cell once, row by row (the arrays are C-ordered (T, L)), and stops at
the first row that breaks an invariant: times going backwards, an infinite price, a priced level
whose size is NaN or negative, a size on an empty level, an empty level before a priced one,
prices not strictly decreasing (bids) / increasing (asks) with the level, a crossed or locked
best. It answers 0 (a problem: the Book then names it with its numpy checks, which are kept as the
one source of the messages, see ``book._validate``), 1 (valid) or 2 (valid, and some empty level
carries a size of 0 that the Book turns into NaN).
"""

from __future__ import annotations

import math

import numba


@numba.njit(cache=True, nogil=True, inline="always")
def _side(px, sz, r, L, bid):
    """0: a problem in row r of this side; 1: fine; 2: fine, an empty level has size 0."""
    prev = math.nan
    prev_empty = False
    out = 1
    for k in range(L):
        p = px[r, k]
        s = sz[r, k]
        if math.isinf(p):
            return 0
        empty = math.isnan(p)
        if empty:
            if not math.isnan(s):
                if s != 0:
                    return 0
                out = 2
        else:
            if not s >= 0:
                return 0
            if k > 0:
                if prev_empty:
                    return 0
                step = p - prev
                if (step >= 0) if bid else (step <= 0):
                    return 0
        prev = p
        prev_empty = empty
    return out


@numba.njit(cache=True, nogil=True)
def book_ok(ts, bid_px, bid_sz, ask_px, ask_sz):
    """0, 1 or 2 (see the module docstring) for the whole book."""
    T, L = bid_px.shape
    out = 1
    for r in range(T):
        if r > 0 and ts[r] < ts[r - 1]:
            return 0
        b = _side(bid_px, bid_sz, r, L, True)
        a = _side(ask_px, ask_sz, r, L, False)
        if b == 0 or a == 0 or bid_px[r, 0] >= ask_px[r, 0]:
            return 0
        if b == 2 or a == 2:
            out = 2
    return out

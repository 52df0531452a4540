"""numba kernels behind :mod:`obi_widgets.io.builder` (private: the API is in builder.py).

The ladder of one side is a *blocked sorted array* (the leaf level of a B+-tree): the live levels,
sorted by ascending *signed key* with the best level LAST, are cut into blocks of at most ``BLOCK``
levels, and a directory lists the blocks in key order with each block's last (largest) key:

- bids: signed key = +price key (the highest bid is the last level of the last block);
- asks: signed key = -price key (the lowest ask is the last level of the last block).

Per side (``Ladder`` in builder.py owns the arrays): ``K`` int64 (M, BLOCK) keys, ``P``/``S``
float64 (M, BLOCK) prices/sizes, ``cnt`` (M,) levels per block, ``dirs`` (M,) block ids in key
order, ``dlast`` (M,) last key per directory slot, ``free`` (M,) stack of unused block ids,
``info`` = [blocks in use, free blocks, levels].

Finding a level gallops from the END of the directory and then of its block, so the usual
update near the top of the book costs O(log distance from the top); an insert or delete shifts at
most one block (a full block splits in two; an empty one is freed). So an update deep in a book of
thousands of levels (Binance diffs touch every depth) costs O(BLOCK + log n), prices may drift
without bound (no dense window to re-centre), and memory is O(live levels). The kernel never
allocates: when a side runs out of free blocks it returns the row to resume at and the caller
doubles M. ``P`` keeps each price exactly as given, so output prices are the input floats.
"""

from __future__ import annotations

import numba
import numpy as np

# exact powers of ten as float64 (10**k is exact up to k = 22)
POW10 = np.array([10.0**k for k in range(23)], dtype=np.float64)
_TWO53 = 9007199254740992.0
_EPS = 2.220446049250313e-16
# A price p is on the decimal grid 10**-k when s = |p| * 10**k is within a few float64 ulps of an
# integer: a decimal parsed from text (or divided by a power of ten) lands within 1 ulp.
REL_TOL = 64 * _EPS


@numba.njit(cache=True, inline="always")
def _tol(s):
    return REL_TOL * max(s, 1.0)


@numba.njit(cache=True)
def _on_decimal_grid(p, k):
    s = abs(p) * POW10[k]
    if s >= _TWO53:
        return -1  # too many digits to be exact in float64
    r = np.rint(s)
    return 1 if abs(s - r) <= _tol(s) else 0


@numba.njit(cache=True)
def decimals_needed(side, price, start_k, max_k):
    """Smallest k >= start_k with every price (of rows with side != 0) an integer at 10**-k.

    Returns (k, bad_row): bad_row >= 0 names a price that needs more than ``max_k`` decimals
    (or has too many digits for float64), and k is then meaningless.
    """
    k = start_k
    for i in range(price.shape[0]):
        if side[i] == 0:
            continue
        p = price[i]
        while True:
            ok = _on_decimal_grid(p, k)
            if ok == 1:
                break
            if ok == -1 or k >= max_k:
                return k, i
            k += 1
    return k, -1


@numba.njit(cache=True)
def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


@numba.njit(cache=True)
def grid_gcd(side, price, k, g):
    """gcd of ``g`` and every |price| * 10**k (as integers) over rows with side != 0 (0 if none)."""
    scale = POW10[k]
    for i in range(price.shape[0]):
        if side[i] == 0:
            continue
        v = np.int64(np.rint(abs(price[i]) * scale))
        g = _gcd(g, v)
        if g == 1:
            break
    return g


@numba.njit(cache=True)
def price_keys(side, price, k, g):
    """Integer key of each price: rint(price * 10**k) / g, 0 for marker rows (side == 0).

    Returns (keys, bad_row): bad_row >= 0 is the first price that is not a multiple of the
    grid step g * 10**-k (within a few ulps), or that overflows.
    """
    n = price.shape[0]
    keys = np.zeros(n, dtype=np.int64)
    scale = POW10[k]
    for i in range(n):
        if side[i] == 0:
            continue
        s = price[i] * scale
        if abs(s) >= _TWO53:
            return keys, i
        r = np.rint(s)
        if abs(s - r) > _tol(abs(s)):
            return keys, i
        v = np.int64(r)
        if v % g != 0:
            return keys, i
        keys[i] = v // g
    return keys, -1


BLOCK = 64


@numba.njit(cache=True, inline="always")
def _lower_bound_from_end(keys, n, key):
    """First index i in keys[0:n] with keys[i] >= key (n if none), galloping from the end."""
    if n == 0 or keys[n - 1] < key:
        return n
    hi = n - 1  # keys[hi] >= key
    step = 1
    lo = hi - step
    while lo >= 0 and keys[lo] >= key:
        hi = lo
        step <<= 1
        lo = hi - step
    if lo < -1:
        lo = -1  # now keys[lo] < key, or lo == -1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if keys[mid] >= key:
            hi = mid
        else:
            lo = mid
    return hi


@numba.njit(cache=True, inline="always")
def _lower_bound_in_block(K, b, n, key):
    """_lower_bound_from_end on row b of the 2-D key array (no row view is made)."""
    if n == 0 or K[b, n - 1] < key:
        return n
    hi = n - 1
    step = 1
    lo = hi - step
    while lo >= 0 and K[b, lo] >= key:
        hi = lo
        step <<= 1
        lo = hi - step
    if lo < -1:
        lo = -1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if K[b, mid] >= key:
            hi = mid
        else:
            lo = mid
    return hi


@numba.njit(cache=True)
def clear(cnt, free, info):
    """Empty a side: every block free."""
    m = cnt.shape[0]
    for b in range(m):
        cnt[b] = 0
        free[b] = m - 1 - b
    info[0] = 0
    info[1] = m
    info[2] = 0


@numba.njit(cache=True, inline="always")
def set_level(K, P, S, cnt, dirs, dlast, free, info, key, p, s):
    """Set level ``key`` to size ``s`` (0 deletes it; deleting an absent level does nothing).

    Needs at least one free block (``info[1] >= 1``) when it may insert.
    """
    nd = info[0]
    if nd == 0:
        if s == 0.0:
            return
        info[1] -= 1
        b = free[info[1]]
        K[b, 0] = key
        P[b, 0] = p
        S[b, 0] = s
        cnt[b] = 1
        dirs[0] = b
        dlast[0] = key
        info[0] = 1
        info[2] += 1
        return
    j = _lower_bound_from_end(dlast, nd, key)
    if j == nd:
        j = nd - 1  # above every key: append to the last block
    b = dirs[j]
    c = cnt[b]
    pos = _lower_bound_in_block(K, b, c, key)
    if pos < c and K[b, pos] == key:
        if s != 0.0:
            P[b, pos] = p
            S[b, pos] = s
            return
        for t in range(pos, c - 1):
            K[b, t] = K[b, t + 1]
            P[b, t] = P[b, t + 1]
            S[b, t] = S[b, t + 1]
        c -= 1
        cnt[b] = c
        info[2] -= 1
        if c == 0:  # drop the empty block from the directory
            for t in range(j, nd - 1):
                dirs[t] = dirs[t + 1]
                dlast[t] = dlast[t + 1]
            info[0] = nd - 1
            free[info[1]] = b
            info[1] += 1
        elif pos == c:
            dlast[j] = K[b, c - 1]
        return
    if s == 0.0:
        return
    tb, tj, tpos = b, j, pos
    if c == BLOCK:  # split: the upper half moves to a new block right after this one
        info[1] -= 1
        b2 = free[info[1]]
        h = BLOCK // 2
        for t in range(h, BLOCK):
            K[b2, t - h] = K[b, t]
            P[b2, t - h] = P[b, t]
            S[b2, t - h] = S[b, t]
        cnt[b] = h
        cnt[b2] = BLOCK - h
        for t in range(nd, j + 1, -1):
            dirs[t] = dirs[t - 1]
            dlast[t] = dlast[t - 1]
        dirs[j + 1] = b2
        dlast[j + 1] = dlast[j]
        dlast[j] = K[b, h - 1]
        info[0] = nd + 1
        if pos > h:
            tb, tj, tpos = b2, j + 1, pos - h
    c = cnt[tb]
    for t in range(c, tpos, -1):
        K[tb, t] = K[tb, t - 1]
        P[tb, t] = P[tb, t - 1]
        S[tb, t] = S[tb, t - 1]
    K[tb, tpos] = key
    P[tb, tpos] = p
    S[tb, tpos] = s
    cnt[tb] = c + 1
    info[2] += 1
    if tpos == c:
        dlast[tj] = key


@numba.njit(cache=True, inline="always")
def _top(P, S, cnt, dirs, info, levels, out_px, out_sz, r):
    m = 0
    j = info[0] - 1
    while j >= 0 and m < levels:
        b = dirs[j]
        t = cnt[b] - 1
        while t >= 0 and m < levels:
            out_px[r, m] = P[b, t]
            out_sz[r, m] = S[b, t]
            m += 1
            t -= 1
        j -= 1
    while m < levels:  # empty levels: NaN price and size
        out_px[r, m] = np.nan
        out_sz[r, m] = np.nan
        m += 1


@numba.njit(cache=True)
def levels_of(K, P, S, cnt, dirs, info):
    """All live levels best first: (keys, prices, sizes)."""
    n = info[2]
    keys = np.empty(n, dtype=np.int64)
    px = np.empty(n, dtype=np.float64)
    sz = np.empty(n, dtype=np.float64)
    m = 0
    for j in range(info[0] - 1, -1, -1):
        b = dirs[j]
        for t in range(cnt[b] - 1, -1, -1):
            keys[m] = K[b, t]
            px[m] = P[b, t]
            sz[m] = S[b, t]
            m += 1
    return keys, px, sz


@numba.njit(cache=True)
def apply_deltas(
    side,
    key,
    price,
    size,
    reset,
    emit,
    start,
    levels,
    bK,
    bP,
    bS,
    bcnt,
    bdirs,
    blast,
    bfree,
    binfo,
    aK,
    aP,
    aS,
    acnt,
    adirs,
    alast,
    afree,
    ainfo,
    out_bpx,
    out_bsz,
    out_apx,
    out_asz,
    src,
    r,
):
    """Apply rows ``start..`` in order; after each row with ``emit`` set, write the top ``levels``
    levels of each side into output row ``r`` (empty levels NaN) and its input row into src.

    Returns (next_row, r): next_row < len(side) means a side ran out of free blocks before that
    row (grow it and call again from there; a reset there is simply redone).
    """
    n = side.shape[0]
    for i in range(start, n):
        if binfo[1] == 0 or ainfo[1] == 0:
            return i, r
        if reset[i]:
            clear(bcnt, bfree, binfo)
            clear(acnt, afree, ainfo)
        sd = side[i]
        if sd > 0:
            set_level(bK, bP, bS, bcnt, bdirs, blast, bfree, binfo, key[i], price[i], size[i])
        elif sd < 0:
            set_level(aK, aP, aS, acnt, adirs, alast, afree, ainfo, -key[i], price[i], size[i])
        if emit[i]:
            _top(bP, bS, bcnt, bdirs, binfo, levels, out_bpx, out_bsz, r)
            _top(aP, aS, acnt, adirs, ainfo, levels, out_apx, out_asz, r)
            src[r] = i
            r += 1
    return n, r

"""numba kernels behind :mod:`obi_widgets.io.builder` (private: the API is in builder.py).

The ladder of one side is a *blocked sorted array* (the leaf level of a B+-tree): the live levels,
sorted by ascending *signed key* with the best level LAST, are cut into blocks of at most ``BLOCK``
levels, and a directory lists the blocks in key order with each block's last (largest) key:

- bids (side index 0): signed key = +price key (the highest bid is the last level of the last block);
- asks (side index 1): signed key = -price key (the lowest ask is the last level of the last block).

A price key is ``rint(price * 10**k)``: the price in units of the decimal grid ``10**-k`` (the
builder's tick ``g * 10**-k`` only matters for checking and reporting, so refining ``g`` never
touches the ladder; a larger ``k`` multiplies every live key by a power of ten, :func:`rescale`).

Both sides live in the same arrays, indexed by side first (``_Ladders`` in builder.py owns them):
``K`` int64 (2, M, BLOCK) keys, ``P``/``S`` float64 (2, M, BLOCK) prices/sizes, ``cnt`` (2, M)
levels per block, ``dirs`` (2, M) block ids in key order, ``dlast`` (2, M) last key per directory
slot, ``free`` (2, M) stack of unused block ids, ``info`` (2, 3) = [blocks in use, free blocks,
levels] per side.

Finding a level looks at the last directory slot first and gallops from the END of the directory
otherwise, then walks down its block from the best end (measured 5-10 % faster on the benchmark
stream than a vectorised count of the smaller keys or a gallop: most updates land a few levels from
the top), so the usual update near the top of the book costs O(distance) and a deep one
O(log distance + BLOCK); an insert or delete shifts at most one block (a full block splits in two;
an empty one is freed). Prices may drift without bound (no dense window to re-centre), and memory
is O(live levels). ``P`` keeps each price exactly as given, so output prices are the input floats.

:func:`apply_deltas` is one loop with no calls that take arrays: numba reference-counts every
array passed to a jitted function, and those atomic increments cost more than the update itself
(measured: 160 ns of the 220 ns a delta took when the ladder update was a helper function). It
never allocates: when a side runs out of free blocks it returns the row to resume at and the
caller doubles M.
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
BLOCK = 64

# scan() result codes (the builder turns them into messages)
OK, BAD_SIDE, BAD_PRICE, BAD_SIZE, BAD_DECIMALS, OFF_GRID = 0, 1, 2, 3, 4, 5


@numba.njit(cache=True, nogil=True, inline="always")
def _tol(s):
    return REL_TOL * max(s, 1.0)


@numba.njit(cache=True, nogil=True, inline="always")
def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


@numba.njit(cache=True, nogil=True)
def scan(side, price, size, k, max_k, g, explicit):
    """One pass over a chunk before anything changes: check every row and find the price grid.

    ``side`` int8. A row with side 0 is a marker (its price and size are ignored); otherwise the
    side must be +-1, the price finite, the size finite and >= 0, and ``|price| * 10**k`` an
    integer within a few ulps (and below 2**53). Inferring (``explicit`` False), k grows as far
    as ``max_k`` to fit every price and ``g`` becomes the gcd of ``g`` (in units of the incoming
    ``10**-k``) and every ``|price| * 10**k``; with an explicit grid (k, g) every price must be a
    multiple of ``g * 10**-k``.

    Returns (code, row, k, g, priced): code ``OK`` or the first failing check (``BAD_SIDE``,
    ``BAD_PRICE``, ``BAD_SIZE``, ``BAD_DECIMALS``, ``OFF_GRID``) and its row; priced is the
    number of rows with side != 0.
    """
    n = side.shape[0]
    priced = 0
    scale = POW10[k]
    for i in range(n):
        sd = side[i]
        if sd == 0:
            continue
        if sd != 1 and sd != -1:
            return BAD_SIDE, i, k, g, priced
        priced += 1
        p = price[i]
        z = size[i]
        if not np.isfinite(p):
            return BAD_PRICE, i, k, g, priced
        if not (np.isfinite(z) and z >= 0.0):
            return BAD_SIZE, i, k, g, priced
        s = abs(p) * scale
        if s >= _TWO53:
            return (OFF_GRID if explicit else BAD_DECIMALS), i, k, g, priced
        r = np.rint(s)
        if abs(s - r) > _tol(s):
            if explicit:
                return OFF_GRID, i, k, g, priced
            while True:  # more decimal places (g follows into the finer units)
                if k >= max_k:
                    return BAD_DECIMALS, i, k, g, priced
                k += 1
                g *= 10
                scale = POW10[k]
                s = abs(p) * scale
                if s >= _TWO53:
                    return BAD_DECIMALS, i, k, g, priced
                r = np.rint(s)
                if abs(s - r) <= _tol(s):
                    break
        if g != 1:
            v = np.int64(r)
            if explicit:
                if v % g != 0:
                    return OFF_GRID, i, k, g, priced
            else:
                g = _gcd(g, v)
    return OK, -1, k, g, priced


@numba.njit(cache=True, nogil=True)
def clear(cnt, free, info, q):
    """Empty side q: every block free."""
    m = cnt.shape[1]
    for b in range(m):
        cnt[q, b] = 0
        free[q, b] = m - 1 - b
    info[q, 0] = 0
    info[q, 1] = m
    info[q, 2] = 0


@numba.njit(cache=True, nogil=True)
def rescale(K, cnt, dirs, dlast, info, factor, limit):
    """Multiply every live key of both sides by ``factor``; False (and nothing changed) if a key
    would exceed ``limit`` in magnitude."""
    for q in range(2):
        nd = info[q, 0]
        if nd and max(abs(K[q, dirs[q, 0], 0]), abs(dlast[q, nd - 1])) > limit // factor:
            return False
    for q in range(2):
        for j in range(info[q, 0]):
            b = dirs[q, j]
            for t in range(cnt[q, b]):
                K[q, b, t] *= factor
            dlast[q, j] *= factor
    return True


@numba.njit(cache=True, nogil=True)
def levels_of(K, P, S, cnt, dirs, info, q):
    """All live levels of side q, best first: (keys, prices, sizes)."""
    n = info[q, 2]
    keys = np.empty(n, dtype=np.int64)
    px = np.empty(n, dtype=np.float64)
    sz = np.empty(n, dtype=np.float64)
    m = 0
    for j in range(info[q, 0] - 1, -1, -1):
        b = dirs[q, j]
        for t in range(cnt[q, b] - 1, -1, -1):
            keys[m] = K[q, b, t]
            px[m] = P[q, b, t]
            sz[m] = S[q, b, t]
            m += 1
    return keys, px, sz


@numba.njit(cache=True, nogil=True)
def apply_deltas(
    side,
    price,
    size,
    reset,
    emit,
    start,
    scale,
    levels,
    K,
    P,
    S,
    cnt,
    dirs,
    dlast,
    free,
    info,
    out_bpx,
    out_bsz,
    out_apx,
    out_asz,
    src,
    r,
):
    """Apply rows ``start..`` in order (keys ``rint(price * scale)``, rows checked by :func:`scan`);
    after each row with ``emit`` set, write the top ``levels`` levels of each side into output
    row ``r`` (empty levels NaN) and its input row into ``src``.

    Returns (next_row, r): next_row < len(side) means a side ran out of free blocks before that
    row (grow the arrays and call again from there; a reset there is simply redone).
    """
    n = side.shape[0]
    m_blocks = cnt.shape[1]
    for i in range(start, n):
        if info[0, 1] == 0 or info[1, 1] == 0:
            return i, r
        if reset[i]:
            for q in range(2):
                for b in range(m_blocks):
                    cnt[q, b] = 0
                    free[q, b] = m_blocks - 1 - b
                info[q, 0] = 0
                info[q, 1] = m_blocks
                info[q, 2] = 0
        sd = side[i]
        if sd != 0:
            q = 0 if sd > 0 else 1
            p = price[i]
            s = size[i]
            v = np.int64(np.rint(p * scale))
            key = v if sd > 0 else -v
            nd = info[q, 0]
            if nd == 0:
                if s != 0.0:  # the first level of an empty side
                    nf = info[q, 1] - 1
                    info[q, 1] = nf
                    b = free[q, nf]
                    K[q, b, 0] = key
                    P[q, b, 0] = p
                    S[q, b, 0] = s
                    cnt[q, b] = 1
                    dirs[q, 0] = b
                    dlast[q, 0] = key
                    info[q, 0] = 1
                    info[q, 2] += 1
            else:
                # directory slot j: the first with dlast >= key (the last slot when none is)
                j = nd - 1
                if nd > 1 and dlast[q, nd - 2] >= key:
                    hi = nd - 2  # gallop down from the end, then bisect
                    step = 1
                    lo = hi - step
                    while lo >= 0 and dlast[q, lo] >= key:
                        hi = lo
                        step <<= 1
                        lo = hi - step
                    if lo < -1:
                        lo = -1
                    while hi - lo > 1:
                        mid = (lo + hi) >> 1
                        if dlast[q, mid] >= key:
                            hi = mid
                        else:
                            lo = mid
                    j = hi
                b = dirs[q, j]
                c = cnt[q, b]
                pos = c  # the first key >= key in block b, walking down from its best end
                while pos > 0 and K[q, b, pos - 1] >= key:
                    pos -= 1
                if pos < c and K[q, b, pos] == key:
                    if s != 0.0:  # update in place
                        P[q, b, pos] = p
                        S[q, b, pos] = s
                    else:  # delete
                        for t in range(pos, c - 1):
                            K[q, b, t] = K[q, b, t + 1]
                            P[q, b, t] = P[q, b, t + 1]
                            S[q, b, t] = S[q, b, t + 1]
                        c -= 1
                        cnt[q, b] = c
                        info[q, 2] -= 1
                        if c == 0:  # drop the empty block from the directory
                            for t in range(j, nd - 1):
                                dirs[q, t] = dirs[q, t + 1]
                                dlast[q, t] = dlast[q, t + 1]
                            info[q, 0] = nd - 1
                            nf = info[q, 1]
                            free[q, nf] = b
                            info[q, 1] = nf + 1
                        elif pos == c:
                            dlast[q, j] = K[q, b, c - 1]
                elif s != 0.0:  # insert (a delete of an absent level does nothing)
                    tb, tj, tpos = b, j, pos
                    if c == BLOCK:  # split: the upper half moves to a new block right after this one
                        nf = info[q, 1] - 1
                        info[q, 1] = nf
                        b2 = free[q, nf]
                        h = BLOCK // 2
                        for t in range(h, BLOCK):
                            K[q, b2, t - h] = K[q, b, t]
                            P[q, b2, t - h] = P[q, b, t]
                            S[q, b2, t - h] = S[q, b, t]
                        cnt[q, b] = h
                        cnt[q, b2] = BLOCK - h
                        for t in range(nd, j + 1, -1):
                            dirs[q, t] = dirs[q, t - 1]
                            dlast[q, t] = dlast[q, t - 1]
                        dirs[q, j + 1] = b2
                        dlast[q, j + 1] = dlast[q, j]
                        dlast[q, j] = K[q, b, h - 1]
                        info[q, 0] = nd + 1
                        if pos > h:
                            tb, tj, tpos = b2, j + 1, pos - h
                    c = cnt[q, tb]
                    for t in range(c, tpos, -1):
                        K[q, tb, t] = K[q, tb, t - 1]
                        P[q, tb, t] = P[q, tb, t - 1]
                        S[q, tb, t] = S[q, tb, t - 1]
                    K[q, tb, tpos] = key
                    P[q, tb, tpos] = p
                    S[q, tb, tpos] = s
                    cnt[q, tb] = c + 1
                    info[q, 2] += 1
                    if tpos == c:
                        dlast[q, tj] = key
        if emit[i]:  # the top `levels` of each side, best first, NaN past the last level
            for q in range(2):
                out_px = out_bpx if q == 0 else out_apx
                out_sz = out_bsz if q == 0 else out_asz
                m = 0
                j = info[q, 0] - 1
                while j >= 0 and m < levels:
                    b = dirs[q, j]
                    t = cnt[q, b] - 1
                    while t >= 0 and m < levels:
                        out_px[r, m] = P[q, b, t]
                        out_sz[r, m] = S[q, b, t]
                        m += 1
                        t -= 1
                    j -= 1
                while m < levels:
                    out_px[r, m] = np.nan
                    out_sz[r, m] = np.nan
                    m += 1
            src[r] = i
            r += 1
    return n, r

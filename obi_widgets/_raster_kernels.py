"""Compiled kernel of the depth raster (not public; see :mod:`obi_widgets.raster`).

One pass over the rows in the window: each row's levels are mapped once to their price bucket,
then the row's size is added to every time slice its holding interval overlaps, weighted by the
overlap in ns. The caller (:func:`obi_widgets.raster.depth_raster`) validates every argument and
normalises the sums; the kernel trusts its inputs.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, inline="always")
def _levels(px, sz, i, inv_tick, m0, inv_k, n, buckets, qs, c):
    """Append the (bucket, size) of row i's non-empty levels inside the grid; returns the count.

    No integer division on this hot path: with j = round(price / tick) - m0 a whole number,
    floor((j + 1/2) / k) is j // k, and the half keeps float rounding away from the boundaries."""
    for lv in range(px.shape[1]):
        p = px[i, lv]
        q = sz[i, lv]
        if p != p or q != q or q == 0.0:
            continue
        j = np.floor(p * inv_tick + 0.5) - m0
        if j < 0.0:
            continue
        b = np.int64((j + 0.5) * inv_k)
        if b >= n:
            continue
        buckets[c] = b
        qs[c] = q
        c += 1
    return c


@numba.njit(cache=True, nogil=True)
def depth_sums(ts, bid_px, bid_sz, ask_px, ask_sz, r0, r1, edges, tick, m0, k, n, out):
    """out[s, b] += q * |[t_i, t_{i+1}) ∩ [edges[s], edges[s+1])| (ns) over rows r0..r1-1 and their
    levels with price bucket b = (round(price / tick) - m0) // k in [0, n). Row i holds until the
    next row, the last row of the book until ``edges[-1]``. ``out`` is (len(edges) - 1, n) float64."""
    n_rows = ts.shape[0]
    n_slices = edges.shape[0] - 1
    w0 = edges[0]
    w1 = edges[n_slices]
    width = bid_px.shape[1] + ask_px.shape[1]
    inv_tick = 1.0 / tick
    inv_k = 1.0 / k
    fm0 = np.float64(m0)
    buckets = np.empty(width, np.int64)
    qs = np.empty(width, np.float64)
    s = 0
    for i in range(r0, r1):
        a = ts[i]
        b = ts[i + 1] if i + 1 < n_rows else w1
        if a < w0:
            a = w0
        if b > w1:
            b = w1
        if b <= a:
            continue
        c = _levels(bid_px, bid_sz, i, inv_tick, fm0, inv_k, n, buckets, qs, 0)
        c = _levels(ask_px, ask_sz, i, inv_tick, fm0, inv_k, n, buckets, qs, c)
        if c == 0:
            continue
        while s < n_slices - 1 and edges[s + 1] <= a:
            s += 1
        ss = s
        while True:
            lo = a if a > edges[ss] else edges[ss]
            hi = b if b < edges[ss + 1] else edges[ss + 1]
            if hi > lo:
                w = np.float64(hi - lo)
                for j in range(c):
                    out[ss, buckets[j]] += qs[j] * w
            if edges[ss + 1] >= b or ss == n_slices - 1:
                break
            ss += 1


# -- the change index: rasters of any window from the level changes inside it -----------------------
@numba.njit(cache=True, nogil=True, inline="always")
def _side(px, sz, i, inv_tick, reverse, out_t, out_q):
    """Row i of one side as ascending (tick, size), equal ticks summed; returns the count."""
    c = 0
    n_lv = px.shape[1]
    for x in range(n_lv):
        lv = n_lv - 1 - x if reverse else x
        p = px[i, lv]
        q = sz[i, lv]
        if p != p or q != q or q == 0.0:
            continue
        m = np.int64(np.floor(p * inv_tick + 0.5))
        if c > 0 and out_t[c - 1] == m:
            out_q[c - 1] += q
        else:
            out_t[c] = m
            out_q[c] = q
            c += 1
    return c


@numba.njit(cache=True, nogil=True)
def _row_map(bid_px, bid_sz, ask_px, ask_sz, i, inv_tick, bt, bq, at, aq, out_t, out_q):
    """Row i as ascending (tick, total size over both sides); returns the count."""
    nb = _side(bid_px, bid_sz, i, inv_tick, True, bt, bq)
    na = _side(ask_px, ask_sz, i, inv_tick, False, at, aq)
    a = 0
    b = 0
    c = 0
    while a < nb or b < na:
        if b >= na or (a < nb and bt[a] < at[b]):
            m, q = bt[a], bq[a]
            a += 1
        elif a >= nb or at[b] < bt[a]:
            m, q = at[b], aq[b]
            b += 1
        else:  # a crossed or locked row: one tick on both sides
            m, q = bt[a], bq[a] + aq[b]
            a += 1
            b += 1
        out_t[c] = m
        out_q[c] = q
        c += 1
    return c


@numba.njit(cache=True, nogil=True)
def build_changes(ts, bid_px, bid_sz, ask_px, ask_sz, inv_tick):
    """The level changes of a book: for each row i >= 1, the ticks whose total resting size (both
    sides) differs from row i - 1, with their new size (0: gone). Returns (tick int64, size float64,
    offsets int64 (T + 1,): the changes of row i are [offsets[i], offsets[i + 1]))."""
    n_rows = ts.shape[0]
    width = bid_px.shape[1] + ask_px.shape[1]
    bt = np.empty(bid_px.shape[1], np.int64)
    bq = np.empty(bid_px.shape[1], np.float64)
    at = np.empty(ask_px.shape[1], np.int64)
    aq = np.empty(ask_px.shape[1], np.float64)
    pt = np.empty(width, np.int64)
    pq = np.empty(width, np.float64)
    ct = np.empty(width, np.int64)
    cq = np.empty(width, np.float64)
    cap = max(1024, 2 * n_rows)
    tick = np.empty(cap, np.int64)
    size = np.empty(cap, np.float64)
    offsets = np.zeros(n_rows + 1, np.int64)
    e = 0
    n_prev = _row_map(bid_px, bid_sz, ask_px, ask_sz, 0, inv_tick, bt, bq, at, aq, pt, pq) if n_rows else 0
    for i in range(1, n_rows):
        n_cur = _row_map(bid_px, bid_sz, ask_px, ask_sz, i, inv_tick, bt, bq, at, aq, ct, cq)
        if e + n_prev + n_cur > cap:
            cap = 2 * cap + n_prev + n_cur
            tick2 = np.empty(cap, np.int64)
            size2 = np.empty(cap, np.float64)
            tick2[:e] = tick[:e]
            size2[:e] = size[:e]
            tick, size = tick2, size2
        a = 0
        c = 0
        while a < n_prev or c < n_cur:
            if c >= n_cur or (a < n_prev and pt[a] < ct[c]):
                tick[e] = pt[a]
                size[e] = 0.0
                e += 1
                a += 1
            elif a >= n_prev or ct[c] < pt[a]:
                tick[e] = ct[c]
                size[e] = cq[c]
                e += 1
                c += 1
            else:
                if pq[a] != cq[c]:
                    tick[e] = ct[c]
                    size[e] = cq[c]
                    e += 1
                a += 1
                c += 1
        offsets[i + 1] = e
        pt, ct = ct, pt
        pq, cq = cq, pq
        n_prev = n_cur
    return tick[:e].copy(), size[:e].copy(), offsets


@numba.njit(cache=True, nogil=True, inline="always")
def _spread(out, edges, per_ns, a, b, q, col):
    """out[s, col] += q * |[a, b) ∩ slice s| for every slice s the interval overlaps (near-equal
    slices: the slice of ``a`` is guessed from ``per_ns`` = slices per ns, then corrected)."""
    n_slices = edges.shape[0] - 1
    s = np.int64((a - edges[0]) * per_ns)
    if s > n_slices - 1:
        s = n_slices - 1
    if s < 0:
        s = 0
    while s > 0 and edges[s] > a:
        s -= 1
    while s < n_slices - 1 and edges[s + 1] <= a:
        s += 1
    while s < n_slices:
        lo = a if a > edges[s] else edges[s]
        hi = b if b < edges[s + 1] else edges[s + 1]
        if hi > lo:
            out[s, col] += q * np.float64(hi - lo)
        if edges[s + 1] >= b:
            break
        s += 1


@numba.njit(cache=True, nogil=True)
def changes_sums(ts, bid_px, bid_sz, ask_px, ask_sz, ch_tick, ch_size, offsets, r0, r1, edges, inv_tick, m0, k, n, out):
    """The sums of :func:`depth_sums` from the row in force at the window start (r0) and the
    level changes of the later rows r0 + 1 .. r1 - 1: each tick's size is a step between changes."""
    n_slices = edges.shape[0] - 1
    w0 = edges[0]
    w1 = edges[n_slices]
    n_ticks = n * k
    per_ns = n_slices / np.float64(w1 - w0)
    size = np.zeros(n_ticks, np.float64)
    a0 = ts[r0] if ts[r0] > w0 else w0
    if a0 >= w1:
        return
    since = np.full(n_ticks, a0, np.int64)
    for side in range(2):
        px = bid_px if side == 0 else ask_px
        sz = bid_sz if side == 0 else ask_sz
        for lv in range(px.shape[1]):
            p = px[r0, lv]
            q = sz[r0, lv]
            if p != p or q != q or q == 0.0:
                continue
            j = np.int64(np.floor(p * inv_tick + 0.5)) - m0
            if 0 <= j < n_ticks:
                size[j] += q
    for i in range(r0 + 1, r1):
        t = ts[i]
        if t >= w1:
            break
        for e in range(offsets[i], offsets[i + 1]):
            j = ch_tick[e] - m0
            if j < 0 or j >= n_ticks:
                continue
            q = size[j]
            if q != 0.0 and t > since[j]:
                _spread(out, edges, per_ns, since[j], t, q, j // k)
            since[j] = t
            size[j] = ch_size[e]
    for j in range(n_ticks):
        q = size[j]
        if q != 0.0 and w1 > since[j]:
            _spread(out, edges, per_ns, since[j], w1, q, j // k)


@numba.njit(cache=True, nogil=True, inline="always")
def _widen(out, row, s, v):
    """Widen the (min, max) in out[row:row + 2, s] by v, ignoring NaN."""
    if v == v:
        if not (out[row, s] <= v):
            out[row, s] = v
        if not (out[row + 1, s] >= v):
            out[row + 1, s] = v


@numba.njit(cache=True, nogil=True)
def best_envelopes(ts, bid_px, ask_px, edges, out):
    """out[0..3, s] = min/max of the best bid, min/max of the best ask over the rows in force during
    slice s (the row in force at its left edge plus every row starting inside it; the last slice
    includes rows at its right edge), NaN-ignoring; ``out`` comes filled with NaN. One pass, O(T + S),
    the same reading as :func:`obi_widgets.views._reduce.bin_minmax`."""
    n = ts.shape[0]
    n_slices = edges.shape[0] - 1
    j = np.searchsorted(ts, edges[0], side="left")  # next row to consume
    for s in range(n_slices):
        right = edges[s + 1]
        last = s == n_slices - 1
        # the row in force at the left edge, unless a row starts exactly there
        if j > 0 and not (j < n and ts[j] == edges[s]):
            _widen(out, 0, s, bid_px[j - 1, 0])
            _widen(out, 2, s, ask_px[j - 1, 0])
        while j < n and (ts[j] < right or (last and ts[j] == right)):
            _widen(out, 0, s, bid_px[j, 0])
            _widen(out, 2, s, ask_px[j, 0])
            j += 1
    return out

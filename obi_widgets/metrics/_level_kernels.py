"""Compiled kernels of the level-based metrics (imbalance, prices, profiles, liquidity; not public).

Each kernel is one pass over the rows that reads the book's columns in place (strided columns and
(T, L) arrays alike, no copies) and writes its output once, with the NaN handling of the numpy
expressions it replaces fused in. The results are bit for bit those of the numpy formulations in
the callers' docstrings: the same float operations in the same order, in particular

- :func:`ratio` is the kit's ``ratio()`` (NaN where the denominator is 0 or not finite, or the
  numerator not finite);
- sums across levels use numpy's pairwise summation (:func:`pairwise`, the order of
  ``ndarray.sum(axis=1)``), cumulative sums run from the best level outwards like ``np.cumsum``;
- ``np.maximum`` / ``np.minimum`` propagate NaN (:func:`np_max`, :func:`np_min`).

The callers validate every argument; the kernels trust their inputs.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_INF = np.inf


# -- scalar helpers ------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True, inline="always")
def ratio(num, den):
    """num / den; NaN where den is 0 or not finite, or num is not finite (the kit's ``ratio()``)."""
    if math.isfinite(den) and den != 0.0 and math.isfinite(num):
        return num / den
    return np.nan


@numba.njit(cache=True, nogil=True, inline="always")
def np_max(a, b):
    """``np.maximum(a, b)``: NaN if either is NaN."""
    if a >= b or a != a:
        return a
    return b


@numba.njit(cache=True, nogil=True, inline="always")
def np_min(a, b):
    """``np.minimum(a, b)``: NaN if either is NaN."""
    if a <= b or a != a:
        return a
    return b


@numba.njit(cache=True, nogil=True, inline="always")
def _block(a, lo, n):
    """numpy's pairwise sum of ``a[lo:lo + n]`` for n <= 128 (one block, eight accumulators)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    i = 8
    stop = n - n % 8
    while i < stop:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@numba.njit(cache=True, nogil=True, inline="always")
def pairwise(a, lo, n):
    """Sum of ``a[lo:lo + n]`` in the order of numpy's pairwise summation (``ndarray.sum``).

    Blocks of at most 128 values as :func:`_block` (inlined: the common case); longer runs split in
    two halves (the first a multiple of 8 long) summed separately, as numpy's recursion does.
    """
    if n <= 128:
        return _block(a, lo, n)
    return _pairwise_long(a, lo, n)


@numba.njit(cache=True, nogil=True)
def _pairwise_long(a, lo, n):
    """:func:`pairwise` of more than 128 values, numpy's recursion run with an explicit stack
    (numba's on-disk cache does not support recursive functions)."""
    f_lo = np.empty(64, dtype=np.int64)
    f_n = np.empty(64, dtype=np.int64)
    f_stage = np.zeros(64, dtype=np.int64)
    f_left = np.empty(64)
    top = 0
    f_lo[0] = lo
    f_n[0] = n
    ret = 0.0
    while True:
        m = f_n[top]
        start = f_lo[top]
        if m <= 128:
            ret = _block(a, start, m)
            top -= 1
        else:
            n2 = m // 2
            n2 -= n2 % 8
            stage = f_stage[top]
            if stage == 2:
                ret = f_left[top] + ret
                top -= 1
            else:
                if stage == 1:
                    f_left[top] = ret
                f_stage[top] = stage + 1
                top += 1
                f_lo[top] = start if stage == 0 else start + n2
                f_n[top] = n2 if stage == 0 else m - n2
                f_stage[top] = 0
                continue
        if top < 0:
            return ret


@numba.njit(cache=True, nogil=True, inline="always")
def _finish(b, a, diff):
    if diff:
        return ratio(b - a, b + a)
    return ratio(b, b + a)


# -- imbalance -------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def imbalance(bid, ask, diff, out):
    """(b - a) / (b + a) (``diff``) or b / (b + a) of 1-D inputs (any stride), through ``ratio``."""
    for t in range(bid.shape[0]):
        out[t] = _finish(bid[t], ask[t], diff)


@numba.njit(cache=True, nogil=True)
def depth_imbalance(bid_sz, ask_sz, levels, w, diff, out):
    """Imbalance of sum_i w_i q_i over the first ``levels`` columns (NaN sizes as 0), summed level 0 first."""
    for t in range(bid_sz.shape[0]):
        sb = 0.0
        sa = 0.0
        for i in range(levels):
            qb = bid_sz[t, i]
            qa = ask_sz[t, i]
            if qb != qb:
                qb = 0.0
            if qa != qa:
                qa = 0.0
            sb += qb * w[i]
            sa += qa * w[i]
        out[t] = _finish(sb, sa, diff)


@numba.njit(cache=True, nogil=True)
def band_imbalance(bid_px, bid_sz, ask_px, ask_sz, c, edge_rtol, nan_truncated, diff, out):
    """Imbalance of the sizes within m * c of the mid m (edges inclusive up to ``edge_rtol``)."""
    n_lv = bid_px.shape[1]
    bufb = np.empty(n_lv)
    bufa = np.empty(n_lv)
    last = n_lv - 1
    for t in range(bid_px.shape[0]):
        m = 0.5 * (bid_px[t, 0] + ask_px[t, 0])
        if not (m > 0):
            out[t] = np.nan
            continue
        half = m * c
        lim = half + half * edge_rtol
        in_b = False
        in_a = False
        for i in range(n_lv):
            q = bid_sz[t, i]
            in_b = (m - bid_px[t, i]) <= lim
            bufb[i] = (0.0 if q != q else q) if in_b else 0.0
            q = ask_sz[t, i]
            in_a = (ask_px[t, i] - m) <= lim
            bufa[i] = (0.0 if q != q else q) if in_a else 0.0
        if nan_truncated and (in_b or in_a):  # the deepest level (i = last) is inside the band
            out[t] = np.nan
            continue
        b = 0.0 + pairwise(bufb, 0, last + 1)
        a = 0.0 + pairwise(bufa, 0, last + 1)
        out[t] = _finish(b, a, diff)


# -- depth profiles --------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def cumulative_depth(px, sz, out):
    """np.cumsum of the sizes (NaN as 0) along the levels, NaN where the price is NaN; (T, L)."""
    for t in range(px.shape[0]):
        c = 0.0
        for i in range(px.shape[1]):
            q = sz[t, i]
            if q != q:
                q = 0.0
            c = q if i == 0 else c + q
            out[t, i] = c if px[t, i] == px[t, i] else np.nan


@numba.njit(cache=True, nogil=True)
def cumulative_depth_imbalance(bid_px, bid_sz, ask_px, ask_sz, out):
    """ratio(B - A, B + A) of the two cumulative depths, element by element; (T, L)."""
    for t in range(bid_px.shape[0]):
        cb = 0.0
        ca = 0.0
        for i in range(bid_px.shape[1]):
            qb = bid_sz[t, i]
            qa = ask_sz[t, i]
            if qb != qb:
                qb = 0.0
            if qa != qa:
                qa = 0.0
            if i == 0:
                cb = qb
                ca = qa
            else:
                cb = cb + qb
                ca = ca + qa
            vb = cb if bid_px[t, i] == bid_px[t, i] else np.nan
            va = ca if ask_px[t, i] == ask_px[t, i] else np.nan
            out[t, i] = ratio(vb - va, vb + va)


# -- prices ----------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def weighted_mid(bid, ask, qb, qa, out):
    """min(max(b + (a - b) * ratio(qb, qb + qa), b), a) per row (1-D inputs, any stride)."""
    for t in range(bid.shape[0]):
        b = bid[t]
        a = ask[t]
        w = ratio(qb[t], qb[t] + qa[t])
        out[t] = np_min(np_max(b + (a - b) * w, b), a)


@numba.njit(cache=True, nogil=True)
def microprice(bid, ask, qb, qa, tick, tol, n_imb, n_spread, g, out, bad):
    """Stoikov's micro-price mid + g*(bucket, spread) per row, NaN outside the model.

    ``bad`` (2,) receives the first row whose bid (``bad[0]``) / ask (``bad[1]``) price is more than
    ``tol`` ticks off the grid, -1 if none; the kernel stops at the first bad bid (the caller raises).
    """
    bad[0] = -1
    bad[1] = -1
    half_n = n_imb // 2
    centre = (n_imb - 1) // 2
    odd = n_imb % 2 == 1
    scale = n_imb / 2.0
    for t in range(bid.shape[0]):
        xb = bid[t] / tick
        bt = np.rint(xb)
        if abs(xb - bt) > tol:
            bad[0] = t
            return
        xa = ask[t] / tick
        at = np.rint(xa)
        if abs(xa - at) > tol and bad[1] < 0:
            bad[1] = t
        spread = at - bt
        total = qb[t] + qa[t]
        if not ((spread >= 1) and (spread <= n_spread) and math.isfinite(total) and (total > 0)):
            out[t] = np.nan
            continue
        d = ratio(qb[t] - qa[t], total)
        u = abs(d) * scale
        sign = 1 if d > 0 else (-1 if d < 0 else 0)
        w_lo = 1.0
        if odd:
            j = int(min(max(np.ceil(u - 0.5), 0.0), float(centre)))
            lo = centre + sign * j
            hi = lo
        else:
            j = int(min(max(np.ceil(u) - 1.0, 0.0), float(half_n - 1)))
            if sign > 0:
                lo = half_n + j
                hi = lo
            elif sign < 0:
                lo = half_n - 1 - j
                hi = lo
            else:
                lo = half_n - 1
                hi = half_n
                w_lo = 0.5
        base = (int(spread) - 1) * n_imb
        other = g[base + hi] if w_lo < 1.0 else 0.0
        adj = w_lo * g[base + lo] + (1.0 - w_lo) * other
        out[t] = 0.5 * (bid[t] + ask[t]) + adj


# -- liquidity ------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def depth(bid_px, bid_sz, ask_px, ask_sz, n_lv, do_bid, do_ask, notional, use_band, band_rel, out):
    """Size (or price x size) on the first ``n_lv`` levels of the chosen sides, optionally only within
    |p - m| <= |m| * band_rel of the mid m (NaN where m is NaN); pairwise sums per side."""
    buf = np.empty(n_lv)
    for t in range(bid_px.shape[0]):
        m = 0.5 * (bid_px[t, 0] + ask_px[t, 0])
        wm = 0.0 if m != m else m
        lim = abs(wm) * band_rel
        total = 0.0
        for side in range(2):
            if side == 0 and not do_bid:
                continue
            if side == 1 and not do_ask:
                continue
            px = bid_px if side == 0 else ask_px
            sz = bid_sz if side == 0 else ask_sz
            for i in range(n_lv):
                p = px[t, i]
                q = sz[t, i]
                if q != q:
                    q = 0.0
                if notional:
                    q = q * (0.0 if p != p else p)
                if use_band and not (abs((_INF if p != p else p) - wm) <= lim):
                    q = 0.0
                buf[i] = q
            total += pairwise(buf, 0, n_lv)
        out[t] = np.nan if (use_band and m != m) else total


@numba.njit(cache=True, nogil=True)
def slope_volume(px, sz, log_volume, n_lv, v):
    """Per level of the first ``n_lv``: the cumulative size (NaN sizes as 0) where the level exists
    (and, with ``log_volume``, the cumulative size is > 0), else NaN; v (T, n_lv). The caller takes
    its log."""
    for t in range(px.shape[0]):
        c = 0.0
        for i in range(n_lv):
            q = sz[t, i]
            if q != q:
                q = 0.0
            c = q if i == 0 else c + q
            have = px[t, i] == px[t, i]
            ok = have and (c > 0) if log_volume else have
            v[t, i] = c if ok else np.nan


@numba.njit(cache=True, nogil=True)
def slope(px, v, bid_px, ask_px, n_lv, out, accumulate):
    """Næs-Skjeltorp slope of one side over its first ``n_lv`` levels from the volumes ``v`` (see
    :func:`slope_volume`); with ``accumulate`` the result is averaged with ``out``
    (0.5 * (out + slope)), else written to it."""
    terms = np.empty(max(n_lv - 1, 1))
    for t in range(px.shape[0]):
        m = 0.5 * (bid_px[t, 0] + ask_px[t, 0])
        count = 0
        for i in range(n_lv):
            if px[t, i] == px[t, i]:
                count += 1
        total = ratio(v[t, 0], abs(ratio(px[t, 0], m) - 1.0))
        if n_lv > 1:
            bad = False
            for i in range(1, n_lv):
                term = ratio(ratio(v[t, i], v[t, i - 1]) - 1.0, abs(ratio(px[t, i], px[t, i - 1]) - 1.0))
                pair = px[t, i] == px[t, i]
                if pair and not math.isfinite(term):
                    bad = True
                terms[i - 1] = (term if math.isfinite(term) else 0.0) if pair else 0.0
            total = total + (0.0 + pairwise(terms, 0, n_lv - 1))
            if bad:
                total = np.nan
        res = np.nan if count == 0 else ratio(total, float(count))
        out[t] = 0.5 * (out[t] + res) if accumulate else res


@numba.njit(cache=True, nogil=True)
def sweep(px, sz, bid0, ask0, qs, buy, ref_mid, bps, rel, out):
    """Cost of walking the visible levels of one side for each quantity ``qs[j]``; out (T, Q)."""
    n_lv = px.shape[1]
    n_q = qs.shape[0]
    cum = np.empty(n_lv)
    notional = np.empty(n_lv)
    for t in range(px.shape[0]):
        c = 0.0
        s = 0.0
        for i in range(n_lv):
            p = px[t, i]
            q = sz[t, i]
            if q != q:
                q = 0.0
            x = q * (0.0 if p != p else p)
            if i == 0:
                c = q
                s = x
            else:
                c = c + q
                s = s + x
            cum[i] = c
            notional[i] = s
        ref = 0.5 * (bid0[t] + ask0[t]) if ref_mid else px[t, 0]
        for j in range(n_q):
            q = qs[j]
            target = q * (1.0 - rel)
            k = 0
            ok = False
            for i in range(n_lv):
                if cum[i] >= target:
                    k = i
                    ok = True
                    break
            prev_cum = cum[k - 1] if k > 0 else 0.0
            prev_not = notional[k - 1] if k > 0 else 0.0
            remaining = np_max(q - prev_cum, 0.0)
            cost = prev_not + (px[t, k] if ok else 0.0) * remaining
            vwap = cost / q if ok else np.nan
            diff = vwap - ref if buy else ref - vwap
            out[t, j] = 1e4 * ratio(diff, ref) if bps else diff


@numba.njit(cache=True, nogil=True)
def mean_depth(bid_sz, ask_sz, levels, out):
    """(sum of the first ``levels`` bid sizes + the same on the ask side) / (2 levels), NaN as 0."""
    buf = np.empty(levels)
    scale = 2.0 * levels
    for t in range(bid_sz.shape[0]):
        for i in range(levels):
            q = bid_sz[t, i]
            buf[i] = 0.0 if q != q else q
        b = 0.0 + pairwise(buf, 0, levels)
        for i in range(levels):
            q = ask_sz[t, i]
            buf[i] = 0.0 if q != q else q
        a = 0.0 + pairwise(buf, 0, levels)
        out[t] = (b + a) / scale

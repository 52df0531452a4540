"""Compiled kernels of the order-flow-imbalance metrics (not public).

One pass over the rows, the four comparisons of Cont, Kukanov & Stoikov (2014) fused, no
temporaries. The callers in :mod:`obi_widgets.metrics.ofi` validate every argument; the kernels
trust their inputs.

Empty levels (NaN price) are handled here, per the caller's ``empty`` mode:

- ``nan_out=False``: an empty bid level is a queue of size 0 at price :math:`-\\infty`, an empty ask
  level a queue of size 0 at :math:`+\\infty` (so a queue that appears counts in full, one that
  disappears counts in full, and two empty rows contribute 0);
- ``nan_out=True``: the row's value at that level is NaN whenever the level is empty on either side
  in the row or the row before it.
"""

from __future__ import annotations

import numba
import numpy as np

from ._level_kernels import pairwise

_INF = np.inf


@numba.njit(cache=True, nogil=True, inline="always")
def _event(pb, qb, pa, qa, pb0, qb0, pa0, qa0):
    """e_n of one level: bid terms minus ask terms, non-strict comparisons."""
    e = 0.0
    if pb >= pb0:
        e += qb
    if pb <= pb0:
        e -= qb0
    if pa <= pa0:
        e -= qa
    if pa >= pa0:
        e += qa0
    return e


@numba.njit(cache=True, nogil=True)
def ofi_level1(pb, qb, pa, qa, nan_out, out):
    """OFI of one level, 1-D inputs of length T (any stride); writes ``out`` (T,), row 0 = 0."""
    n_rows = pb.shape[0]
    if n_rows == 0:
        return
    out[0] = 0.0
    # previous row, carried in registers
    pb0 = pb[0]
    qb0 = qb[0]
    pa0 = pa[0]
    qa0 = qa[0]
    empty0 = (pb0 != pb0) or (pa0 != pa0)
    if pb0 != pb0:
        pb0 = -_INF
        qb0 = 0.0
    if pa0 != pa0:
        pa0 = _INF
        qa0 = 0.0
    for n in range(1, n_rows):
        b = pb[n]
        sb = qb[n]
        a = pa[n]
        sa = qa[n]
        empty = (b != b) or (a != a)
        if b != b:
            b = -_INF
            sb = 0.0
        if a != a:
            a = _INF
            sa = 0.0
        if nan_out and (empty or empty0):
            out[n] = np.nan
        else:
            out[n] = _event(b, sb, a, sa, pb0, qb0, pa0, qa0)
        pb0 = b
        qb0 = sb
        pa0 = a
        qa0 = sa
        empty0 = empty


@numba.njit(cache=True, nogil=True)
def ofi_levels(bid_px, bid_sz, ask_px, ask_sz, levels, nan_out, out):
    """OFI of the first ``levels`` levels of (T, L) inputs; writes ``out`` (T, levels), row 0 = 0."""
    n_rows = bid_px.shape[0]
    if n_rows == 0:
        return
    for m in range(levels):
        out[0, m] = 0.0
    for n in range(1, n_rows):
        for m in range(levels):
            b = bid_px[n, m]
            sb = bid_sz[n, m]
            a = ask_px[n, m]
            sa = ask_sz[n, m]
            b0 = bid_px[n - 1, m]
            sb0 = bid_sz[n - 1, m]
            a0 = ask_px[n - 1, m]
            sa0 = ask_sz[n - 1, m]
            if nan_out and ((b != b) or (a != a) or (b0 != b0) or (a0 != a0)):
                out[n, m] = np.nan
                continue
            if b != b:
                b = -_INF
                sb = 0.0
            if a != a:
                a = _INF
                sa = 0.0
            if b0 != b0:
                b0 = -_INF
                sb0 = 0.0
            if a0 != a0:
                a0 = _INF
                sa0 = 0.0
            out[n, m] = _event(b, sb, a, sa, b0, sb0, a0, sa0)


@numba.njit(cache=True, nogil=True)
def bin_sums(vals, starts, n_rows, out, where):
    """Per-bin sums of the rows of ``vals`` (T, K): bin i holds rows ``starts[i]:starts[i + 1]`` (the
    last to ``n_rows``), written to ``out[where[i]]``. Bit for bit ``np.add.reduceat(vals, starts,
    axis=0)``: per column, the bin's first row plus numpy's pairwise sum of the others."""
    n_bins = starts.shape[0]
    width = vals.shape[1]
    for i in range(n_bins):
        a = starts[i]
        b = starts[i + 1] if i + 1 < n_bins else n_rows
        for m in range(width):
            if b - a == 1:
                out[where[i], m] = vals[a, m]
            else:
                out[where[i], m] = vals[a, m] + pairwise(vals[:, m], a + 1, b - a - 1)

"""Pure serialisation of arrays for the front-end: everything a view sends travels as bytes.

The JS side reads them with ``js/lib/buffers.js``; both sides agree on little-endian float64
(``<f8``) and int32 (``<i4``) and on the layouts documented by each view.
"""

from __future__ import annotations

import numpy as np


def f64(*arrays) -> bytes:
    """Concatenate arrays as little-endian float64 bytes."""
    if not arrays:
        return b""
    return np.concatenate([np.asarray(a, dtype="<f8").ravel() for a in arrays]).tobytes()


def minmax_bins(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reduce a series to ``bins`` equal row-count bins: (first row of each bin, min, max).

    NaNs are ignored inside a bin (a bin of only NaNs gives NaN). With fewer values than bins,
    every value is its own bin. This is the screen-resolution reduction that keeps a
    million-row series at a few kilobytes while preserving its extremes.
    """
    n = int(values.shape[0])
    if n == 0:
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), empty, empty
    bins = max(1, min(int(bins), n))
    starts = (np.arange(bins, dtype=np.int64) * n) // bins
    lo = np.fmin.reduceat(values, starts)
    hi = np.fmax.reduceat(values, starts)
    return starts, lo, hi

"""Reductions to screen resolution on a time axis, shared by the views (pure numpy, no per-row Python).

A book row is a *step*: its values hold from its time until the next row's. A time bin
``[edges[i], edges[i+1])`` therefore sees the row in force at its start plus every row that starts
inside it; empty bins (no row starts in them) still show the row in force.
"""

from __future__ import annotations

import numpy as np


def time_edges(t0: int, t1: int, bins: int) -> np.ndarray:
    """``bins + 1`` int64 ns edges splitting ``[t0, t1]`` into equal bins (at least one)."""
    bins = max(1, int(bins))
    span = max(int(t1) - int(t0), 1)
    return int(t0) + (np.arange(bins + 1, dtype=np.int64) * span) // bins


def rows_in_bins(ts: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, in_force): for each bin, the first row starting at or after its left edge
    (``first[-1]`` is one past the last row starting before the right edge of the last bin, which
    is included), and the row in force at its left edge (-1 before the first row)."""
    first = np.searchsorted(ts, edges, side="left")
    first[-1] = np.searchsorted(ts, edges[-1], side="right")
    in_force = np.searchsorted(ts, edges[:-1], side="right") - 1
    return first, in_force


def _reduce(fn, values: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fn over values[first[i]:first[i+1]] for each bin, and the mask of non-empty bins."""
    values = values[: int(first[-1])]  # reduceat's last segment runs to the end: stop it at the last bin's
    n = values.shape[0]
    nonempty = first[1:] > first[:-1]
    out = np.full((first.shape[0] - 1,) + values.shape[1:], np.nan)
    if n and nonempty.any():
        # bins starting at n are empty and trail (first is sorted): reduce only the others, so that
        # no index is clipped to n - 1 (which would cut the last non-empty bin short)
        k = int(np.searchsorted(first[:-1], n, side="left"))
        with np.errstate(invalid="ignore"):
            red = fn.reduceat(values, first[:k], axis=0)
        keep = nonempty[:k]
        out[:k][keep] = red[keep]
    return out, nonempty


def bin_minmax(ts: np.ndarray, values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin (min, max) of a step series over the rows in force during each bin, NaN-ignoring.

    ``values`` is (T,) float on the rows ``ts``. A bin before the first row gives NaN.
    """
    values = np.asarray(values, dtype=np.float64)
    first, in_force = rows_in_bins(ts, edges)
    lo, _ = _reduce(np.fmin, values, first)
    hi, _ = _reduce(np.fmax, values, first)
    prev = np.where(in_force >= 0, values[np.maximum(in_force, 0)], np.nan)
    return np.fmin(lo, prev), np.fmax(hi, prev)


def bin_last(ts: np.ndarray, values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Per-bin value in force at the right edge of each bin (the last row starting before it)."""
    values = np.asarray(values)
    last = np.searchsorted(ts, edges[1:], side="left") - 1
    last[-1] = np.searchsorted(ts, edges[-1], side="right") - 1
    out = np.where(last >= 0, values[np.maximum(last, 0)], np.nan)
    return out


def bin_points_minmax(ts: np.ndarray, values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin (min, max) of a *point* series (events at ``ts``, e.g. OFI per interval): only
    the points inside each bin count; empty bins give NaN."""
    values = np.asarray(values, dtype=np.float64)
    first, _ = rows_in_bins(ts, edges)
    lo, _ = _reduce(np.fmin, values, first)
    hi, _ = _reduce(np.fmax, values, first)
    return lo, hi

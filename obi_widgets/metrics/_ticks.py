"""Tick-grid helpers shared by the OFI and micro-price code (not public)."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import positive_number

GRID_TOLERANCE = 1e-3  # in ticks: how far a price may sit from the tick grid


def check_tick(tick, fn: str) -> float:
    """``tick`` as a finite positive float, or ParameterError."""
    return positive_number(tick, "tick", fn)


def to_ticks(px: np.ndarray, tick: float, what: str) -> np.ndarray:
    """Prices as whole numbers of ticks (float64, NaN kept).

    Raises ParameterError naming the first price more than ``GRID_TOLERANCE`` ticks off the grid.
    """
    x = px / tick
    r = np.rint(x)
    off = np.abs(x - r) > GRID_TOLERANCE  # NaN compares False: empty levels pass
    if off.any():
        flat = int(np.flatnonzero(off.ravel())[0])
        idx = np.unravel_index(flat, px.shape)
        where = f"row {idx[0]}" + (f", level {idx[1]}" if px.ndim == 2 else "")
        raise ParameterError(
            f"{what} {float(px[idx])!r} at {where} is not a multiple of tick={tick!r} "
            f"({float(x[idx] - r[idx]):+.3g} ticks off the grid); pass the right tick size"
        )
    return r


def infer_tick(prices: np.ndarray, fn: str) -> float:
    """The smallest positive gap between distinct prices, to 6 significant digits.

    Float noise below 1e-9 of the price level is ignored (60000.01 - 60000.00 is 0.0099999999983,
    read as 0.01). The data may never show a one-tick gap: the result is then a multiple of the
    true tick, and :func:`to_ticks` with it fails on the off-grid prices, asking for ``tick=``.
    """
    px = prices[np.isfinite(prices)]
    uniq = np.unique(px)
    if uniq.size < 2:
        raise ParameterError(f"{fn}(): cannot infer the tick size from fewer than two distinct prices; pass tick=")
    gaps = np.diff(uniq)
    scale = float(np.max(np.abs(uniq)))
    gaps = gaps[gaps > 1e-9 * scale]
    if gaps.size == 0:
        raise ParameterError(f"{fn}(): cannot infer the tick size (all prices equal to 1e-9); pass tick=")
    return float(f"{float(gaps.min()):.6g}")

"""The reductions of :class:`~obi_widgets.views.signal_scatter.SignalScatter`, with no widget:
aligning the inputs, the view ranges and the density grid at screen resolution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from ..errors import ParameterError
from ._base import positive_int

#: CSS pixels of the canvas outside the density plot (js/views/signal_scatter_layout.js layoutFor:
#: left + right margins; top + bottom margins + the gap above the P(up) panel; the panel's height)
MARGIN_X = 86
MARGIN_Y = 76
PANEL_H = 84


def plot_size(width: int, height: int) -> tuple[int, int]:
    """Width and height (CSS px) of the density plot in a canvas of ``width`` x ``height``, as the
    front end lays it out (the P(up) panel takes 22 % of the height, 30 to 84 px)."""
    panel = min(PANEL_H, max(30, int(height * 0.22)))
    return max(40, width - MARGIN_X), max(40, height - MARGIN_Y - panel)


#: a click picks the nearest point within this many CSS pixels
PICK_PX = 8.0
MAX_CELLS = 1024

_k = lazy_module("._signal_scatter_kernels", __package__)  # numba loads on the first grid


def cell_index(v: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    """The cell k of each value of ``v`` (all in [lo, hi]) among ``n`` equal cells: the k with
    ``edges[k] <= v < edges[k + 1]`` for the edges ``numpy.linspace(lo, hi, n + 1)`` (``v = hi`` in
    the last cell). An estimate by arithmetic, then corrected by one against the edges, so values
    on an edge (discrete moves often are) land where ``numpy.histogram2d`` puts them."""
    step = (hi - lo) / n
    k = ((v - lo) / step).astype(np.int64)
    np.clip(k, 0, n - 1, out=k)
    edges = np.arange(n + 1) * step + lo  # numpy.linspace's own formula
    edges[-1] = hi
    k -= v < edges[k]
    k += (v >= edges[k + 1]) & (k < n - 1)
    return k


def density_grid(x, y, nx: int, ny: int, x_range, y_range) -> tuple[np.ndarray, int]:
    r"""Counts of the points (x, y) on an ``ny`` x ``nx`` grid of equal cells over the ranges.

    Cell :math:`(j, i)`: :math:`e_i \le x < e_{i+1}` and :math:`f_j \le y < f_{j+1}` with the
    equally spaced edges :math:`e_i = x_0 + i (x_1 - x_0) / n_x`, :math:`f_j = y_0 + j (y_1 - y_0) / n_y`
    (:func:`cell_index`); a point on the upper edge :math:`x = x_1` (or :math:`y = y_1`) goes to
    the last cell, so every point of the closed box :math:`[x_0, x_1] \times [y_0, y_1]` is
    counted once -- ``numpy.histogram2d``'s convention, in one compiled pass instead of its
    sort (:func:`density_grid_numpy` is the same in numpy). ``x``, ``y`` must be finite. Returns the counts (int64, shape (ny, nx), row 0 the
    lowest y) and the number of points outside the box.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    (x0, x1), (y0, y1) = (float(v) for v in x_range), (float(v) for v in y_range)
    counts = np.zeros(ny * nx, dtype=np.int64)
    outside = _k.density(x, y, int(nx), int(ny), x0, x1, y0, y1, counts)  # one pass, cell_index's cells
    return counts.reshape(ny, nx), int(outside)


def density_grid_numpy(x, y, nx: int, ny: int, x_range, y_range) -> tuple[np.ndarray, int]:
    """:func:`density_grid` in numpy (:func:`cell_index` and ``bincount``): the kernel's reference."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    (x0, x1), (y0, y1) = x_range, y_range
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    xi, yi = x[inside], y[inside]
    i = cell_index(xi, x0, x1, nx)
    j = cell_index(yi, y0, y1, ny)
    j *= nx
    j += i
    counts = np.bincount(j, minlength=nx * ny).reshape(ny, nx)
    return counts, int(x.size - xi.size)


def view_range(v: np.ndarray, clip: float, what: str, given=None) -> tuple[float, float]:
    """The shown range of one axis: ``given`` (checked), else the ``clip`` and ``1 - clip``
    quantiles of ``v`` (its min and max for ``clip=0``), widened when degenerate."""
    if given is not None:
        try:
            lo, hi = (float(g) for g in given)
        except (TypeError, ValueError):
            raise ParameterError(f"{what} must be a pair (lo, hi) of numbers, got {given!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ParameterError(f"{what} must be finite with lo < hi, got {given!r}")
        return lo, hi
    if clip > 0:
        lo, hi = (float(q) for q in np.quantile(v, [clip, 1.0 - clip]))
    else:
        lo, hi = float(v.min()), float(v.max())
    if not lo < hi:  # a constant or almost constant axis: a unit box around it
        pad = abs(lo) * 0.05 or 0.5
        lo, hi = lo - pad, hi + pad
    return lo, hi


def _grid_shape(bins, cell_px: int, width: int, height: int) -> tuple[int, int]:
    if bins is None:
        w, h = plot_size(width, height)
        nx, ny = max(2, w // cell_px), max(2, h // cell_px)
        return int(min(nx, MAX_CELLS)), int(min(ny, MAX_CELLS))
    pair = (bins, bins) if not isinstance(bins, tuple | list) else tuple(bins)
    if len(pair) != 2:
        raise ParameterError(f"bins must be None, an int or a pair (nx, ny), got {bins!r}")
    return tuple(positive_int("bins", b, 2, MAX_CELLS) for b in pair)  # type: ignore[return-value]


def _name_of(v, default: str) -> str:
    name = getattr(v, "name", None)
    return str(name) if isinstance(v, pd.Series) and name is not None else default


def _align(signal, future_move) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """The two inputs as float arrays of one length, and the index their rows carry."""
    s_ser, m_ser = isinstance(signal, pd.Series), isinstance(future_move, pd.Series)
    if s_ser and m_ser and not signal.index.equals(future_move.index):
        for name, ser in (("signal", signal), ("future_move", future_move)):
            if not ser.index.is_unique:
                raise ParameterError(f"{name}: its index has duplicates, so it cannot be aligned on the other's index")
        signal, future_move = signal.align(future_move, join="outer")  # unmatched rows become NaN pairs
    try:
        x = np.asarray(signal, dtype=np.float64)
        y = np.asarray(future_move, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"signal and future_move must be numeric arrays or Series: {exc}") from None
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise ParameterError(
            f"signal and future_move must be 1-D and of the same length, got shapes {x.shape} and {y.shape}"
        )
    index = signal.index if s_ser else future_move.index if m_ser else pd.RangeIndex(x.size)
    return x, y, index

"""Compiled kernel of the SignalScatter density grid (not public; see ``_signal_scatter_data.py``).

One pass over the points, no temporaries: the same cells as ``cell_index`` there (an estimate by
division, corrected by one against the edges ``k * step + lo`` of ``numpy.linspace``), so the
counts are those of ``numpy.histogram2d``. The caller validates the arguments.
"""

from __future__ import annotations

import numba


@numba.njit(cache=True, nogil=True, inline="always")
def _cell(v, lo, hi, step, n):
    k = int((v - lo) / step)
    if k > n - 1:
        k = n - 1
    if k < 0:
        k = 0
    if v < k * step + lo:
        k -= 1
    elif k < n - 1 and v >= (k + 1) * step + lo:
        k += 1
    return k


@numba.njit(cache=True, nogil=True)
def density(x, y, nx, ny, x0, x1, y0, y1, out):
    """Add each point of the closed box [x0, x1] x [y0, y1] to ``out`` (ny * nx int64, zeroed);
    return the number of points outside the box."""
    sx = (x1 - x0) / nx
    sy = (y1 - y0) / ny
    outside = 0
    for t in range(x.shape[0]):
        a = x[t]
        b = y[t]
        if not (a >= x0 and a <= x1 and b >= y0 and b <= y1):
            outside += 1
            continue
        out[_cell(b, y0, y1, sy, ny) * nx + _cell(a, x0, x1, sx, nx)] += 1
    return outside

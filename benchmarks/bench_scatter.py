"""Benchmark: SignalScatter with 1 M points -- Python build time and what travels to the browser.

A script, not a test: ``uv run python benchmarks/bench_scatter.py [points] [repeats]`` (default
1 M points, 5 repeats). Synthetic pairs: a signal uniform in [-1, 1] and a discrete move (half
ticks, many zeros) correlated with it, with 1 % NaN pairs. Times, best of ``repeats``:

- the density grid at the default 800 x 460 view (2 px cells: 357 x 150) with the view's
  ``density_grid`` (one compiled pass), its numpy twin ``density_grid_numpy`` (edge-corrected
  cells and one ``bincount``) and the plain numpy reference ``numpy.histogram2d`` (all checked equal);
- the whole payload (``SignalScatter.payload``: grid, ``imbalance_profile``, points or not) and
  the whole construction (``SignalScatter(...)``: ranges, profile, regression, payload, packing);
- the brush (``selected_rows`` of a box holding about a quarter of the points) and a pick (the
  nearest point of a click);

and prints the payload size in bytes against the size of the points themselves (2 x float64).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from obi_widgets.views._signal_scatter_data import density_grid_numpy
from obi_widgets.views.signal_scatter import SignalScatter, density_grid


def pairs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = 0.005 * np.round(rng.normal(0.8 * x, 1.5) * (rng.random(n) < 0.6))
    bad = rng.random(n) < 0.01
    x[bad] = np.nan
    return x, y


def best(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(n: int = 1_000_000, repeats: int = 5) -> None:
    x, y = pairs(n)
    view = SignalScatter(x, y)  # warm-up, and the ranges / grid shape the timings use
    nx, ny = view.grid_shape()
    xr, yr = view.x_range, view.y_range
    xk, yk = view._xk, view._yk

    rows = []
    t_grid, (counts, _) = best(lambda: density_grid(xk, yk, nx, ny, xr, yr), repeats)
    t_ref, (ref, _, _) = best(lambda: np.histogram2d(xk, yk, bins=(nx, ny), range=(xr, yr)), repeats)
    assert np.array_equal(counts, ref.T), "density_grid differs from numpy.histogram2d"
    t_np, (counts_np, _) = best(lambda: density_grid_numpy(xk, yk, nx, ny, xr, yr), repeats)
    assert np.array_equal(counts, counts_np), "density_grid differs from density_grid_numpy"
    rows.append((f"density grid {nx} x {ny}: density_grid (compiled, one pass)", t_grid))
    rows.append(("  density_grid_numpy (cell_index + bincount)", t_np))
    rows.append(("  reference: numpy.histogram2d", t_ref))
    t_pay, _ = best(view.payload, repeats)
    rows.append(("payload (grid + profile)", t_pay))
    t_new, built = best(lambda: SignalScatter(x, y), repeats)
    rows.append(("SignalScatter(x, y): ranges, profile, regression, payload, pack", t_new))
    q = (float(np.nanquantile(x, 0.5)), float(xr[1]), 0.0, float(yr[1]))
    t_brush, sel = best(lambda: (setattr(built, "brush", q), built.selected_rows)[1], repeats)
    rows.append((f"brush -> selected_rows ({len(sel):,} rows)", t_brush))
    t_pick, _ = best(lambda: setattr(built, "_pick", [0.1, 0.0, 0.005, 0.0001, time.perf_counter()]), repeats)
    rows.append(("pick (nearest of every point)", t_pick))

    size = len(built._data)
    print(f"SignalScatter, {n:,} points ({view.dropped:,} NaN pairs), best of {repeats}")
    print(f"{'step':<66} {'ms':>9}")
    for name, sec in rows:
        print(f"{name:<66} {sec * 1e3:9.1f}")
    print(f"{'histogram2d / density_grid':<66} {t_ref / t_grid:8.1f}x")
    print()
    print(f"payload sent (_data): {size:,} bytes ({size / 1024:.0f} kB), density dtype {counts.dtype} -> u2/u4")
    print(f"the points themselves as 2 x float64: {16 * xk.size:,} bytes ({16 * xk.size / 2**20:.1f} MB)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)

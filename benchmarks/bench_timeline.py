"""Benchmark: ImbalanceTimeline's reduction of 4 series (and the mid) to pixel columns.

A script, not a test: ``uv run python benchmarks/bench_timeline.py [rows] [columns] [repeats]``
(default 5 M rows, 800 columns, 5 repeats). It builds a synthetic random-walk 5-level book, computes
the 4 series once (level-1 and depth imbalance, cumulative OFI, spread; timed and printed, not part
of the reduction), then times the reduction the view does on every zoom or resize
(``imbalance_timeline.reduce_series``: NaN-ignoring ``fmin/fmax.reduceat`` over the rows in force in
each pixel) for the whole book, a 10 % window and a 0.1 % window, against a simple numpy reference
(a Python loop over the pixels taking ``np.nanmin``/``np.nanmax`` of each pixel's slice), checks
that both give the same numbers and prints a table (best of ``repeats``).
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

from obi_widgets import Book, metrics
from obi_widgets.views._reduce import time_edges
from obi_widgets.views._series import Series
from obi_widgets.views.imbalance_timeline import reduce_series


def random_walk_book(rows: int, levels: int = 5, seed: int = 0) -> Book:
    rng = np.random.default_rng(seed)
    bid_ticks = 1_000_000 + np.cumsum(rng.integers(-1, 2, rows, dtype=np.int64))
    spread = rng.integers(1, 4, rows, dtype=np.int64)
    depth = np.arange(levels, dtype=np.int64)
    bid_px = (bid_ticks[:, None] - depth) * 0.01
    ask_px = (bid_ticks[:, None] + spread[:, None] + depth) * 0.01
    bid_sz = rng.integers(1, 500, (rows, levels)).astype(np.float64)
    ask_sz = rng.integers(1, 500, (rows, levels)).astype(np.float64)
    # bursty arrivals: many rows share a microsecond, some gaps of a second
    gaps = np.where(rng.random(rows) < 0.001, 1_000_000_000, rng.integers(0, 20_000, rows))
    ts = np.int64(1_704_187_800_000_000_000) + np.cumsum(gaps, dtype=np.int64)
    return Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz, validate=False)


def reference(ts: np.ndarray, values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain numpy: per pixel, nanmin / nanmax of the rows starting in it plus the row in force at its start."""
    n = edges.shape[0] - 1
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    for k in range(n):
        a = np.searchsorted(ts, edges[k], side="right") - 1  # row in force at the left edge
        b = np.searchsorted(ts, edges[k + 1], side="right" if k == n - 1 else "left")
        part = values[max(a, 0) : b] if a >= 0 else values[0:b]
        if part.size and not np.isnan(part).all():
            lo[k], hi[k] = np.nanmin(part), np.nanmax(part)
    return lo, hi


def best(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    rows = int(float(sys.argv[1])) if len(sys.argv) > 1 else 5_000_000
    columns = int(sys.argv[2]) if len(sys.argv) > 2 else 800
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    t = time.perf_counter()
    book = random_walk_book(rows)
    print(f"book: {rows:,} rows x {book.levels} levels, built in {time.perf_counter() - t:.2f} s")

    metrics.ofi(book[:100])  # compile the numba kernel outside the timing
    computed = {}
    timings = []
    for label, fn in (
        ("mid", lambda: metrics.mid(book)),
        ("level1_imbalance", lambda: metrics.level1_imbalance(book)),
        ("depth_imbalance (5 levels)", lambda: metrics.depth_imbalance(book, levels=5)),
        ("cumulative OFI", lambda: np.cumsum(metrics.ofi(book))),
        ("spread", lambda: metrics.spread(book)),
    ):
        secs, computed[label] = best(fn, 1)
        timings.append((label, secs))
    print("\nseries computation (once per view, not part of the reduction):")
    print(f"  {'series':<28} {'ms':>8}")
    for label, secs in timings:
        print(f"  {label:<28} {secs * 1e3:8.1f}")
    print(f"  {'total':<28} {sum(s for _, s in timings) * 1e3:8.1f}")

    mid = computed.pop("mid")
    series = [Series(label, values) for label, values in computed.items()]
    ts = book.ts
    t0, t1 = int(ts[0]), int(ts[-1])
    span = t1 - t0
    windows = {
        "whole book": (t0, t1),
        "10 % window": (t0 + span // 3, t0 + span // 3 + span // 10),
        "0.1 % window": (t0 + span // 2, t0 + span // 2 + span // 1000),
    }
    print(f"\nreduction to {columns} pixel columns, mid + {len(series)} series (best of {repeats}):")
    print(f"  {'range':<14} {'rows':>10} {'view (ms)':>10} {'reference (ms)':>15} {'speed-up':>9}  same")
    for name, (a, b) in windows.items():
        edges = time_edges(a, b, columns)
        n_rows = int(np.searchsorted(ts, b, side="right") - np.searchsorted(ts, a, side="left"))
        secs, fields = best(lambda edges=edges: reduce_series(ts, mid, series, edges), repeats)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)

            def ref(edges=edges):
                out = {"mid": reference(ts, mid, edges)}
                for i, s in enumerate(series):
                    out[f"s{i}"] = reference(ts, s.values, edges)
                return out

            ref_secs, ref_out = best(ref, max(1, repeats // 2))
        same = all(
            np.allclose(fields[f"{k}_lo"], lo, equal_nan=True) and np.allclose(fields[f"{k}_hi"], hi, equal_nan=True)
            for k, (lo, hi) in ref_out.items()
        )
        print(
            f"  {name:<14} {n_rows:>10,} {secs * 1e3:10.1f} {ref_secs * 1e3:15.1f} {ref_secs / secs:8.1f}x  {'yes' if same else 'NO'}"
        )
        if not same:
            raise SystemExit(f"the view's reduction differs from the reference on {name}")


if __name__ == "__main__":
    main()

"""Benchmark: obi_widgets.metrics.ofi.ofi (numba, one fused pass) against plain vectorised numpy.

A script, not a test: ``uv run python benchmarks/bench_ofi.py [rows] [repeats]`` (default 20 M rows,
5 repeats). It builds a synthetic random-walk level-1 book (prices on a 0.01 grid, spreads of 1-3
ticks, integer sizes), times ``ofi(book)`` and a plain-numpy implementation of the same formula in
the same run (best of ``repeats``, each call allocating its output, first numba call excluded as
compilation), checks that both give the same numbers, and prints events/s and the ratio. A second
section times the 10-level OFI (the multi-level kernel) on a smaller book.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from obi_widgets import Book
from obi_widgets.metrics.ofi import ofi


def random_walk_book(rows: int, levels: int = 1, seed: int = 0) -> Book:
    rng = np.random.default_rng(seed)
    bid_ticks = 1_000_000 + np.cumsum(rng.integers(-1, 2, rows, dtype=np.int64))
    spread = rng.integers(1, 4, rows, dtype=np.int64)
    depth = np.arange(levels, dtype=np.int64)
    bid_px = (bid_ticks[:, None] - depth) * 0.01
    ask_px = (bid_ticks[:, None] + spread[:, None] + depth) * 0.01
    bid_sz = rng.integers(1, 500, (rows, levels)).astype(np.float64)
    ask_sz = rng.integers(1, 500, (rows, levels)).astype(np.float64)
    ts = np.int64(1_340_000_000_000_000_000) + np.cumsum(rng.integers(0, 1000, rows, dtype=np.int64))
    return Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz, validate=False)


def numpy_ofi(book: Book) -> np.ndarray:
    """The plain vectorised numpy version of Cont, Kukanov & Stoikov's e_n (no empty levels)."""
    pb, qb = book.bid_px[:, 0], book.bid_sz[:, 0]
    pa, qa = book.ask_px[:, 0], book.ask_sz[:, 0]
    out = np.zeros(pb.shape[0])
    out[1:] = (
        (pb[1:] >= pb[:-1]) * qb[1:]
        - (pb[1:] <= pb[:-1]) * qb[:-1]
        - (pa[1:] <= pa[:-1]) * qa[1:]
        + (pa[1:] >= pa[:-1]) * qa[:-1]
    )
    return out


def best_of(fn, repeats: int) -> tuple[float, np.ndarray]:
    best, result = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    t0 = time.perf_counter()
    book = random_walk_book(rows)
    print(f"built a {rows:,}-row level-1 random-walk book in {time.perf_counter() - t0:.1f} s")
    ofi(book[:100])  # compile (or load the cache) outside the timing
    t_nb, r_nb = best_of(lambda: ofi(book), repeats)
    t_np, r_np = best_of(lambda: numpy_ofi(book), repeats)
    same = np.array_equal(r_nb, r_np)
    print(f"ofi (numba)  : {t_nb * 1e3:8.1f} ms  {rows / t_nb / 1e6:7.1f} M events/s")
    print(f"plain numpy  : {t_np * 1e3:8.1f} ms  {rows / t_np / 1e6:7.1f} M events/s")
    print(f"ratio numpy/numba: {t_np / t_nb:.2f}x   identical results: {same}")

    rows10 = max(rows // 10, 1000)
    book10 = random_walk_book(rows10, levels=10, seed=1)
    ofi(book10[:100], 10)
    t10, _ = best_of(lambda: ofi(book10, 10), repeats)
    print(
        f"10-level ofi : {t10 * 1e3:8.1f} ms for {rows10:,} rows  {rows10 / t10 / 1e6:7.1f} M rows/s "
        f"({rows10 * 10 / t10 / 1e6:.0f} M level-events/s)"
    )
    if not same:
        raise SystemExit("numba and numpy results differ")


if __name__ == "__main__":
    main()

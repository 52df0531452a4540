"""Benchmark: a busy day of book events to the kit's per-event metrics, end to end.

    uv run python benchmarks/bench_day.py [--rows 27500000] [--levels 1] [--seed 0]

The target the kit is designed for: a 27.5 M-event day (the scale of a busy crypto pair or a
large-cap stock's full depth feed) from arrays to metrics in under 10 s on one core. The book is
a synthetic random walk on a 0.01 tick grid (best levels with occasional one-tick moves and
random queue sizes), built in memory first (not timed: generating it is not the kit's work), then
timed:

- ``Book.from_arrays`` with full validation (time order, sizes, level order, crossed rows);
- ``mid``, ``spread``, ``weighted_mid``, ``level1_imbalance``;
- ``ofi`` (Cont-Kukanov-Stoikov, one value per event);
- ``aggregate`` of OFI and of the last mid into 10-second bins.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from obi_widgets import Book, metrics


def synthetic_book(rows: int, levels: int, seed: int):
    rng = np.random.default_rng(seed)
    moves = rng.choice(np.array([-1, 0, 0, 0, 0, 0, 0, 1], dtype=np.int8), size=rows)
    best_bid = 1_000_000 + np.cumsum(moves, dtype=np.int64)
    spread = 1 + (rng.random(rows) < 0.1)
    offsets = np.arange(levels, dtype=np.int64)
    bid_px = (best_bid[:, None] - offsets) * 0.01
    ask_px = (best_bid[:, None] + spread[:, None] + offsets) * 0.01
    bid_sz = rng.integers(1, 500, size=(rows, levels)).astype(np.float64)
    ask_sz = rng.integers(1, 500, size=(rows, levels)).astype(np.float64)
    ts = 1_700_000_000_000_000_000 + np.cumsum(rng.integers(0, 3_000_000, size=rows), dtype=np.int64)
    return ts, bid_px, bid_sz, ask_px, ask_sz


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=27_500_000)
    ap.add_argument("--levels", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    arrays = synthetic_book(args.rows, args.levels, args.seed)
    small = Book.from_arrays(*(a[:1000] for a in arrays))
    metrics.ofi(small)  # load the numba cache outside the timing

    steps = []
    t0 = time.perf_counter()

    def step(name, fn):
        t = time.perf_counter()
        out = fn()
        steps.append((name, time.perf_counter() - t))
        return out

    book = step("Book.from_arrays (validated)", lambda: Book.from_arrays(*arrays))
    step("mid", lambda: metrics.mid(book))
    step("spread", lambda: metrics.spread(book))
    step("weighted_mid", lambda: metrics.weighted_mid(book))
    step("level1_imbalance", lambda: metrics.level1_imbalance(book))
    e = step("ofi", lambda: metrics.ofi(book))
    step("aggregate ofi 10s", lambda: metrics.aggregate(e, book.ts, "10s"))
    step("aggregate mid 10s (last)", lambda: metrics.aggregate(metrics.mid(book), book.ts, "10s", how="last"))
    total = time.perf_counter() - t0

    print(f"{args.rows:,} events x {args.levels} level(s)")
    for name, dt in steps:
        print(f"  {name:32s} {dt * 1000:9.1f} ms")
    print(f"  {'total':32s} {total * 1000:9.1f} ms  ({args.rows / total / 1e6:.1f} M events/s; target < 10 s)")


if __name__ == "__main__":
    main()

"""Benchmark: a busy day of book events to the kit's per-event metrics.

    uv run python benchmarks/bench_day.py [--rows 27500000] [--levels 10] [--seed 0] [--repeat 3]
                                          [--only NAME ...] [--no-pipeline]

Two parts, on a synthetic random walk on a 0.01 tick grid (best levels with occasional one-tick
moves, random queue sizes, no empty level), built in memory first (not timed: generating it is not
the kit's work):

1. **Pipeline** (the end-to-end target: a 27.5 M-event day from arrays to metrics in under 10 s on
   one core): ``Book.from_arrays`` with full validation, ``mid``, ``spread``, ``weighted_mid``,
   ``level1_imbalance``, ``ofi`` and ``aggregate`` into 10-second bins, timed once each.
2. **Metrics at memory speed** (issue 7: every level-based metric within 2x of a single pass over
   its inputs). For each level-based metric of :mod:`obi_widgets.metrics`, the reference is the
   time of the plain numpy passes that read each of the metric's input columns once and write one
   output array each, measured in the same run, e.g. ``np.add(bid_sz[:, 0], ask_sz[:, 0], out=buf)``
   for ``level1_imbalance``; ``bid_sz[:, :k].sum(axis=1)`` and the same on the ask side for a
   k-level depth metric; two such passes when a metric reads four columns (prices and sizes).
   Median of ``--repeat`` runs of each, metric and reference alternating; "peak" is the extra
   memory the metric allocates (tracemalloc, numpy's allocations), in MB and in output arrays.

At 10 levels the four (T, 10) arrays of a 27.5 M-row book take 8.8 GB; metrics with (T, 10)
outputs add 2.2 GB each. Use ``--rows 3000000`` while developing.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

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


def pipeline(arrays, rows: int, levels: int) -> Book:
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
    print(f"Pipeline: {rows:,} events x {levels} level(s)")
    for name, dt in steps:
        print(f"  {name:32s} {dt * 1000:9.1f} ms")
    print(f"  {'total':32s} {total * 1000:9.1f} ms  ({rows / total / 1e6:.1f} M events/s; target < 10 s)")
    return book


# -- references: one plain numpy pass over each input column, one output each ----------------------
def _pass2(a, b, op=np.add):
    """One elementwise pass reading a and b, writing one new array."""
    return lambda: op(a, b, out=np.empty(a.shape))


def _both(*fns):
    def run():
        for f in fns:
            f()

    return run


def _rowsum(a):
    return lambda: a.sum(axis=1)


def cases(book: Book, model):
    """(name, metric call, reference description, reference call) for every level-based metric."""
    L = book.levels
    k = min(5, L)
    bp0, ap0, bq0, aq0 = book.bid_px[:, 0], book.ask_px[:, 0], book.bid_sz[:, 0], book.ask_sz[:, 0]
    px0 = _pass2(bp0, ap0)
    sz0 = _pass2(bq0, aq0)
    four0 = _both(px0, sz0)
    szk = _both(_rowsum(book.bid_sz[:, :k]), _rowsum(book.ask_sz[:, :k]))
    szL = _both(_rowsum(book.bid_sz), _rowsum(book.ask_sz))
    pxL = _both(_rowsum(book.bid_px), _rowsum(book.ask_px))
    allL = _both(szL, pxL)
    bidL = _both(_rowsum(book.bid_sz), _rowsum(book.bid_px))
    askL_bp0 = _both(_rowsum(book.ask_sz), _rowsum(book.ask_px), px0)
    bidL_bp0 = _both(bidL, px0)
    w = np.linspace(1.0, 0.1, k)
    m = metrics
    d_px0, d_sz0, d_4 = "add(bid_px0, ask_px0)", "add(bid_sz0, ask_sz0)", "add px0 + add sz0"
    d_szk, d_szL = f"sz[:, :{k}].sum(1) x2", f"sz[:, :{L}].sum(1) x2"
    d_all = f"sz,px[:, :{L}].sum(1) x4"
    return [
        ("mid", lambda: m.mid(book), d_px0, px0),
        ("spread", lambda: m.spread(book), "subtract(ask_px0, bid_px0)", _pass2(ap0, bp0, np.subtract)),
        ("weighted_mid", lambda: m.weighted_mid(book), d_4, four0),
        ("microprice (apply)", lambda: m.microprice(book, model), d_4, four0),
        ("forward_return(10)", lambda: m.forward_return(book, 10), d_px0, px0),
        ("level1_imbalance", lambda: m.level1_imbalance(book), d_sz0, sz0),
        ("level1_imbalance ratio", lambda: m.level1_imbalance(book, form="ratio"), d_sz0, sz0),
        (f"depth_imbalance {k} equal", lambda: m.depth_imbalance(book, k), d_szk, szk),
        (f"depth_imbalance {k} linear", lambda: m.depth_imbalance(book, k, "linear"), d_szk, szk),
        (f"depth_imbalance {k} exp", lambda: m.depth_imbalance(book, k, "exp", decay=0.3), d_szk, szk),
        (f"depth_imbalance {k} array", lambda: m.depth_imbalance(book, k, w), d_szk, szk),
        (f"depth_imbalance {L} equal", lambda: m.depth_imbalance(book, L), d_szL, szL),
        (f"depth_imbalance {L} ratio", lambda: m.depth_imbalance(book, L, form="ratio"), d_szL, szL),
        ("band_imbalance 10bps", lambda: m.band_imbalance(book, 10), d_all, allL),
        ("band_imbalance keep", lambda: m.band_imbalance(book, 10, truncated="keep"), d_all, allL),
        ("cumulative_depth bid", lambda: m.cumulative_depth(book, "bid"), "bid sz,px.sum(1)", bidL),
        ("cumulative_depth_imbalance", lambda: m.cumulative_depth_imbalance(book), d_all, allL),
        ("ofi level 1", lambda: m.ofi(book), d_4, four0),
        (f"ofi {L} levels", lambda: m.ofi(book, L), d_all, allL),
        (f"integrated_ofi {L} 1min", lambda: m.integrated_ofi(book, L, freq="1min"), d_all, allL),
        ("depth all levels", lambda: m.depth(book), d_szL, szL),
        ("depth bid 5 levels", lambda: m.depth(book, k, side="bid"), f"bid_sz[:, :{k}].sum(1)", _rowsum(book.bid_sz[:, :k])),
        ("depth notional", lambda: m.depth(book, unit="notional"), d_all, allL),
        ("depth 10bps", lambda: m.depth(book, bps=10), d_all, allL),
        ("book_slope", lambda: m.book_slope(book), d_all, allL),
        ("book_slope bid linear", lambda: m.book_slope(book, side="bid", log_volume=False), "bid sz,px.sum + px0", bidL_bp0),
        ("sweep_cost buy 1000", lambda: m.sweep_cost(book, 1000), "ask sz,px.sum + px0", askL_bp0),
        ("sweep_cost sell best price", lambda: m.sweep_cost(book, 1000, "sell", reference="best", unit="price"), "bid sz,px.sum + px0", bidL_bp0),
        ("slippage_curve 4 sizes", lambda: m.slippage_curve(book, [100, 500, 1000, 3000]), "ask sz,px.sum + px0", askL_bp0),
    ]  # fmt: skip


def measure(fn, repeat: int):
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
        del out
    return times


def peak_bytes(fn) -> int:
    gc.collect()
    tracemalloc.start()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    return peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=27_500_000)
    ap.add_argument("--levels", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None, help="substrings of the metric names to run")
    ap.add_argument("--no-pipeline", action="store_true")
    args = ap.parse_args()

    arrays = synthetic_book(args.rows, args.levels, args.seed)
    small = Book.from_arrays(*(a[:1000] for a in arrays))
    metrics.ofi(small)  # load the numba cache outside the timing
    if args.no_pipeline:
        book = Book.from_arrays(*arrays)
    else:
        book = pipeline(arrays, args.rows, args.levels)
    del arrays
    fit_rows = min(len(book), 1_000_000)
    model = metrics.fit_microprice(book[:fit_rows], tick=0.01)
    out_mb = len(book) * 8 / 1e6

    print(f"\nMetrics at memory speed: {args.rows:,} rows x {args.levels} levels, median of {args.repeat}")
    print(f"  {'metric':30s} {'time ms':>9s}  {'reference':26s} {'ref ms':>8s} {'ratio':>6s}      {'peak MB':>8s}")
    for name, fn, ref_name, ref in cases(book, model):
        if args.only and not any(s in name for s in args.only):
            continue
        peak = peak_bytes(fn)  # also the warm-up call (numba cache, first touch)
        ref()
        t_m, t_r = [], []
        for _ in range(args.repeat):
            t_m += measure(fn, 1)
            t_r += measure(ref, 1)
        tm, tr = statistics.median(t_m), statistics.median(t_r)
        r = tm / tr
        mark = "ok" if r <= 2.0 else "SLOW"
        print(
            f"  {name:30s} {tm * 1e3:9.1f}  {ref_name:26s} {tr * 1e3:8.1f} {r:6.2f} {mark:4s}  "
            f"{peak / 1e6:8.0f} ({peak / 1e6 / out_mb:.1f} out)",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""Benchmark: the numba L2 book builder against pure-Python dict rebuilds, on the same synthetic stream.

    uv run python benchmarks/bench_builder.py [--deltas 2000000] [--levels 10] [--seed 0]

The stream imitates a busy crypto pair's depth feed (numbers in ticks of 0.01):

- messages of 1..20 level updates (one output row per message: ``emit`` on its last row);
- each update's distance from the mid is geometric (mean ~15 ticks) for 90% of them and uniform
  over 1..3000 ticks for 10% (Binance diffs touch every depth of the book);
- 40% of updates delete (size 0, sometimes a level that is not there), the rest set a new size;
- the mid follows a random walk with an upward drift of several thousand ticks over the run, so
  the ladder has to follow the price; whenever the mid moves, the level it moves onto is deleted
  first, so the book never crosses.

References (pure Python, rows as lists, per side a dict {price: size}):

- ``dict+heapq``: the simple rebuild: ``heapq.nlargest`` / ``nsmallest`` of the dict's keys at
  each output row (cost grows with the book's depth);
- ``dict+bisect``: a stronger one that also keeps a sorted list of prices with ``bisect`` (top N
  is a slice).

All three outputs are compared value for value (NaN-aware); a difference fails the run. The
builder is timed end to end through :func:`obi_widgets.io.builder.build_book` (grid inference,
checks, kernel, Book construction), after a warm-up call that loads the numba cache. The builder
and dict+bisect run ``--repeat`` times, alternating, and the ratio is the median of the per-run
ratios (the machine is shared: both sides of a ratio see the same load); dict+heapq runs once.
"peak MB" is the peak of Python-tracked allocations (tracemalloc, numpy arrays included) during
one extra untimed run, the input stream excluded.
"""

from __future__ import annotations

import argparse
import heapq
import time
import tracemalloc
from bisect import bisect_left

import numba
import numpy as np

from obi_widgets.io.builder import build_book


@numba.njit(cache=True)
def synthetic_stream(n, seed):
    """(ts, side, price, size, emit): n rows of level updates, uncrossed, drifting (see the module doc)."""
    np.random.seed(seed)
    side = np.zeros(n, np.int8)
    key = np.zeros(n, np.int64)
    size = np.zeros(n, np.float64)
    emit = np.zeros(n, np.bool_)
    ts = np.zeros(n, np.int64)
    mid = 6_000_000  # 60000.00 in ticks of 0.01
    t = 1_723_161_600_000_000_000
    i = 0
    msg = 0
    while i < n:
        msg += 1
        t += 1_000_000 + np.random.randint(0, 50_000_000)
        # the mid moves (drift up: +1 with p .3, -1 with p .25); the level it lands on is removed
        u = np.random.random()
        step = 1 if u < 0.30 else (-1 if u < 0.55 else 0)
        if step != 0 and i < n:
            mid += step
            side[i] = 1 if step < 0 else -1  # down: the bid at the new mid goes; up: the ask
            key[i] = mid
            size[i] = 0.0
            ts[i] = t
            i += 1
        m = 1 + np.random.randint(0, 20)
        for _ in range(m):
            if i >= n:
                break
            s = 1 if np.random.random() < 0.5 else -1
            if np.random.random() < 0.9:
                d = 1 + int(np.random.exponential(15.0))
            else:
                d = 1 + np.random.randint(0, 3000)
            side[i] = s
            key[i] = mid - d if s > 0 else mid + d
            size[i] = 0.0 if np.random.random() < 0.4 else np.round(np.random.exponential(0.5) + 0.00001, 5)
            ts[i] = t
            i += 1
        emit[i - 1] = True
    emit[n - 1] = True
    price = key / 100.0  # correctly rounded, like a decimal parsed from text
    return ts, side, price, size, emit


def reference_heapq(side, price, size, emit, levels):
    """Pure-Python dict rebuild; top N by heapq at each output row."""
    bids: dict[float, float] = {}
    asks: dict[float, float] = {}
    out = []
    nan = float("nan")
    pad = [nan] * levels
    for sd, p, s, e in zip(side.tolist(), price.tolist(), size.tolist(), emit.tolist()):
        book = bids if sd > 0 else asks
        if s == 0.0:
            book.pop(p, None)
        else:
            book[p] = s
        if e:
            bp = heapq.nlargest(levels, bids)
            ap = heapq.nsmallest(levels, asks)
            out.append(
                (
                    (bp + pad)[:levels],
                    ([bids[x] for x in bp] + pad)[:levels],
                    (ap + pad)[:levels],
                    ([asks[x] for x in ap] + pad)[:levels],
                )
            )
    return [np.array([row[j] for row in out]) for j in range(4)]


def reference_bisect(side, price, size, emit, levels):
    """Pure-Python dict rebuild plus a sorted price list per side (bisect): top N is a slice."""
    bids: dict[float, float] = {}
    asks: dict[float, float] = {}
    bkeys: list[float] = []  # ascending: best bid last
    akeys: list[float] = []  # ascending negated prices: best ask last
    out = []
    nan = float("nan")
    pad = [nan] * levels
    for sd, p, s, e in zip(side.tolist(), price.tolist(), size.tolist(), emit.tolist()):
        if sd > 0:
            book, keys, k = bids, bkeys, p
        else:
            book, keys, k = asks, akeys, -p
        if s == 0.0:
            if book.pop(p, None) is not None:
                del keys[bisect_left(keys, k)]
        else:
            if p not in book:
                keys.insert(bisect_left(keys, k), k)
            book[p] = s
        if e:
            bp = bkeys[: -levels - 1 : -1]
            ap = [-x for x in akeys[: -levels - 1 : -1]]
            out.append(
                (
                    (bp + pad)[:levels],
                    ([bids[x] for x in bp] + pad)[:levels],
                    (ap + pad)[:levels],
                    ([asks[x] for x in ap] + pad)[:levels],
                )
            )
    return [np.array([row[j] for row in out]) for j in range(4)]


def _same(a, b) -> bool:
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _peak_mb(fn) -> float:
    """Peak of Python-tracked allocations (numpy arrays included) during one extra, untimed call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deltas", type=int, default=2_000_000)
    ap.add_argument("--levels", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="builder and dict+bisect runs, alternating (median)")
    ap.add_argument("--skip-heapq", action="store_true", help="skip the slow dict+heapq reference (run once)")
    ap.add_argument("--skip-memory", action="store_true", help="skip the tracemalloc peak runs")
    args = ap.parse_args(argv)
    n, levels = args.deltas, args.levels

    t0 = time.perf_counter()
    ts, side, price, size, emit = synthetic_stream(n, args.seed)
    print(
        f"stream: {n:,} deltas, {int(emit.sum()):,} messages (output rows), generated in {time.perf_counter() - t0:.2f} s"
    )
    print(
        f"        price {price.min():.2f} .. {price.max():.2f} ({int(round((price.max() - price.min()) * 100)):,} ticks)"
    )
    build_book(ts[:1000], side[:1000], price[:1000], size[:1000], emit=emit[:1000], levels=levels)  # warm-up

    def builder():
        return build_book(ts, side, price, size, emit=emit, levels=levels)

    def bisect_ref():
        return reference_bisect(side, price, size, emit, levels)

    t_nb, t_bi, ratios = [], [], []
    for _ in range(args.repeat):  # alternate, so both see the same machine load
        t, res = _timed(builder)
        t_nb.append(t)
        t, want = _timed(bisect_ref)
        t_bi.append(t)
        ratios.append(t_bi[-1] / t_nb[-1])
    book = res.book
    got = [np.asarray(a) for a in (book.bid_px, book.bid_sz, book.ask_px, book.ask_sz)]
    checks = {"dict+bisect": all(_same(g, w) for g, w in zip(got, want))}
    rows = [
        ("numba builder", "-", float(np.median(t_nb)), None),
        ("dict+bisect", "numba builder", float(np.median(t_bi)), float(np.median(ratios))),
    ]
    if not args.skip_heapq:
        t, want = _timed(lambda: reference_heapq(side, price, size, emit, levels))
        checks["dict+heapq"] = all(_same(g, w) for g, w in zip(got, want))
        rows.append(("dict+heapq", "numba builder", t, t / float(np.median(t_nb))))
    peaks = {}
    if not args.skip_memory:
        peaks["numba builder"] = _peak_mb(builder)
        peaks["dict+bisect"] = _peak_mb(bisect_ref)
    print(
        f"tick {res.tick_size}, {int(res.flags['crossed'].sum())} crossed rows; times: median of {args.repeat} "
        f"alternating runs (dict+heapq: one run); ratio = reference time / builder time"
    )
    print(f"{'what':16s} {'time s':>8s} {'M deltas/s':>11s} {'builder is':>11s} {'peak MB':>8s}  outputs")
    for name, _, t, ratio in rows:
        rtxt = f"{ratio:10.1f}x" if ratio is not None else f"{'':11s}"
        ptxt = f"{peaks[name]:8.0f}" if name in peaks else f"{'':8s}"
        same = "" if name not in checks else ("identical" if checks[name] else "DIFFERENT")
        print(f"{name:16s} {t:8.3f} {n / t / 1e6:11.2f} {rtxt} {ptxt}  {same}")
    print(
        f"per run, dict+bisect / builder: {', '.join(f'{r:.1f}x' for r in ratios)} (target >= 20x: "
        f"{'met' if np.median(ratios) >= 20 else 'NOT met'})"
    )
    bad = [k for k, ok in checks.items() if not ok]
    if bad:
        raise SystemExit(f"{', '.join(bad)} and the builder disagree")


if __name__ == "__main__":
    main()

"""DepthHeatmap speed: the raster of a 1 M-snapshot x 10-level book and zoom re-bins of a 5 M-row
book, against a simple vectorised numpy reference in the same run. Prints a table (times are
the best of a few runs; the machine is shared, so look at ratios as much as at milliseconds).

    .venv/bin/python benchmarks/bench_heatmap.py

The first paint in Chromium is measured by tests/browser/test_depth_heatmap.py
(test_first_paint_of_a_million_rows), which writes tests/artifacts/depth_heatmap_first_paint.txt.
"""

from __future__ import annotations

import time

import numpy as np

import obi_widgets as ow
from obi_widgets import raster as rs
from obi_widgets.views._reduce import time_edges
from obi_widgets.views.depth_heatmap import CHROME_X, CHROME_Y

WIDTH, HEIGHT = 1100, 420  # a typical notebook cell
N_TIME, N_PRICE = (WIDTH - CHROME_X) // 2, (HEIGHT - CHROME_Y) // 3


def make_book(rows: int, levels: int = 10, seed: int = 0) -> ow.Book:
    """A random-walk book where about one level changes per row (as in real feeds)."""
    rng = np.random.default_rng(seed)
    ts = 1_700_000_000_000_000_000 + np.cumsum(rng.integers(1, 2_000_000, rows))
    mid = 10_000 + np.cumsum(rng.choice([-1, 0, 1], rows, p=[0.02, 0.96, 0.02]))
    lv = np.arange(levels)
    sizes = []
    for _ in range(2):
        q = np.round(rng.gamma(2.0, 50.0, (rows, levels))) + 1
        change = rng.integers(0, levels, rows)  # one level redrawn per row, the others carried
        last = np.zeros((rows, levels), dtype=np.int64)
        last[np.arange(rows), change] = np.arange(rows)
        np.maximum.accumulate(last, axis=0, out=last)
        sizes.append(q[last, lv])
    bid = (mid[:, None] - 1 - lv) * 0.01
    ask = (mid[:, None] + 1 + lv) * 0.01
    return ow.Book(ts, bid, sizes[0], ask, sizes[1], meta={"tick": 0.01}, validate=False)


def numpy_raster(book: ow.Book, t0: int, t1: int, n_time: int, grid: rs.PriceGrid) -> np.ndarray:
    """The same cells, simply: cut every holding interval at the slice edges, then one bincount."""
    edges = time_edges(t0, t1, n_time)
    ts = book.ts
    r0 = max(int(np.searchsorted(ts, t0, side="right")) - 1, 0)
    r1 = int(np.searchsorted(ts, t1, side="right"))
    cut = np.union1d(np.clip(ts[r0:r1], t0, t1), edges)
    a, b = cut[:-1], cut[1:]
    row = np.searchsorted(ts, a, side="right") - 1
    ok = row >= 0
    a, b, row = a[ok], b[ok], row[ok]
    s = np.searchsorted(edges, a, side="right") - 1
    w = (b - a).astype(np.float64)
    out = np.zeros(n_time * grid.n)
    for px, sz in ((book.bid_px, book.bid_sz), (book.ask_px, book.ask_sz)):
        bucket = grid.bucket(px[row])
        q = sz[row]
        keep = (bucket >= 0) & np.isfinite(q)
        idx = (s[:, None] * grid.n + bucket)[keep]
        out += np.bincount(idx, weights=(q * w[:, None])[keep], minlength=out.size)
    return out.reshape(n_time, grid.n) / (np.diff(edges).astype(np.float64) * grid.k)[:, None]


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1e3)
    return min(times), out


def main() -> None:
    rows: list[tuple[str, str, str]] = []

    print("building the 1 M-row book ...", flush=True)
    book = make_book(1_000_000)
    t0, t1 = int(book.ts[0]), int(book.ts[-1])
    src = ow.BookSource(book)
    ow.DepthHeatmap(make_book(100))  # load the compiled kernels (numba's one-time start-up)
    ms, h = best(lambda: ow.DepthHeatmap(src, height=HEIGHT), 3)
    payload = len(h._raster) + len(h._overview)
    rows.append(
        ("1M x 10: DepthHeatmap(source) (overview 256x128 + window + pack)", f"{ms:.0f} ms", "target <= 300 ms")
    )
    rows.append(("1M x 10: payload (_raster + _overview)", f"{payload / 1e6:.2f} MB", "target <= 2 MB"))
    r = h.raster()
    ms_k, rk = best(lambda: rs.depth_raster(book, t0, t1, N_TIME, r.grid.edges[0], r.grid.edges[-1], N_PRICE))
    ms_n, rn = best(lambda: numpy_raster(book, t0, t1, N_TIME, rk.grid), 2)
    assert np.allclose(rk.cells, rn, rtol=1e-9, atol=1e-9), "numpy reference disagrees"
    rows.append((f"1M x 10: depth_raster {N_TIME}x{rk.grid.n} (numba, reads every level)", f"{ms_k:.0f} ms", ""))
    rows.append(("1M x 10: the same cells, numpy reference", f"{ms_n:.0f} ms", f"numba {ms_n / ms_k:.1f}x faster"))
    ms_i, index = best(lambda: rs.DepthIndex(book), 2)
    rows.append(
        (
            "1M x 10: DepthIndex (level changes, built off the GIL after display)",
            f"{ms_i:.0f} ms",
            f"{index.nbytes / 1e6:.0f} MB",
        )
    )
    h = index = None  # free the 1 M book's payloads before the 5 M one

    print("building the 5 M-row book ...", flush=True)
    big = make_book(5_000_000, seed=1)
    b0, b1 = int(big.ts[0]), int(big.ts[-1])
    ms_i, index = best(lambda: rs.DepthIndex(big), 1)
    rows.append(("5M x 10: DepthIndex build", f"{ms_i:.0f} ms", f"{index.nbytes / 1e6:.0f} MB"))
    pad = rs.depth_pad(big)
    for frac in (1.0, 0.5, 0.1, 0.01):
        span = int((b1 - b0) * frac)
        lo = b0 + int((b1 - b0 - span) * 0.37)
        hi = lo + span

        def rebin(ix=index, lo=lo, hi=hi):
            return rs.window_raster(big, lo, hi, N_TIME, N_PRICE, pad=pad, index=ix)

        ms_z, rz = best(rebin)
        ms_d, rd = best(lambda lo=lo, hi=hi: rs.window_raster(big, lo, hi, N_TIME, N_PRICE, pad=pad), 2)
        assert np.allclose(rz.cells, rd.cells, rtol=1e-9, atol=1e-9)
        note = f"direct kernel {ms_d:.0f} ms"
        if frac <= 0.5:
            ms_n, rn = best(lambda lo=lo, hi=hi, g=rz.grid: numpy_raster(big, lo, hi, N_TIME, g), 1)
            assert np.allclose(rz.cells, rn, rtol=1e-9, atol=1e-9)
            note += f", numpy {ms_n:.0f} ms"
        rows.append((f"5M x 10: zoom re-bin, window {frac:.0%} of the book (index)", f"{ms_z:.0f} ms", note))

    w = max(len(a) for a, _, _ in rows)
    print(f"\n{'what'.ljust(w)}  {'result':>10}  note")
    print(f"{'-' * w}  {'-' * 10}  {'-' * 30}")
    for a, b, c in rows:
        print(f"{a.ljust(w)}  {b:>10}  {c}")


if __name__ == "__main__":
    main()

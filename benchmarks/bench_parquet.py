"""Benchmark: the Parquet store (obi_widgets.io.parquet) and per-day Dask aggregations (obi_widgets.dask).

A script, not a test: ``uv run python benchmarks/bench_parquet.py [rows] [repeats] [days_rows]``
(default 5 M rows, 3 repeats, 200 k simulated rows per instrument-day).

1. Write / read a ``rows`` x 10-level book (random walk on a 0.01 grid, integer sizes, 1 ms apart;
   NaN-free) with ``to_parquet`` / ``read_parquet`` against ``np.save`` / ``np.load`` of the same five
   arrays (the reference), median of ``repeats``: rows/s, MB/s of array bytes, bytes on disk, peak
   RSS above the start of the step (sampled every 2 ms). Also: chunked writes from a generator, a
   5-level read, a 10 % time-range read, and the level layout alternative (one fixed-size list column
   per side instead of one column per level), written and read with pyarrow directly.
2. Per-day OFI regressions (10 s bins) on a simulated store of 2 instruments x 5 days:
   single process (``read_parquet`` per instrument, metrics, a loop over days) against
   ``obi_widgets.dask.ofi_regressions`` on the default threads and on a 2-worker
   ``distributed.LocalCluster`` (worker processes), results checked equal.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from obi_widgets import Book
from obi_widgets.io.parquet import read_parquet, to_parquet

SIDES = ("bid_px", "bid_sz", "ask_px", "ask_sz")


# -- measuring -----------------------------------------------------------------------------------
def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Peak:
    """Peak RSS above the value at entry, sampled every 2 ms by a thread."""

    def __enter__(self):
        self.base = rss()
        self.peak = self.base
        self.run = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.run:
            self.peak = max(self.peak, rss())
            time.sleep(0.002)

    def __exit__(self, *exc):
        self.run = False
        self.thread.join()
        self.peak = max(self.peak, rss())
        self.mb = (self.peak - self.base) / 1e6


def timed(fn, repeats: int):
    """(median seconds, max peak MB, last result) over ``repeats`` calls."""
    times, peaks, out = [], [], None
    for _ in range(repeats):
        out = None
        with Peak() as p:
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        peaks.append(p.mb)
    return statistics.median(times), max(peaks), out


def disk(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


# -- data ----------------------------------------------------------------------------------------
def random_walk_book(rows: int, levels: int = 10, seed: int = 0) -> Book:
    rng = np.random.default_rng(seed)
    bid_ticks = 1_000_000 + np.cumsum(rng.integers(-1, 2, rows, dtype=np.int64))
    spread = rng.integers(1, 4, rows, dtype=np.int64)
    depth = np.arange(levels, dtype=np.int64)
    bid_px = (bid_ticks[:, None] - depth) / 100.0
    ask_px = (bid_ticks[:, None] + spread[:, None] + depth) / 100.0
    bid_sz = rng.integers(1, 500, (rows, levels)).astype(np.float64)
    ask_sz = rng.integers(1, 500, (rows, levels)).astype(np.float64)
    ts = np.int64(1_704_153_600_000_000_000) + np.arange(rows, dtype=np.int64) * 1_000_000
    return Book(ts, bid_px, bid_sz, ask_px, ask_sz, name="bench", meta={"tick": 0.01, "symbol": "RW"}, validate=False)


# -- section 1 -----------------------------------------------------------------------------------
def row(table, what, ref, secs, nbytes, rows, size, peak, ref_secs=None):
    ratio = f"{secs / ref_secs:.2f}x" if ref_secs else ""
    table.append(
        (
            what,
            ref,
            f"{secs * 1e3:9.0f} ms",
            f"{rows / secs / 1e6:6.1f} M rows/s",
            f"{nbytes / secs / 1e6:7.0f} MB/s",
            ratio,
            f"{size / 1e6:8.1f} MB" if size else "",
            f"{peak:7.0f} MB",
        )  # fmt: skip
    )


def list_layout(book: Book, path: Path, compression: str):
    import pyarrow as pa
    import pyarrow.parquet as pq

    levels = book.levels
    cols = {"ts": pa.array(book.ts)}
    for s in SIDES:
        cols[s] = pa.FixedSizeListArray.from_arrays(pa.array(getattr(book, s).ravel()), levels)
    pq.write_table(pa.table(cols), path, compression=compression, row_group_size=1 << 20)


def read_list_layout(path: Path, levels: int):
    import pyarrow.parquet as pq

    t = pq.read_table(path)
    out = [t.column("ts").to_numpy()]
    for s in SIDES:
        flat = np.concatenate([c.flatten().to_numpy() for c in t.column(s).chunks])
        out.append(flat.reshape(-1, levels))
    return out


def section_storage(rows: int, repeats: int) -> None:
    book = random_walk_book(rows)
    nbytes = sum(getattr(book, s).nbytes for s in ("ts", *SIDES))
    tmp = Path(tempfile.mkdtemp(prefix="bench_parquet_"))
    table: list[tuple] = []
    try:
        npy = tmp / "npy"

        def save():
            shutil.rmtree(npy, ignore_errors=True)
            npy.mkdir()
            for s in ("ts", *SIDES):
                np.save(npy / f"{s}.npy", getattr(book, s))

        def load():
            return [np.load(npy / f"{s}.npy") for s in ("ts", *SIDES)]

        t_save, p, _ = timed(save, repeats)
        row(table, "np.save (reference)", "", t_save, nbytes, rows, disk(npy), p)
        t_load, p, _ = timed(load, repeats)
        row(table, "np.load (reference)", "", t_load, nbytes, rows, 0, p)

        for comp in ("zstd", "snappy"):
            root = tmp / f"pq_{comp}"

            def write(root=root, comp=comp):
                shutil.rmtree(root, ignore_errors=True)
                return to_parquet(book, root, compression=comp)

            t, p, _ = timed(write, repeats)
            row(table, f"to_parquet, {comp}", "np.save", t, nbytes, rows, disk(root), p, t_save)
            t, p, back = timed(lambda root=root: read_parquet(root, validate=False), repeats)
            assert all(np.array_equal(getattr(back, s), getattr(book, s)) for s in ("ts", *SIDES))
            row(table, f"read_parquet, {comp}", "np.load", t, nbytes, rows, 0, p, t_load)
            t, p, back = timed(lambda root=root: read_parquet(root), repeats)
            row(table, f"read_parquet, {comp}, validated", "np.load", t, nbytes, rows, 0, p, t_load)
        root = tmp / "pq_zstd"
        t, p, _ = timed(lambda: read_parquet(root, levels=5, validate=False), repeats)
        row(table, "read_parquet levels=5, zstd", "np.load", t, nbytes // 2, rows // 1, 0, p, t_load)
        t0, t1 = int(book.ts[rows * 4 // 10]), int(book.ts[rows // 2])
        t, p, _ = timed(lambda: read_parquet(root, start=t0, end=t1, validate=False), repeats)
        row(table, "read_parquet 10 % time range", "np.load", t, nbytes // 10, rows // 10, 0, p, t_load)

        chunked = tmp / "pq_chunks"

        def write_chunks():
            shutil.rmtree(chunked, ignore_errors=True)
            return to_parquet((book[i : i + 250_000] for i in range(0, rows, 250_000)), chunked)

        t, p, _ = timed(write_chunks, repeats)
        row(table, "to_parquet, 250 k-row chunks", "np.save", t, nbytes, rows, disk(chunked), p, t_save)

        for comp in ("zstd", "snappy"):
            path = tmp / f"list_{comp}.parquet"
            t, p, _ = timed(lambda path=path, comp=comp: list_layout(book, path, comp), repeats)
            row(table, f"list columns (pyarrow), {comp}", "np.save", t, nbytes, rows, path.stat().st_size, p, t_save)
            t, p, back = timed(lambda path=path: read_list_layout(path, 10), repeats)
            assert np.array_equal(back[3], book.ask_px)
            row(table, f"list columns read, {comp}", "np.load", t, nbytes, rows, 0, p, t_load)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{rows:,} rows x 10 levels ({nbytes / 1e6:.0f} MB of arrays), median of {repeats}; MB/s of array bytes")
    head = ("what", "reference", "time", "rows/s", "MB/s", "ratio", "on disk", "peak RSS")
    widths = [max(len(str(r[i])) for r in [head, *table]) for i in range(len(head))]
    for r in [head, *table]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


# -- section 2 -----------------------------------------------------------------------------------
def single_process(root, freq="10s"):
    from obi_widgets import metrics
    from obi_widgets.dask import ofi_regression_of_day
    from obi_widgets.io.parquet import instruments

    out = {}
    for inst in instruments(root):
        book = read_parquet(root, instrument=inst, validate=False)
        e, m = metrics.ofi(book), metrics.mid(book)
        day = book.ts // 86_400_000_000_000
        cuts = [0, *(np.flatnonzero(np.diff(day)) + 1).tolist(), len(book)]
        for a, b in zip(cuts[:-1], cuts[1:]):
            date = str(np.datetime64(int(day[a]), "D"))
            out[(inst, date)] = ofi_regression_of_day(book.ts[a:b], e[a:b], m[a:b], freq)
    return out


def section_dask(day_rows: int, repeats: int) -> None:
    import logging

    import distributed

    import obi_widgets.dask as od
    from obi_widgets.datasets import simulate

    tmp = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    try:
        t = time.perf_counter()
        for j, inst in enumerate(("SIM1", "SIM2")):
            for d in range(5):
                sim = simulate(seed=10 * j + d, n_events=day_rows, start_time=f"2024-01-0{2 + d} 09:30", name=inst)
                b = sim.book
                chunks = [b[i : i + 50_000] for i in range(0, len(b), 50_000)]
                to_parquet(chunks, tmp, instrument=inst, existing="append")
        print(
            f"\nsimulated store: 2 instruments x 5 days x {day_rows:,} rows, 10 levels, written in {time.perf_counter() - t:.0f} s, {disk(tmp) / 1e6:.0f} MB"
        )
        ref_out = single_process(tmp)  # warm-up: numba kernels, pyarrow
        t_ref, p_ref, ref_out = timed(lambda: single_process(tmp), repeats)
        rows = [("single process (read_parquet + metrics + loop over days)", "", t_ref, p_ref)]
        frame = od.open_store(tmp, split="row_group")
        od.ofi_regressions(frame)
        t_thr, p_thr, got = timed(lambda: od.ofi_regressions(frame), repeats)
        assert all(got.loc[k].to_dict() == {c: ref_out[k][c] for c in got.columns} for k in ref_out)
        rows.append((f"dask, default threads ({frame.npartitions} partitions)", "single process", t_thr, p_thr))
        t = time.perf_counter()
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster.scheduler_address) as client,
        ):  # fmt: skip
            start = time.perf_counter() - t
            od.ofi_regressions(frame)  # warm-up on the workers (imports, kernel loads)
            t_cl, p_cl, got = timed(lambda: od.ofi_regressions(frame), repeats)
            assert all(got.loc[k].to_dict() == {c: ref_out[k][c] for c in got.columns} for k in ref_out)
            mem = client.run(lambda: __import__("psutil").Process().memory_info().rss)
        rows.append(("dask, LocalCluster 2 worker processes", "single process", t_cl, p_cl))
        print(f"per-day OFI regressions (10 s bins), median of {repeats}; cluster start {start:.1f} s, "
              f"worker RSS {', '.join(f'{v / 1e6:.0f} MB' for v in mem.values())}")  # fmt: skip
        for what, ref, secs, peak in rows:
            ratio = f"{secs / t_ref:.2f}x" if ref else ""
            print(f"  {what:62s} {secs:6.2f} s  {ratio:>6s}  peak RSS (this process) {peak:6.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    day_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
    section_storage(rows, repeats)
    section_dask(day_rows, repeats)


if __name__ == "__main__":
    main()

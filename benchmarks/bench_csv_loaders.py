"""Benchmark: the Tardis and LOBSTER loaders, file to Book/Trades, against bare CSV readers.

    uv run python benchmarks/bench_csv_loaders.py [--rows 5000000] [--repeat 3] [--dir /tmp/obi_csv_bench]

Files (generated once under ``--dir``, never in the repository):

- Tardis ``incremental_book_L2`` (plain and gzip): ``--rows`` rows of a busy perpetual's feed
  (a 1000-level snapshot at the start and a reconnect snapshot halfway; messages of 1..8 updates,
  distances from the mid geometric (mean 20 ticks) for 90 % and uniform to 2000 ticks for 10 %,
  35 % deletes, the mid walking by one tick in 10 % of the messages with the level it moves onto
  deleted first, so the book never crosses; exchange time 2-5 ms behind arrival);
- Tardis ``trades`` (``--rows`` rows) and ``book_snapshot_25`` (``--rows / 10`` rows of 104 columns);
- LOBSTER: the shared AMZN level-1 day (57,515 events) repeated with shifted times to about
  ``--rows`` rows, message + orderbook, plain.

Each figure is the median of ``--repeat`` runs, each in a fresh process (so peak RSS is that
run's own): the kit's loader end to end (to a Book / BuildResult / Trades), ``pandas.read_csv``
of the same file(s) with the C engine (the reference: what the loaders used before, and only the
parse), ``pyarrow.csv.read_csv`` alone (multi-threaded, explicit column types) and, for L2,
``pyarrow.csv.open_csv`` streaming in 8 MB blocks. Ratio = reference time / time (> 1: faster).
Imports and the numba kernels' first load (from the on-disk cache) happen before the clock starts.
Peak RSS is the process's VmHWM (Python + pandas + pyarrow + numba already take ~200-300 MB).

Measured 2026-12-02 01:20-01:37 UTC, --rows 5000000 --repeat 1, on the 2-core machine with nothing
else running. Kit rows: L2 = rows read (1,085,069 book rows of 10 levels out), snapshot_25 = book
rows, LOBSTER = message rows (book + trades; since this run LOBSTER reads with pandas' C reader and
uses the kit's block reader only to name a bad line). The kit's figures are end to end (parse, build,
validate); the readers' are the parse alone::

    file                 reader                 rows   time s  M rows/s vs pandas peak RSS MB
    tardis L2            pandas              5000000     0.90      5.58      1.00        1052
    tardis L2            kit                 5000000     2.34      2.14      0.38        1002
    tardis L2            pyarrow             5000000     1.23      4.05      0.73         465
    tardis L2            pyarrow stream      5000000     2.13      2.35      0.42         499
    tardis L2 gz         pandas              5000000     3.29      1.52      1.00         665
    tardis L2 gz         kit                 5000000     4.34      1.15      0.76         999
    tardis L2 gz         pyarrow             5000000     1.96      2.55      1.67         457
    tardis L2 gz         pyarrow stream      5000000     2.91      1.72      1.13         473
    tardis trades        pandas              5000000     1.01      4.96      1.00        1155
    tardis trades        kit                 5000000     3.00      1.67      0.34         558
    tardis trades        pyarrow             5000000     1.22      4.10      0.83        1219
    tardis snapshot_25   pandas               500000     1.48      0.34      1.00        1276
    tardis snapshot_25   kit                  500000     2.27      0.22      0.65        1061
    tardis snapshot_25   pyarrow              500000     2.24      0.22      0.66        1225
    lobster AMZN x       pandas              4946290     1.19      4.15      1.00         767
    lobster AMZN x       kit                 4946290     2.30      2.15      0.52         895
    lobster AMZN x       pyarrow             4946290     1.51      3.27      0.79         747
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
AMZN = ROOT.parent / "shared" / "data" / "lobster_AMZN_2012-06-21_level1"
L2_HEADER = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount"


# -- synthetic files ----------------------------------------------------------------------------
def _l2_kernel():
    import numba

    @numba.njit(cache=True)
    def l2_stream(n, seed, depth0):
        np.random.seed(seed)
        side = np.zeros(n, np.int8)
        key = np.zeros(n, np.int64)
        amt = np.zeros(n)
        snap = np.zeros(n, np.bool_)
        loc = np.zeros(n, np.int64)
        exch = np.zeros(n, np.int64)
        mid = 600_000  # 60000.0 in ticks of 0.1
        t = 1_723_161_600_000_000  # us
        e = t
        i = 0
        nsnap = 0
        while i < n:
            if i == 0 or (nsnap == 1 and i >= n // 2):  # the day's snapshot, and a reconnect
                nsnap += 1
                t += 1000
                for d in range(1, depth0 + 1):
                    for s in (1, -1):
                        if i < n:
                            side[i] = s
                            key[i] = mid - d if s > 0 else mid + d
                            amt[i] = np.round(np.random.exponential(2.0) + 0.001, 3)
                            snap[i] = True
                            loc[i] = t
                            exch[i] = e
                            i += 1
                continue
            t += 1 + int(np.random.exponential(2000.0))
            e = max(e, t - 2000 - int(np.random.exponential(1500.0)))
            u = np.random.random()
            step = 1 if u < 0.05 else (-1 if u < 0.10 else 0)
            if step != 0:
                mid += step
                side[i] = 1 if step < 0 else -1
                key[i] = mid
                amt[i] = 0.0
                loc[i] = t
                exch[i] = e
                i += 1
            for _ in range(1 + np.random.randint(0, 8)):
                if i >= n:
                    break
                s = 1 if np.random.random() < 0.5 else -1
                if np.random.random() < 0.9:
                    d = 1 + int(np.random.exponential(20.0))
                else:
                    d = 1 + np.random.randint(0, 2000)
                side[i] = s
                key[i] = mid - d if s > 0 else mid + d
                amt[i] = 0.0 if np.random.random() < 0.35 else np.round(np.random.exponential(1.0) + 0.001, 3)
                loc[i] = t
                exch[i] = e
                i += 1
        return exch, loc, snap, side, key, amt

    return l2_stream


def _write(table, path: Path, header: str | None) -> None:
    import pyarrow.csv as pcsv

    with open(path, "wb") as f:
        if header is not None:
            f.write((header + "\n").encode())
        pcsv.write_csv(table, f, pcsv.WriteOptions(include_header=False, quoting_style="none"))


def _const(word: str, n: int):
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([word])).cast(pa.string())


def make_files(rows: int, folder: Path) -> dict[str, list[Path]]:
    import pandas as pd
    import pyarrow as pa

    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "tardis L2": [folder / f"l2_{rows}.csv"],
        "tardis L2 gz": [folder / f"l2_{rows}.csv.gz"],
        "tardis trades": [folder / f"trades_{rows}.csv"],
        "tardis snapshot_25": [folder / f"snap25_{rows // 10}.csv"],
        "lobster AMZN x": [folder / f"AMZN_{rows}_message_1.csv", folder / f"AMZN_{rows}_orderbook_1.csv"],
    }
    if not files["tardis L2"][0].exists():
        exch, loc, snap, side, key, amt = _l2_kernel()(rows, 0, 1000)
        words = pa.DictionaryArray.from_arrays(pa.array((side < 0).astype(np.int32)), pa.array(["bid", "ask"]))
        table = pa.table(
            {
                "exchange": _const("binance-futures", rows),
                "symbol": _const("BTCUSDT", rows),
                "timestamp": exch,
                "local_timestamp": loc,
                "is_snapshot": snap,
                "side": words.cast(pa.string()),
                "price": np.round(key * 0.1, 1),
                "amount": amt,
            }
        )
        _write(table, files["tardis L2"][0], L2_HEADER)
    if not files["tardis L2 gz"][0].exists():
        with open(files["tardis L2 gz"][0], "wb") as out:
            subprocess.run(["gzip", "-6", "-c", str(files["tardis L2"][0])], stdout=out, check=True)
    rng = np.random.default_rng(1)
    if not files["tardis trades"][0].exists():
        ts = 1_723_161_600_000_000 + np.cumsum(rng.integers(0, 20_000, rows))
        table = pa.table(
            {
                "exchange": _const("binance-futures", rows),
                "symbol": _const("BTCUSDT", rows),
                "timestamp": ts,
                "local_timestamp": ts + rng.integers(1000, 5000, rows),
                "id": np.arange(4_000_000_000, 4_000_000_000 + rows),
                "side": pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, 2, rows).astype(np.int32)), pa.array(["buy", "sell"])
                ).cast(pa.string()),
                "price": np.round(60000 + np.cumsum(rng.choice([-1, 0, 1], rows)) * 0.1, 1),
                "amount": np.round(rng.exponential(0.05, rows) + 0.001, 3),
            }
        )
        _write(table, files["tardis trades"][0], "exchange,symbol,timestamp,local_timestamp,id,side,price,amount")
    if not files["tardis snapshot_25"][0].exists():
        n = rows // 10
        ts = 1_723_161_600_000_000 + np.cumsum(rng.integers(0, 20_000, n))
        mid = 600_000 + np.cumsum(rng.choice([-1, 0, 1], n))
        cols: dict = {
            "exchange": _const("binance-futures", n),
            "symbol": _const("BTCUSDT", n),
            "timestamp": ts,
            "local_timestamp": ts + 3000,
        }
        for i in range(25):
            cols[f"asks[{i}].price"] = np.round((mid + 1 + i) * 0.1, 1)
            cols[f"asks[{i}].amount"] = np.round(rng.exponential(1.0, n) + 0.001, 3)
            cols[f"bids[{i}].price"] = np.round((mid - i) * 0.1, 1)
            cols[f"bids[{i}].amount"] = np.round(rng.exponential(1.0, n) + 0.001, 3)
        _write(pa.table(cols), files["tardis snapshot_25"][0], ",".join(cols))
    msg_path, ob_path = files["lobster AMZN x"]
    if not msg_path.exists():
        msg = pd.read_csv(AMZN / "AMZN_2012-06-21_34200000_57600000_message_1.csv.gz", header=None)
        ob = pd.read_csv(AMZN / "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv.gz", header=None)
        reps = max(1, rows // len(msg))
        big = pd.concat([msg] * reps, ignore_index=True)
        # each copy later by a whole session (23400 s): times increase across copies
        # rounded to the decimals LOBSTER writes, not a float sum's repr (90075.41292999999)
        big[0] = np.round(big[0].to_numpy() + np.repeat(np.arange(reps) * 23400.0, len(msg)), 9)
        _write(pa.Table.from_pandas(big, preserve_index=False), msg_path, None)
        _write(pa.Table.from_pandas(pd.concat([ob] * reps, ignore_index=True), preserve_index=False), ob_path, None)
    return files


# -- one measurement (in its own process) --------------------------------------------------------
def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(what: str, how: str, paths: list[str]) -> dict:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from obi_widgets.io import read_lobster, read_tardis

    if how == "kit":  # load the numba kernels (from the on-disk cache) before the clock starts
        warm = Path(f"/tmp/obi_csv_warm_{os.getpid()}.csv")
        warm.write_text("exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nx,Y,1,2,3,buy,1.5,1\n")
        read_tardis(warm)
        warm.unlink()
    t0 = time.perf_counter()
    if how == "kit":
        if what.startswith("lobster"):
            book, trades = read_lobster(*paths)
            n = len(book)
        else:
            out = read_tardis(paths[0], on_crossed="flag") if "L2" in what else read_tardis(paths[0])
            n = len(getattr(out, "book", out))
            if "L2" in what:
                n = out.meta["rows_read"]
    elif how == "pandas":
        n = 0
        for p in paths:
            frame = pd.read_csv(p, header=None if what.startswith("lobster") else "infer", engine="c")
            n = len(frame)
    elif how in ("pyarrow", "pyarrow stream"):
        n = 0
        for p in paths:
            ro = pcsv.ReadOptions(autogenerate_column_names=what.startswith("lobster"), block_size=8 << 20)
            types = {}
            if "L2" in what:
                d = pa.dictionary(pa.int32(), pa.string())
                types = {"exchange": d, "symbol": d, "timestamp": pa.int64(), "local_timestamp": pa.int64()}
                types.update({"is_snapshot": pa.bool_(), "side": d, "price": pa.float64(), "amount": pa.float64()})
            co = pcsv.ConvertOptions(column_types=types)
            if how == "pyarrow":
                n = pcsv.read_csv(p, read_options=ro, convert_options=co).num_rows
            else:
                n = sum(b.num_rows for b in pcsv.open_csv(p, read_options=ro, convert_options=co))
    else:
        raise SystemExit(f"unknown measurement {how}")
    dt = time.perf_counter() - t0
    return {"rows": int(n), "s": dt, "rss_mb": _peak_rss_mb()}


def run_one(what: str, how: str, paths: list[Path]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", what, how, *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/obi_csv_bench"))
    ap.add_argument("--only", default="", help="comma-separated file kinds to run (default all)")
    ap.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        what, how, *paths = args.measure
        print(json.dumps(measure(what, how, paths)))
        return
    files = make_files(args.rows, args.dir)
    run_one("tardis trades", "kit", files["tardis trades"][:1])  # warm the numba cache once
    print(f"{'file':20} {'reader':16} {'rows':>10} {'time s':>8} {'M rows/s':>9} {'vs pandas':>9} {'peak RSS MB':>11}")
    for what, paths in files.items():
        if args.only and what not in args.only.split(","):
            continue
        hows = ["pandas", "kit", "pyarrow"] + (["pyarrow stream"] if "L2" in what else [])
        ref = None
        for how in hows:
            runs = [run_one(what, how, paths) for _ in range(args.repeat)]
            s = float(np.median([r["s"] for r in runs]))
            rss = float(np.median([r["rss_mb"] for r in runs]))
            rows = runs[0]["rows"]  # LOBSTER: message rows (the orderbook file has as many)
            ref = s if how == "pandas" else ref
            ratio = (ref / s) if ref else float("nan")
            print(
                f"{what:20} {how:16} {rows:>10} {s:>8.2f} {rows / s / 1e6:>9.2f} {ratio:>9.2f} {rss:>11.0f}", flush=True
            )


if __name__ == "__main__":
    main()

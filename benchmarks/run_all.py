"""The benchmark command: every benchmark of the project, one after another, each in its own process.

    ./dev bench                 # all of them (about 15-25 minutes on the 2-core machine)
    ./dev bench builder day     # only those whose name contains one of the words
    ./dev bench --long          # also the long runs (24 h capture at full size)

Each benchmark prints its own table (what, reference, time, ratio, and memory where it matters);
this command adds, per benchmark, its wall time and the peak resident memory of its process (from
``os.wait4``'s rusage, the same figure ``/usr/bin/time -v`` reports). Benchmarks are not tests: they
are never part of ``./dev test``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DAY = Path(tempfile.gettempdir()) / "obi_binance_day.gz"

# (name, script, arguments, long-only)
BENCHMARKS: list[tuple[str, str, list[str], bool]] = [
    ("import", "bench_import.py", ["--repeat", "5"], False),
    ("binance-parse", "bench_binance_parse.py", [], False),
    ("binance-day-make", "make_binance_day.py", [str(DAY)], False),
    ("binance-day", "bench_binance_day.py", [str(DAY)], False),
    ("csv-loaders", "bench_csv_loaders.py", [], False),
    ("builder", "bench_builder.py", [], False),
    ("day", "bench_day.py", [], False),
    ("ofi", "bench_ofi.py", [], False),
    ("parquet", "bench_parquet.py", [], False),
    ("heatmap", "bench_heatmap.py", [], False),
    ("timeline", "bench_timeline.py", [], False),
    ("notebook-size", "bench_notebook_size.py", [], False),
    ("report", "bench_report.py", [], False),
    ("scatter", "bench_scatter.py", [], False),
    ("sandbox", "bench_sandbox.py", [], False),
    ("live", "bench_live.py", ["--seconds", "60"], False),
    ("live-10min", "bench_live.py", ["--seconds", "600"], True),
]


def run_one(script: Path, args: list[str]) -> tuple[int, float, float]:
    """(return code, wall seconds, peak RSS in MB) of one benchmark process."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script), *args])
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("only", nargs="*", help="run the benchmarks whose name contains one of these words")
    ap.add_argument("--long", action="store_true", help="also the long runs")
    args = ap.parse_args()
    summary = []
    for name, script, extra, long_only in BENCHMARKS:
        if long_only and not args.long:
            continue
        if args.only and not any(word in name for word in args.only):
            continue
        path = HERE / script
        if not path.exists():
            print(f"\n## {name}: {script} not found, skipped", flush=True)
            continue
        print(f"\n## {name}: {script} {' '.join(extra)}", flush=True)
        code, wall, rss = run_one(path, extra)
        summary.append((name, code, wall, rss))
    print(f"\n{'benchmark':<20}{'status':>8}{'wall s':>10}{'peak RSS MB':>14}")
    for name, code, wall, rss in summary:
        print(f"{name:<20}{'ok' if code == 0 else f'rc {code}':>8}{wall:>10.1f}{rss:>14.0f}")
    return 1 if any(code for _, code, _, _ in summary) else 0


if __name__ == "__main__":
    sys.exit(main())

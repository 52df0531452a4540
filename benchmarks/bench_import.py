"""Benchmark: ``import obi_widgets`` against pandas' own import, and the first kernel call, cold and warm.

    uv run python benchmarks/bench_import.py [--repeat 5]

Every figure comes from a fresh interpreter (``python -c``), so nothing is already imported:

- ``import pandas`` alone (the reference) and ``import obi_widgets`` (which imports pandas);
  the target is obi_widgets <= pandas + 0.3 s;
- the first call of a numba kernel (``metrics.ofi`` on a small book) in a fresh process, which
  imports numba and loads the compiled kernel: **cold** with an empty numba cache directory
  (``NUMBA_CACHE_DIR`` pointing to a new temporary folder: every kernel is compiled), **warm** with the
  cache filled by the cold run (the normal case after the first use on a machine; target <= 1 s);
- the same for the heatmap raster kernels (``raster.depth_raster``), the builder (``build_book``).

Medians of ``--repeat`` runs are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

IMPORT_PANDAS = "import time; t = time.perf_counter(); import pandas; print(time.perf_counter() - t)"
IMPORT_KIT = "import time; t = time.perf_counter(); import obi_widgets; print(time.perf_counter() - t)"
SETUP = (
    "import numpy as np, obi_widgets as ow\n"
    "from obi_widgets import metrics, raster\n"
    "from obi_widgets.io import build_book\n"
    "b = ow.datasets.simulate(seed=0, n_events=2000).book\n"
    "import time\n"
)
FIRST_CALLS = {
    "metrics.ofi": "t = time.perf_counter(); metrics.ofi(b); print(time.perf_counter() - t)",
    "build_book": (
        "t = time.perf_counter(); build_book([0, 1], [1, -1], [10.0, 11.0], [1.0, 2.0]); print(time.perf_counter() - t)"
    ),
    "raster (heatmap)": (
        "p = float(b.bid_px[0, 0]); t = time.perf_counter();"
        " raster.depth_raster(b, int(b.ts[0]), int(b.ts[-1]) + 1, 200, p - 1, p + 1, 100);"
        " print(time.perf_counter() - t)"
    ),
}


def run(code: str, env: dict | None = None) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    r = args.repeat
    pandas_s = statistics.median(run(IMPORT_PANDAS) for _ in range(r))
    kit_s = statistics.median(run(IMPORT_KIT) for _ in range(r))
    print(f"{'what':<34}{'median s':>10}{'reference':>12}{'extra s':>10}  target")
    print(f"{'import pandas':<34}{pandas_s:>10.3f}")
    ok = "met" if kit_s - pandas_s <= 0.3 else "NOT met"
    print(f"{'import obi_widgets':<34}{kit_s:>10.3f}{pandas_s:>12.3f}{kit_s - pandas_s:>10.3f}  <= +0.3 s: {ok}")
    for name, call in FIRST_CALLS.items():
        cold, warm = [], []
        for _ in range(r):
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "NUMBA_CACHE_DIR": cache}
                cold.append(run(SETUP + call, env))
                warm.append(run(SETUP + call, env))
        c, w = statistics.median(cold), statistics.median(warm)
        print(f"{'first ' + name + ', cold cache':<34}{c:>10.3f}")
        print(
            f"{'first ' + name + ', warm cache':<34}{w:>10.3f}{'':>12}{'':>10}  <= 1 s: {'met' if w <= 1 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()

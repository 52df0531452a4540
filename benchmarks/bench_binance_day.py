"""Load a (synthetic 24 h) Binance capture: wall time, messages/s, peak RSS against the output arrays.

    python benchmarks/make_binance_day.py /tmp/binance_day.gz          # >= 20 M messages, once
    python benchmarks/bench_binance_day.py /tmp/binance_day.gz [--levels 10] [--chunk-lines N]

Runs ``read_binance(PATH, levels=10)`` in a fresh subprocess under ``/usr/bin/time -v`` (Debian
package ``time``) and prints one table: wall time against the 60 s target, messages/s, peak RSS
(``Maximum resident set size``) against the bytes of every output array (book ts and the four
(T, levels) arrays, flags, source_row, trades, bookTicker, and the per-row meta arrays) with the
ratio peak / outputs (target <= 2). The import of the kit and the numba kernels' first load are
inside the measured process, as a user would see them (after one warm-up load of the first 20 000
lines that fills numba's on-disk cache); the load itself is timed separately too.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
import numpy as np
t0 = time.perf_counter()
from obi_widgets.io.binance import read_binance
kw = json.loads(sys.argv[2])
t1 = time.perf_counter()
r = read_binance(sys.argv[1], **kw)
t2 = time.perf_counter()
def nb(*arrs):
    return int(sum(np.asarray(a).nbytes for a in arrs))
b = r.book
out = {
    "book": nb(b.ts, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, r.source_row, *r.flags.values()),
    "trades": nb(r.trades.ts, r.trades.price, r.trades.size, r.trades.side),
    "bbo": nb(r.bbo.ts, r.bbo.bid_px, r.bbo.bid_sz, r.bbo.ask_px, r.bbo.ask_sz) if r.bbo is not None else 0,
    "meta": nb(*[v for v in r.meta.values() if isinstance(v, np.ndarray)]),
}
print("RESULT " + json.dumps({
    "import_s": t1 - t0, "load_s": t2 - t1, "rows": len(b), "trades_n": len(r.trades),
    "bbo_n": 0 if r.bbo is None else len(r.bbo), "messages": sum(r.meta["messages"].values()),
    "lines": r.meta["lines"].get("read"), "out": out, "chunks": r.meta["chunks"],
    "gaps": len(r.meta["gaps"]), "crossed": int(r.flags["crossed"].sum()),
}))
"""


def run(path: str, levels: int, chunk_lines: int | None) -> dict:
    """One measured load in a fresh process."""
    kw: dict = {"levels": levels}
    if chunk_lines:
        kw["chunk_lines"] = chunk_lines
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", CHILD, path, json.dumps(kw)]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"the load failed:\n{done.stdout}\n{done.stderr}")
    res = json.loads(next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    res["peak"] = int(m.group(1)) * 1024 if m else None
    cpu = [re.search(rf"{k} time \(seconds\): ([0-9.]+)", done.stderr) for k in ("User", "System")]
    res["cpu"] = sum(float(c.group(1)) for c in cpu if c)
    res["wall"] = wall
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path")
    ap.add_argument("--levels", type=int, default=10)
    ap.add_argument("--chunk-lines", type=int, default=None)
    a = ap.parse_args(argv)
    if not Path("/usr/bin/time").exists():
        raise SystemExit("/usr/bin/time is missing: apt-get install -y time")
    # warm-up: the first 20 000 lines in a fresh process fill numba's on-disk cache (not measured)
    import gzip
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        head = Path(tmp) / "head.txt"
        with open(a.path, "rb") as f:
            opener = gzip.open if f.read(2) == b"\x1f\x8b" else open
        with opener(a.path, "rt") as src, open(head, "w") as dst:
            for _, line in zip(range(20_000), src):
                dst.write(line)
        run(str(head), a.levels, None)
    r = run(a.path, a.levels, a.chunk_lines)
    out = sum(r["out"].values())
    gb = 1e9
    print(f"read_binance({Path(a.path).name}, levels={a.levels}): {r['messages']:,} messages, {r['chunks']} chunks, "
          f"{r['rows']:,} book rows, {r['trades_n']:,} trades, {r['bbo_n']:,} bookTicker rows, "
          f"gaps {r['gaps']}, crossed {r['crossed']}")  # fmt: skip
    rows = [
        ("wall time (process, incl. import)", "60 s target", f"{r['wall']:.1f} s", r["wall"] / 60),
        ("  of which read_binance", "60 s target", f"{r['load_s']:.1f} s", r["load_s"] / 60),
        ("CPU user+sys (all threads)", "2 cores x wall", f"{r['cpu']:.1f} s", r["cpu"] / (2 * r["wall"])),
        ("messages/s (read_binance)", "400 k/s (issue)", f"{r['messages'] / r['load_s'] / 1e3:.0f} k/s",
         r["messages"] / r["load_s"] / 400e3),
        ("output arrays", "-", f"{out / gb:.2f} GB", float("nan")),
        ("peak RSS (/usr/bin/time -v)", "2 x outputs", f"{r['peak'] / gb:.2f} GB", r["peak"] / out),
    ]  # fmt: skip
    print(f"{'what':38} {'reference':18} {'measured':>12} {'ratio':>7}")
    for what, ref, val, ratio in rows:
        print(f"{what:38} {ref:18} {val:>12} {ratio:7.2f}")
    parts = ", ".join(f"{k} {v / gb:.3f}" for k, v in r["out"].items())
    print(f"outputs by part (GB): {parts}; peak memory = the row above")


if __name__ == "__main__":
    main()

"""Live views in Chromium: 50 pushes a second into a displayed Dashboard, frame times and memory.

    python benchmarks/bench_live.py                   # 60 s at 50 pushes/s
    python benchmarks/bench_live.py --seconds 600     # the 10-minute run (part of ./dev bench --long)

A real JupyterLab on 127.0.0.1 and headless Chromium (Playwright, as the browser tests). The kernel
displays a Dashboard on a live BookSource (``max_rows`` ring) and a thread pushes book rows and
trades of the simulated market at ``--rate`` pushes a second (by default through
``obi_widgets.live.replay`` of the shared Binance capture when it is there, else the simulator).
The page records every animation frame (its duration between callbacks) and the long tasks.

Printed: pushes and flushes, frames drawn, p50 / p95 / p99 / max frame time against the 16.7 ms
budget of a 60 Hz screen (the reference: the same page idle, measured first), JS heap and kernel
RSS at start and end, and whether the final state shown equals the last push.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM_FLAGS, find_chromium  # noqa: E402
from tests.browser.jupyterlab import JupyterLab  # noqa: E402
from tests.browser.notebook import error_outputs, open_fresh_copy, run_all, run_code  # noqa: E402

SETUP = """import re, threading, time
import numpy as np
import obi_widgets as ow
from obi_widgets import datasets

sim = datasets.simulate(seed=2)
b, tr = sim.book, sim.trades
START = 2000
src = ow.BookSource(b[:START], tr.between(None, b.ts[START]), max_rows={max_rows}, window="2min")
try:
    view = ow.Dashboard(src)
except AttributeError:  # a kit without the Dashboard: the same panels one by one
    from ipywidgets import VBox
    view = VBox([ow.DepthHeatmap(src), ow.Ladder(src), ow.ImbalanceTimeline(src, series=["level1_imbalance", "depth_imbalance", "ofi"]), ow.DepthChart(src)])
pushed = {{"n": 0, "row": START}}

def rss_mb():
    with open("/proc/self/status") as f:
        return int(re.search(r"VmRSS:\\s+(\\d+)", f.read()).group(1)) / 1024

def feed(rate, seconds, step):
    period = 1.0 / rate
    t0 = time.perf_counter()
    i = START
    k = 0
    while time.perf_counter() - t0 < seconds:
        j = i + step
        if j >= len(b):  # wrap around the simulated day: shift times so they keep increasing
            break
        src.push(b[i:j], tr.between(b.ts[i], b.ts[j]))
        i = j
        k += 1
        pushed["n"], pushed["row"] = k, i
        wait = t0 + k * period - time.perf_counter()
        if wait > 0:
            time.sleep(wait)

view"""

FRAMES = """() => {
  window.obiDrawLog = [];
  window.obiFrames = [];
  let last = performance.now();
  const tick = (now) => { window.obiFrames.push(now - last); last = now; window.obiRaf = requestAnimationFrame(tick); };
  window.obiRaf = requestAnimationFrame(tick);
  window.obiLong = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.obiLong.push(e.duration); })
    .observe({ type: "longtask", buffered: false });
}"""


def kernel(page, code: str) -> list[str]:
    out = run_code(page, code + "\nprint('OBI_VALUE', *values)", timeout_s=600)
    m = re.search(r"OBI_VALUE (.*)", out)
    if not m:
        raise RuntimeError(f"kernel said: {out!r}")
    return m.group(1).split()


def heap_mb(cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20


def pct(x, q) -> float:
    return float(np.percentile(np.asarray(x), q)) if len(x) else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=50.0, help="pushes per second")
    ap.add_argument("--step", type=int, default=4, help="book rows per push")
    ap.add_argument("--max-rows", type=int, default=20_000)
    ap.add_argument("--profile", action="store_true", help="also print the page's top functions by self time")
    args = ap.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("bench_live: no Chromium (apt-get install chromium, or set OBI_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root, home = Path(tmp, "root"), Path(tmp, "home")
        root.mkdir()
        home.mkdir()
        server = JupyterLab(root, home)
        try:
            server.wait_ready()
            nb = nbformat.v4.new_notebook(
                metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
            )
            nb.cells = [nbformat.v4.new_code_cell(SETUP.format(max_rows=args.max_rows))]
            path = Path(tmp, "live_bench.ipynb")
            nbformat.write(nb, path)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
                ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
                page = ctx.new_page()
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                open_fresh_copy(page, server, path)
                run_all(page)
                if error_outputs(page):
                    sys.exit(f"bench_live: the setup cell failed: {error_outputs(page)}")
                page.wait_for_selector('.obi-depth-heatmap[data-obi-ready="true"]', timeout=120_000)
                kind = "Dashboard" if page.locator(".obi-dashboard").count() else "four separate views"
                cdp = ctx.new_cdp_session(page)
                # the reference: the same page, idle, for 5 s
                page.evaluate(FRAMES)
                page.wait_for_timeout(5_000)
                idle = page.evaluate("() => window.obiFrames.slice(1)")
                heap0 = heap_mb(cdp)
                (rss0,) = kernel(page, "values = [round(rss_mb(), 1)]")
                page.evaluate(FRAMES)
                if args.profile:
                    cdp.send("Profiler.enable")
                    cdp.send("Profiler.start")
                began = time.perf_counter()
                run_code(
                    page,
                    f"th = threading.Thread(target=feed, args=({args.rate}, {args.seconds}, {args.step})); th.start()",
                )
                page.wait_for_timeout(int(args.seconds * 1000))
                n, last_row, flushes, rows, cursor, last_ms, rss1 = kernel(
                    page,
                    "th.join(); src.flush()\n"
                    "values = [pushed['n'], pushed['row'], src.flushes, len(src.book), src.cursor, "
                    "repr(float(src.book.ts[-1]) / 1e6), round(rss_mb(), 1)]",
                )
                wall = time.perf_counter() - began
                profile = cdp.send("Profiler.stop")["profile"] if args.profile else None
                page.wait_for_function(
                    """([row, t]) => { const l = document.querySelector('.obi-ladder');
                      return l && l.dataset.obiRow === row && Math.abs(Number(l.dataset.obiTime) - Number(t)) < 1e-3; }""",
                    arg=[cursor, last_ms],
                    timeout=30_000,
                )
                frames = page.evaluate("() => window.obiFrames.slice(1)")
                # the views' own work per animation frame: every draw of that frame, summed
                work = page.evaluate(
                    "() => { const m = new Map(); for (const [f, ms] of window.obiDrawLog) m.set(f, (m.get(f) || 0) + ms);"
                    " return [...m.values()]; }"
                )
                by_view = page.evaluate(
                    "() => { const m = {}; for (const [, ms, v] of window.obiDrawLog) (m[v || 'other'] ||= []).push(ms);"
                    " return m; }"
                )
                longs = page.evaluate("() => window.obiLong")
                heap1 = heap_mb(cdp)
                shown = page.evaluate("() => document.querySelector('.obi-ladder').dataset.obiTime")
                (ROOT / "tests" / "artifacts").mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ROOT / "tests" / "artifacts" / "bench_live_dashboard.png"))
                browser.close()
        finally:
            server.stop()

    print(f"live views in Chromium: {kind}, {args.rate:g} pushes/s x {args.step} rows for {args.seconds:g} s")
    print(f"{'what':50s} {'value':>16s}")
    rows_out = [
        ("pushes sent / flushes to the browser", f"{n} / {flushes}"),
        ("push rate achieved (/s)", f"{int(n) / args.seconds:.1f}"),
        ("rows kept (max_rows) / last row pushed", f"{rows} / {last_row}"),
        ("frames with a redraw of the views", f"{len(work)}"),
        (
            "views' draw time per frame p50 / p95 / p99 (ms)",
            f"{pct(work, 50):.1f} / {pct(work, 95):.1f} / {pct(work, 99):.1f}",
        ),
        ("views' draw time per frame max (ms)", f"{max(work) if work else float('nan'):.1f}"),
        (
            "frame interval p50 / p95 / p99 (ms)",
            f"{pct(frames, 50):.1f} / {pct(frames, 95):.1f} / {pct(frames, 99):.1f}",
        ),
        ("reference, idle page: interval p50 / p95 (ms)", f"{pct(idle, 50):.1f} / {pct(idle, 95):.1f}"),
        ("intervals over 16.7 ms (dropped frames)", f"{np.mean(np.asarray(frames) > 16.7) * 100:.1f} %"),
        ("long tasks (> 50 ms): count, max (ms)", f"{len(longs)}, {max(longs) if longs else 0:.0f}"),
        ("JS heap start -> end (MB, after GC)", f"{heap0:.1f} -> {heap1:.1f}"),
        ("kernel RSS start -> end (MB)", f"{rss0} -> {rss1}"),
        ("final state shown == last push", f"{shown == last_ms} ({shown} ms)"),
        ("console errors", f"{len(errors)}"),
        ("wall (s)", f"{wall:.1f}"),
    ]
    for what, value in rows_out:
        print(f"{what:50s} {value:>16s}")
    print(f"{'draw time per view':50s} {'calls':>6s} {'p50':>6s} {'p95':>6s} {'max':>6s} (ms)")
    for v, xs in sorted(by_view.items()):
        print(f"{'  ' + v:50s} {len(xs):6d} {pct(xs, 50):6.1f} {pct(xs, 95):6.1f} {max(xs):6.1f}")
    verdict = pct(work, 95) < 16.0
    print(f"target p95 frame (the views' draw time per frame) < 16 ms: {'met' if verdict else 'NOT met'}")
    if errors:
        print("console errors:", *errors[:5], sep="\n  ")
    if profile is not None:
        print_profile(profile)


def print_profile(profile: dict, top: int = 30) -> None:
    """Self time per function (name, file, line) of a CDP CPU profile, the largest first."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    dt = np.diff(np.asarray(profile["timeDeltas"] + [0], dtype=float))
    deltas = np.asarray(profile["timeDeltas"], dtype=float)
    self_ms: dict[tuple, float] = {}
    for sample, d in zip(profile["samples"], deltas):
        f = nodes[sample]["callFrame"]
        key = (f["functionName"] or "(anonymous)", f["url"].rsplit("/", 1)[-1][:40], f["lineNumber"])
        self_ms[key] = self_ms.get(key, 0.0) + d / 1000
    del dt
    total = sum(self_ms.values())
    print(f"\npage CPU profile: {total:.0f} ms sampled; top {top} by self time")
    for (name, url, line), ms in sorted(self_ms.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{ms:9.0f} ms {100 * ms / total:5.1f} %  {name[:40]:40s} {url}:{line}")


if __name__ == "__main__":
    main()

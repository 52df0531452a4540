"""Offline reports: size, where the bytes go, export time, and time until the page's views are drawn.

Exports with ``obi_widgets.report.export_html`` (a fresh kernel each):
- ``notebooks/quickstart.ipynb`` (budget 10 MB) and ``notebooks/views_tour.ipynb``;
- a Dashboard on the Binance BTCUSDT capture in ``../shared/data`` (budget 20 MB);
- a Dashboard on a 1 M-row simulated book: the page carries what the views draw (reduced to screen
  resolution), so it is about the size of the 20 000-row one.
Then opens each from file:// in headless Chromium with every other request blocked and times the
load until every view has ``data-obi-ready``. Reference: the same notebook's plain
``jupyter nbconvert --to html`` page (which loads its widget manager from a CDN, so offline it shows
empty boxes) for the size.

    python benchmarks/bench_report.py [--skip-1m]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("OBI_DATA", ROOT.parent / "shared" / "data"))
CHROMIUM = os.environ.get("OBI_CHROMIUM", "/usr/bin/chromium")
BUDGET_MB = {"quickstart": 10, "dashboard (Binance capture)": 20}


def dashboard_notebook(path: Path, load: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import obi_widgets as ow\nfrom obi_widgets import datasets, io\n" + load),
        nbformat.v4.new_code_cell("ow.Dashboard(book, trades)"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def time_to_ready(html: Path) -> tuple[float, int]:
    """Seconds from navigation to every view ready, offline; and the number of blocked requests."""
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        blocked = []

        def route(r):
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        t = time.perf_counter()
        page.goto(html.as_uri())
        page.wait_for_function(
            "() => { const v = [...document.querySelectorAll('.obi-view')];"
            " return v.length > 0 && v.every(e => e.dataset.obiReady === 'true'); }",
            timeout=120_000,
        )
        elapsed = time.perf_counter() - t
        browser.close()
    return elapsed, len(blocked)


def plain_nbconvert_size(notebook: Path, out: Path) -> int:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "html",
            "--execute",
            str(notebook),
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out.stat().st_size


def main() -> None:
    from obi_widgets.report import export_html

    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-1m", action="store_true", help="leave out the 1 M-row dashboard")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="obi-bench-report-"))
    cases = {
        "quickstart": ROOT / "notebooks" / "quickstart.ipynb",
        "views tour": ROOT / "notebooks" / "views_tour.ipynb",
    }
    capture = sorted((DATA / "binance_spot_BTCUSDT_2024-08-08").glob("*.gz"))
    if capture:
        files = ", ".join(repr(str(p)) for p in capture)
        cases["dashboard (Binance capture)"] = dashboard_notebook(
            tmp / "binance.ipynb", f"res = io.read_binance([{files}], levels=100)\nbook, trades = res.book, res.trades"
        )
    else:
        print(f"no Binance capture at {DATA}: its row is left out")
    cases["dashboard (simulated, 20 000 rows)"] = dashboard_notebook(
        tmp / "sim20k.ipynb", "sim = datasets.simulate(seed=0)\nbook, trades = sim.book, sim.trades"
    )
    if not args.skip_1m:
        cases["dashboard (simulated, 1 M rows)"] = dashboard_notebook(
            tmp / "sim1m.ipynb",
            "sim = datasets.simulate(seed=0, n_events=1_000_000)\nbook, trades = sim.book, sim.trades",
        )

    rows = []
    for name, notebook in cases.items():
        t = time.perf_counter()
        report = export_html(notebook, tmp / f"{notebook.stem}.html")
        export_s = time.perf_counter() - t
        ready_s, blocked = time_to_ready(report.path)
        plain = plain_nbconvert_size(notebook, tmp / f"{notebook.stem}.plain.html") if name == "quickstart" else None
        rows.append((name, report, export_s, ready_s, blocked, plain))

    mb = 1e6
    print()
    print(
        f"{'report':36} {'size MB':>8} {'budget':>7} {'state MB':>9} {'scripts MB':>10} {'models':>6} "
        f"{'export s':>8} {'ready s':>7} {'requests':>8}"
    )
    for name, r, export_s, ready_s, blocked, _ in rows:
        budget = f"{BUDGET_MB[name]:>5} MB" if name in BUDGET_MB else "      -"
        print(
            f"{name:36} {r.size / mb:8.2f} {budget} {r.widget_state / mb:9.2f} {r.runtime / mb:10.2f} {r.models:6d} "
            f"{export_s:8.1f} {ready_s:7.2f} {blocked:8d}"
        )
    for name, _r, _, _, _, plain in rows:
        if plain:
            print(
                f"\nreference: plain `jupyter nbconvert --to html --execute` of the {name}: {plain / mb:.2f} MB "
                f"(its widget manager, require.js and MathJax come from CDNs: offline its views are empty boxes)"
            )
    over = [name for name, r, *_ in rows if name in BUDGET_MB and r.size > BUDGET_MB[name] * mb]
    print("budgets:", "all met" if not over else f"OVER for {', '.join(over)}")


if __name__ == "__main__":
    main()

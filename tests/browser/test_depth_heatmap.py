"""DepthHeatmap in real JupyterLab and Chromium: paint, hover read-out, click -> kernel cursor, wheel
zoom -> kernel time range, themes, clean-up; the first paint of a 1 M-row book (printed)."""

from __future__ import annotations

import re

import nbformat
import pytest

from ..conftest import DATA
from .notebook import error_outputs, open_fresh_copy, run_all, run_code
from .test_quickstart import NON_BLANK

pytestmark = pytest.mark.browser

VIEW = ".obi-depth-heatmap"
KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
BINANCE = DATA / "binance_spot_BTCUSDT_2024-08-08"


def notebook(lab, name: str, cells: list[str]):
    nb = nbformat.v4.new_notebook(metadata=KERNELSPEC)
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = lab.root / name
    nbformat.write(nb, path)
    return path


def kernel_value(page, expr: str) -> str:
    out = run_code(page, f'print("OBI_VALUE", {expr})')
    match = re.search(r"OBI_VALUE (.*)", out)
    assert match, f"unexpected output: {out!r}"
    return match.group(1).strip()


def exercise(page, artifacts, tag: str) -> None:
    page.wait_for_selector(f'{VIEW}[data-obi-ready="true"]', timeout=60_000)
    view = page.locator(VIEW).first
    view.scroll_into_view_if_needed()
    # wait for the screen-resolution raster that answers the width the view reported
    page.wait_for_function(f"() => !document.querySelector('{VIEW} .obi-status').textContent", timeout=20_000)
    stats = page.evaluate(NON_BLANK, f"{VIEW} canvas.obi-heatmap")
    assert stats["width"] > 300 and stats["colours"] > 50, f"heatmap looks blank: {stats}"
    assert "per price level" in view.locator(".obi-legend-label").inner_text()

    # hover read-out: time, price, resting size, traded volume
    box = view.locator("canvas.obi-heatmap").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.45)
    tooltip = view.locator(".obi-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "time" in text and "price" in text and "resting" in text and "traded" in text, text
    view.screenshot(path=str(artifacts / f"depth_heatmap_{tag}_light.png"))

    # a click sets the shared cursor in the kernel, and the view marks that row
    before = int(kernel_value(page, "src.cursor"))
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(400)
    after = int(kernel_value(page, "src.cursor"))
    assert after != before
    page.wait_for_function(f"(r) => document.querySelector('{VIEW}').dataset.obiRow === String(r)", arg=after)
    frac = float(kernel_value(page, f"(src.book.ts[{after}] - src.book.ts[0]) / (src.book.ts[-1] - src.book.ts[0])"))
    assert 0.2 < frac < 0.4, frac  # clicked at 30% of the canvas (the plot starts 8 px in, ends 68 px short)

    # the wheel zooms time around the pointer; the kernel sees the shared range and re-bins
    full = kernel_value(page, "src.time_range")
    for _ in range(3):
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(60)
    page.wait_for_timeout(600)
    zoomed = kernel_value(page, "src.time_range")
    assert zoomed != full
    lo, hi = (int(v) for v in re.findall(r"-?\d+", zoomed))
    flo, fhi = (int(v) for v in re.findall(r"-?\d+", full))
    assert flo <= lo < hi <= fhi and (hi - lo) < 0.8 * (fhi - flo)
    assert kernel_value(page, "h.raster().edges[0] == src.time_range[0]") == "True"
    page.wait_for_function(f"() => !document.querySelector('{VIEW} .obi-status').textContent", timeout=20_000)

    # dark theme: a dark plot
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(500)
    corner = page.evaluate(
        """(sel) => { const c = document.querySelector(sel); const d = c.getContext('2d')
             .getImageData(Math.floor(c.width * 0.5), Math.floor(c.height * 0.97), 1, 1).data; return [d[0], d[1], d[2]]; }""",
        f"{VIEW} canvas.obi-heatmap",
    )
    assert sum(corner) < 3 * 90, corner
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    view.screenshot(path=str(artifacts / f"depth_heatmap_{tag}_dark.png"))
    # double-click resets the zoom everywhere
    page.mouse.dblclick(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    page.wait_for_timeout(600)
    reset = [int(v) for v in re.findall(r"-?\d+", kernel_value(page, "src.time_range"))]
    assert abs(reset[0] - flo) < 1000 and abs(reset[1] - fhi) < 1000, (reset, full)  # ms floats: µs exact
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)


def test_heatmap_on_the_simulator(lab, page, artifacts):
    path = notebook(
        lab,
        "heatmap_sim.ipynb",
        [
            "import obi_widgets as ow\nfrom obi_widgets import datasets\nsim = datasets.simulate(seed=0)\n"
            "src = ow.BookSource(sim.book, sim.trades)\nh = ow.DepthHeatmap(src, height=380)\nh",
            # edge cases drawn beside it: a one-row book, an empty ask side, a 50-px-wide cell
            "import numpy as np\nfrom ipywidgets import Box, Layout\none = ow.Book([0], [[10.0]], [[1.0]], [[10.1]], [[2.0]])\n"
            "bids = ow.Book([0, 5], [[10.0], [9.9]], [[1.0], [2.0]], [[np.nan], [np.nan]], [[np.nan], [np.nan]])\n"
            "Box([ow.DepthHeatmap(one, height=120), ow.DepthHeatmap(bids, height=120),\n"
            "     Box([ow.DepthHeatmap(sim.book, height=90)], layout=Layout(width='50px'))])",
        ],
    )
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{VIEW}')].filter(e => e.dataset.obiReady === 'true').length === 4",
        timeout=60_000,
    )
    exercise(page, artifacts, "sim")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"() => document.querySelectorAll('{VIEW}').length === 0")
    page.wait_for_timeout(300)
    assert page.obi_errors == [], "\n".join(page.obi_errors)


def test_heatmap_on_binance(lab, page, artifacts):
    if not BINANCE.is_dir():
        pytest.skip(f"Binance capture not found at {BINANCE}")
    path = notebook(
        lab,
        "heatmap_binance.ipynb",
        [
            "import glob\nimport obi_widgets as ow\nfrom obi_widgets import io\n"
            f"cap = io.read_binance(sorted(glob.glob('{BINANCE}/*.gz')), levels=200)\n"
            "src = ow.BookSource(cap.book, cap.trades)\nh = ow.DepthHeatmap(src, height=420)\nh",
        ],
    )
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    exercise(page, artifacts, "binance")
    assert page.obi_errors == [], "\n".join(page.obi_errors)


def test_first_paint_of_a_million_rows(lab, page, artifacts):
    """Printed, not timed: a cold kernel (this cell is the process's first use of numba, whose
    one-time start-up lands in it) and a warm one (a second heatmap of the same source)."""
    path = notebook(
        lab,
        "heatmap_1m.ipynb",
        [
            "import time\nimport numpy as np\nimport obi_widgets as ow\nrng = np.random.default_rng(0)\nT, L = 1_000_000, 10\n"
            "ts = 1_700_000_000_000_000_000 + np.cumsum(rng.integers(1, 2_000_000, T))\n"
            "mid = 10_000 + np.cumsum(rng.choice([-1, 0, 1], T, p=[0.02, 0.96, 0.02]))\n"
            "lv = np.arange(L)\nbook = ow.Book(ts, (mid[:, None] - 1 - lv) * 0.01, rng.gamma(2, 50, (T, L)),\n"
            "    (mid[:, None] + 1 + lv) * 0.01, rng.gamma(2, 50, (T, L)), meta={'tick': 0.01}, validate=False)\n"
            "src = ow.BookSource(book)\nsrc",
            "began = [time.time()]\nh = ow.DepthHeatmap(src)\nbuilt = [time.time()]\nh",
            "time.sleep(2)\nbegan.append(time.time())\nh2 = ow.DepthHeatmap(src)\nbuilt.append(time.time())\nh2",
        ],
    )
    open_fresh_copy(page, lab, path)
    # note when each heatmap appears painted, by the browser's clock (the kernel's is the same machine's)
    page.evaluate(
        """(sel) => { window.obiPainted = []; const seen = new WeakSet(); new MutationObserver(() => {
             // per output (its view is rendered anew when the kernel adds the static image)
             for (const el of document.querySelectorAll(sel + '[data-obi-ready="true"]')) {
               const out = el.closest('.jp-OutputArea-child') || el;
               if (!seen.has(out)) { seen.add(out); window.obiPainted.push(Date.now()); } } })
           .observe(document.body, { subtree: true, childList: true, attributes: true }); }""",
        VIEW,
    )
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function("() => window.obiPainted.length === 2", timeout=60_000)
    painted = [v / 1e3 for v in page.evaluate("() => window.obiPainted")]
    began = [float(v) for v in re.findall(r"[\d.]+", kernel_value(page, "began"))]
    built = [float(v) for v in re.findall(r"[\d.]+", kernel_value(page, "built"))]
    payload = int(kernel_value(page, "len(h._raster) + len(h._overview)"))
    lines = [f"payload_bytes {payload}"]
    for label, p, a, b in zip(("cold", "warm"), painted, began, built):
        lines += [
            f"{label}_build_ms {(b - a) * 1e3:.0f}",
            f"{label}_first_paint_ms_from_cell_start {(p - a) * 1e3:.0f}",
            f"{label}_first_paint_ms_from_cell_end {(p - b) * 1e3:.0f}",
        ]
    print("\nDepthHeatmap, 1 M rows x 10 levels:\n  " + "\n  ".join(lines))
    (artifacts / "depth_heatmap_first_paint.txt").write_text("\n".join(lines) + "\n")
    page.locator(VIEW).first.screenshot(path=str(artifacts / "depth_heatmap_1m_light.png"))
    assert painted[0] - began[0] < 15
    assert page.obi_errors == [], "\n".join(page.obi_errors)

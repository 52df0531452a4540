"""FootprintChart in real JupyterLab and Chromium: paint, hover read-out with the cell's numbers,
wheel zoom -> the kernel's time range and a re-sent window, click -> cursor, themes; on the
simulator and on LOBSTER AMZN."""

from __future__ import annotations

import re

import pytest

from ..conftest import DATA
from .notebook import error_outputs, open_fresh_copy, run_all
from .test_depth_heatmap import kernel_value, notebook
from .test_quickstart import NON_BLANK

pytestmark = pytest.mark.browser

VIEW = ".obi-footprint-chart"
AMZN = DATA / "lobster_AMZN_2012-06-21_level1"
# the middle bar's point of control and the frame's row grid, as the kernel has them (volumes
# written as the view writes them: js/lib/scales.js formatSize)
PROBE = """from obi_widgets.views._buffers import unpack
def fmt(v):
    return f"{v / 1e3:.3g}k" if abs(v) >= 1e4 else f"{v:g}"
def probe(fc):
    fp, m = fc.footprint(), unpack(fc._frame)[1]
    n = fp.bar.nunique()
    r = fp[(fp.bar == n // 2) & fp.poc].iloc[0]
    return f"{n} {m['n_rows']} {m['q0']} {m['row_px']} {fmt(r.sell_volume)} {fmt(r.buy_volume)} {r.price:.2f}"
"""


def exercise(page, artifacts, tag: str, var: str = "fc") -> None:
    page.wait_for_selector(f'{VIEW}[data-obi-ready="true"]', timeout=60_000)
    view = page.locator(VIEW).first
    view.scroll_into_view_if_needed()
    page.wait_for_function(f"() => !document.querySelector('{VIEW} .obi-status').textContent", timeout=20_000)
    stats = page.evaluate(NON_BLANK, f"{VIEW} canvas.obi-footprint")
    assert stats["width"] > 300 and stats["colours"] > 20, f"footprint looks blank: {stats}"
    assert "signed by side" in view.locator(".obi-bars").inner_text()

    # hover read-out over the point of control of the middle bar: its numbers, as the kernel has them
    n_bars, n_rows, q0, row_px, sell, buy, price = kernel_value(page, f"probe({var})").split()
    n_bars, n_rows, q0, row_px = int(n_bars), int(n_rows), int(q0), float(row_px)
    mid = n_bars // 2

    def canvas_box():  # running code in the kernel scrolls the notebook: bring the view back first
        view.scroll_into_view_if_needed()
        page.wait_for_timeout(100)
        return view.locator("canvas.obi-footprint").bounding_box()

    box = canvas_box()
    r = round(float(price) / row_px) - q0
    left, right, top, bottom = 8, box["width"] - 64, 4, box["height"] - 62  # the JS margins
    x = left + (mid + 0.5) * (right - left) / n_bars
    y = bottom - (r + 0.5) * (bottom - top) / n_rows
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = view.locator(".obi-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "sell x buy" in text and "point of control" in text, text
    assert f"{sell} x {buy}" in text, (text, sell, buy)
    assert price in text, (text, price)
    view.screenshot(path=str(artifacts / f"footprint_chart_{tag}_light.png"))

    # a click moves the shared cursor in the kernel
    before = int(kernel_value(page, "src.cursor"))
    box = canvas_box()
    page.mouse.click(box["x"] + left + 0.3 * (right - left), box["y"] + y)
    page.wait_for_timeout(400)
    after = int(kernel_value(page, "src.cursor"))
    assert after != before

    # the wheel zooms time around the pointer: the kernel's time range narrows, the view re-sends
    full = [int(v) for v in re.findall(r"-?\d+", kernel_value(page, "src.time_range"))]
    box = canvas_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    for _ in range(3):
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(60)
    page.wait_for_timeout(800)
    lo, hi = (int(v) for v in re.findall(r"-?\d+", kernel_value(page, "src.time_range")))
    assert full[0] <= lo < hi <= full[1] and (hi - lo) < 0.8 * (full[1] - full[0]), (lo, hi, full)
    page.wait_for_function(f"() => !document.querySelector('{VIEW} .obi-status').textContent", timeout=20_000)
    assert int(kernel_value(page, f"{var}.footprint()['bar'].nunique()")) < n_bars
    view.screenshot(path=str(artifacts / f"footprint_chart_{tag}_zoomed.png"))

    # dark theme
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(500)
    corner = page.evaluate(
        """(sel) => { const c = document.querySelector(sel); const d = c.getContext('2d')
             .getImageData(2, 2, 1, 1).data; return [d[0], d[1], d[2]]; }""",
        f"{VIEW} canvas.obi-footprint",
    )
    assert sum(corner) < 3 * 90, corner
    box = canvas_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    view.screenshot(path=str(artifacts / f"footprint_chart_{tag}_dark.png"))
    # double-click shows the whole book again
    page.mouse.dblclick(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(600)
    reset = [int(v) for v in re.findall(r"-?\d+", kernel_value(page, "src.time_range"))]
    ends = [int(v) for v in re.findall(r"-?\d+", kernel_value(page, "(int(src.book.ts[0]), int(src.book.ts[-1]))"))]
    assert abs(reset[0] - ends[0]) < 1000 and abs(reset[1] - ends[1]) < 1000, (reset, ends)  # ms floats: µs exact
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)


def test_footprint_on_the_simulator(lab, page, artifacts):
    path = notebook(
        lab,
        "footprint_sim.ipynb",
        [
            PROBE + "import obi_widgets as ow\nfrom obi_widgets import datasets\nsim = datasets.simulate(seed=0)\n"
            "src = ow.BookSource(sim.book, sim.trades)\nfc = ow.FootprintChart(src, bar='1min', height=520)\nfc",
            # linked beside it: trade-count bars, and a view without trades
            "ow.FootprintChart(src, bar='150 trades', height=300)",
            "ow.FootprintChart(sim.book, height=120)",
        ],
    )
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{VIEW}')].filter(e => e.dataset.obiReady === 'true').length === 3",
        timeout=60_000,
    )
    exercise(page, artifacts, "sim")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"() => document.querySelectorAll('{VIEW}').length === 0")
    page.wait_for_timeout(300)
    assert page.obi_errors == [], "\n".join(page.obi_errors)


def test_footprint_on_lobster_amzn(lab, page, artifacts):
    if not AMZN.is_dir():
        pytest.skip(f"LOBSTER AMZN sample not found at {AMZN}")
    path = notebook(
        lab,
        "footprint_amzn.ipynb",
        [
            PROBE + "import obi_widgets as ow\nfrom obi_widgets.io import read_lobster\n"
            f"book, trades = read_lobster('{AMZN}/AMZN_2012-06-21_34200000_57600000_message_1.csv.gz',\n"
            f"    '{AMZN}/AMZN_2012-06-21_34200000_57600000_orderbook_1.csv.gz')\n"
            "src = ow.BookSource(book, trades)\nsrc.zoom('2012-06-21 10:00', '2012-06-21 10:20')\n"
            "fc = ow.FootprintChart(src, bar='1min', height=560)\nfc",
        ],
    )
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    exercise(page, artifacts, "amzn")
    assert page.obi_errors == [], "\n".join(page.obi_errors)

"""The quickstart notebook in real JupyterLab and Chromium: the depth chart renders and syncs."""

from __future__ import annotations

import re

import pytest

from ..conftest import ROOT
from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

CHART = ".obi-depth-chart"

NON_BLANK = """(sel) => {
  const c = document.querySelector(sel);
  const ctx = c.getContext('2d');
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  const colours = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0) { painted++; colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); }
  }
  return { painted: painted / (c.width * c.height), colours: colours.size, width: c.width, height: c.height };
}"""


def cursor_in_kernel(page) -> int:
    out = run_code(page, 'print("OBI_CURSOR", chart.cursor)')
    match = re.search(r"OBI_CURSOR (\d+)", out)
    assert match, f"unexpected output: {out!r}"
    return int(match.group(1))


def test_quickstart_depth_chart(lab, page, artifacts):
    open_fresh_copy(page, lab, ROOT / "notebooks" / "quickstart.ipynb")
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_selector(f'{CHART}[data-obi-ready="true"]', timeout=60_000)
    chart = page.locator(CHART).first
    chart.scroll_into_view_if_needed()

    stats = page.evaluate(NON_BLANK, f"{CHART} canvas.obi-depth")
    assert stats["width"] > 300, stats
    assert stats["painted"] > 0.05 and stats["colours"] > 10, f"depth canvas looks blank: {stats}"
    header = chart.locator(".obi-header").inner_text()
    assert "mid" in header and "L1 imbalance" in header, header

    # The notebook's last cell moved the cursor from Python; the view shows that row.
    before = cursor_in_kernel(page)
    assert f"row {before} " in chart.locator(".obi-time").inner_text()

    # A click at 80% of the overview strip moves the cursor; the kernel sees the new value.
    strip = chart.locator("canvas.obi-overview")
    strip.scroll_into_view_if_needed()  # running a cell at the end scrolled the notebook to the dashboard
    box = strip.bounding_box()
    left, right = (float(v) for v in strip.get_attribute("data-obi-strip").split(","))
    page.mouse.click(box["x"] + left + 0.8 * (right - left), box["y"] + box["height"] / 2)
    n_rows = int(run_code(page, "print(len(book))").strip())
    after = cursor_in_kernel(page)
    assert after != before
    assert abs(after - 0.8 * (n_rows - 1)) <= 0.01 * n_rows, (after, n_rows)
    page.wait_for_function(
        "([sel, row]) => document.querySelector(sel).textContent.includes(`row ${row} `)",
        arg=[f"{CHART} .obi-time", after],
    )

    # Arrow keys step one row; 50 fast presses move exactly 50 rows (none dropped), in the view
    # and in the kernel.
    chart.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert cursor_in_kernel(page) == after + 1
    chart.focus()
    for _ in range(50):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([sel, row]) => document.querySelector(sel).dataset.obiRow === String(row)", arg=[CHART, after + 51]
    )
    page.wait_for_timeout(500)
    assert cursor_in_kernel(page) == after + 51
    assert chart.get_attribute("data-obi-row") == str(after + 51)

    # Home / End / PageUp / PageDown while focused.
    pct10 = 10 * max(1, round(n_rows / 100))
    for key, expected in (("Home", 0), ("PageDown", pct10), ("End", n_rows - 1), ("PageUp", n_rows - 1 - pct10)):
        chart.focus()
        page.keyboard.press(key)
        page.wait_for_function(
            "([sel, row]) => document.querySelector(sel).dataset.obiRow === String(row)", arg=[CHART, expected]
        )
    assert cursor_in_kernel(page) == n_rows - 1 - pct10
    assert f"row {n_rows - 1 - pct10} " in chart.locator(".obi-time").inner_text()

    # Hover read-out on the depth plot.
    chart.scroll_into_view_if_needed()
    plot = chart.locator("canvas.obi-depth").bounding_box()
    page.mouse.move(plot["x"] + plot["width"] * 0.3, plot["y"] + plot["height"] / 2)
    tooltip = chart.locator(".obi-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "bid level" in text and "cumulative size" in text and "imbalance" in text, text
    assert re.search(r"imbalance, levels 1–\d+: (bid-heavy|ask-heavy|balanced) [+−]\d\.\d{3}", text), text
    assert "(shares)" not in header and "shares" in text, (header, text)

    chart.screenshot(path=str(artifacts / "quickstart_depth_chart.png"))
    page.screenshot(path=str(artifacts / "quickstart_page.png"))

    # It fills the cell width and redraws on resize.
    wide = page.evaluate(NON_BLANK, f"{CHART} canvas.obi-depth")["width"]
    page.set_viewport_size({"width": 900, "height": 900})
    page.wait_for_function(
        "([sel, w]) => document.querySelector(sel).width < w - 200", arg=[f"{CHART} canvas.obi-depth", wide]
    )
    cell_width = page.evaluate(f"() => document.querySelector('{CHART}').parentElement.clientWidth")
    assert abs(page.evaluate(NON_BLANK, f"{CHART} canvas.obi-depth")["width"] - cell_width) <= 2

    # It follows the JupyterLab theme.
    light_bg = page.evaluate(f"() => getComputedStyle(document.querySelector('{CHART}')).backgroundColor")
    light_px = page.evaluate(PIXEL, f"{CHART} canvas.obi-depth")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function(
        "([sel, px]) => JSON.stringify((" + PIXEL + ")(sel)) !== JSON.stringify(px)",
        arg=[f"{CHART} canvas.obi-depth", light_px],
        timeout=10_000,
    )
    dark_bg = page.evaluate(f"() => getComputedStyle(document.querySelector('{CHART}')).backgroundColor")
    assert dark_bg != light_bg
    assert luminance(dark_bg) < 0.3 < luminance(light_bg), (light_bg, dark_bg)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    chart.screenshot(path=str(artifacts / "quickstart_depth_chart_dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")

    # Removing the output cleans the view up without errors.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"() => document.querySelectorAll('{CHART}').length === 0")
    page.wait_for_timeout(500)
    assert page.obi_errors == [], "\n".join(page.obi_errors)


PIXEL = """(sel) => {
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(Math.floor(c.width * 0.2), Math.floor(c.height * 0.85), 1, 1).data;
  return [d[0], d[1], d[2], d[3]];
}"""


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


EDGE_CELLS = [
    """import obi_widgets as ow
from obi_widgets import Book, datasets
from ipywidgets import Layout, VBox
sim = datasets.simulate(seed=0, n_events=3000)
one = Book.from_arrays([0], [[10.0]], [[5.0]], [[10.1]], [[3.0]], name="one row")
ow.DepthChart(one)""",
    "VBox([ow.DepthChart(sim.book, sim.trades, cursor=100)], layout=Layout(width='50px'))",
    "ow.DepthChart(Book.from_arrays([0, 10**9], [[10.0], [10.0]], [[5.0], [5.0]], [[10.1], [10.2]], [[3.0], [1.0]]))",
]


def test_depth_chart_edge_cases(lab, page, artifacts, tmp_path):
    """A one-row book, a 50-px-wide cell, a one-level book: painted, no console errors."""
    import nbformat

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(c) for c in EDGE_CELLS]
    path = tmp_path / "depth_edges.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function(
        "() => document.querySelectorAll('.obi-depth-chart[data-obi-ready=\"true\"]').length === 3", timeout=60_000
    )
    charts = page.locator(CHART)
    one, narrow, level1 = (charts.nth(i) for i in range(3))
    assert one.get_attribute("data-obi-row") == "0"
    assert narrow.evaluate("(e) => [e.clientWidth, e.querySelector('canvas.obi-depth').width]") == [50, 50]
    # keys on a one-row book go nowhere, without errors
    one.focus()
    for key in ("ArrowRight", "ArrowLeft", "End", "Home", "PageDown"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert one.get_attribute("data-obi-row") == "0"
    one.scroll_into_view_if_needed()
    plot = one.locator("canvas.obi-depth").bounding_box()
    page.mouse.move(plot["x"] + plot["width"] * 0.15, plot["y"] + plot["height"] / 2)
    tip = one.locator(".obi-tooltip")
    tip.wait_for(state="visible")
    assert "bid level 1 of 1" in tip.inner_text() and "beyond level 1" in tip.inner_text(), tip.inner_text()
    one.screenshot(path=str(artifacts / "depth_chart_one_row.png"))
    narrow.screenshot(path=str(artifacts / "depth_chart_50px.png"))
    level1.screenshot(path=str(artifacts / "depth_chart_one_level.png"))
    assert page.obi_errors == [], "\n".join(page.obi_errors)

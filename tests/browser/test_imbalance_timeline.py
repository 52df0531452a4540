"""ImbalanceTimeline in real JupyterLab and Chromium: paint, read-out, brush, zoom, cursor, themes."""

from __future__ import annotations

import re

import nbformat
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

VIEW = ".obi-imbalance-timeline"
LEFT, RIGHT = 64, 14  # the plot's margins (MARGIN_LEFT / MARGIN_RIGHT in imbalance_timeline.py)

CELLS = [
    "import numpy as np\nimport ipywidgets as widgets\nimport obi_widgets as ow\nfrom obi_widgets import datasets\n"
    "sim = datasets.simulate(seed=0)\nsrc = ow.BookSource(sim.book, sim.trades)\n"
    "tl = ow.ImbalanceTimeline(src, series=['level1_imbalance', 'ofi', 'vpin'])\ntl",
    # edge cases: a one-row book, an all-NaN series, a 50-px-wide cell
    "one = ow.ImbalanceTimeline(sim.book[:1], series=['level1_imbalance', 'spread'], height=200)\n"
    "nan = ow.ImbalanceTimeline(sim.book, series={'nothing': np.full(len(sim.book), np.nan)}, height=200)\n"
    "narrow = widgets.Box([ow.ImbalanceTimeline(src, series=['spread'], height=160)], layout=widgets.Layout(width='50px'))\n"
    "widgets.VBox([one, nan, narrow])",
]

NON_BLANK = """(sel) => {
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  const colours = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0) { painted++; colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); }
  }
  return { painted: painted / (c.width * c.height), colours: colours.size, width: c.width };
}"""


def kernel_values(page, expr: str) -> list[int]:
    out = run_code(page, f'print("OBI_OUT", {expr})')
    match = re.search(r"OBI_OUT (.*)", out)
    assert match, f"unexpected output: {out!r}"
    return [int(v) for v in re.findall(r"-?\d+", match.group(1))]


def close(got: list[int], want: list[int], tol_ns: int = 1000) -> bool:
    """Equal to a microsecond: times cross the browser as float64 ms (about 0.24 µs apart near 2024)."""
    return len(got) == len(want) and all(abs(g - w) <= tol_ns for g, w in zip(got, want))


def test_imbalance_timeline(lab, page, artifacts):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    path = lab.root / "imbalance_timeline.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function(
        f"() => document.querySelectorAll('{VIEW}[data-obi-ready=\"true\"]').length === 4", timeout=60_000
    )
    view = page.locator(VIEW).first
    view.scroll_into_view_if_needed()
    canvas = view.locator("canvas.obi-timeline")
    # the kernel has answered the reported width: the window is exact, not the coarse overview
    page.wait_for_function(f"() => !document.querySelector('{VIEW} .obi-range').textContent.includes('coarse')")

    stats = page.evaluate(NON_BLANK, f"{VIEW} canvas.obi-timeline")
    assert stats["width"] > 600 and stats["painted"] > 0.2 and stats["colours"] > 20, stats

    def at(frac: float) -> tuple[float, float]:
        """Page coordinates of a fraction of the plot's width, half-way down (the view scrolled
        into sight first: cells run by run_code move it)."""
        view.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        return box["x"] + LEFT + frac * (box["width"] - LEFT - RIGHT), box["y"] + box["height"] * 0.5

    # hover read-out: the time, the mid and every series
    page.mouse.move(*at(0.4))
    tip = view.locator(".obi-tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    for label in ("time", "mid", "L1 imbalance", "cumulative OFI", "VPIN"):
        assert label in text, text
    view.screenshot(path=str(artifacts / "imbalance_timeline_light.png"))

    # a drag brushes a selection, seen by the kernel, at the times under the pointer
    t0, t1 = kernel_values(page, "src.time_range")
    a, b = 0.3, 0.5
    page.mouse.move(*at(a))
    page.mouse.down()
    page.mouse.move(*at(b), steps=10)
    page.mouse.up()
    sel = kernel_values(page, "src.selection")
    assert len(sel) == 2, sel
    for got, frac in zip(sel, (a, b)):
        assert abs(got - (t0 + frac * (t1 - t0))) <= 0.01 * (t1 - t0), (sel, frac)
    view.screenshot(path=str(artifacts / "imbalance_timeline_brush.png"))

    # double-click inside the brush zooms every linked view to it
    page.mouse.dblclick(*at(0.4))
    page.wait_for_timeout(300)
    zoomed = kernel_values(page, "src.time_range")
    assert close(zoomed, sel), (zoomed, sel)
    page.wait_for_function(f"() => !document.querySelector('{VIEW} .obi-range').textContent.includes('coarse')")
    view.screenshot(path=str(artifacts / "imbalance_timeline_zoomed.png"))

    # double-click outside the brush (after zooming out with the wheel) shows the whole book again
    page.mouse.move(*at(0.5))
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(300)
    wide = kernel_values(page, "src.time_range")
    assert wide[1] - wide[0] > sel[1] - sel[0], (wide, sel)
    page.evaluate(f"() => document.querySelector('{VIEW}').focus()")
    page.keyboard.press("Home")
    page.wait_for_timeout(300)
    assert close(kernel_values(page, "src.time_range"), [t0, t1])
    page.mouse.dblclick(*at(0.9))  # outside the selection: reset (already whole)
    page.wait_for_timeout(300)
    assert close(kernel_values(page, "src.time_range"), [t0, t1])

    # a click moves the shared cursor; the kernel moving it changes data-obi-row
    page.mouse.click(*at(0.75))
    row = kernel_values(page, "src.cursor")[0]
    n = kernel_values(page, "len(src.book)")[0]
    assert abs(row - 0.75 * n) < 0.1 * n, (row, n)  # rows arrive about evenly in the simulator
    run_code(page, "src.cursor = 12345")
    page.wait_for_function(f"() => document.querySelector('{VIEW}').dataset.obiRow === '12345'")

    # dark theme
    page.mouse.move(*at(0.6))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(800)
    view.screenshot(path=str(artifacts / "imbalance_timeline_dark.png"))
    page.locator(VIEW).nth(1).screenshot(path=str(artifacts / "imbalance_timeline_one_row_dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)

    # the narrow cell still paints; clearing the outputs cleans up; no console errors throughout
    narrow = page.locator(VIEW).nth(3)
    assert narrow.get_attribute("data-obi-ready") == "true"
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"() => document.querySelectorAll('{VIEW}').length === 0")
    page.wait_for_timeout(500)
    assert page.obi_errors == [], "\n".join(page.obi_errors)

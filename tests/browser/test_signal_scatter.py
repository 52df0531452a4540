"""SignalScatter in real JupyterLab and Chromium: 200 k points drawn as a density, hover read-out,
brush -> the rows in Python (checked against the box computed here), Escape / double-click clear,
a click on a point moves the linked source's cursor, light and dark screenshots."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

N = 200_000
# the layout of js/views/signal_scatter_layout.js (MARGIN, PANEL_H, GAP) at height 460
LEFT, RIGHT, TOP, PLOT_H = 68, 18, 10, 460 - 160


def pairs():
    """The points of the notebook, made again here to check the selection independently."""
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, N)
    y = 0.01 * np.round(rng.normal(0.6 * x, 1.0))
    y[rng.random(N) < 0.002] = np.nan
    return x, y


CELLS = [
    f"""import numpy as np
import obi_widgets as ow
from obi_widgets import datasets

rng = np.random.default_rng(11)
x = rng.uniform(-1, 1, {N})
y = 0.01 * np.round(rng.normal(0.6 * x, 1.0))
y[rng.random({N}) < 0.002] = np.nan
sc = ow.SignalScatter(x, y, signal_name="imbalance", move_name="move (price)", height=460)
sc""",
    """sim = datasets.simulate(seed=0)
src = ow.BookSource(sim.book)
lk = ow.SignalScatter.from_source(src, "level1_imbalance", horizon="1s", height=460)
lk""",
    "few = ow.SignalScatter(x[:400], y[:400], height=300, title='400 points, drawn one by one')\nfew",
]

NON_BLANK = """(el) => {
  const c = el.querySelector('canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const bg = (d[0] << 16) | (d[1] << 8) | d[2];
  const colours = new Set();
  let inked = 0;
  for (let i = 0; i < d.length; i += 4) {
    const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    colours.add(key);
    if (key !== bg) inked++;
  }
  return { inked: inked / (c.width * c.height), colours: colours.size, width: c.width, height: c.height };
}"""


def kernel_value(page, expr: str) -> str:
    out = run_code(page, f'print("OBI_VALUE", {expr})')
    match = re.search(r"OBI_VALUE (.+)", out)
    assert match, f"unexpected output: {out!r}"
    return match.group(1).strip()


def plot_box(view) -> dict:
    """The main plot's rectangle in page pixels."""
    box = view.locator("canvas").bounding_box()
    return {"x": box["x"] + LEFT, "y": box["y"] + TOP, "w": box["width"] - LEFT - RIGHT, "h": PLOT_H}


def test_signal_scatter_in_jupyterlab(lab, page, artifacts, tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in CELLS]
    path = tmp_path / "scatter.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('.obi-signal-scatter[data-obi-ready=\"true\"]').length === 3",
            timeout=90_000,
        )
    except Exception:
        page.screenshot(path=str(artifacts / "signal_scatter_not_ready.png"))
        raise AssertionError("the scatters did not get ready:\n" + "\n".join(page.obi_errors)) from None
    views = page.locator(".obi-signal-scatter")
    sc, lk, few = views.nth(0), views.nth(1), views.nth(2)
    # the density follows the width Python was told: wait for the grid of the real width
    width = sc.evaluate("(e) => e.clientWidth")
    for _ in range(50):  # the width reaches the kernel asynchronously
        if kernel_value(page, "sc._width") == str(width):
            break
    nx = int(kernel_value(page, "sc.grid_shape()[0]"))
    assert nx == (width - 86) // 2, (nx, width)

    # the canvas is painted: density, curves, axes
    sc.screenshot(path=str(artifacts / "signal_scatter_initial.png"))
    lk.screenshot(path=str(artifacts / "signal_scatter_linked_initial.png"))
    for v in (sc, lk):
        stats = v.evaluate(NON_BLANK)
        assert stats["width"] > 500 and stats["height"] == 460 and stats["inked"] > 0.05 and stats["colours"] > 40, (
            stats
        )
    header = sc.locator(".obi-header").inner_text()
    x, y = pairs()
    usable = int((np.isfinite(x) & np.isfinite(y)).sum())
    assert f"{usable:,} pairs" in header and f"{N - usable:,} dropped (NaN)" in header, header
    assert re.search(r"slope 0\.00\d+ +· +t \d+", header), header
    assert lk.get_attribute("data-obi-row") == "0"

    # hover read-out in the plot: the values under the pointer, the cell's count, the bucket's stats
    sc.scroll_into_view_if_needed()
    pb = plot_box(sc)
    page.mouse.move(pb["x"] + pb["w"] * 0.75 - 3, pb["y"] + pb["h"] * 0.5)
    page.mouse.move(pb["x"] + pb["w"] * 0.75, pb["y"] + pb["h"] * 0.5)
    tip = sc.locator(".obi-tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    for part in ("imbalance", "move (price)", "points in this cell", "bucket", "mean move", "P(up | move)"):
        assert part in text, text
    sc.screenshot(path=str(artifacts / "signal_scatter_hover.png"))

    # brush: drag a box over the upper right; Python gets the box and the rows in it
    ax, ay = pb["x"] + pb["w"] * 0.55, pb["y"] + pb["h"] * 0.2
    bx, by = pb["x"] + pb["w"] * 0.9, pb["y"] + pb["h"] * 0.45
    page.mouse.move(ax, ay)
    page.mouse.down()
    page.mouse.move((ax + bx) / 2, (ay + by) / 2, steps=4)
    page.mouse.move(bx, by, steps=4)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('.obi-signal-scatter').dataset.obiSelected !== ''")
    shown = int(sc.get_attribute("data-obi-selected"))
    x0, x1, y0, y1 = (float(v) for v in kernel_value(page, "' '.join(map(repr, sc.brush))").split())
    (rx0, rx1), (ry0, ry1) = (
        tuple(float(v) for v in kernel_value(page, f"' '.join(map(repr, sc.{r}))").split())
        for r in ("x_range", "y_range")
    )

    # the box is the dragged rectangle in data units (pixel -> data by the plot's linear scales;
    # to 1/100 px: the page's pointer positions are not exact to the last bit)
    def data_x(px):
        return rx0 + (px - pb["x"]) / pb["w"] * (rx1 - rx0)

    def data_y(py):
        return ry1 - (py - pb["y"]) / pb["h"] * (ry1 - ry0)

    assert x0 == pytest.approx(data_x(ax), abs=0.01 / pb["w"] * (rx1 - rx0))
    assert x1 == pytest.approx(data_x(bx), abs=0.01 / pb["w"] * (rx1 - rx0))
    assert y0 == pytest.approx(data_y(by), abs=0.01 / pb["h"] * (ry1 - ry0))
    assert y1 == pytest.approx(data_y(ay), abs=0.01 / pb["h"] * (ry1 - ry0))
    # the rows: computed here from the same points and the box Python received
    expected = np.flatnonzero(np.isfinite(x) & np.isfinite(y) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    assert expected.size > 1000
    got = kernel_value(page, "len(sc.selected_rows), int(sc.selected_rows.sum()), len(sc.selection)")
    assert got == f"{expected.size} {int(expected.sum())} {expected.size}", (got, expected.size)
    assert shown == expected.size
    assert f"selected {expected.size:,}" in sc.locator(".obi-header").inner_text()
    page.mouse.move(0, 0)
    sc.screenshot(path=str(artifacts / "signal_scatter_light.png"))

    # Escape clears the brush (in Python too); a double-click clears a new one
    sc.focus()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('.obi-signal-scatter').dataset.obiSelected === ''")
    # the cleared brush reaches the kernel as a sync message; a cell run just after can overtake it
    cleared = kernel_value(page, "sc.brush, sc.selection")
    for _ in range(20):
        if cleared == "None None":
            break
        page.wait_for_timeout(250)
        cleared = kernel_value(page, "sc.brush, sc.selection")
    assert cleared == "None None"
    run_code(page, "sc.brush = (0.0, 1.0, 0.0, 0.05)")  # set from Python: drawn and counted in the browser
    expected = np.flatnonzero(np.isfinite(y) & (x >= 0) & (x <= 1) & (y >= 0) & (y <= 0.05))
    page.wait_for_function(
        "(n) => document.querySelector('.obi-signal-scatter').dataset.obiSelected === String(n)", arg=int(expected.size)
    )
    sc.scroll_into_view_if_needed()  # running a cell scrolled the notebook
    pb = plot_box(sc)
    page.mouse.dblclick(pb["x"] + pb["w"] * 0.3, pb["y"] + pb["h"] * 0.7)
    page.wait_for_function("() => document.querySelector('.obi-signal-scatter').dataset.obiSelected === ''")
    assert kernel_value(page, "sc.brush") == "None"
    assert kernel_value(page, "sc.picked") == "None"  # the double-click picked nothing

    # linked: a click on a point moves the source's cursor to that row (and the view marks it)
    row = 5000
    px_, py_ = (float(v) for v in kernel_value(page, f"float(lk._x[{row}]), float(lk._y[{row}])").split())
    (lx0, lx1), (ly0, ly1) = (
        tuple(float(v) for v in kernel_value(page, f"' '.join(map(repr, lk.{r}))").split())
        for r in ("x_range", "y_range")
    )
    lk.scroll_into_view_if_needed()  # after the cells run above, which scroll the notebook
    lb = plot_box(lk)
    cx = lb["x"] + (px_ - lx0) / (lx1 - lx0) * lb["w"]
    cy = lb["y"] + (ly1 - py_) / (ly1 - ly0) * lb["h"]
    page.mouse.click(cx, cy)
    page.wait_for_function("() => document.querySelectorAll('.obi-signal-scatter')[1].dataset.obiRow !== '0'")
    cursor = int(lk.get_attribute("data-obi-row"))
    assert kernel_value(page, "src.cursor") == str(cursor)
    # the picked row's point is under the click (within the pick tolerance, in pixels)
    qx, qy = (float(v) for v in kernel_value(page, f"float(lk._x[{cursor}]), float(lk._y[{cursor}])").split())
    dx = (qx - px_) / (lx1 - lx0) * lb["w"]
    dy = (qy - py_) / (ly1 - ly0) * lb["h"]
    assert dx * dx + dy * dy <= 8.0**2 + 1e-6, (cursor, dx, dy)
    # the cursor moved elsewhere is followed
    run_code(page, "src.cursor = 12345")
    page.wait_for_function("() => document.querySelectorAll('.obi-signal-scatter')[1].dataset.obiRow === '12345'")
    page.mouse.move(0, 0)
    lk.screenshot(path=str(artifacts / "signal_scatter_linked_light.png"))

    # few points: drawn one by one; the hover names the point under the pointer and its row
    fx, fy = (float(v) for v in kernel_value(page, "float(few._x[7]), float(few._y[7])").split())
    (fx0, fx1), (fy0, fy1) = (
        tuple(float(v) for v in kernel_value(page, f"' '.join(map(repr, few.{r}))").split())
        for r in ("x_range", "y_range")
    )
    few.scroll_into_view_if_needed()
    fb = few.locator("canvas").bounding_box()
    fw, fh = fb["width"] - LEFT - RIGHT, 300 - 160 + (84 - 66)  # height 300: the panel is 66 px, not 84
    hx = fb["x"] + LEFT + (fx - fx0) / (fx1 - fx0) * fw
    hy = fb["y"] + TOP + (fy1 - fy) / (fy1 - fy0) * fh
    page.mouse.move(hx - 2, hy)
    page.mouse.move(hx, hy)
    few.locator(".obi-tooltip").wait_for(state="visible")
    text = few.locator(".obi-tooltip").inner_text()
    assert re.search(r"point \(row \d+\)", text), text
    few.screenshot(path=str(artifacts / "signal_scatter_few_points.png"))
    page.mouse.move(0, 0)

    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(800)
    run_code(page, "sc.brush = (-0.6, -0.1, -0.03, 0.0)")
    page.wait_for_function("() => document.querySelector('.obi-signal-scatter').dataset.obiSelected !== ''")
    sc.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    sc.screenshot(path=str(artifacts / "signal_scatter_dark.png"))
    lk.scroll_into_view_if_needed()
    lk.screenshot(path=str(artifacts / "signal_scatter_linked_dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")

    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function("() => document.querySelectorAll('.obi-signal-scatter').length === 0")
    page.wait_for_timeout(500)
    assert page.obi_errors == [], "\n".join(page.obi_errors)

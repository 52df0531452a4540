"""The Dashboard in real JupyterLab and Chromium on the Binance BTCUSDT capture (20 levels + trades).

Ready, every panel painted (non-blank canvases), a click in the heatmap moves the cursor of every
panel (their data-obi-row agree, with the kernel's), a panel shown alone says what it is, zero
console errors, screenshots light and dark at 1400 px.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from ..conftest import DATA, skip_or_fail
from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

CAPTURE = DATA / "binance_spot_BTCUSDT_2024-08-08" / "btcusdt_20240808.gz"

CELLS = [
    """import os
from pathlib import Path
import obi_widgets as ow
from obi_widgets.io.binance import read_binance, read_binance_trades

path = Path(os.environ["OBI_DATA"]) / "binance_spot_BTCUSDT_2024-08-08" / "btcusdt_20240808.gz"
res = read_binance(path, levels=20)
trades = read_binance_trades(path)
dash = ow.Dashboard(res.book, trades, cursor=len(res.book) // 3)
dash""",
    "dash.ladder",
]

#: class of each panel's root, as in the views shown alone
PANELS = {
    "replay": "obi-replay",
    "heatmap": "obi-depth-heatmap",
    "ladder": "obi-ladder",
    "timeline": "obi-imbalance-timeline",
    "depth": "obi-depth-chart",
    "gauge": "obi-imbalance-gauge",
}

NON_BLANK = """(el) => {
  const svg = el.querySelector('svg.obi-gauge-svg');
  if (svg) {  // the gauge draws SVG: a needle, the value and the word
    const r = svg.getBoundingClientRect();
    const n = svg.querySelector('.obi-gauge-needle');
    const text = [...svg.querySelectorAll('.obi-gauge-value, .obi-gauge-word')].map((t) => t.textContent).join(' ');
    const drawn = n && n.getAttribute('x2') && text.trim().length > 2;
    return { inked: drawn ? 1 : 0, colours: drawn ? 99 : 0, width: r.width, height: r.height, text };
  }
  // the largest canvas (a view may have small ones too, e.g. the heatmap's colour legend)
  const area = (x) => x.width * x.height;
  const c = [...el.querySelectorAll('canvas')].sort((a, b) => area(b) - area(a))[0];
  if (!c || !c.width || !c.height) return { inked: 0, colours: 0, width: 0, height: 0 };
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  const bg = (d[0] << 16) | (d[1] << 8) | d[2];
  let inked = 0;
  for (let i = 0; i < d.length; i += 4) {
    const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    colours.add(key);
    if (key !== bg || d[i + 3] !== d[3]) inked++;
  }
  return { inked: inked / (c.width * c.height), colours: colours.size, width: c.width, height: c.height };
}"""

ROWS = """() => {
  const dash = document.querySelector('.obi-dashboard');
  const out = { dashboard: dash.dataset.obiRow };
  for (const cell of dash.querySelectorAll('.obi-dashboard-cell')) {
    const v = cell.querySelector(':scope > .obi-view');
    out[cell.dataset.obiPanel] = v ? v.dataset.obiRow : null;
  }
  return out;
}"""


def kernel_value(page, expr: str) -> str:
    out = run_code(page, f'print("OBI_VALUE", {expr})')
    match = re.search(r"OBI_VALUE (.+)", out)
    assert match, f"unexpected output: {out!r}"
    return match.group(1).strip()


def wait_rows_equal(page, row: int, timeout: int = 30_000) -> dict:
    page.wait_for_function(
        f"""() => {{
          const r = ({ROWS})();
          return Object.values(r).every((v) => v === '{row}');
        }}""",
        timeout=timeout,
    )
    return page.evaluate(ROWS)


def test_dashboard_on_binance(lab, page, artifacts, tmp_path):
    if not CAPTURE.exists():
        skip_or_fail(f"the Binance capture is missing: {CAPTURE}")
    page.set_viewport_size({"width": 1400, "height": 1200})
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in CELLS]
    path = tmp_path / "dashboard.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page, timeout_ms=240_000)
    assert error_outputs(page) == []
    page.wait_for_function(
        "() => document.querySelector('.obi-dashboard')?.dataset.obiReady === 'true'", timeout=90_000
    )
    dash = page.locator(".obi-dashboard")
    rows = int(kernel_value(page, "len(res.book)"))
    assert rows > 3000  # the first file of the capture: 3,449 rows at 20 levels
    start = int(kernel_value(page, "dash.source.cursor"))
    assert start == rows // 3

    # every panel: its own view's root class, ready, painted
    for name, cls in PANELS.items():
        view = dash.locator(f".obi-dashboard-{name} > .{cls}")
        assert view.count() == 1, name
        assert view.get_attribute("data-obi-ready") == "true", name
        stats = view.evaluate(NON_BLANK)
        assert stats["width"] >= 100 and stats["inked"] > 0.02 and stats["colours"] > 8, (name, stats)
    # with the file browser open the cell is ~970 px wide: still two columns
    assert dash.evaluate("(e) => e.querySelector('.obi-dashboard-grid').classList.contains('obi-dashboard-two')")
    dash.screenshot(path=str(artifacts / "dashboard_sidebar_open.png"))
    # with it closed (1400 px window) the dashboard follows the cell's width
    page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    page.wait_for_function("() => document.querySelector('.obi-dashboard').getBoundingClientRect().width > 1200")
    page.wait_for_function(
        "() => document.querySelector('.obi-dashboard .obi-depth-heatmap canvas.obi-heatmap').getBoundingClientRect().width > 800"
    )
    # the layout fills the cell: heatmap left, ladder right of it, timeline under the heatmap
    box = {n: dash.locator(f".obi-dashboard-{n}").bounding_box() for n in PANELS}
    cell_w = dash.bounding_box()["width"]
    assert box["replay"]["width"] > 0.95 * cell_w
    assert box["ladder"]["x"] > box["heatmap"]["x"] + box["heatmap"]["width"] - 1
    assert box["timeline"]["y"] >= box["heatmap"]["y"] + box["heatmap"]["height"] - 1
    assert abs(box["timeline"]["width"] - box["heatmap"]["width"]) < 1  # one width: time axes line up
    assert box["heatmap"]["width"] + box["ladder"]["width"] > 0.95 * cell_w
    # the depth chart takes the rest of the right column: both columns end together
    page.wait_for_timeout(500)
    bottom = {n: dash.locator(f".obi-dashboard-{n}").bounding_box() for n in ("timeline", "gauge")}
    left_end = bottom["timeline"]["y"] + bottom["timeline"]["height"]
    right_end = bottom["gauge"]["y"] + bottom["gauge"]["height"]
    assert abs(left_end - right_end) <= 6, (left_end, right_end)
    assert int(kernel_value(page, "dash.depth.height")) >= 120
    assert wait_rows_equal(page, start)

    # the panel shown alone says what it is instead of breaking
    alone = page.locator(".obi-panel-alone")
    alone.wait_for(state="visible")
    assert "part of a Dashboard" in alone.inner_text() and "Ladder" in alone.inner_text()

    # a click in the heatmap moves the cursor of every panel and of the kernel
    heat = dash.locator(".obi-dashboard-heatmap canvas.obi-heatmap")
    heat.scroll_into_view_if_needed()
    hb = heat.bounding_box()
    before = page.evaluate(ROWS)
    page.mouse.click(hb["x"] + hb["width"] * 0.75, hb["y"] + hb["height"] * 0.5)
    page.wait_for_function(
        f"() => document.querySelector('.obi-dashboard .obi-ladder').dataset.obiRow !== '{before['ladder']}'",
        timeout=30_000,
    )
    new = int(kernel_value(page, "dash.source.cursor"))
    assert new != start and new > rows // 2, (start, new)
    after = wait_rows_equal(page, new)
    assert set(after) == {"dashboard", *PANELS}, after
    assert kernel_value(page, "dash.ladder.frame()[1]['row'], dash.depth.cursor, dash.gauge.cursor") == (
        f"{new} {new} {new}"
    )
    # the stepping keys of the ladder move every panel too
    dash.locator(".obi-dashboard-ladder > .obi-ladder").focus()
    page.keyboard.press("ArrowRight")
    wait_rows_equal(page, new + 1)
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    dash.scroll_into_view_if_needed()
    dash.screenshot(path=str(artifacts / "dashboard_light.png"))

    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(800)
    for name, cls in PANELS.items():
        stats = dash.locator(f".obi-dashboard-{name} > .{cls}").evaluate(NON_BLANK)
        assert stats["inked"] > 0.02, (name, stats)
    dash.screenshot(path=str(artifacts / "dashboard_dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)

    # one column in a narrow cell: same panels, reading order, still linked
    run_code(
        page,
        "from ipywidgets import Layout, VBox\nVBox([ow.Dashboard(dash.source, panels=['heatmap', 'ladder', 'gauge'], height=400)], layout=Layout(width='700px'))",
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.obi-dashboard[data-obi-ready=\"true\"]').length === 2", timeout=60_000
    )
    narrow = page.locator(".obi-dashboard").nth(1)
    nb_ = {n: narrow.locator(f".obi-dashboard-{n}").bounding_box() for n in ("heatmap", "ladder", "gauge")}
    assert nb_["heatmap"]["y"] < nb_["ladder"]["y"] < nb_["gauge"]["y"], nb_
    assert abs(nb_["heatmap"]["width"] - nb_["ladder"]["width"]) < 1
    narrow.scroll_into_view_if_needed()
    narrow.screenshot(path=str(artifacts / "dashboard_narrow.png"))

    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function("() => document.querySelectorAll('.obi-dashboard').length === 0")
    page.wait_for_timeout(500)
    assert page.obi_errors == [], "\n".join(page.obi_errors)

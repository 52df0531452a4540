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
    box = strip.bounding_box()
    page.mouse.click(box["x"] + 52 + 0.8 * (box["width"] - 52 - 14), box["y"] + box["height"] / 2)
    n_rows = int(run_code(page, "print(len(book))").strip())
    after = cursor_in_kernel(page)
    assert after != before
    assert abs(after - 0.8 * (n_rows - 1)) <= 0.01 * n_rows, (after, n_rows)
    page.wait_for_function(
        "([sel, row]) => document.querySelector(sel).textContent.includes(`row ${row} `)",
        arg=[f"{CHART} .obi-time", after],
    )

    # Arrow keys step one row.
    chart.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert cursor_in_kernel(page) == after + 1

    # Hover read-out on the depth plot.
    plot = chart.locator("canvas.obi-depth").bounding_box()
    page.mouse.move(plot["x"] + plot["width"] * 0.3, plot["y"] + plot["height"] / 2)
    tooltip = chart.locator(".obi-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "bid level" in text and "cumulative size" in text and "imbalance" in text, text

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

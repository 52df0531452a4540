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
    assert page.obi_errors == [], "\n".join(page.obi_errors)

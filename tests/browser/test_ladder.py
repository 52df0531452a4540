"""The Ladder in real JupyterLab and Chromium: renders, hovers, scrolls, follows the kernel's cursor."""

from __future__ import annotations

import re

import nbformat
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

LADDER = ".obi-ladder"

CELLS = [
    """import numpy as np
import obi_widgets as ow
from obi_widgets import Book, consolidate, datasets
from ipywidgets import Layout, VBox

sim = datasets.simulate(seed=0)
b = sim.book
half = Book(b.ts + 1000, b.bid_px, np.round(b.bid_sz * 0.6, -2) + 100, b.ask_px,
            np.round(b.ask_sz * 0.4, -2) + 100, name="B", meta=b.meta)
cb = consolidate([b, half], names=["XNAS", "BATS"])
src = ow.BookSource(sim.book, sim.trades, cursor=1000)
lad = ow.Ladder(src, cumulative=True)
lad""",
    "ow.Ladder(cb, sim.trades, cursor=5000, rows=21)",
    "one = Book.from_arrays([0], [[10.0]], [[5.0]], [[10.1]], [[3.0]], name='one row')\now.Ladder(one)",
    "VBox([ow.Ladder(sim.book, sim.trades, rows=10)], layout=Layout(width='50px'))",
]

NON_BLANK = """(el) => {
  const c = el.querySelector('canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  let inked = 0;
  for (let i = 0; i < d.length; i += 4) {
    const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    colours.add(key);
  }
  const bg = (d[0] << 16) | (d[1] << 8) | d[2];
  for (let i = 0; i < d.length; i += 4) if (((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]) !== bg) inked++;
  return { inked: inked / (c.width * c.height), colours: colours.size, width: c.width, height: c.height };
}"""

ROWS = "() => [...document.querySelectorAll('.obi-ladder')].map((e) => e.dataset.obiRow)"


def kernel_value(page, expr: str) -> str:
    out = run_code(page, f'print("OBI_VALUE", {expr})')
    match = re.search(r"OBI_VALUE (.+)", out)
    assert match, f"unexpected output: {out!r}"
    return match.group(1).strip()


def hover_row(page, ladder, row: int, x_frac: float = 0.3) -> str:
    """Hover the middle of ladder row ``row`` (0 = top); the tooltip text."""
    ladder.scroll_into_view_if_needed()
    box = ladder.locator("canvas").bounding_box()
    x, y = box["x"] + box["width"] * x_frac, box["y"] + 22 + 18 * (row + 0.5)
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    tip = ladder.locator(".obi-tooltip")
    tip.wait_for(state="visible")
    return tip.inner_text()


def test_ladder_in_jupyterlab(lab, page, artifacts, tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in CELLS]
    path = tmp_path / "ladder.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function(
        "() => document.querySelectorAll('.obi-ladder[data-obi-ready=\"true\"]').length === 4", timeout=60_000
    )
    assert page.evaluate(ROWS) == ["1000", "5000", "0", "0"]
    ladders = page.locator(LADDER)
    main, venues, one, narrow = (ladders.nth(i) for i in range(4))

    # content: bars, text and tints, not a blank canvas; the 50-px cell is 50 px wide
    for lad in (main, venues, one):
        stats = lad.evaluate(NON_BLANK)
        assert stats["width"] > 300 and stats["inked"] > 0.08 and stats["colours"] > 20, stats
    assert narrow.evaluate("(e) => [e.clientWidth, e.querySelector('canvas').width]") == [50, 50]
    header = main.locator(".obi-header").inner_text()
    assert "L1 imbalance" in header and "depth (10 levels)" in header and "USD" in header, header
    assert re.search(r"traded: last 30 s, \d+ trades", header), header

    # hover read-out: a bid row below the touch (rows are 18 px; 25 rows, the touch in the middle)
    text = hover_row(page, main, 15)
    assert "price" in text and "bid (level" in text and "cumulative bid" in text and "sold, last 30 s" in text, text
    main.screenshot(path=str(artifacts / "ladder_hover.png"))
    text = hover_row(page, venues, 12)
    assert "XNAS" in text and "BATS" in text, text
    venues.screenshot(path=str(artifacts / "ladder_venues.png"))
    page.mouse.move(0, 0)

    # the cursor set in the kernel changes the row shown; the exact frame replaces the track's
    run_code(page, "src.cursor = 7000")
    page.wait_for_function("() => document.querySelector('.obi-ladder').dataset.obiRow === '7000'")
    assert main.locator(".obi-note").is_hidden()

    # arrow keys step the shared cursor, in the kernel too
    main.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.obi-ladder').dataset.obiRow === '7005'")
    assert kernel_value(page, "src.cursor") == "7005"

    # without an answer from Python (here: the ladder stops listening to the cursor, as when the
    # kernel is gone) the view draws the replay track's row (sampled rows, no traded volume) and
    # says so; the exact row replaces it once Python sends it again
    run_code(page, "for handler, names in lad._source_observers: src.unobserve(handler, names)")
    main.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => !document.querySelector('.obi-ladder .obi-note').hidden")
    track_row = int(main.get_attribute("data-obi-row"))
    assert 7006 - 11 <= track_row <= 7006, track_row
    assert "replay track" in main.locator(".obi-note").inner_text()
    assert kernel_value(page, "src.cursor") == "7006"
    main.screenshot(path=str(artifacts / "ladder_replay_track.png"))
    run_code(page, 'src.observe(lad._on_cursor, "cursor"); lad._send_frame()')
    page.wait_for_function("() => document.querySelector('.obi-ladder').dataset.obiRow === '7006'")
    assert main.locator(".obi-note").is_hidden()

    # the wheel scrolls the price and pins it; a double-click re-centres
    main.scroll_into_view_if_needed()
    box = main.locator("canvas").bounding_box()
    top_before = hover_row(page, main, 0).splitlines()[1]
    page.mouse.wheel(0, -300)
    page.wait_for_function("() => document.querySelector('.obi-ladder').dataset.obiPinned === 'true'")
    top_after = hover_row(page, main, 0).splitlines()[1]
    assert float(top_after.split()[0]) > float(top_before.split()[0]), (top_before, top_after)
    page.mouse.dblclick(box["x"] + 100, box["y"] + 100)
    page.wait_for_function("() => document.querySelector('.obi-ladder').dataset.obiPinned === 'false'")
    page.mouse.move(0, 0)
    main.screenshot(path=str(artifacts / "ladder_light.png"))
    one.screenshot(path=str(artifacts / "ladder_one_row.png"))

    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(500)
    main.screenshot(path=str(artifacts / "ladder_dark.png"))
    venues.screenshot(path=str(artifacts / "ladder_venues_dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")

    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function("() => document.querySelectorAll('.obi-ladder').length === 0")
    page.wait_for_timeout(500)
    assert page.obi_errors == [], "\n".join(page.obi_errors)

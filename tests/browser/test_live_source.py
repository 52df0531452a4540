"""A live BookSource in real JupyterLab and Chromium: pushes reach the browser, coalesced, and the
views end on the last pushed state; the heatmap scrolls and paints only its new slices."""

from __future__ import annotations

import re

import nbformat
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

CELLS = [
    """import threading, time
import numpy as np
import obi_widgets as ow
from obi_widgets import datasets
from ipywidgets import VBox

sim = datasets.simulate(seed=1)
b, tr = sim.book, sim.trades
src = ow.BookSource(b[:500], tr.between(None, b.ts[500]), max_rows=8000, window="2min")
hm = ow.DepthHeatmap(src, height=300)
lad = ow.Ladder(src, rows=15)
tl = ow.ImbalanceTimeline(src, series=["level1_imbalance", "ofi"])

def feed(lo, hi, step, pause):
    for i in range(lo, hi, step):
        j = min(i + step, len(b))
        src.push(b[i:j], tr.between(b.ts[i], b.ts[j] if j < len(b) else None))
        if pause:
            time.sleep(pause)

VBox([hm, lad, tl])""",
]

# the browser side of the views: what each shows, and a record of the heatmap's painted slices
STATE = """() => {
  const one = (sel) => document.querySelector(sel);
  return {
    ladderRow: one('.obi-ladder').dataset.obiRow, ladderTime: one('.obi-ladder').dataset.obiTime,
    heatRow: one('.obi-depth-heatmap').dataset.obiRow, timelineRow: one('.obi-imbalance-timeline').dataset.obiRow,
    painted: one('.obi-depth-heatmap').dataset.obiPainted,
  };
}"""

WATCH_PAINTS = """() => {
  window.obiPaints = [];
  const el = document.querySelector('.obi-depth-heatmap');
  new MutationObserver(() => window.obiPaints.push(Number(el.dataset.obiPainted)))
    .observe(el, { attributes: true, attributeFilter: ['data-obi-painted'] });
}"""


def kernel_values(page, statement: str, expr: str) -> list[str]:
    out = run_code(page, f'{statement}\nprint("OBI_VALUE", {expr})', timeout_s=120)
    match = re.search(r"OBI_VALUE (.+)", out)
    assert match, f"unexpected output: {out!r}"
    return match.group(1).split()


def wait_shown(page, row: str, time_ms: str, timeout: int = 30_000) -> None:
    page.wait_for_function(
        """([row, t]) => {
          const lad = document.querySelector('.obi-ladder');
          return lad.dataset.obiRow === row && Math.abs(Number(lad.dataset.obiTime) - Number(t)) < 1e-3
            && document.querySelector('.obi-depth-heatmap').dataset.obiRow === row
            && document.querySelector('.obi-imbalance-timeline').dataset.obiRow === row;
        }""",
        arg=[row, time_ms],
        timeout=timeout,
    )


def test_live_source_in_jupyterlab(lab, page, artifacts, tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in CELLS]
    path = tmp_path / "live.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    for cls in ("obi-depth-heatmap", "obi-ladder", "obi-imbalance-timeline"):
        page.wait_for_selector(f'.{cls}[data-obi-ready="true"]', timeout=60_000)
    assert page.evaluate(STATE)["ladderRow"] == "0"

    # 10 000 rows pushed as fast as a thread can: coalesced, and the browser ends on the last state
    state = "len(src.book), src.cursor, repr(float(src.book.ts[-1]) / 1e6), src.flushes"
    rows, last_ms = kernel_values(
        page,
        "th = threading.Thread(target=feed, args=(500, 10500, 10, 0)); th.start(); th.join()",
        "len(src.book), repr(float(b.ts[10499]) / 1e6)",
    )
    # the thread pushed while the cell ran: the flush goes out once the kernel is idle again;
    # until then source.book is what the views show
    assert rows == "500"
    wait_shown(page, "7999", last_ms)
    rows, cursor, _, flushes = kernel_values(page, "pass", state)
    assert rows == "8000" and cursor == "7999"  # the ring keeps the last 8000 rows
    assert int(flushes) < 20, flushes  # 1000 pushes, a handful of flushes

    # 50 pushes a second for 4 s, in the background: the heatmap scrolls (paints a few slices each time)
    page.evaluate(WATCH_PAINTS)
    run_code(page, "th = threading.Thread(target=feed, args=(10500, 12500, 10, 0.02)); th.start()")
    page.wait_for_timeout(2_000)
    page.locator(".obi-depth-heatmap").screenshot(path=str(artifacts / "live_heatmap_scrolling.png"))
    rows, cursor, last_ms, flushes = kernel_values(page, "th.join()", state)
    wait_shown(page, cursor, last_ms)
    paints = page.evaluate("() => window.obiPaints")
    assert paints, "the heatmap received no live raster"
    assert min(paints) < max(paints), paints  # scrolls: some updates painted only their new slices
    assert min(paints) <= 24, paints  # a few 6-slice trade-dot columns, not the whole image
    page.locator(".jp-OutputArea-output").first.screenshot(path=str(artifacts / "live_views_final.png"))
    assert page.obi_errors == []

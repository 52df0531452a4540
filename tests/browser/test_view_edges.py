"""Every view in real JupyterLab on the awkward cases: a one-row book, an all-NaN series, a
50-px-wide cell, an empty (zero-width) selection, a dark theme. No console errors, every view
painted and ready."""

from __future__ import annotations

import nbformat
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all

pytestmark = pytest.mark.browser

VIEWS = ["depth-heatmap", "ladder", "imbalance-timeline", "depth-chart", "replay"]

CELLS = [
    """import numpy as np
import ipywidgets as widgets
import obi_widgets as ow
from obi_widgets import Book, Trades

one = Book.from_arrays([1_700_000_000_000_000_000], [[100.0]], [[5.0]], [[100.01]], [[7.0]], name="one row")
one_trades = Trades.from_arrays([1_700_000_000_000_000_000], [100.01], [2.0], [1])
src1 = ow.BookSource(one, one_trades)
views1 = [ow.DepthHeatmap(src1), ow.Ladder(src1), ow.ImbalanceTimeline(src1, series={"all NaN": np.full(1, np.nan)}),
          ow.DepthChart(src1), ow.Replay(src1)]
widgets.VBox(views1)""",
    """from obi_widgets import datasets
sim = datasets.simulate(seed=1, n_events=3000)
src2 = ow.BookSource(sim.book, sim.trades)
t = int(sim.book.ts[100])
src2.selection = (t, t)          # an empty selection
narrow = [ow.DepthHeatmap(src2), ow.Ladder(src2),
          ow.ImbalanceTimeline(src2, series={"all NaN": np.full(len(sim.book), np.nan), "level 1": "level1_imbalance"}),
          ow.DepthChart(src2), ow.Replay(src2)]
widgets.VBox([widgets.Box([v], layout=widgets.Layout(width="50px", overflow="hidden")) for v in narrow])""",
]


def write_notebook(path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    nbformat.write(nb, path)


def test_views_on_edge_cases(lab, page, artifacts, tmp_path):
    path = tmp_path / "view_edges.ipynb"
    write_notebook(path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    for kebab in VIEWS:
        sel = f".obi-{kebab}"
        page.wait_for_function(
            "(sel) => document.querySelectorAll(sel + '[data-obi-ready=\"true\"]').length === 2",
            arg=sel,
            timeout=60_000,
        )
    # the one-row book: every frame/time view shows row 0
    rows = page.evaluate(
        "() => [...document.querySelectorAll('.obi-view')].slice(0, 5).map((e) => e.dataset.obiRow ?? null)"
    )
    assert rows[:4] == ["0"] * 4, rows
    page.locator(".obi-view").first.screenshot(path=str(artifacts / "edges_one_row_heatmap.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "edges_dark_page.png"), full_page=True)
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function("() => document.querySelectorAll('.obi-view').length === 0")
    page.wait_for_timeout(500)
    assert page.obi_errors == [], "\n".join(page.obi_errors)

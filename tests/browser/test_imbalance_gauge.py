"""The ImbalanceGauge in real JupyterLab and Chromium: renders, follows the kernel's cursor and a
linked DepthChart / Replay in the browser, with and without the kernel; light and dark."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from .notebook import error_outputs, open_fresh_copy, run_all, run_code

pytestmark = pytest.mark.browser

GAUGE = ".obi-imbalance-gauge"

CELLS = [
    """import json
import numpy as np
import obi_widgets as ow
from obi_widgets import Book, datasets
from obi_widgets.views._buffers import unpack
from ipywidgets import HBox

sim = datasets.simulate(seed=0)
src = ow.BookSource(sim.book, sim.trades, cursor=1000)
g1 = ow.ImbalanceGauge(src, title="AAA")
g2 = ow.ImbalanceGauge(src, metric="depth_imbalance", levels=3, window=200, title="depth")
HBox([g1, g2])""",
    "g3 = ow.ImbalanceGauge(src, metric='weighted_mid', width=0, height=200)\ng3",
    "dc = ow.DepthChart(src)\ndc",
    "rep = ow.Replay(src)\nrep",
    "one = Book.from_arrays([0], [[10.0]], [[5.0]], [[10.1]], [[3.0]], name='one row')\now.ImbalanceGauge(one)",
    "live = ow.BookSource(sim.book[:2000], name='live')\nlg = ow.ImbalanceGauge(live, window=100)\nlg",
]

# what the gauge shows, read from its DOM
STATE = """(el) => {
  const q = (s) => el.querySelector(s);
  return {
    row: el.dataset.obiRow, exact: el.dataset.obiExact, value: el.dataset.obiValue, word: el.dataset.obiWord,
    aria: el.getAttribute('aria-label'), text: q('.obi-gauge-value').textContent,
    wordText: q('.obi-gauge-word').textContent, needle: q('.obi-gauge-needle').getAttribute('visibility'),
    band: q('.obi-gauge-band').getAttribute('d'), spark: q('.obi-gauge-spark').getAttribute('d'),
    zones: el.querySelectorAll('.obi-gauge-zones path').length, approx: q('.obi-gauge-approx').hidden,
    width: el.clientWidth, svgWidth: Number(q('svg.obi-gauge-svg').getAttribute('width')),
  };
}"""

ROWS = "() => [...document.querySelectorAll('.obi-imbalance-gauge')].map((e) => e.dataset.obiRow)"


def kernel_value(page, expr: str) -> str:
    out = run_code(page, f'print("OBI_VALUE", {expr})')
    match = re.search(r"OBI_VALUE (.+)", out)
    assert match, f"unexpected output: {out!r}"
    return match.group(1).strip()


def states(page) -> list[dict]:
    return [page.locator(GAUGE).nth(i).evaluate(STATE) for i in range(page.locator(GAUGE).count())]


def signed(v: float) -> str:
    return f"{'+' if v >= 0 else '−'}{abs(v):.3f}"


def wait_rows(page, predicate_js: str, count: int = 3, timeout: int = 15_000) -> None:
    """Wait until the first ``count`` gauges satisfy ``predicate_js`` (a JS expression of ``row``, ``exact``)."""
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('{GAUGE}')].slice(0, {count}).every((el) => {{
          const row = Number(el.dataset.obiRow), exact = el.dataset.obiExact === 'true'; return {predicate_js}; }})""",
        timeout=timeout,
    )


def check_exact(page, names=("g1", "g2", "g3")) -> None:
    """Each gauge shows Python's value and word for the cursor row."""
    got = states(page)
    for i, name in enumerate(names):
        value = float(kernel_value(page, f"repr({name}.value)"))
        word = kernel_value(page, f"{name}.word")
        s = got[i]
        assert s["exact"] == "true", (name, s)
        assert float(s["value"]) == pytest.approx(value, abs=1e-15), (name, s, value)
        assert s["text"] == signed(value) and s["word"] == s["wordText"] == word, (name, s, word)
        assert word in s["aria"] and signed(value) in s["aria"], s["aria"]


def test_imbalance_gauge_in_jupyterlab(lab, page, artifacts, tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in CELLS]
    path = tmp_path / "gauge.ipynb"
    nbformat.write(nb, path)
    open_fresh_copy(page, lab, path)
    run_all(page)
    assert error_outputs(page) == []
    page.wait_for_function(
        f"() => document.querySelectorAll('{GAUGE}[data-obi-ready=\"true\"]').length === 5", timeout=60_000
    )
    assert page.evaluate(ROWS) == ["1000", "1000", "1000", "0", "0"]
    page.wait_for_function(
        '() => document.querySelectorAll(\'.obi-depth-chart[data-obi-ready="true"], '
        '.obi-replay[data-obi-ready="true"]\').length === 2'
    )

    # drawn: 7 dial zones, the needle, a band, a sparkline; the value and the word are Python's
    s1, s2, s3, s_one, _ = states(page)
    for s in (s1, s2, s3, s_one):
        assert s["zones"] == 7 and s["needle"] == "visible" and s["band"] and s["approx"], s
    for s in (s1, s2, s3):
        assert s["spark"].count("L") > 50, s["spark"][:80]  # 120 points of history
    assert s1["width"] == 240 and s1["svgWidth"] == 240  # the default size
    assert s3["width"] > 600 and s3["svgWidth"] == s3["width"]  # width=0 fills the cell
    assert (s_one["text"], s_one["word"]) == ("+0.250", "mild bid pressure")  # (5 - 3) / (5 + 3)
    assert "one row" not in s_one["aria"] and "L1 imbalance gauge: bid-heavy +0.250" in s_one["aria"], s_one["aria"]
    check_exact(page)
    gauges = page.locator(GAUGE)
    for i, name in enumerate(("l1", "depth", "weighted_fill", "one_row")):
        gauges.nth(i).scroll_into_view_if_needed()
        gauges.nth(i).screenshot(path=str(artifacts / f"gauge_{name}_light.png"))

    # the cursor set in the kernel moves every gauge; the numbers are Python's for that row
    run_code(page, "src.cursor = 7000")
    wait_rows(page, "row === 7000 && exact")
    check_exact(page)

    # a cursor change in the browser (arrow keys in the linked DepthChart) moves the gauges at once;
    # Python then answers with the exact rows
    depth = page.locator(".obi-depth-chart").first
    depth.scroll_into_view_if_needed()
    depth.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_rows(page, "row === 7003 && exact")
    assert kernel_value(page, "src.cursor") == "7003"
    check_exact(page)

    # arrow keys on a gauge step the shared cursor too
    gauges.nth(0).focus()
    page.keyboard.press("ArrowLeft")
    wait_rows(page, "row === 7002 && exact")
    assert kernel_value(page, "src.cursor") == "7002"

    # live: rows pushed into a source move its cursor to the newest row, and the gauge with it
    run_code(page, "for i in range(2000, 4000, 50):\n    live.push(sim.book[i : i + 50])\nlive.flush()")
    page.wait_for_function(
        f"() => {{ const el = document.querySelectorAll('{GAUGE}')[4];"
        " return el.dataset.obiRow === '3999' && el.dataset.obiExact === 'true'; }"
    )
    s_live = states(page)[4]
    value = float(kernel_value(page, "repr(lg.value)"))
    assert float(s_live["value"]) == pytest.approx(value, abs=1e-15) and s_live["word"] == kernel_value(page, "lg.word")
    assert value == pytest.approx(float(kernel_value(page, "repr(float(ow.metrics.level1_imbalance(sim.book)[3999]))")))
    gauges.nth(4).scroll_into_view_if_needed()
    gauges.nth(4).screenshot(path=str(artifacts / "gauge_live_light.png"))

    # dark theme
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')", timeout=15_000)
    page.wait_for_timeout(800)
    for i, name in enumerate(("l1", "depth", "weighted_fill")):
        gauges.nth(i).scroll_into_view_if_needed()
        gauges.nth(i).screenshot(path=str(artifacts / f"gauge_{name}_dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
    page.wait_for_timeout(800)

    # what the replay tracks hold near the cursor (the source's imb_l1 for g1, g2's own track)
    expect = json.loads(
        kernel_value(
            page,
            "json.dumps({k: {int(r): float(v) for r, v in zip(a['row'], a[f]) if 6900 <= r <= 9000} "
            "for k, (a, f) in {'g1': (unpack(src._track)[0], 'imb_l1'), 'g2': (unpack(g2._track)[0], 'value')}.items()})",
        )
    )

    # without the kernel: the DepthChart's arrow keys and the Replay still move the gauges, which
    # draw from the replay track (sampled rows) and say so
    page.evaluate(
        "async () => { await window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.shutdown(); }"
    )
    page.wait_for_function(
        "() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;"
        " return !k || k.status === 'dead' || k.isDisposed; }",
        timeout=30_000,
    )
    depth.scroll_into_view_if_needed()
    depth.focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    wait_rows(page, "row <= 7042 && row > 7042 - 11 && !exact")
    s1, s2, s3, _, _ = states(page)
    for s, key in ((s1, "g1"), (s2, "g2")):
        assert not s["approx"] and s["needle"] == "visible", s
        assert float(s["value"]) == pytest.approx(expect[key][s["row"]], abs=1e-6), (key, s)
    assert float(s3["value"]) == pytest.approx(expect["g1"][s3["row"]], abs=1e-6)  # weighted mid = L1 in half-spreads
    gauges.nth(0).scroll_into_view_if_needed()
    gauges.nth(0).screenshot(path=str(artifacts / "gauge_l1_track.png"))

    before = int(s1["row"])
    play = page.locator(".obi-replay button.obi-replay-play")
    play.scroll_into_view_if_needed()
    play.click()
    page.wait_for_timeout(1500)
    play.click()
    page.wait_for_timeout(300)
    wait_rows(page, f"row > {before} && !exact")
    replay_row = int(page.locator(".obi-replay").get_attribute("data-obi-row"))
    for s in states(page)[:3]:
        assert replay_row - 11 < int(s["row"]) <= replay_row, (replay_row, s)

    assert page.obi_errors == [], "\n".join(page.obi_errors)

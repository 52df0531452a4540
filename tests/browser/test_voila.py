"""Notebooks served as dashboards by a real Voilà server, in Chromium: the views render, stay linked,
and a click in a view reaches the kernel and comes back.

- ``voila notebooks/quickstart.ipynb``, the real notebook as a user serves it: only outputs (no
  code, no traceback), every view painted, its first depth chart at the row the notebook set from
  Python, and a click on the chart's overview strip answered by the kernel (the cursor the browser
  sends comes back as the source's ``_cursor_at``, which only Python computes, and as the chart's
  exact frame).
- A small notebook written here (one source, a heat map, a depth chart, a Replay, a Dashboard,
  and an ipywidgets ``HTML`` label that a Python ``observe`` callback sets to ``src.cursor``),
  served with ``--theme=dark``: a click on the heat map and a Replay step move every view, and the
  label shows the new cursor: browser -> kernel -> browser. It also reads a file by a path relative
  to the notebook's folder (Voilà's working directory), as the notebooks read ``../shared/data``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ..conftest import ROOT
from .test_quickstart import NON_BLANK
from .voila import Voila

pytestmark = pytest.mark.browser

QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"
VIEWPORT = {"width": 1280, "height": 2400}  # Voilà scrolls an inner panel: a tall page shows it all
PAGE_TIMEOUT_MS = 240_000  # Voilà runs the whole notebook before the page has loaded

# Voilà's lab template links Font Awesome from cdn.jsdelivr.net; there is no internet here, so the
# browser would log "Failed to load resource: net::ERR_NAME_NOT_RESOLVED" (twice) for a font the
# kit does not use. Answer those two requests with an empty stylesheet instead of filtering errors.
FONT_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/**"

# What an output area shows when something went wrong: a cell's error or stderr, a widget the
# page could not find, Voilà's own "error when executing cell" note.
PROBLEMS = """() => {
  const bad = [...document.querySelectorAll(
    '[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="application/vnd.jupyter.error"]'
  )].map((e) => e.textContent.trim().slice(0, 300));
  const text = document.body.innerText;
  for (const phrase of ['Traceback', 'Error displaying widget', 'model not found',
                        'There was an error when executing']) {
    if (text.includes(phrase)) bad.push(`page text contains ${JSON.stringify(phrase)}`);
  }
  return bad;
}"""

# n views (any number, at least one, when n is null), every one painted; and every widget output
# of the page rendered (none left at ipywidgets' "Loading widget..." or empty).
ALL_READY = """(n) => {
  const views = [...document.querySelectorAll('.obi-view')];
  const outputs = [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.widget-view+json"]')];
  return views.length > 0 && (n === null || views.length === n)
    && views.every((v) => v.dataset.obiReady === 'true')
    && outputs.every((o) => o.querySelector('.lm-Widget, .jupyter-widgets') && !o.textContent.includes('Loading widget'));
}"""

# data-obi-row of every view that shows one (the Signal scatter has none; none here).
ROWS = "() => [...document.querySelectorAll('.obi-view[data-obi-row]')].map((v) => Number(v.dataset.obiRow))"


def serve(notebook, tmp_path, **kwargs) -> Voila:
    home = tmp_path / "voila-home"
    home.mkdir()
    server = Voila(notebook, home, **kwargs)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


def open_dashboard(page, server: Voila, n_views: int | None) -> int:
    """Open the server's page, wait until its ``n_views`` views (None: all of them) are painted,
    and return how many there are."""
    page.set_viewport_size(VIEWPORT)
    page.route(FONT_CDN, lambda route: route.fulfill(status=200, content_type="text/css", body=""))
    try:
        page.goto(server.url, timeout=PAGE_TIMEOUT_MS)
        page.wait_for_function(ALL_READY, arg=n_views, timeout=120_000)
        # the page has loaded (Voilà has run every cell) and its views are painted; widgets are
        # rendered asynchronously, so check once more after a pause that no view was still to come
        page.wait_for_timeout(1000)
        page.wait_for_function(ALL_READY, arg=n_views, timeout=60_000)
    except Exception as exc:
        found = page.evaluate("() => [...document.querySelectorAll('.obi-view')].map((v) => v.className)")
        raise AssertionError(
            f"the Voilà page did not show {n_views} ready views (found {found}): {exc}\n"
            f"console errors: {page.obi_errors}\nVoilà log:\n{server.log()}"
        ) from exc
    return page.locator(".obi-view").count()


def shot_whole_page(page, path) -> None:
    """A screenshot of the whole dashboard: Voilà scrolls an inner panel, so the page's own
    full-page screenshot stops at the viewport; grow the viewport to the panel's content first."""
    for _ in range(2):  # twice: the panel grows with the viewport
        height = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('body, body *')].map((e) => e.scrollHeight))"
        )
        page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 40, 8000)})
        page.wait_for_timeout(300)
    page.screenshot(path=str(path))


def websocket_frames(page) -> list[tuple[str, str]]:
    """Every frame the page sends ("sent") or receives ("received") over its websockets, as text
    (the kernel protocol's binary frames hold UTF-8 JSON parts: decoded leniently)."""
    frames: list[tuple[str, str]] = []

    def text(payload) -> str:
        return payload if isinstance(payload, str) else payload.decode("utf-8", "replace")

    def on_socket(ws):
        ws.on("framesent", lambda p: frames.append(("sent", text(p))))
        ws.on("framereceived", lambda p: frames.append(("received", text(p))))

    page.on("websocket", on_socket)
    return frames


def wait_for_frame(page, frames, since: int, direction: str, pattern: re.Pattern, timeout_ms: int = 15_000):
    """The first match of ``pattern`` in a ``direction`` frame of ``frames[since:]``; waits for it."""
    for _ in range(timeout_ms // 100):
        for d, f in frames[since:]:
            if d == direction and (m := pattern.search(f)):
                return m
        page.wait_for_timeout(100)
    seen = [f"{d}: {f[:300]}" for d, f in frames[since:]]
    raise AssertionError(f"no {direction} frame matching {pattern.pattern!r} within {timeout_ms} ms; frames: {seen}")


def test_voila_quickstart(page, artifacts, tmp_path):
    from obi_widgets import datasets

    frames = websocket_frames(page)
    server = serve(QUICKSTART.relative_to(ROOT), tmp_path, cwd=ROOT)  # `voila notebooks/quickstart.ipynb`
    try:
        n_views = open_dashboard(page, server, None)
        assert n_views >= 1
        assert page.evaluate(PROBLEMS) == [], f"{page.evaluate(PROBLEMS)}\nVoilà log:\n{server.log()}"

        # A dashboard: the notebook's titles and outputs, not its code.
        assert page.locator("h1", has_text="obi_widgets quickstart").count() == 1
        assert page.locator("h2", has_text="The depth chart").count() == 1
        text = page.inner_text("body")
        assert "<Book 'simulated (seed=0)'" in text  # a print() output
        assert "next mid move is up in" in text
        assert "import obi_widgets" not in text and "ow.DepthChart(" not in text, "Voilà shows code"

        chart = page.locator(".obi-depth-chart").first  # the notebook's `chart` (its first view)
        stats = page.evaluate(NON_BLANK, ".obi-depth-chart canvas.obi-depth")
        assert stats["width"] > 300 and stats["painted"] > 0.05 and stats["colours"] > 10, stats

        # The notebook's last cell, chart.go_to(open + 1 min), ran in the kernel: the view shows
        # the row in force then (found here from the same simulated book, by a search on its times).
        book = datasets.simulate(seed=0).book
        expected = int(np.searchsorted(book.ts, book.ts[0] + 60 * 10**9, side="right")) - 1
        assert chart.get_attribute("data-obi-row") == str(expected)
        assert f"row {expected} " in chart.locator(".obi-time").inner_text()

        # A click at 80% of the overview strip moves the cursor; the browser sends it to the kernel,
        # which answers with the exact time of that row (_cursor_at, which only Python computes)
        # and the exact frame the chart then shows (until then it draws the replay track's row).
        strip = chart.locator("canvas.obi-overview")
        strip.scroll_into_view_if_needed()
        box = strip.bounding_box()
        left, right = (float(v) for v in strip.get_attribute("data-obi-strip").split(","))
        since = len(frames)
        page.mouse.click(box["x"] + left + 0.8 * (right - left), box["y"] + box["height"] / 2)
        row = int(wait_for_frame(page, frames, since, "sent", re.compile(r'"cursor":\s*(\d+)')).group(1))
        assert abs(row - 0.8 * (len(book) - 1)) <= 0.01 * len(book), (row, len(book))
        answer = wait_for_frame(
            page, frames, since, "received", re.compile(rf'"_cursor_at":\s*\[\s*{row}\s*,\s*([-0-9.e+]+)')
        )
        assert float(answer.group(1)) == pytest.approx(book.ts[row] / 1e6, abs=1e-3)
        page.wait_for_function(
            "(row) => { const c = document.querySelector('.obi-depth-chart');"
            " return c.dataset.obiRow === String(row) && !c.querySelector('.obi-time').textContent.includes('replay track'); }",
            arg=row,
            timeout=15_000,
        )
        chart.screenshot(path=str(artifacts / "voila_quickstart_depth_chart.png"))
        shot_whole_page(page, artifacts / "voila_quickstart.png")
        assert page.obi_errors == [], "\n".join(page.obi_errors)
    finally:
        server.stop()


LINKED_CELLS = [
    """from pathlib import Path
import ipywidgets as widgets
import obi_widgets as ow
from obi_widgets import datasets

print(Path("../shared/marker.txt").read_text())  # relative to the notebook's folder
sim = datasets.simulate(seed=0, n_events=5000)
src = ow.BookSource(sim.book, sim.trades)
src.cursor = 1234""",
    """label = widgets.HTML()
def show(change=None):
    label.value = f"kernel cursor: {src.cursor}"
src.observe(show, "cursor")
show()
label""",
    "ow.DepthHeatmap(src)",
    "ow.DepthChart(src)",
    "ow.Replay(src)",
    "ow.Dashboard(src, height=600)",
]
N_LINKED_VIEWS = 3 + 1 + 6  # heat map, depth chart, Replay; the Dashboard and its six panels


def test_voila_linked_views_round_trip(page, artifacts, tmp_path):
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "marker.txt").write_text("marker read from ../shared")
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_markdown_cell("# Linked views under Voilà")]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in LINKED_CELLS]
    nbformat.write(nb, folder / "linked.ipynb")

    server = serve(folder / "linked.ipynb", tmp_path, cwd=tmp_path, theme="dark")
    try:
        open_dashboard(page, server, N_LINKED_VIEWS)
        assert page.evaluate(PROBLEMS) == [], f"{page.evaluate(PROBLEMS)}\nVoilà log:\n{server.log()}"
        assert "marker read from ../shared" in page.inner_text("body")
        label = page.locator(".widget-html", has_text="kernel cursor:")
        assert label.inner_text().strip() == "kernel cursor: 1234"
        page.wait_for_function(f"() => ({ROWS})().every((r) => r === 1234)", timeout=15_000)

        # --theme=dark: the page and the views are dark.
        assert page.evaluate("() => document.body.dataset.jpThemeLight") == "false"
        bg = page.evaluate("() => getComputedStyle(document.querySelector('.obi-depth-chart')).backgroundColor")
        r, g, b = (int(v) for v in re.findall(r"\d+", bg)[:3])
        assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 80, f"the depth chart is not dark: {bg}"

        # A click on the heat map: every view moves to the clicked row (in the browser), the kernel
        # receives it and its observer sets the label to it.
        heat = page.locator(".obi-depth-heatmap canvas.obi-heatmap").first
        heat.scroll_into_view_if_needed()
        box = heat.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
        page.wait_for_function("() => document.querySelector('.obi-replay').dataset.obiRow !== '1234'", timeout=15_000)
        clicked = int(page.locator(".obi-replay").first.get_attribute("data-obi-row"))
        assert clicked > 3000, clicked  # 80% of the way through a 5000-row book
        label_text(page, f"kernel cursor: {clicked}", server)
        page.wait_for_function(f"() => ({ROWS})().every((r) => r === {clicked})", timeout=15_000)

        # A Replay step forward: one row on, in every view and in the kernel.
        page.locator(".obi-replay button.obi-replay-forward").first.click()
        label_text(page, f"kernel cursor: {clicked + 1}", server)
        page.wait_for_function(f"() => ({ROWS})().every((r) => r === {clicked + 1})", timeout=15_000)

        page.locator(".obi-dashboard").screenshot(path=str(artifacts / "voila_dashboard_dark.png"))
        shot_whole_page(page, artifacts / "voila_linked_dark.png")
        assert page.obi_errors == [], "\n".join(page.obi_errors)
    finally:
        server.stop()


def label_text(page, expected: str, server: Voila) -> None:
    """Wait until the kernel-set label reads ``expected``."""
    try:
        page.wait_for_function(
            "(want) => [...document.querySelectorAll('.widget-html')].some((e) => e.innerText.trim() === want)",
            arg=expected,
            timeout=15_000,
        )
    except Exception as exc:
        labels = page.locator(".widget-html").all_inner_texts()
        raise AssertionError(
            f"the label set by the kernel never read {expected!r} (it reads {labels}): {exc}\nVoilà log:\n{server.log()}"
        ) from exc


def test_voila_config_keeps_the_lab_extension_out():
    """The package installs etc/jupyter/voila.json: Voilà pages load no obi-widgets-jupyterlab (its
    file-browser and launcher modules are not in Voilà's shell and would fail to load)."""
    import json

    from jupyter_core.paths import jupyter_config_path

    found = [Path(d) / "voila.json" for d in jupyter_config_path() if (Path(d) / "voila.json").is_file()]
    lists = [json.loads(p.read_text()).get("VoilaConfiguration", {}).get("extension_denylist", []) for p in found]
    assert any("obi-widgets-jupyterlab" in names for names in lists), found

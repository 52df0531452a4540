"""Offline reports in Chromium: ``obi-widgets report`` of the shipped notebooks, opened from file://
with every other request blocked. The views draw, the Replay drives every linked view, the hover
read-out appears, and the page asks for nothing (no request leaves file://, none fails).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..conftest import ROOT
from .test_views_tour import CANVAS_STATS

pytestmark = pytest.mark.browser

# per report: the notebook, the root whose views the Replay links, and the view to hover
REPORTS = {
    "quickstart": ("quickstart.ipynb", ".obi-dashboard", ".obi-depth-chart"),
    "views_tour": ("views_tour.ipynb", "body", ".obi-depth-heatmap"),
}
MAX_MB = {"quickstart": 10, "views_tour": 20}

ALL_READY = """() => { const v = [...document.querySelectorAll('.obi-view')];
  return v.length > 0 && v.every(e => e.dataset.obiReady === 'true'); }"""

# data-obi-row of every view under `scope` (Replay included), keyed by class and position
LINKED_ROWS = """(scope) => Object.fromEntries([...document.querySelector(scope).querySelectorAll('.obi-view')]
  .filter(e => e.dataset.obiRow !== undefined && !e.classList.contains('obi-dashboard'))
  .map((e, i) => [e.classList[1] + '#' + i, Number(e.dataset.obiRow)]))"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory, data_dir):
    """The two notebooks exported with the console command (executed in a fresh kernel each)."""
    out = tmp_path_factory.mktemp("reports")
    made = {}
    for name, (notebook, _, _) in REPORTS.items():
        target = out / f"{name}.html"
        done = subprocess.run(
            [sys.executable, "-m", "obi_widgets", "report", str(ROOT / "notebooks" / notebook), "-o", str(target)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"wrote {target}" in done.stdout, done.stdout
        print(done.stdout.strip())  # the size line, in the test log
        made[name] = target
    return made


def open_offline(browser, path):
    """A page on ``file://path`` where every request that is not file:// is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    record = {"blocked": [], "failed": [], "errors": []}

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            record["blocked"].append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: record["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: record["errors"].append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: record["failed"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function(ALL_READY, timeout=60_000)
    return context, page, record


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_offline(browser, reports, artifacts, name):
    path = reports[name]
    size_mb = path.stat().st_size / 1e6
    assert size_mb <= MAX_MB[name], f"{name} report is {size_mb:.2f} MB"
    _, scope, hover = REPORTS[name]
    context, page, record = open_offline(browser, path)
    try:
        # every view painted: its largest canvas carries a picture, not a blank
        for i in range(page.locator(".obi-view").count()):
            view = page.locator(".obi-view").nth(i)
            if view.locator("canvas").count() == 0:
                continue
            view.scroll_into_view_if_needed()
            cls = view.get_attribute("class")
            stats = page.evaluate(
                "(el) => (" + CANVAS_STATS + ")('.obi-report-probe')",
                view.evaluate_handle("(el) => { el.classList.add('obi-report-probe'); return el; }"),
            )
            view.evaluate("(el) => el.classList.remove('obi-report-probe')")
            assert stats["canvas"]["colours"] >= 2 and stats["canvas"]["painted"] > 0.01, (cls, stats)

        # the Replay plays: every linked view's row moves, in the browser alone
        play = page.locator(f"{scope} .obi-replay button.obi-replay-play").first
        play.scroll_into_view_if_needed()
        start = page.evaluate(LINKED_ROWS, scope)
        assert len(start) >= 4, start
        play.click()
        page.wait_for_timeout(2000)
        play.click()
        page.wait_for_timeout(400)
        after = page.evaluate(LINKED_ROWS, scope)
        assert all(after[k] > start[k] for k in start), (start, after)
        page.locator(scope).first.screenshot(path=str(artifacts / f"report_{name}_replayed.png"))
        # the ladder shows a replay-track frame and says, discreetly, what would need the kernel
        assert "the exact row needs the notebook's kernel" in page.locator(f"{scope} .obi-ladder").first.inner_text()

        # hover read-out
        target = page.locator(f"{hover} canvas.obi-depth, {hover} canvas.obi-heatmap").first
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
        tooltip = page.locator(f"{hover} .obi-tooltip").first
        tooltip.wait_for(state="visible", timeout=5_000)
        assert len(tooltip.inner_text().strip()) > 5
        page.locator(hover).first.screenshot(path=str(artifacts / f"report_{name}_hover.png"))

        page.screenshot(path=str(artifacts / f"report_{name}_page.png"), full_page=True)
        assert record["blocked"] == [], record["blocked"][:5]
        assert record["failed"] == [], record["failed"][:5]
        assert record["errors"] == [], "\n".join(record["errors"])
    finally:
        context.close()


OTHER_LIBRARIES = [
    "import bqplot as bq\nimport ipywidgets as w\nimport numpy as np\nimport obi_widgets as ow\nfrom obi_widgets import datasets, metrics",
    "sim = datasets.simulate(seed=2, n_events=2000)\nimb = metrics.level1_imbalance(sim.book)",
    "x, y = bq.LinearScale(), bq.LinearScale()\n"
    "line = bq.Lines(x=np.arange(len(imb)), y=imb, scales={'x': x, 'y': y})\n"
    "fig = bq.Figure(marks=[line], axes=[bq.Axis(scale=x), bq.Axis(scale=y, orientation='vertical')],"
    " title='level-1 imbalance (bqplot)')\n"
    "w.VBox([w.IntSlider(value=5, description='levels'), fig])",
    "ow.DepthChart(sim.book, sim.trades, cursor=100)",
]


def test_report_with_other_widget_libraries(browser, artifacts, tmp_path):
    """bqplot and ipywidgets controls beside a kit view: their front ends come from the installed
    packages, inlined; everything renders with the network blocked."""
    import nbformat

    from obi_widgets.report import export_html

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in OTHER_LIBRARIES]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "libraries.ipynb")
    report = export_html(tmp_path / "libraries.ipynb")
    context, page, record = open_offline(browser, report.path)
    try:
        page.wait_for_selector(".bqplot svg .line", timeout=30_000)
        assert page.locator(".widget-slider").count() == 1
        assert page.locator(".widget-readout").first.inner_text().strip() == "5"
        path = page.locator(".bqplot svg path.line").first.get_attribute("d") or ""
        assert len(path) > 1000  # 2000 points drawn
        page.screenshot(path=str(artifacts / "report_libraries_page.png"), full_page=True)
        assert record["blocked"] == [] and record["failed"] == [], record
        assert record["errors"] == [], "\n".join(record["errors"])
    finally:
        context.close()


def test_report_from_a_static_host(browser, reports, artifacts):
    """The same file served by a plain static HTTP server (127.0.0.1): nothing else is asked for."""
    import functools
    import http.server
    import threading

    folder = reports["quickstart"].parent
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    asked, errors = [], []
    context.route(
        "**/*", lambda r: (asked.append(r.request.url), r.continue_() if r.request.url.startswith(base) else r.abort())
    )
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "quickstart.html")
        page.wait_for_function(ALL_READY, timeout=60_000)
        assert asked == [base + "quickstart.html"], asked  # one request: the page itself
        assert errors == [], errors
    finally:
        context.close()
        server.shutdown()
        server.server_close()

"""obi_widgets.report: the page's pieces, the errors, and one real export (fresh kernel, nbclient)."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil

import nbformat
import pytest

from obi_widgets import ReportError, cli
from obi_widgets.report import export_html
from obi_widgets.report._page import needs_math
from obi_widgets.report._runtime import RUNTIME, inline_script, module_bundle, widget_modules

from .conftest import ROOT

SMALL = [
    "import ipywidgets as w\nimport obi_widgets as ow\nfrom obi_widgets import datasets",
    "sim = datasets.simulate(seed=1, n_events=400)\nslider = w.IntSlider(value=3, description='levels')\nslider",
    "chart = ow.DepthChart(sim.book, sim.trades, cursor=10)\nchart",
]


def write_notebook(path, cells, markdown="# A small report\n\nImbalance $I = (Q^b - Q^a)/(Q^b + Q^a)$."):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown)] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    shutil.copy(ROOT / "docs" / "depth_chart.png", folder / "picture.png")
    text = "# A small report\n\nImbalance $I = (Q^b - Q^a)/(Q^b + Q^a)$.\n\n![the depth chart](picture.png)"
    nb = write_notebook(folder / "small.ipynb", SMALL, markdown=text)
    report = export_html(nb, folder / "out" / "small.html")
    return report, report.path.read_text(encoding="utf-8")


def packed_scripts(html: str) -> list[tuple[str | None, str]]:
    """(define name, inflated text) of every packed script, in page order."""
    out = []
    for attrs, data in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if 'type="application/x-obi-packed"' in attrs:
            name = re.search(r'data-obi-define="([^"]+)"', attrs)
            out.append((name and name.group(1), gzip.decompress(base64.b64decode(data)).decode()))
    return out


def test_inline_script_cannot_end_the_script_element():
    js = 'var a = "</script><script>alert(1)</script>"; var b = "<!-- x";'
    out = inline_script(js)
    assert "</script" not in out.lower() and "<!--" not in out
    assert out == 'var a = "<\\/script><script>alert(1)<\\/script>"; var b = "<\\!-- x";'


def test_needs_math_looks_at_markdown_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("price = '$5'  # $x$"), nbformat.v4.new_markdown_cell("no math here")]
    assert not needs_math(nb)
    nb.cells.append(nbformat.v4.new_markdown_cell(r"Depth: \begin{align} a &= b \end{align}"))
    assert needs_math(nb)


def test_widget_modules_lists_model_and_view_modules():
    state = {
        "state": {
            "a": {
                "model_module": "anywidget",
                "model_module_version": "~0.11.*",
                "state": {"_view_module": "anywidget"},
            },
            "b": {"model_module": "@jupyter-widgets/base", "model_module_version": "2.0.0", "state": {}},
            "c": {"model_module": "bqplot", "model_module_version": "^0.6.1", "state": {"_view_module": "bqplot"}},
        }
    }
    assert widget_modules(state) == {"anywidget": "~0.11.*", "@jupyter-widgets/base": "2.0.0", "bqplot": "^0.6.1"}


def test_missing_front_end_names_the_module():
    with pytest.raises(ReportError, match=r"widget module 'no-such-widgets' \(version 1\.2\).*index\.js"):
        module_bundle("no-such-widgets", "1.2")


def test_errors_for_bad_input(tmp_path):
    with pytest.raises(ReportError, match="no such notebook"):
        export_html(tmp_path / "missing.ipynb")
    (tmp_path / "bad.ipynb").write_text("{not json")
    with pytest.raises(ReportError, match="not a readable notebook"):
        export_html(tmp_path / "bad.ipynb")
    nb = write_notebook(tmp_path / "plain.ipynb", ["1 + 1"])
    with pytest.raises(ReportError, match="holds no widget state"):
        export_html(nb, execute=False)
    with pytest.raises(ReportError, match="theme must be"):
        export_html(nb, theme="blue")


def test_failing_cell_is_named(tmp_path):
    nb = write_notebook(tmp_path / "fails.ipynb", ["x = 1", "x / 0"])
    with pytest.raises(ReportError, match=r"cell 3 failed .*ZeroDivisionError"):
        export_html(nb)


def test_report_inlines_everything(small_report):
    report, html = small_report
    assert report.size == report.path.stat().st_size
    assert report.models >= 5  # slider + its layout/style, the chart, its source and layout
    # nothing is loaded from elsewhere: no src= or href= to a URL, no CDN address
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r'<link[^>]+href="(https?:)?//', html)
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    # the packed scripts are the built runtime and the installed anywidget front end, in that order
    scripts = packed_scripts(html)
    assert scripts[0] == (None, (RUNTIME / "widgets.js").read_text(encoding="utf-8"))
    names = [name for name, _ in scripts]
    assert "anywidget" in names
    assert "MathJax" in scripts[-1][1] and names[-1] is None  # the markdown cell holds math
    # the widget state, with the chart's binary buffers, and one view element per displayed widget
    state = json.loads(
        re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S).group(1)
    )
    models = state["state"].values()
    assert any(m.get("buffers") for m in models)
    assert {m["model_name"] for m in models} >= {"IntSliderModel", "AnyModel"}
    assert len(re.findall(r'<script type="application/vnd.jupyter.widget-view\+json">', html)) == 2
    assert "Report made with obi_widgets" in html
    # the markdown's image is inlined, not linked
    png = base64.b64encode((ROOT / "docs" / "depth_chart.png").read_bytes()).decode()
    assert f'src="data:image/png;base64,{png}"' in html and "picture.png" not in html


def test_command_line(small_report, tmp_path, capsys):
    assert cli.main(["report", str(tmp_path / "nope.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err
    nb = write_notebook(tmp_path / "cli.ipynb", ["1 + 1"], markdown="# no widgets")
    assert cli.main(["report", str(nb), "-o", str(tmp_path / "x.html")]) == 2  # executed, but nothing to show
    assert "holds no widget state" in capsys.readouterr().err


def test_saved_widget_state_without_executing(tmp_path):
    """A notebook saved with its widget state (as JupyterLab or nbclient store it) is exported as it is."""
    from nbclient import NotebookClient

    path = write_notebook(tmp_path / "saved.ipynb", SMALL)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    nbformat.write(nb, path)
    saved = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    report = export_html(path, tmp_path / "saved.html", execute=False)
    html = report.path.read_text(encoding="utf-8")
    state = json.loads(
        re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert set(state["state"]) == set(saved) and report.models == len(saved)
    assert nbformat.read(path, as_version=4).cells[2].outputs == nb.cells[2].outputs  # the notebook is untouched

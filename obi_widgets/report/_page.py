"""One self-contained HTML page from an executed notebook (nbconvert's lab template, scripts inlined)."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from ..errors import ReportError
from ._runtime import UNPACK, WIDGET_STATE, head_scripts, module_scripts, pack, runtime_file

TEMPLATES = Path(__file__).resolve().parent / "templates"

# $...$, $$...$$, \(...\), \[...\] or an environment in a markdown cell: the page needs MathJax
_MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")

MATHJAX_CONFIG = """window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
    displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true,
    packages: { "[-]": ["require", "autoload"] }
  },
  options: { enableMenu: false },
  startup: { elements: [".jp-RenderedMarkdown"] },
  svg: { fontCache: "global" }
};"""

CSS = """.obi-report-footer { margin: 2em auto 1em; max-width: 1200px; padding: 0 1em;
  font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color2, #777); }"""


def needs_math(nb) -> bool:
    """Whether any markdown cell holds TeX math (so the page carries MathJax)."""
    return any(cell.cell_type == "markdown" and _MATH.search(cell.source) for cell in nb.cells)


def render_page(nb, *, title: str, folder: str, theme: str = "light", include_code: bool = True) -> str:
    """The report's HTML for notebook ``nb`` (which must hold its widget state in its metadata);
    ``folder``: where the markdown's relative image paths are read from (inlined as data: URLs)."""
    from nbconvert import HTMLExporter

    from .. import __version__

    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE)
    if not state or not state.get("state"):
        raise ReportError(
            f"{title}: the notebook holds no widget state, so its views cannot be drawn in a report; "
            "execute it (execute=True), or save it from JupyterLab with Settings → Save Widget State Automatically"
        )
    when = _dt.date.today().isoformat()
    obi = {
        "version": __version__,
        "head_scripts": head_scripts(),
        "packed": [(name, pack(js)) for name, js in module_scripts(state)],
        "unpack": UNPACK,
        "mathjax": pack(runtime_file("mathjax.js")) if needs_math(nb) else "",
        "mathjax_config": MATHJAX_CONFIG,
        "css": CSS,
        "footer": (
            f"Report made with obi_widgets {__version__} on {when}. The views work without a kernel: "
            "hover, zoom, the Replay control; a view that needs the notebook's kernel for finer detail says so."
        ),
    }
    exporter = HTMLExporter(
        template_name="obi_report",
        extra_template_basedirs=[str(TEMPLATES)],
        embed_images=True,
        exclude_input=not include_code,
        theme=theme,
    )
    resources = {"metadata": {"name": title, "path": folder}, "obi": obi}
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return html

"""Shareable reports: a notebook as ONE self-contained HTML file whose views stay interactive offline.

``export_html("analysis.ipynb", "analysis.html")`` executes the notebook (or uses the widget state it
was saved with) and writes a page that inlines everything: require.js, ipywidgets' HTML widget
manager, anywidget and any other widget library's front end the notebook uses (from the installed
packages), the kit's view bundles, the widget state with its binary buffers, the notebook's text,
code and images, and MathJax when a markdown cell holds math. Opened from ``file://`` or any static
host with the network off, it fetches nothing. From a shell: ``obi-widgets report NOTEBOOK -o OUT.html``.

In the page the views work without a kernel: hover read-outs, zoom and pan within the data the page
carries, the Replay control driving every linked view, the heat map's overview, the ladder and the
depth chart drawing any replayed frame from the replay track.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportError

__all__ = ["Report", "export_html"]


@dataclass(frozen=True)
class Report:
    """What :func:`export_html` wrote: the file, its size, and where the bytes went."""

    path: Path
    size: int  # bytes
    widget_state: int  # bytes of the widget state (models and their buffers, base64) in the page
    runtime: int  # bytes of inlined scripts: loader, widget manager, widget libraries, MathJax
    models: int  # number of widget models

    def __str__(self) -> str:
        mb = 1e6
        return (
            f"{self.path}: {self.size / mb:.2f} MB ({self.models} widget models, state {self.widget_state / mb:.2f} MB, "
            f"scripts {self.runtime / mb:.2f} MB)"
        )


def export_html(
    notebook,
    output=None,
    *,
    execute: bool = True,
    timeout: float = 600,
    kernel_name: str | None = None,
    theme: str = "light",
    include_code: bool = True,
) -> Report:
    """Write ``notebook`` as one self-contained, offline, interactive HTML file; return a :class:`Report`.

    ``notebook``: path of an ``.ipynb``. ``output``: the HTML file (default: beside the notebook, same
    name, ``.html``). ``execute=True`` runs the notebook in a fresh kernel first, in its own folder,
    and records the widget state; ``execute=False`` uses the state the notebook was saved with
    (JupyterLab: Settings → Save Widget State Automatically), and fails if it has none.
    ``timeout``: seconds allowed per cell. ``kernel_name``: default the notebook's kernel.
    ``theme``: ``"light"`` or ``"dark"``. ``include_code=False`` leaves out the code cells' input.

    Raises :class:`~obi_widgets.errors.ReportError` when the notebook is missing or unreadable,
    a cell fails (naming the cell and the error), there is no widget state, or a widget library's
    front end is not installed.
    """
    import nbformat

    from ._execute import execute_notebook
    from ._page import render_page
    from ._runtime import WIDGET_STATE

    if theme not in ("light", "dark"):
        raise ReportError(f"theme must be 'light' or 'dark', got {theme!r}")
    src = Path(notebook)
    if not src.is_file():
        raise ReportError(f"{src}: no such notebook")
    try:
        nb = nbformat.read(src, as_version=4)
    except Exception as exc:  # nbformat raises several kinds (JSON, validation)
        raise ReportError(f"{src}: not a readable notebook ({type(exc).__name__}: {exc})") from None
    if execute:
        nb = execute_notebook(nb, src, timeout=timeout, kernel_name=kernel_name)
    html = render_page(nb, title=src.stem, folder=str(src.resolve().parent), theme=theme, include_code=include_code)
    out = Path(output) if output is not None else src.with_suffix(".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    data = html.encode("utf-8")
    out.write_bytes(data)
    import json

    state = nb.metadata["widgets"][WIDGET_STATE]
    state_bytes = len(json.dumps(state).encode())
    return Report(
        path=out,
        size=len(data),
        widget_state=state_bytes,
        runtime=_script_bytes(html),
        models=len(state["state"]),
    )


def _script_bytes(html: str) -> int:
    """Bytes of the page's scripts (the runtime, plain or packed), not the widget state and views."""
    import re

    total = 0
    for m in re.finditer(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        if "vnd.jupyter" not in m.group(1):
            total += len(m.group(2).encode())
    return total

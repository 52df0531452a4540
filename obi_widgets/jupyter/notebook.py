"""Starter notebooks: a market-data file (or the simulated market) loaded and shown in a Dashboard.

:func:`starter_notebook` is what the JupyterLab extension writes beside a file the user opens;
:func:`sim_notebook` is the launcher's "Order-book notebook". Each is a markdown cell (title, what
the data is, what the views show) and the code cell of :meth:`FileKind.code` / :func:`sim_code`.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import DataFormatError
from ._kind import FileKind, check_levels
from .detect import detect

#: what the Dashboard shows, for the starter's markdown cell
VIEWS_TEXT = (
    "The **Dashboard** links the kit's views of one book: the **depth heatmap** (resting size per price "
    "over time, trades as dots), the **ladder** (the book at the cursor, with traded volume), the **depth "
    "chart** (cumulative size per side), the **imbalance timeline** (level-1 and depth imbalance, cumulative "
    "order-flow imbalance), the **gauge** (the imbalance now) and the **replay** bar (step or play through "
    "the rows). They share one cursor and one time range: move either in one view and the others follow."
)
_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _notebook(title: str, about: str, code: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(_KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    md = f"# {title}\n\n{about}\n\n{VIEWS_TEXT}\n\nChange the code below and run it again to load the data differently."
    nb.cells = [nbformat.v4.new_markdown_cell(md), nbformat.v4.new_code_cell(code)]
    return nb


def _about(kind: FileKind) -> str:
    names = ", ".join(f"`{p.name}`" for p in kind.paths)
    text = f"**{kind.label}**, read from {names}."
    if kind.notes:
        text += "\n\n" + "\n".join(f"- {n[0].upper()}{n[1:]}." for n in kind.notes)
    return text


def starter_notebook(path, levels: int | None = None, relative_to=None):
    """A notebook (``nbformat.NotebookNode``, nbformat 4) that loads ``path`` and shows a Dashboard.

    ``path``: a file or store :func:`~obi_widgets.jupyter.detect` knows, or the :class:`FileKind`
    it returned. ``levels``: levels per side of the book (see :meth:`FileKind.code`; the extension
    passes its "default levels" setting). ``relative_to``: the folder the notebook will be saved in
    (default: the file's own, so the code names the file alone). Raises
    :class:`~obi_widgets.errors.DataFormatError` when the kit cannot read the file.
    """
    kind = path if isinstance(path, FileKind) else detect(path)
    title = kind.label.split(" (")[0]
    return _notebook(title, _about(kind), kind.code(levels, relative_to=relative_to))


def sim_code(seed: int = 0, n_events: int | None = None, levels: int | None = None) -> str:
    """The few lines that simulate the kit's synthetic market (:func:`obi_widgets.datasets.simulate`)
    and show a Dashboard; ``n_events`` and ``levels`` are written only when given."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        from ..errors import ParameterError

        raise ParameterError(f"seed must be an int, got {seed!r}")
    args = [f"seed={seed}"]
    if n_events is not None:
        args.append(f"n_events={check_levels(n_events, 'n_events')}")
    if levels is not None:
        args.append(f"levels={check_levels(levels)}")
    return "\n".join(
        [
            "import obi_widgets as ow",
            "",
            f"sim = ow.datasets.simulate({', '.join(args)})",
            "ow.Dashboard(sim.book, sim.trades)",
        ]
    )


def sim_notebook(seed: int = 0, n_events: int | None = None, levels: int | None = None):
    """The launcher's starter notebook: the simulated market (:func:`sim_code`) in a Dashboard."""
    about = (
        "A **simulated limit-order book** (`ow.datasets.simulate`: a queue-reactive model, reproducible "
        "from its seed), so you can try the views before loading real data. To open a file instead, "
        "double-click it in the file browser or run `%obi open PATH` after `%load_ext obi_widgets`."
    )
    return _notebook("Order-book notebook", about, sim_code(seed, n_events, levels))


def starter_path(path) -> Path:
    """Where the starter notebook of ``path`` goes: beside it, named after it (``<name>.ipynb``, the
    ``.csv``/``.gz`` extensions dropped), with ``-1``, ``-2``, ... added when that name is taken."""
    p = Path(path)
    stem = p.name
    for ext in (".gz", ".csv", ".txt", ".jsonl", ".parquet"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
    stem = stem or "order_book"
    target = p.parent / f"{stem}.ipynb"
    n = 0
    while target.exists():
        n += 1
        target = p.parent / f"{stem}-{n}.ipynb"
    return target


def write_starter(path, levels: int | None = None) -> Path:
    """Write the starter notebook of ``path`` beside it (:func:`starter_path`) and return its path.

    Raises :class:`~obi_widgets.errors.DataFormatError` (the kit cannot read the file: nothing is
    written) or OSError (the folder is not writable)."""
    import nbformat

    kind = detect(path)
    target = starter_path(kind.source)
    nb = starter_notebook(kind, levels, relative_to=target.parent)
    with open(target, "x", encoding="utf-8") as f:  # "x": never overwrite a notebook that appeared meanwhile
        nbformat.write(nb, f)
    return target


def describe(path, levels: int | None = None, relative_to=None) -> dict:
    """What :func:`detect` says about ``path``, as a JSON-able dict that never raises for a file the kit
    cannot read (for the JupyterLab extension's notification).

    ``{"ok": True, "kind", "label", "paths", "roles", "levels", "symbol", "market", "instrument",
    "notes", "code", "notebook"}`` (``paths`` relative to ``relative_to``, default the file's folder;
    ``notebook``: the nbformat JSON text of :func:`starter_notebook`), or
    ``{"ok": False, "path", "reason"}`` with the reason of the DataFormatError.
    """
    import nbformat

    try:
        kind = detect(path)
    except DataFormatError as exc:
        return {"ok": False, "path": str(path), "reason": str(exc)}
    base = kind.source.parent if relative_to is None else Path(relative_to)
    from ._kind import _relative

    return {
        "ok": True,
        "kind": kind.kind,
        "label": kind.label,
        "paths": [_relative(p, base) for p in kind.paths],
        "roles": list(kind.roles),
        "levels": kind.levels,
        "symbol": kind.symbol,
        "market": kind.market,
        "instrument": kind.instrument,
        "notes": list(kind.notes),
        "code": kind.code(levels, relative_to=base),
        "notebook": nbformat.writes(starter_notebook(kind, levels, relative_to=base)),
    }


def describe_json(path, levels: int | None = None, relative_to=None) -> str:
    """:func:`describe` as JSON text."""
    return json.dumps(describe(path, levels, relative_to))


__all__ = [
    "starter_notebook",
    "starter_path",
    "write_starter",
    "describe",
    "describe_json",
    "sim_code",
    "sim_notebook",
    "VIEWS_TEXT",
]

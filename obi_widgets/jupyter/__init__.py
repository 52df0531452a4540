"""Jupyter integration: what a market-data file is, the notebook that opens it, the ``%obi`` magic.

- :func:`detect` tells the kind of a file (LOBSTER, Tardis, Binance capture, the kit's Parquet
  store) from its name and first line, as a :class:`FileKind` whose :meth:`~FileKind.code` is the
  few lines that load it and show a Dashboard;
- :func:`starter_notebook` is the notebook the JupyterLab extension writes beside a file the user
  double-clicks (:func:`write_starter` writes it, :func:`describe` says all of it as JSON, or why
  the file cannot be read); :func:`sim_notebook` / :func:`sim_code` the same for the simulated market;
- :func:`load_ipython_extension` registers ``%obi`` (``%obi open PATH``, ``%obi sim``), see
  :mod:`obi_widgets.jupyter.magics`.

Not imported by ``import obi_widgets``; IPython and nbformat are imported when first needed.
"""

from __future__ import annotations

from ._kind import DEFAULT_LEVELS, KINDS, FileKind
from .detect import detect
from .notebook import describe, sim_code, sim_notebook, starter_notebook, starter_path, write_starter


def load_ipython_extension(ipython) -> None:
    """Register the ``%obi`` line magic (see :mod:`obi_widgets.jupyter.magics`)."""
    from .magics import load_ipython_extension as load

    load(ipython)


__all__ = [
    "detect",
    "FileKind",
    "KINDS",
    "DEFAULT_LEVELS",
    "starter_notebook",
    "starter_path",
    "write_starter",
    "describe",
    "sim_code",
    "sim_notebook",
    "load_ipython_extension",
]

"""obi_widgets: limit-order-book imbalance metrics and Jupyter views.

The core (``Book``, ``Trades``, ``io``, ``metrics``, ``datasets``) is pure numpy/pandas; the views
(``DepthChart``, ...) are anywidgets imported on first use, so the core works without a notebook.
"""

from __future__ import annotations

from . import datasets, errors, io, metrics
from .book import Book
from .consolidation import ConsolidatedBook, consolidate, fragmentation, venue_share
from .errors import (
    BookError,
    CrossedBookError,
    DataFormatError,
    FeedError,
    ObiError,
    ParameterError,
    ReportError,
    SandboxError,
    SequenceGapError,
    SnapshotError,
    StoreError,
    TimestampError,
    TradesError,
)
from .trades import Trades

__version__ = "0.1.0"

from .views._registry import EXPORTS as _VIEWS


def __getattr__(name: str):
    if name in ("live", "report", "sandbox", "course"):  # feeds, reports, the teaching sandbox and course: on first use
        from importlib import import_module

        return import_module(f".{name}", __name__)
    if name in _VIEWS:
        from importlib import import_module

        return getattr(import_module(f".views.{_VIEWS[name]}", __name__), name)
    raise AttributeError(f"module 'obi_widgets' has no attribute {name!r}")


def load_ipython_extension(ipython):
    """``%load_ext obi_widgets``: registers the ``%obi`` line magic (``%obi open PATH``, ``%obi sim``)."""
    from .jupyter.magics import load_ipython_extension as load

    load(ipython)


def __dir__():
    return sorted(list(globals()) + list(_VIEWS))


__all__ = [  # pyright: ignore[reportUnsupportedDunderAll] (the views come from the registry)
    "Book",
    "Trades",
    *_VIEWS,
    "consolidate",
    "ConsolidatedBook",
    "venue_share",
    "fragmentation",
    "errors",
    "datasets",
    "io",
    "metrics",
    "ObiError",
    "BookError",
    "CrossedBookError",
    "DataFormatError",
    "TimestampError",
    "TradesError",
    "ParameterError",
    "FeedError",
    "ReportError",
    "SandboxError",
    "SnapshotError",
    "SequenceGapError",
    "StoreError",
]

"""Base class of the kit's views: an anywidget over a shared :class:`BookSource`.

Every view takes a ``Book`` (it then makes its own source) or a ``BookSource`` as its first
argument, exposes it as ``view.source`` and references it through ``widget_serialization``; the
browser side resolves the reference to the shared model (``js/lib/source.js``), which is what
links the views without the kernel.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import anywidget
import traitlets as t
from ipywidgets import widget_serialization

from ..errors import ParameterError
from ._snapshot import SnapshotMixin
from .source import BookSource, as_source

STATIC = Path(__file__).resolve().parent.parent / "static"


def bundle(name: str, suffix: str = ".js") -> Path:
    """Path of a built front-end file, with a clear error when the package was built without it."""
    path = STATIC / f"{name}{suffix}"
    if not path.exists():
        raise FileNotFoundError(
            f"front-end bundle {path} is missing: build it with `npm install && npm run build` "
            "(pip and uv do this automatically when they install the package)"
        )
    return path


def assumed_width() -> int:
    """CSS px a view assumes until a browser reports its width: ``$OBI_VIEW_WIDTH``, else 800.

    A report's kernel runs with no browser, so :func:`obi_widgets.report.export_html` sets it to
    the width of the page's output area (1200), and the views reduce their data for that width."""
    raw = os.environ.get("OBI_VIEW_WIDTH", "")
    return int(raw) if raw.isdigit() and 100 <= int(raw) <= 8000 else 800


def finite_or_none(x) -> float | None:
    """A float for JSON (which has no NaN): None where the value is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None


def positive_int(name: str, value, lo: int = 1, hi: int | None = None) -> int:
    """``value`` as an int in [lo, hi], else ParameterError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        upper = "" if hi is None else f", at most {hi}"
        raise ParameterError(f"{name} must be at least {lo}{upper}, got {value}")
    return value


class ObiWidget(SnapshotMixin, anywidget.AnyWidget):
    """Base of every obi_widgets view.

    Subclasses set ``_view_name_`` to the stem shared by their Python file and their JS file; the
    bundle ``static/<stem>.js`` (and ``static/<stem>.css`` if present) is attached automatically.
    ``repr()`` lists only the keys of ``_repr_keys`` so notebook outputs are deterministic.
    ``view.to_png(path)`` writes the picture the browser drew (``_snapshot.py``); a displayed view
    gets a static ``image/png`` in its notebook output after its first paint.
    """

    _view_name_: str = ""

    def __init_subclass__(cls, **kwargs):
        # set before anywidget's own hook, which turns these paths into file contents
        if cls.__dict__.get("_view_name_"):
            cls._esm = bundle(cls._view_name_)
            css = STATIC / f"{cls._view_name_}.css"
            if css.exists():
                cls._css = css
        super().__init_subclass__(**kwargs)

    def _repr_keys(self):
        return ()

    def __repr__(self) -> str:
        keys = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._repr_keys())
        return f"{type(self).__name__}({keys})"


class SourceView(ObiWidget):
    """A view over a :class:`BookSource` (shared cursor, time range and selection).

    ``source_or_book``: a ``BookSource`` (views made from one source are linked), a ``Book`` or a
    ``ConsolidatedBook`` (a new source is made, with ``trades``). ``height``: plot height in CSS
    pixels. The width follows the cell; the front-end reports it in ``_width`` so that Python
    reduces data to that many pixels.
    """

    source = t.Instance(BookSource, help="The shared source (cursor, time range, selection).").tag(
        sync=True, **widget_serialization
    )
    height = t.Int(320, help="Height of the plot in CSS pixels.").tag(sync=True)
    _width = t.Int(help="Width of the view in CSS pixels, reported by the front-end.").tag(sync=True)

    @t.default("_width")
    def _assumed_width(self) -> int:
        return assumed_width()

    def __init__(self, source_or_book, trades=None, *, height: int | None = None, **kwargs):
        self._source_observers: list = []  # (handler, names) to drop on close()
        source = as_source(source_or_book, trades)
        if height is not None:
            kwargs["height"] = positive_int("height", height, 40, 4000)
        super().__init__(source=source, **kwargs)

    @property
    def book(self):
        return self.source.book

    @property
    def cursor(self) -> int:
        """The shared cursor row (setting it moves every view of the source)."""
        return self.source.cursor

    @cursor.setter
    def cursor(self, row: int) -> None:
        self.source.cursor = row

    @property
    def cursor_time(self):
        """Time of the shared cursor row."""
        return self.source.cursor_time

    def go_to(self, time) -> None:
        """Move the shared cursor to the book in force at ``time`` (ns int, str, Timestamp, datetime64)."""
        self.source.go_to(time)

    def _observe_source(self, handler, names) -> None:
        """``source.observe(handler, names)``, undone by :meth:`close` (a closed view stops listening).

        During a live flush (:meth:`BookSource.push`) the calls are deferred and made once each
        after it: handlers of ``data_version`` / ``full_version`` first, then the others, so a view
        re-sends once per flush, on the new data.
        """
        source = self.source

        def observer(change):
            if not source.defer(handler, change):
                handler(change)

        source.observe(observer, names)
        self._source_observers.append((observer, names))

    def close(self):
        src = self._trait_values.get("source")  # absent when __init__ failed early
        observers, self._source_observers = getattr(self, "_source_observers", []), []
        for handler, names in observers:
            try:
                if src is not None:
                    src.unobserve(handler, names)
            except ValueError:
                pass
        super().close()

    def _repr_keys(self):
        return ("source",)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"

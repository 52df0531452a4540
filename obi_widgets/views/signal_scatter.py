"""`SignalScatter`: does the signal predict the move? The signal against the forward move, as a density.

Front-end: ``js/views/signal_scatter.js`` (pure helpers in ``signal_scatter_layout.js``, canvas
drawing in ``signal_scatter_draw.js``). The points never travel: Python bins them into a density
grid at screen resolution (``cell_px`` CSS pixels a cell, or ``bins``), so 1 M points cost the
browser the same as 1 000. What travels in ``_data`` (self-describing buffers, ``_buffers.py``):

- ``density`` (ny, nx) u2 or u4: :func:`density_grid` of every usable pair inside the view
  ranges; row 0 the lowest move, column 0 the lowest signal;
- ``p_lo``, ``p_hi``, ``p_count``, ``p_signal_mean``, ``p_move_mean``, ``p_up``, ``p_zero`` (B,)
  f8: :func:`~obi_widgets.metrics.imbalance_profile` of the pairs (its columns, as computed there);
- ``px``, ``py`` (N,) f8 and ``prow`` (N,) i4: the points themselves when there are at most
  ``max_points`` usable pairs (drawn one by one; ``prow`` the position in the inputs); absent above.

``meta``: ``x_range``, ``y_range``, ``nx``, ``ny``, ``max_count``, ``n_input`` (pairs given),
``n`` (usable pairs), ``dropped`` (pairs with a NaN or infinite value), ``outside`` (usable pairs
outside the view ranges), ``x_name``, ``y_name``, ``regression`` (the fields of
:func:`~obi_widgets.metrics.regress`, or None with ``regression_error`` saying why), ``binning``,
``linked`` (made from a source).

The brush travels the other way: the front end sets ``brush`` = ``(x0, x1, y0, y1)`` (data units)
and Python answers with ``selected_rows`` / ``selection`` and a summary in ``_selected``. A click
sets ``_pick`` = ``[x, y, x per px, y per px, seq]``; Python finds the nearest point within
``PICK_PX`` pixels, sets ``picked`` and, when made from a source, moves the source's cursor there.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
import traitlets as t
from ipywidgets import widget_serialization

from .. import metrics
from ..errors import ObiError, ParameterError
from ..metrics.predict import BINNINGS
from ._base import ObiWidget, positive_int
from ._buffers import pack
from ._signal_scatter_data import PICK_PX, _align, _grid_shape, _name_of, density_grid, view_range
from .source import BookSource, as_source

#: the profile's columns as they travel (buffer field -> imbalance_profile column)
PROFILE_FIELDS = {
    "p_lo": "lo",
    "p_hi": "hi",
    "p_count": "count",
    "p_signal_mean": "signal_mean",
    "p_move_mean": "move_mean",
    "p_up": "p_up",
    "p_zero": "p_zero",
}


class SignalScatter(ObiWidget):
    r"""The signal against the forward move: point density, binned profile and regression line.

    Answers "does imbalance predict the next move?" (Gould & Bonart 2016, "Queue imbalance as a
    one-tick-ahead price predictor in a limit order book"; Cartea, Jaimungal & Penalva 2015,
    ch. 4). Every usable pair :math:`(x_t, \Delta_t)` is binned into a density grid (log colour
    scale) at screen resolution; over it: the mean move per signal bucket and, in the panel
    below, :math:`P(\Delta > 0 \mid \Delta \ne 0)` per bucket, both from
    :func:`~obi_widgets.metrics.imbalance_profile` (drawn at each bucket's mean signal); the OLS
    line :math:`\Delta = a + b x` with b, its t-stat, :math:`R^2` and n from
    :func:`~obi_widgets.metrics.regress`.

    Parameters
    ----------
    signal, future_move : array-like or pandas.Series
        One value per row. Two Series are aligned on their index (an index value in only one
        becomes a NaN pair); pairs with a NaN or infinite value are dropped, counted and shown.
    signal_name, move_name : str, optional
        Axis labels (default: the Series' names, else "signal" / "future move").
    bins : None, int or (nx, ny)
        Density cells: None (default) = one cell per ``cell_px`` CSS pixels of the plot, following
        the view's width; or a fixed grid (2 to 1024 a side).
    cell_px : int
        CSS pixels per density cell when ``bins`` is None (default 2).
    profile_bins, binning :
        ``bins`` and ``binning`` of :func:`~obi_widgets.metrics.imbalance_profile` (default 10
        quantile buckets).
    intercept : bool
        Fit :math:`\Delta = a + b x` (default) or :math:`\Delta = b x` (``metrics.regress``).
    clip : float
        Default view ranges: the ``clip`` and ``1 - clip`` quantiles of each axis (default 0.001,
        so a few extreme moves do not squash the picture; 0 = min to max). Every pair still
        counts in the profile, the regression and the brush; those outside are counted.
    x_range, y_range : (lo, hi), optional
        Explicit view ranges.
    max_points : int
        With at most this many usable pairs the points are also drawn one by one (default 2000).
    height : int
        Height of the canvas (the plot and the P(up) panel) in CSS pixels (default 460); the
        header and legend come on top.
    title : str, optional

    A drag draws a brush box; Python then fills :attr:`selected_rows` and :attr:`selection`
    (every pair inside the box, not only the drawn ones); Escape or a double-click clears it.
    Setting ``scatter.brush = (x0, x1, y0, y1)`` from Python does the same. Made with
    :meth:`from_source`, a click on a point moves the source's cursor to that row and the cursor
    row is marked; the source's ``selection`` (a time span) is left alone, since a box in
    (signal, move) space is a scattered set of rows, not a span of time.
    """

    _view_name_ = "signal_scatter"

    source = t.Instance(BookSource, allow_none=True, default_value=None, help="The linked source, or None.").tag(
        sync=True, **widget_serialization
    )
    title = t.Unicode("").tag(sync=True)
    height = t.Int(460).tag(sync=True)
    brush = t.Tuple(
        t.Float(),
        t.Float(),
        t.Float(),
        t.Float(),
        allow_none=True,
        default_value=None,
        help="(x0, x1, y0, y1) or None.",
    ).tag(sync=True)
    picked = t.Int(None, allow_none=True, help="Position (in the inputs) of the last clicked point.").tag(sync=True)
    _width = t.Int(800).tag(sync=True)
    _data = t.Bytes(b"").tag(sync=True)
    _selected = t.Dict({}).tag(sync=True)
    _pick = t.List([]).tag(sync=True)
    _marker = t.List([]).tag(sync=True)

    def __init__(
        self,
        signal,
        future_move,
        *,
        signal_name: str | None = None,
        move_name: str | None = None,
        bins=None,
        cell_px: int = 2,
        profile_bins=10,
        binning: str = "quantile",
        intercept: bool = True,
        clip: float = 0.001,
        x_range=None,
        y_range=None,
        max_points: int = 2000,
        height: int = 460,
        title: str | None = None,
        source: BookSource | None = None,
        **kwargs,
    ):
        self._cell_px = positive_int("cell_px", cell_px, 1, 64)
        self._max_points = positive_int("max_points", max_points, 0, 1_000_000)
        if isinstance(clip, bool) or not isinstance(clip, int | float) or not 0 <= clip < 0.5:
            raise ParameterError(f"clip must be a fraction in [0, 0.5), got {clip!r}")
        if not isinstance(intercept, (bool, np.bool_)):
            raise ParameterError(f"intercept must be True or False, got {intercept!r}")
        if binning not in BINNINGS:
            raise ParameterError(f"binning must be one of {BINNINGS}, got {binning!r}")
        self._bins, self._clip, self._given = bins, float(clip), (x_range, y_range)
        self._profile_args = (profile_bins, binning, bool(intercept))
        _grid_shape(bins, self._cell_px, 800, 460)  # checks bins now
        self._names = (
            signal_name if signal_name is not None else _name_of(signal, "signal"),
            move_name if move_name is not None else _name_of(future_move, "future move"),
        )
        self._ingest(signal, future_move)
        self._built = False
        self._spec: tuple | None = None  # how from_source made the series (recomputed live)
        super().__init__(
            source=source,
            height=positive_int("height", height, 160, 4000),
            title=title if title is not None else f"{self._names[0]} vs {self._names[1]}",
            **kwargs,
        )
        self._source_handlers: list = []
        if source is not None:
            self._listen(source, self._on_cursor, "cursor")
            # a live source: recompute when it rebuilds its overviews (at most once a second)
            grown = "full_version" if source.has_trait("full_version") else "_meta"
            self._listen(source, self._on_source_data, grown)
            self._on_cursor(None)
        self._built = True
        self._send_data()

    # -- construction from a book -------------------------------------------------------------
    @classmethod
    def from_source(
        cls,
        source_or_book,
        signal="level1_imbalance",
        horizon="1s",
        *,
        trades=None,
        kind: str = "change",
        align: str = "next",
        signal_params: dict | None = None,
        **kwargs,
    ) -> SignalScatter:
        r"""The scatter of a metric of a book against its forward move, linked to the book's source.

        ``signal``: the name of a metric of :mod:`obi_widgets.metrics` taking the book (default
        ``"level1_imbalance"``; ``signal_params`` are passed to it), a callable ``book -> (T,)``
        or an array of one value per row. The move is
        ``metrics.forward_return(book, horizon, kind=kind, align=align)``: ``horizon`` a duration
        (``"1s"``), an int number of rows, or ``"next"`` where ``forward_return`` supports it.
        Rows are the book's rows (``selection`` is indexed by row, with a ``time`` column). When
        the source grows (a live source) both are recomputed. Other keywords go to the constructor.
        """
        src = as_source(source_or_book, trades)
        spec = (signal, horizon, kind, align, dict(signal_params or {}))
        x, y, names = cls._source_series(src, spec)
        kwargs.setdefault("signal_name", names[0])
        kwargs.setdefault("move_name", names[1])
        kwargs.setdefault("title", f"{src.name + ': ' if src.name else ''}{names[0]} vs {names[1]}")
        view = cls(x, y, source=src, **kwargs)
        view._spec = spec
        return view

    @staticmethod
    def _source_series(src: BookSource, spec) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
        signal, horizon, kind, align, params = spec
        book = src.book
        if isinstance(signal, str):
            fn = getattr(metrics, signal, None)
            if fn is None or not callable(fn) or signal not in metrics.__all__:
                raise ParameterError(f"signal={signal!r} is not a metric of obi_widgets.metrics")
            x, name = fn(book, **params), signal
        elif callable(signal):
            x, name = signal(book, **params), getattr(signal, "__name__", "signal")
        else:
            x, name = signal, _name_of(signal, "signal")
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (len(book),):
            raise ParameterError(f"signal has shape {x.shape}, expected ({len(book)},): one value per book row")
        y = metrics.forward_return(book, horizon, kind=kind, align=align)
        what = "log return" if kind == "log" else "mid change"
        unit = "" if kind == "log" else (book.meta or {}).get("price_unit", "")
        when = (
            "to the next move" if horizon == "next" else f"over {horizon}{' rows' if isinstance(horizon, int) else ''}"
        )
        return x, y, (name, f"{what} {when}{f' ({unit})' if unit else ''}")

    @property
    def _src(self) -> BookSource | None:
        return cast("BookSource | None", self.source)

    # -- data --------------------------------------------------------------------------------
    def _ingest(self, signal, future_move) -> None:
        x, y, index = _align(signal, future_move)
        keep = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if keep.size == 0:
            raise ParameterError("no pair has both a finite signal and a finite future_move: nothing to plot")
        self._x, self._y, self._index, self._keep = x, y, index, keep
        self._xk, self._yk = x[keep], y[keep]
        self._ranges = (
            view_range(self._xk, self._clip, "x_range", self._given[0]),
            view_range(self._yk, self._clip, "y_range", self._given[1]),
        )
        pbins, binning, intercept = self._profile_args
        self._profile = metrics.imbalance_profile(x, y, pbins, binning=binning)
        try:
            self._regression, self._reg_error = metrics.regress(x, y, intercept=intercept), ""
        except ObiError as exc:  # fewer than 3 pairs, or a constant signal: shown, not raised
            self._regression, self._reg_error = None, str(exc)

    @property
    def profile(self) -> pd.DataFrame:
        """The :func:`~obi_widgets.metrics.imbalance_profile` drawn (one row per signal bucket)."""
        return self._profile

    @property
    def regression(self):
        """The :func:`~obi_widgets.metrics.regress` result drawn, or None when it cannot be fitted."""
        return self._regression

    @property
    def x_range(self) -> tuple[float, float]:
        return self._ranges[0]

    @property
    def y_range(self) -> tuple[float, float]:
        return self._ranges[1]

    @property
    def dropped(self) -> int:
        """Pairs left out because either value is NaN or infinite (or, for two Series, unmatched)."""
        return int(self._x.size - self._keep.size)

    def grid_shape(self) -> tuple[int, int]:
        """(nx, ny) of the density grid at the current width and height."""
        return _grid_shape(self._bins, self._cell_px, self._width, self.height)

    def payload(self) -> tuple[dict[str, np.ndarray], dict]:
        """The fields and meta of ``_data`` (see the module docstring)."""
        nx, ny = self.grid_shape()
        counts, outside = density_grid(self._xk, self._yk, nx, ny, *self._ranges)
        top = int(counts.max()) if counts.size else 0
        p = self._profile
        fields: dict[str, np.ndarray] = {
            "density": counts.astype(np.uint16 if top < 65536 else np.uint32),
            **{name: p[c].to_numpy(np.float64) for name, c in PROFILE_FIELDS.items()},
        }
        if self._keep.size <= self._max_points:
            fields.update(px=self._xk, py=self._yk, prow=self._keep.astype(np.int32))
        reg = self._regression
        meta = {
            "x_range": list(self._ranges[0]),
            "y_range": list(self._ranges[1]),
            "nx": nx,
            "ny": ny,
            "max_count": top,
            "n_input": int(self._x.size),
            "n": int(self._keep.size),
            "dropped": self.dropped,
            "outside": outside,
            "x_name": self._names[0],
            "y_name": self._names[1],
            "regression": reg.to_dict() if reg is not None else None,
            "regression_error": self._reg_error,
            "binning": self._profile_args[1],
            "linked": self.source is not None,
        }
        return fields, meta

    def _send_data(self) -> None:
        fields, meta = self.payload()
        self._data = pack(fields, meta)

    @t.observe("_width", "height")
    def _on_size(self, change):
        if getattr(self, "_built", False) and self._bins is None and change["old"] != change["new"]:
            self._send_data()

    # -- selection ---------------------------------------------------------------------------
    @t.validate("brush")
    def _check_brush(self, proposal):
        b = proposal["value"]
        if b is None:
            return None
        x0, x1, y0, y1 = (float(v) for v in b)
        if not all(np.isfinite(v) for v in (x0, x1, y0, y1)):
            raise t.TraitError(f"brush must be four finite numbers (x0, x1, y0, y1), got {b!r}")
        return (min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1))

    @t.observe("brush")
    def _on_brush(self, change):
        self._update_selected()

    def _update_selected(self) -> None:
        rows = self.selected_rows
        if self.brush is None:
            self._selected = {}
            return
        ys = self._y[rows]
        moved = ys[ys != 0]
        self._selected = {
            "count": int(rows.size),
            "move_mean": float(ys.mean()) if rows.size else None,
            "p_up": float((moved > 0).mean()) if moved.size else None,
        }

    @property
    def selected_rows(self) -> np.ndarray:
        """Positions (0-based, in the inputs) of the usable pairs inside the brush box, edges
        included; empty without a brush. Made from a source, these are book rows."""
        if self.brush is None:
            return np.empty(0, dtype=np.int64)
        x0, x1, y0, y1 = self.brush
        xk, yk = self._xk, self._yk
        return self._keep[(xk >= x0) & (xk <= x1) & (yk >= y0) & (yk <= y1)]

    @property
    def selection(self) -> pd.DataFrame | None:
        """The brushed pairs as a DataFrame (columns: the two names, plus ``time`` when made from a
        source) with the inputs' index (book rows for a source), or None without a brush."""
        if self.brush is None:
            return None
        rows = self.selected_rows
        data: dict[str, Any] = {self._names[0]: self._x[rows], self._names[1]: self._y[rows]}
        src = self._src
        if src is not None:
            data["time"] = pd.to_datetime(src.book.ts[rows])
            return pd.DataFrame(data, index=pd.Index(rows, name="row"))
        return pd.DataFrame(data, index=self._index[rows])

    def clear(self) -> None:
        """Remove the brush (and the selection)."""
        self.brush = None

    # -- picking and the source's cursor ----------------------------------------------------------
    @t.observe("_pick")
    def _on_pick(self, change):
        p = change["new"]
        if not p or len(p) < 4:
            return
        x, y, sx, sy = (float(v) for v in p[:4])
        if not all(np.isfinite(v) for v in (x, y)) or not (sx > 0 and sy > 0):
            return
        with np.errstate(over="ignore", invalid="ignore"):
            d = ((self._xk - x) / sx) ** 2 + ((self._yk - y) / sy) ** 2
        k = int(np.argmin(d))
        if not d[k] <= PICK_PX**2:
            return
        row = int(self._keep[k])
        self.picked = row
        src = self._src
        if src is not None and row < len(src.book):
            src.cursor = row
        else:
            self._marker = [float(self._xk[k]), float(self._yk[k]), row]

    def _on_cursor(self, change):
        src = self._src
        if src is None:
            return
        r = int(src.cursor)
        ok = r < self._x.size and np.isfinite(self._x[r]) and np.isfinite(self._y[r])
        self._marker = [float(self._x[r]), float(self._y[r]), r] if ok else []

    def _on_source_data(self, change):
        src, spec = self._src, self._spec
        if src is None or spec is None:
            return
        x, y, _ = self._source_series(src, spec)  # the source grew (live): recompute over every row
        self._ingest(x, y)
        self._send_data()
        self._update_selected()
        self._on_cursor(None)

    def _listen(self, src, handler, names) -> None:
        def observer(change):  # inside a live flush, run once after it (BookSource.defer)
            defer = getattr(src, "defer", None)
            if defer is None or not defer(handler, change):
                handler(change)

        src.observe(observer, names)
        self._source_handlers.append((observer, names))

    def close(self):
        src = self._trait_values.get("source")
        for handler, names in getattr(self, "_source_handlers", []):
            try:
                if src is not None:
                    src.unobserve(handler, names)
            except ValueError:
                pass
        self._source_handlers = []
        super().close()

    def __repr__(self) -> str:
        nx, ny = self.grid_shape()
        return (
            f"SignalScatter(n={self._keep.size}, dropped={self.dropped}, "
            f"x={self._names[0]!r}, y={self._names[1]!r}, grid={nx}x{ny})"
        )


__all__ = ["SignalScatter", "density_grid", "view_range"]

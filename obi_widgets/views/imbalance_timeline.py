"""`ImbalanceTimeline`: the mid and imbalance series in panels on one time axis.

Front-end: ``js/views/imbalance_timeline.js``. Python reduces every series to pixel columns and
sends self-describing buffers (``_buffers.py``); the browser only draws:

- ``_overview``: the whole book in ``OVERVIEW_BINS`` equal time bins (sent once), so that zoom and
  pan work without the kernel, coarsely;
- ``_window``: the shared ``source.time_range`` in one bin per pixel column of the plot (the
  reported ``_width`` minus the margins), sent again whenever the range or the width changes.

Both hold ``mid_lo``/``mid_hi`` (min/max of :func:`obi_widgets.metrics.mid` per bin) and
``s<i>_lo``/``s<i>_hi`` for each series i (min/max envelope, or the last value in both for a
``reduce="last"`` series); ``meta``: ``t0``/``t1`` (ms, the span the bins cover), ``bins``,
``panels`` (label, units, signed, domain, ...; see :meth:`Series.describe`), ``tick``.
"""

from __future__ import annotations

import numpy as np
import traitlets as t

from ..errors import ParameterError
from ._base import SourceView, positive_int
from ._buffers import pack
from ._reduce import bin_minmax, time_edges
from ._series import METRICS, Context, Series, _items, resolve
from .source import ms

OVERVIEW_BINS = 2048
MARGIN_LEFT = 64  # the plot's margins in CSS pixels: keep equal to js/views/imbalance_timeline_draw.js
MARGIN_RIGHT = 14
MAX_COLUMNS = 4096
MID_HEIGHT = 130
PANEL_HEIGHT = 86
AXIS_HEIGHT = 28


def reduce_series(book_ts, mid, series: list[Series], edges: np.ndarray) -> dict[str, np.ndarray]:
    """The buffer fields for ``edges``: the mid envelope and each series' (lo, hi) per bin."""
    lo, hi = bin_minmax(book_ts, mid, edges)
    fields = {"mid_lo": lo, "mid_hi": hi}
    for i, s in enumerate(series):
        fields[f"s{i}_lo"], fields[f"s{i}_hi"] = s.reduce_to(book_ts, edges)
    return fields


class ImbalanceTimeline(SourceView):
    """The mid on top and one panel per series below, on the shared time axis of a source.

    Parameters
    ----------
    source_or_book : BookSource, Book or ConsolidatedBook
        What to show; views made from one ``BookSource`` share the cursor, time range and selection.
    trades : Trades, optional
        With a Book: the trades (needed by ``"vpin"`` and ``"cvd"``).
    series : str, sequence or dict
        The panels, in order: metric names (``"level1_imbalance"``, ``"depth_imbalance"``,
        ``"ofi"`` (cumulative OFI), ``"microprice"`` (micro-price − mid), ``"weighted_mid"``
        (weighted mid − mid), ``"spread"``, ``"vpin"``, ``"cvd"``), your own values on the book's
        rows (array or pandas Series of length T) or on their own times (pandas Series with a
        DatetimeIndex, or a ``(ts_ns, values)`` tuple), or a dict ``{label: series}`` to name them.
        A dict value may also be ``{"values", "ts", "kind", "reduce", "units", "signed"}``.
    levels : int
        Levels of ``"depth_imbalance"`` (default 5, at most the book's).
    microprice_model : MicropriceModel, optional
        For ``"microprice"``: a model fitted elsewhere (out of sample). Default: fitted on this
        book (in sample); when the fit is impossible the panel shows the weighted mid − mid instead,
        labelled so, with the reason in :attr:`notes`.
    vpin_bucket, vpin_window :
        VPIN bucket volume (default: total traded volume / 200) and window in buckets (50).
    height : int
        Height of the plot in CSS pixels (default: 130 for the mid + 86 per panel + the axis).
    title : str
        Shown above the plot (default: the source's name).

    In the browser: drag to select a time range (``source.selection``), double-click inside it to
    zoom every linked view there, double-click elsewhere to show the whole book, click to move the
    cursor, wheel to zoom around the pointer; arrow keys pan, + / - zoom, Escape clears the selection.
    """

    _view_name_ = "imbalance_timeline"

    title = t.Unicode("", help="Title shown above the plot (default: the source's name).").tag(sync=True)
    _overview = t.Bytes(b"").tag(sync=True)
    _window = t.Bytes(b"").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        series=("level1_imbalance",),
        levels: int = 5,
        microprice_model=None,
        vpin_bucket: float | None = None,
        vpin_window: int = 50,
        height: int | None = None,
        title: str | None = None,
        **kwargs,
    ):
        levels = positive_int("levels", levels, 1)
        vpin_window = positive_int("vpin_window", vpin_window, 1)
        if vpin_bucket is not None and not (isinstance(vpin_bucket, (int, float)) and vpin_bucket > 0):
            raise ParameterError(f"vpin_bucket must be a positive number (size units), got {vpin_bucket!r}")
        super().__init__(source_or_book, trades, height=height, **kwargs)
        src = self.source
        self._ctx_args = (levels, microprice_model, vpin_bucket, vpin_window)
        self._series = resolve(series, self._context())
        # live: the metric panels are computed again on the grown book (by the name asked for);
        # your own values on the book's rows stay on those rows' times
        self._names = [spec if isinstance(spec, str) else None for _, spec in _items(series)]
        for s in self._series:
            if not s.metric and s.ts is None:
                s.ts = src.book.ts
        self._sent: tuple | None = None
        if height is None:
            self.height = MID_HEIGHT + PANEL_HEIGHT * len(self._series) + AXIS_HEIGHT
        self.title = src.name if title is None else title
        self._overview = self._pack(int(src.book.ts[0]), int(src.book.ts[-1]), OVERVIEW_BINS)
        self._send_window()
        self._observe_source(self._on_range, "time_range")
        self._observe_source(self._on_data, ["data_version", "full_version"])
        self.observe(self._on_width, "_width")

    def _context(self) -> Context:
        src = self.source
        return Context(src.book, src.trades, src.mid, *self._ctx_args)

    # -- Python API ----------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        """The panels' labels, top to bottom (the mid panel not included)."""
        return [s.label for s in self._series]

    @property
    def notes(self) -> dict[str, str]:
        """Notes on panels that show something else than asked (label -> why)."""
        return {s.label: s.note for s in self._series if s.note}

    @property
    def columns(self) -> int:
        """Pixel columns the window is reduced to (the plot's width in CSS pixels)."""
        return max(1, min(MAX_COLUMNS, int(self._width) - MARGIN_LEFT - MARGIN_RIGHT))

    def series(self, label: str):
        """The values of a panel as a pandas Series on its times (book rows or its own index)."""
        import pandas as pd

        for s in self._series:
            if s.label == label:
                ts = self.source.book.ts if s.ts is None else s.ts
                return pd.Series(s.values, index=pd.DatetimeIndex(ts.view("datetime64[ns]"), name="ts"), name=label)
        raise ParameterError(f"no panel labelled {label!r}; panels: {self.labels}")

    def _repr_keys(self):
        return ("labels",)

    def __repr__(self) -> str:
        return f"ImbalanceTimeline(series={self.labels}, rows={len(self.source.book)}, cursor={self.cursor})"

    # -- payloads ------------------------------------------------------------------------------
    def _pack(self, t0: int, t1: int, bins: int) -> bytes:
        src = self.source
        edges = time_edges(t0, t1, bins)
        fields = reduce_series(src.book.ts, src.mid, self._series, edges)
        meta = {
            "t0": float(ms(edges[0])),
            "t1": float(ms(edges[-1])),
            "range": [int(t0), int(t1)],
            "bins": int(edges.shape[0] - 1),
            "panels": [s.describe() for s in self._series],
            "tick": src._meta["tick"],  # the book's tick, None when unknown
        }
        return pack(fields, meta)

    def _send_window(self) -> None:
        t0, t1 = self.source.time_range
        key = (int(t0), int(t1), self.columns, self.source.data_version)
        if key != self._sent:  # once per flush of a live source, whichever observer comes first
            self._sent = key
            self._window = self._pack(int(t0), int(t1), self.columns)

    def _on_data(self, change) -> None:
        """Pushed rows: the metric panels again on the new book, then the window (and the
        overview when the source rebuilt its axis)."""
        ctx = self._context()
        fresh = []
        for name, old in zip(self._names, self._series):
            if name is not None:
                s = METRICS[name](ctx)
                s.metric, s.label = s.metric or name, old.label
                s.values = np.ascontiguousarray(s.values, dtype=np.float64)
                old = s
            fresh.append(old)
        self._series = fresh
        if change["name"] == "full_version":
            ts = self.source.book.ts
            self._overview = self._pack(int(ts[0]), int(ts[-1]), OVERVIEW_BINS)
        self._send_window()

    def _on_range(self, change) -> None:
        self._send_window()

    def _on_width(self, change) -> None:
        self._send_window()


__all__ = ["ImbalanceTimeline", "METRICS"]

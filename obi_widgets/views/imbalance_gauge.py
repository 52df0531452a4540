"""`ImbalanceGauge`: a −1…+1 meter of an imbalance metric at the shared cursor row.

The needle shows the metric at the cursor, an arc its recent range (min and max over a trailing
``window``), a sparkline its last ``history`` values, and a word grades it ("strong bid
pressure"). Front-end: ``js/views/imbalance_gauge.js`` (geometry and words in
``js/views/imbalance_gauge_geometry.js``). What travels to it:

- ``_spec`` (JSON, static): ``metric``, ``label``, ``thresholds``, ``words``, ``window``
  (``{"kind": "rows", "n": N}`` or ``{"kind": "time", "ms": W}``), ``history``, ``track``: the
  field of the source's replay track that holds the metric (``"imb_l1"``, ``"imb_depth"``) or
  ``"own"`` when the gauge sends its own ``_track``;
- ``_frame`` (self-describing buffer, sent by Python whenever the cursor moves): ``history`` (H,)
  f8, the metric at the last H rows up to and including the cursor row, oldest first, and
  ``history_t`` (H,) f8 their times (ms); ``meta``: ``row``, ``t`` (ms), ``value``, ``lo`` /
  ``hi`` (the band), ``band_rows`` (rows the band spans), ``first_row`` (the first row of the
  history), ``grade`` (0 = the first word .. len(thresholds)), ``side`` (+1 bid, -1 ask, 0),
  ``word``, ``note``; NaN values travel as None;
- ``_track`` (buffer, only when ``_spec["track"] == "own"``): ``row`` (K,) i4 and ``value`` (K,)
  f4, the metric at the rows of the source's replay track, so that the gauge moves with the
  cursor in the browser without a kernel (exported page, Replay playback).

Without a kernel the browser draws value, band and history from the replay track (sampled rows;
every row when the book has at most ``track_rows`` rows, and then the numbers are the same).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import traitlets as t

from .. import metrics
from .._time import to_duration_ns
from ..errors import ObiError, ParameterError
from ._base import SourceView, finite_or_none, positive_int
from ._buffers import pack, unpack
from ._series import METRICS, Context, Series, _user
from .source import ms

#: the metric names of ``_series.METRICS`` that the gauge can show on its −1…+1 scale
GAUGE_METRICS = ("level1_imbalance", "depth_imbalance", "weighted_mid", "microprice")
#: metrics in price units that the gauge divides by the half-spread
HALF_SPREAD_METRICS = ("weighted_mid", "microprice")
DEFAULT_THRESHOLDS = (0.2, 0.5, 0.8)
DEFAULT_WORDS = ("neutral", "mild", "strong", "very strong")
MAX_HISTORY = 5000
SCALE_TOLERANCE = 1e-9  # user values this far outside [-1, 1] are float rounding, not a bad scale
#: a value this close below a threshold counts as on it: float rounding of an exact ratio (the
#: weighted mid's lean 0.49999999999 for a 3:1 queue) must not change the word of a "+0.500"
GRADE_TOLERANCE = 1e-9


def pressure_grade(value: float, thresholds: Sequence[float]) -> tuple[int, int]:
    r"""``(grade, side)`` of an imbalance value: how strong, and which side leads.

    ``grade`` is the number of ``thresholds`` that :math:`|v|` reaches (:math:`|v| \ge \theta_k`
    counts, so a value on a threshold takes the stronger word; "on" within ``GRADE_TOLERANCE``
    = 1e-9, float rounding), 0 .. len(thresholds);
    ``side`` is +1 when the bid side is heavier (:math:`v > 0`), -1 when the ask side is, 0 at 0.
    NaN gives ``(-1, 0)``. The thresholds are a teaching convention, not from a paper (Gould &
    Bonart 2016 show the one-tick-ahead move probability rising monotonically with the level-1
    imbalance, so any cut is a choice): pass your own to :class:`ImbalanceGauge`.
    """
    v = float(value)
    if not np.isfinite(v):
        return -1, 0
    grade = int(np.searchsorted(np.asarray(thresholds, dtype=np.float64), abs(v) + GRADE_TOLERANCE, side="right"))
    return grade, (v > 0) - (v < 0)


def pressure_word(value: float, thresholds: Sequence[float], words: Sequence[str]) -> str:
    """The word for ``value``: ``words[0]`` below the first threshold, else ``f"{words[grade]}
    {bid|ask} pressure"`` (see :func:`pressure_grade`); ``"no value"`` for NaN."""
    grade, side = pressure_grade(value, thresholds)
    if grade < 0:
        return "no value"
    if grade == 0 or side == 0:
        return words[0]
    return f"{words[grade]} {'bid' if side > 0 else 'ask'} pressure"


def _thresholds(thresholds, words) -> tuple[tuple[float, ...], tuple[str, ...]]:
    try:
        th = np.asarray(thresholds, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(f"thresholds must be a sequence of numbers in (0, 1], got {thresholds!r}") from None
    if th.ndim != 1 or th.size == 0:
        raise ParameterError(f"thresholds must be a non-empty sequence of numbers in (0, 1], got {thresholds!r}")
    if not np.all(np.isfinite(th)) or np.any(th <= 0) or np.any(th > 1) or np.any(np.diff(th) <= 0):
        raise ParameterError(f"thresholds must increase strictly and lie in (0, 1], got {th.tolist()}")
    if words is None:
        if th.size != len(DEFAULT_WORDS) - 1:
            raise ParameterError(
                f"{th.size} thresholds need {th.size + 1} words (the default words {DEFAULT_WORDS} fit 3 "
                "thresholds): pass words="
            )
        words = DEFAULT_WORDS
    if isinstance(words, str) or not isinstance(words, Sequence):
        raise ParameterError(f"words must be a sequence of strings, got {words!r}")
    if len(words) != th.size + 1 or not all(isinstance(w, str) and w.strip() for w in words):
        raise ParameterError(
            f"words must be {th.size + 1} non-empty strings (one below the first threshold, one per "
            f"threshold), got {list(words)!r}"
        )
    return tuple(float(x) for x in th), tuple(str(w) for w in words)


def _window(window) -> tuple[dict, int | None, int | None]:
    """(spec, rows, ns): an int counts rows, anything else is a duration."""
    if isinstance(window, (int, np.integer)) and not isinstance(window, (bool, np.bool_, np.timedelta64)):
        n = positive_int("window", int(window), 1)
        return {"kind": "rows", "n": n}, n, None
    ns = to_duration_ns(window, "window")
    return {"kind": "time", "ms": ns / 1e6}, None, ns


class ImbalanceGauge(SourceView):
    r"""A −1…+1 meter of an imbalance metric at the shared cursor, with its recent range and history.

    Parameters
    ----------
    source_or_book : BookSource, Book or ConsolidatedBook
        What to show; views made from one ``BookSource`` share the cursor.
    trades : Trades, optional
        With a Book: passed to the new source (the gauge itself does not use them).
    metric : str, array, pandas Series, tuple or dict
        ``"level1_imbalance"`` (default, Gould & Bonart 2016:
        :math:`(Q^b - Q^a)/(Q^b + Q^a)`), ``"depth_imbalance"`` (over ``levels`` levels, equal
        weights; Cao, Hansch & Wang 2009), ``"weighted_mid"`` (:math:`(W - M)/(s/2)`, the
        weighted mid's lean from the mid in half-spreads, Stoikov 2018; equal to the level-1
        imbalance), ``"microprice"`` (:math:`(P^{micro} - M)/(s/2)`, Stoikov 2018, with
        ``microprice_model`` or a model fitted on the book at construction; its value can leave
        [-1, 1], the needle then stops at the end of the scale). Values come from
        :mod:`obi_widgets.metrics` through the metric table of the timeline
        (``views/_series.py``). Or your own values in [-1, 1]: one per book row (array, list,
        pandas Series without a DatetimeIndex) or on their own times (Series with a
        DatetimeIndex, ``(ts_ns, values)`` tuple; the value in force at each row is used).
    levels : int
        Levels of ``"depth_imbalance"`` (default 5, at most the book's).
    window : int, str or Timedelta
        The band spans the metric's min and max over the rows in force during the trailing
        window: an int counts rows (the cursor row and the ``window - 1`` before it), a duration
        (``"30s"``, default) spans :math:`[t - w, t]` before the cursor time ``t`` (the row in force
        at :math:`t - w` and every row after it up to the cursor; rows sharing the cursor's
        time but after it are not seen).
    history : int
        Points of the sparkline: the metric at the cursor row and the ``history - 1`` rows
        before it (default 120, 2 to 5000).
    thresholds : sequence of float
        Strictly increasing cut points in (0, 1] of :math:`|v|` for the word (default
        ``(0.2, 0.5, 0.8)``); see :func:`pressure_grade`.
    words : sequence of str, optional
        ``len(thresholds) + 1`` words, the first for :math:`|v|` below the first threshold
        (default ``("neutral", "mild", "strong", "very strong")``: "mild bid pressure", ...).
    microprice_model : MicropriceModel, optional
        For ``"microprice"``: a model fitted elsewhere (out of sample). When the in-sample fit is
        impossible the gauge shows ``"weighted_mid"`` and says why in :attr:`note`.
    width, height : int
        Size in CSS pixels (default 240 x 160); ``width=0`` fills the cell.
    cursor : int, optional
        Move the shared cursor to this row.
    title : str, optional
        Title (default: the source's name).

    In the browser, Arrow Left/Right step the shared cursor one row (Shift: 1% of the book).
    """

    _view_name_ = "imbalance_gauge"

    title = t.Unicode("", help="Title shown above the gauge (default: the source's name).").tag(sync=True)
    width = t.Int(240, help="Width in CSS pixels; 0 fills the cell.").tag(sync=True)
    _spec = t.Dict({}).tag(sync=True)
    _frame = t.Bytes(b"").tag(sync=True)
    _track = t.Bytes(b"").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        metric="level1_imbalance",
        levels: int = 5,
        window="30s",
        history: int = 120,
        thresholds=DEFAULT_THRESHOLDS,
        words=None,
        microprice_model=None,
        width: int = 240,
        height: int = 160,
        cursor: int | None = None,
        title: str | None = None,
        **kwargs,
    ):
        self._levels = positive_int("levels", levels, 1)
        window_spec, self._window_rows, self._window_ns = _window(window)
        self._history = positive_int("history", history, 2, MAX_HISTORY)
        self._thresholds, self._words = _thresholds(thresholds, words)
        if (
            isinstance(width, bool)
            or not isinstance(width, (int, np.integer))
            or not (width == 0 or 120 <= width <= 4000)
        ):
            raise ParameterError(f"width must be 0 (fill the cell) or an integer from 120 to 4000, got {width!r}")
        height = positive_int("height", height, 100, 2000)
        super().__init__(source_or_book, trades, height=height, width=int(width), **kwargs)
        src = self.source
        self._note = ""
        self._model = microprice_model
        self._user: Series | None = None
        self._dropped_at_start = 0
        self._dropped_at_start = self._rows_dropped()
        self._metric, label = self._resolve(metric)
        self._label = label
        self.title = src.name if title is None else title
        track_field = self._track_field()
        self._spec = {
            "metric": self._metric,
            "label": label,
            "thresholds": list(self._thresholds),
            "words": list(self._words),
            "window": window_spec,
            "history": self._history,
            "track": track_field,
            "note": self._note,
        }
        if cursor is not None:
            src.cursor = cursor
        self._sent: tuple | None = None
        self._observe_source(self._on_cursor, "cursor")
        self._observe_source(self._on_data, ["data_version", "full_version"])
        self._send_track()
        self._send_frame()

    # -- metric resolution ---------------------------------------------------------------------
    def _resolve(self, metric) -> tuple[str, str]:
        """(metric name or "user", label); checks the scale of user values."""
        book = self.source.book
        if isinstance(metric, str):
            if metric not in METRICS:
                raise ParameterError(f"metric: unknown metric {metric!r}; the gauge shows {', '.join(GAUGE_METRICS)}")
            if metric not in GAUGE_METRICS:
                raise ParameterError(
                    f"metric {metric!r} is not on a -1...+1 scale; the gauge shows {', '.join(GAUGE_METRICS)} "
                    "or your own values in [-1, 1] (an ImbalanceTimeline shows any series)"
                )
            if metric == "depth_imbalance" and self._levels > book.levels:
                raise ParameterError(f"levels={self._levels} but the book has only {book.levels} level(s) per side")
            if metric == "microprice" and self._model is None:
                try:
                    self._model = metrics.fit_microprice(book)
                except ObiError as exc:
                    self._note = f"micro-price could not be fitted on this book ({exc}); showing the weighted mid"
                    metric = "weighted_mid"
            elif metric == "microprice" and not isinstance(self._model, metrics.MicropriceModel):
                raise ParameterError(f"microprice_model must be a MicropriceModel, got {type(self._model).__name__}")
            return metric, self._metric_label(metric)
        name = getattr(metric, "name", None) if isinstance(metric, pd.Series) else None
        s = _user(metric, str(name) if name is not None else "your values", len(book), "metric")
        finite = s.values[np.isfinite(s.values)]
        bad = np.flatnonzero(np.abs(s.values) > 1 + SCALE_TOLERANCE)
        if bad.size:
            i = int(bad[0])
            raise ParameterError(
                f"metric values must lie in [-1, 1] (the gauge's scale); position {i} holds {float(s.values[i])!r}: "
                "rescale them (for example divide by their largest absolute value)"
            )
        if finite.size == 0:
            raise ParameterError("metric: your values are all NaN")
        self._user = s
        return "user", s.label

    def _rows_dropped(self) -> int:
        """Rows a live source's ring buffer dropped since this gauge was made."""
        return self.source.dropped - self._dropped_at_start

    def _metric_label(self, metric: str) -> str:
        if metric == "level1_imbalance":
            return "L1 imbalance"
        if metric == "depth_imbalance":
            return f"depth imbalance, {self._levels} level{'s' if self._levels > 1 else ''}"
        if metric == "weighted_mid":
            return "weighted mid − mid, in half-spreads"
        return "micro-price − mid, in half-spreads"

    def _track_field(self) -> str:
        if self._metric == "level1_imbalance":
            return "imb_l1"
        depth_levels = unpack(self.source._track)[1].get("depth_levels")
        if self._metric == "depth_imbalance" and depth_levels == self._levels:
            return "imb_depth"
        return "own"

    def _on_rows(self, book, rows) -> np.ndarray:
        """The metric at ``rows`` (a slice or an increasing index array) of ``book``, float64."""
        if self._user is not None:
            s = self._user
            idx = np.arange(*rows.indices(len(book))) if isinstance(rows, slice) else np.asarray(rows)
            if s.ts is None:
                # your values are on the rows of the book the gauge was made with: a live source
                # adds rows past them (NaN) and its ring buffer drops rows from the front
                idx = idx + self._rows_dropped()
                vals = np.full(idx.shape[0], np.nan)
                inside = (idx >= 0) & (idx < s.values.shape[0])
                vals[inside] = s.values[idx[inside]]
                return vals
            k = np.searchsorted(s.ts, book.ts[idx], side="right") - 1
            return np.where(k >= 0, s.values[np.maximum(k, 0)], np.nan)
        sub = book[rows]
        ctx = Context(sub, None, metrics.mid(sub), self._levels, self._model, None, 50)
        series = METRICS[self._metric](ctx)
        vals = series.values
        if series.note and not self._note:
            self._note = series.note
        if self._metric in HALF_SPREAD_METRICS:
            with np.errstate(invalid="ignore", divide="ignore"):
                vals = vals / (metrics.spread(sub) / 2.0)
        return np.asarray(vals, dtype=np.float64)

    # -- Python API ----------------------------------------------------------------------------
    @property
    def metric(self) -> str:
        """The metric shown (``"user"`` for your own values)."""
        return self._metric

    @property
    def label(self) -> str:
        return self._label

    @property
    def note(self) -> str:
        """Why the gauge shows something else than asked, or ""."""
        return self._note

    @property
    def thresholds(self) -> tuple[float, ...]:
        return self._thresholds

    @property
    def words(self) -> tuple[str, ...]:
        return self._words

    @property
    def window(self):
        """The band's window: rows (int) or a pandas Timedelta."""
        return self._window_rows if self._window_ns is None else pd.Timedelta(self._window_ns)

    @property
    def history(self) -> int:
        return self._history

    @property
    def value(self) -> float:
        """The metric at the cursor row (NaN where it is undefined)."""
        return float(self._on_rows(self.source.book, slice(self.cursor, self.cursor + 1))[0])

    @property
    def word(self) -> str:
        """The word for :attr:`value` (see :func:`pressure_word`)."""
        return pressure_word(self.value, self._thresholds, self._words)

    def values(self) -> pd.Series:
        """The metric on every row of the book, as a pandas Series on the book's times."""
        book = self.source.book
        return pd.Series(
            self._on_rows(book, slice(None)),
            index=pd.DatetimeIndex(book.ts.view("datetime64[ns]"), name="ts"),
            name=self._label,
        )

    def band_start(self, row: int) -> int:
        """The first row of the band's window ending at ``row`` (see ``window``)."""
        ts = self.source.book.ts
        if self._window_rows is not None:
            return max(0, row - self._window_rows + 1)
        assert self._window_ns is not None
        return max(0, int(np.searchsorted(ts, int(ts[row]) - self._window_ns, side="right")) - 1)

    def frame(self, row: int | None = None) -> tuple[dict[str, np.ndarray], dict]:
        """The gauge at ``row`` (default: the cursor) as ``(fields, meta)``, as sent to the view."""
        book = self.source.book
        n = len(book)
        c = self.cursor if row is None else row
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 0 <= c < n:
            raise ParameterError(f"row must be an integer in [0, {n - 1}], got {c!r}")
        c = int(c)
        lo_band = self.band_start(c)
        lo_hist = max(0, c - self._history + 1)
        lo = min(lo_band, lo_hist)
        vals = self._on_rows(book, slice(lo, c + 1))
        band = vals[lo_band - lo :]
        seen = band[np.isfinite(band)]
        value = float(vals[-1])
        grade, side = pressure_grade(value, self._thresholds)
        fields = {"history": vals[lo_hist - lo :], "history_t": ms(book.ts[lo_hist : c + 1])}
        meta = {
            "row": c,
            "t": float(ms(book.ts[c])),
            "value": finite_or_none(value),
            "lo": float(seen.min()) if seen.size else None,
            "hi": float(seen.max()) if seen.size else None,
            "band_rows": c - lo_band + 1,
            "first_row": lo_hist,
            "grade": grade,
            "side": side,
            "word": pressure_word(value, self._thresholds, self._words),
            "note": self._note,
        }
        return fields, meta

    def _repr_keys(self):
        return ("metric",)

    def __repr__(self) -> str:
        return f"ImbalanceGauge(metric={self._label!r}, rows={len(self.source.book)}, cursor={self.cursor})"

    # -- payloads ------------------------------------------------------------------------------
    def _send_frame(self) -> None:
        src = self.source
        key = (src.cursor, getattr(src, "data_version", 0))
        if key != self._sent:  # once per flush of a live source, whichever observer comes first
            self._sent = key
            fields, meta = self.frame()
            self._frame = pack(fields, meta)

    def _send_track(self) -> None:
        if self._spec.get("track") != "own":
            return
        rows = unpack(self.source._track)[0]["row"].astype(np.int64)
        vals = self._on_rows(self.source.book, rows)
        self._track = pack({"row": rows.astype(np.int32), "value": vals.astype(np.float32)})

    def _on_cursor(self, change) -> None:
        self._send_frame()

    def _on_data(self, change) -> None:
        """Pushed rows (a flush of a live source): the frame again on the new book, and the
        gauge's own track when the source rebuilt its track."""
        if change["name"] == "full_version":
            self._send_track()
        self._send_frame()


__all__ = ["ImbalanceGauge", "pressure_grade", "pressure_word", "GAUGE_METRICS"]

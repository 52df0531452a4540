"""The series a time view plots, resolved from what the user passed, and their reduction to pixels.

A *series* is one panel of :class:`~obi_widgets.ImbalanceTimeline`: values on a time axis with a
label, units and a reading rule. It is given as

- a metric name (:data:`METRICS`): every value comes from :mod:`obi_widgets.metrics`;
- values on the book's rows: a 1-D array or a pandas Series without a DatetimeIndex, length T;
- values on their own times: a pandas Series with a DatetimeIndex, or a ``(ts_ns, values)`` tuple;
- a dict ``{"values": ..., "ts": ..., "kind": "step" | "points", "reduce": "minmax" | "last",
  "units": ..., "signed": ...}`` for the full control (only ``values`` is required).

Reading rules (see ``_reduce.py``): a ``"step"`` series holds each value until the next one (book
rows, a rolling statistic), a ``"points"`` series is a set of events that only count inside the
pixel they fall in. ``"minmax"`` reduces a pixel column to the min/max envelope of the values seen
during it, ``"last"`` to the value in force at its right edge (for slow step series where the
envelope means nothing more).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metrics
from .._time import as_ns_array
from ..book import Book
from ..errors import ObiError, ParameterError
from ..trades import Trades
from ._reduce import bin_last, bin_minmax, bin_points_minmax

KINDS = ("step", "points")
REDUCTIONS = ("minmax", "last")
MAX_SERIES = 8
VPIN_BUCKETS = 200  # default bucket volume: total traded volume / this


@dataclass
class Series:
    """One resolved panel: ``values`` on ``ts`` (None: the book's rows), with how to read them."""

    label: str
    values: np.ndarray
    ts: np.ndarray | None = None
    units: str = ""
    kind: str = "step"
    reduce: str = "minmax"
    signed: bool = False
    domain: tuple[float, float] | None = None
    metric: str = ""
    note: str = ""

    def reduce_to(self, book_ts: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) per bin of ``edges`` (int64 ns): the envelope, or lo == hi == the last value."""
        ts = book_ts if self.ts is None else self.ts
        if self.values.shape[0] == 0:
            empty = np.full(edges.shape[0] - 1, np.nan)
            return empty, empty
        if self.reduce == "last":
            last = bin_last(ts, self.values, edges).astype(np.float64)
            return last, last
        if self.kind == "points":
            return bin_points_minmax(ts, self.values, edges)
        return bin_minmax(ts, self.values, edges)

    def describe(self) -> dict:
        """What the front-end needs to draw and label the panel (JSON)."""
        return {
            "label": self.label,
            "units": self.units,
            "kind": self.kind,
            "reduce": self.reduce,
            "signed": self.signed,
            "domain": list(self.domain) if self.domain else None,
            "metric": self.metric,
            "note": self.note,
        }


@dataclass
class Context:
    """What the metric builders may use."""

    book: Book
    trades: Trades | None
    mid: np.ndarray
    levels: int
    microprice_model: metrics.MicropriceModel | None
    vpin_bucket: float | None
    vpin_window: int

    @property
    def price_unit(self) -> str:
        return str(getattr(self.book, "meta", {}).get("price_unit", "") or "")

    @property
    def size_unit(self) -> str:
        return str(getattr(self.book, "meta", {}).get("size_unit", "") or "")


def _need_trades(ctx: Context, name: str) -> Trades:
    if ctx.trades is None or len(ctx.trades) == 0:
        raise ParameterError(
            f"series {name!r} needs trades: pass trades= to the view (or to its BookSource), or drop {name!r}"
        )
    return ctx.trades


def _level1(ctx: Context) -> Series:
    return Series("L1 imbalance", metrics.level1_imbalance(ctx.book), signed=True, domain=(-1.0, 1.0))


def _depth(ctx: Context) -> Series:
    lv = min(ctx.levels, ctx.book.levels)
    values = metrics.depth_imbalance(ctx.book, levels=lv)
    return Series(f"depth imbalance, {lv} level{'s' if lv > 1 else ''}", values, signed=True, domain=(-1.0, 1.0))


def _ofi(ctx: Context) -> Series:
    # the OFI over an interval is the sum of the per-event values (metrics.ofi docstring): running sum
    return Series("cumulative OFI", np.cumsum(metrics.ofi(ctx.book)), units=ctx.size_unit, signed=True)


def _weighted(ctx: Context, note: str = "") -> Series:
    values = metrics.weighted_mid(ctx.book) - ctx.mid
    return Series("weighted mid − mid", values, units=ctx.price_unit, signed=True, note=note)


def _micro(ctx: Context) -> Series:
    model = ctx.microprice_model
    try:
        if model is None:
            model = metrics.fit_microprice(ctx.book)
        values = metrics.microprice(ctx.book, model)
    except ObiError as exc:
        s = _weighted(ctx, note=f"micro-price could not be fitted on this book ({exc}); showing the weighted mid")
        s.metric = "weighted_mid"
        return s
    fitted = "in-sample fit" if ctx.microprice_model is None else "given model"
    return Series(f"micro-price − mid ({fitted})", values - ctx.mid, units=ctx.price_unit, signed=True)


def _spread(ctx: Context) -> Series:
    return Series("spread", metrics.spread(ctx.book), units=ctx.price_unit)


def _vpin(ctx: Context) -> Series:
    trades = _need_trades(ctx, "vpin")
    bucket = ctx.vpin_bucket
    if bucket is None:
        total = float(np.nansum(trades.size))
        if not total > 0:
            raise ParameterError("series 'vpin' needs traded volume, but the trades' sizes sum to 0")
        bucket = float(f"{total / VPIN_BUCKETS:.2g}")
    known = bool(np.all(np.asarray(trades.side) != 0))
    how = "side" if known else "tick"
    v = metrics.vpin(trades, bucket, ctx.vpin_window, how)
    ts = as_ns_array(v.index, "vpin times")
    label = f"VPIN (V = {bucket:g}, n = {ctx.vpin_window}{'' if known else ', tick rule'})"
    return Series(label, v.to_numpy(np.float64), ts=ts, reduce="last", domain=(0.0, 1.0))


def _cvd(ctx: Context) -> Series:
    trades = _need_trades(ctx, "cvd")
    values = metrics.cumulative_volume_delta(trades)
    return Series(
        "cumulative volume delta",
        values,
        ts=np.asarray(trades.ts, dtype=np.int64),
        units=ctx.size_unit,
        signed=True,
    )


METRICS: dict[str, Callable[[Context], Series]] = {
    "level1_imbalance": _level1,
    "depth_imbalance": _depth,
    "ofi": _ofi,
    "microprice": _micro,
    "weighted_mid": _weighted,
    "spread": _spread,
    "vpin": _vpin,
    "cvd": _cvd,
}


# -- user series -------------------------------------------------------------------------------------
def _values(raw, where: str) -> np.ndarray:
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(f"{where} must hold numbers, got {type(raw).__name__}") from None
    if arr.ndim != 1:
        raise ParameterError(f"{where} must be one-dimensional, got shape {arr.shape}")
    return arr


def _own_times(ts, n: int, where: str) -> np.ndarray:
    try:
        out = as_ns_array(ts, f"{where} times")
    except ObiError as exc:
        raise ParameterError(f"{where}: bad time index ({exc})") from None
    if out.shape[0] != n:
        raise ParameterError(f"{where} has {out.shape[0]} times but {n} values")
    if out.size > 1 and np.any(out[1:] < out[:-1]):
        bad = int(np.flatnonzero(out[1:] < out[:-1])[0]) + 1
        raise ParameterError(f"{where}: times must not decrease (position {bad} is earlier than the one before)")
    return out


def _on_rows(values: np.ndarray, rows: int, where: str) -> np.ndarray:
    if values.shape[0] != rows:
        raise ParameterError(
            f"{where} has {values.shape[0]} values but the book has {rows} rows: pass one value per row "
            "of the book, a pandas Series with a DatetimeIndex, or a (ts_ns, values) tuple"
        )
    return values


def _signed(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(finite.size and finite.min() < 0 < finite.max())


def _user(spec, label: str, rows: int, where: str) -> Series:
    opts: dict = {}
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"values", "ts", "kind", "reduce", "units", "signed"}
        if unknown or "values" not in spec:
            raise ParameterError(
                f"{where}: a series given as a dict needs 'values' and may have 'ts', 'kind', 'reduce', "
                f"'units', 'signed'; got keys {sorted(spec)}"
            )
        opts = dict(spec)
        kind, how = opts.get("kind", "step"), opts.get("reduce", "minmax")
        if kind not in KINDS:
            raise ParameterError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
        if how not in REDUCTIONS:
            raise ParameterError(f"{where}: reduce must be one of {REDUCTIONS}, got {how!r}")
        spec = opts["values"] if opts.get("ts") is None else (opts["ts"], opts["values"])
    ts = None
    if isinstance(spec, pd.Series):
        values = _values(spec.to_numpy(), where)
        if isinstance(spec.index, pd.DatetimeIndex):
            ts = _own_times(spec.index, values.shape[0], where)
        else:
            _on_rows(values, rows, where)
    elif isinstance(spec, tuple):
        if len(spec) != 2:
            raise ParameterError(f"{where}: a tuple series must be (ts_ns, values), got {len(spec)} items")
        values = _values(spec[1], where)
        ts = _own_times(spec[0], values.shape[0], where)
    elif isinstance(spec, (np.ndarray, list, pd.Index)):
        values = _on_rows(_values(spec, where), rows, where)
    else:
        raise ParameterError(
            f"{where} must be a metric name, an array or pandas Series, a (ts_ns, values) tuple or a dict, "
            f"got {type(spec).__name__}"
        )
    signed = opts.get("signed")
    return Series(
        label,
        values,
        ts=ts,
        units=str(opts.get("units", "")),
        kind=opts.get("kind", "step"),
        reduce=opts.get("reduce", "minmax"),
        signed=_signed(values) if signed is None else bool(signed),
    )


def _items(series) -> list[tuple[str | None, object]]:
    if isinstance(series, str) or isinstance(series, (np.ndarray, pd.Series)):
        return [(None, series)]
    if isinstance(series, Mapping):
        return [(str(k), v) for k, v in series.items()]
    if isinstance(series, (list, tuple)):
        return [(None, s) for s in series]
    raise ParameterError(
        f"series must be a metric name, a list of series or a dict {{label: series}}, got {type(series).__name__}"
    )


def resolve(series, ctx: Context) -> list[Series]:
    """The panels for ``series`` (see the module docstring), in order."""
    items = _items(series)
    if len(items) > MAX_SERIES:
        raise ParameterError(f"series: at most {MAX_SERIES} panels, got {len(items)}")
    rows = len(ctx.book)
    out = []
    for i, (label, spec) in enumerate(items):
        where = f"series[{label!r}]" if label is not None else f"series[{i}]"
        if isinstance(spec, str):
            if spec not in METRICS:
                raise ParameterError(f"{where}: unknown metric {spec!r}; known metrics: {', '.join(METRICS)}")
            s = METRICS[spec](ctx)
            s.metric = s.metric or spec
            if label is not None:
                s.label = label
        else:
            name = getattr(spec, "name", None) if isinstance(spec, pd.Series) else None
            s = _user(spec, label or (str(name) if name is not None else f"series {i + 1}"), rows, where)
        s.values = np.ascontiguousarray(s.values, dtype=np.float64)
        out.append(s)
    return out

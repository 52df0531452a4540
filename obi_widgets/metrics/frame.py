r"""Any set of per-row metrics of a book as one pandas DataFrame: :func:`frame`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._time import to_duration_ns
from ..errors import ObiError, ParameterError
from ._common import ratio, require_book
from ._flow import buy_sell_weights, require_trades, ts_index


@dataclass(frozen=True)
class _Metric:
    compute: Callable  # (book, trades, kwargs) -> ndarray (T,) / (T, k), or dict suffix -> (T,)
    accepts: tuple[str, ...]  # keyword arguments it takes
    required: tuple[str, ...] = ()
    trades: bool = False  # needs trades=


def _rows_asof(book, trades, inclusive: bool) -> np.ndarray:
    """Per book row: the index of the last trade at or before its time (strictly before with
    ``inclusive=False``); -1 where there is none."""
    return np.searchsorted(trades.ts, book.ts, side="right" if inclusive else "left") - 1


def _inclusive(kw: dict) -> bool:
    value = kw.pop("inclusive", True)
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"inclusive must be True or False, got {value!r}")
    return bool(value)


def _cvd(book, trades, kw):
    from .trades import cumulative_volume_delta

    inclusive = _inclusive(kw)
    cvd = cumulative_volume_delta(trades, **kw)
    j = _rows_asof(book, trades, inclusive)
    return np.where(j >= 0, cvd[np.maximum(j, 0)] if cvd.size else 0.0, 0.0)


def _trade_imbalance(book, trades, kw):
    from .trades import BY, trade_imbalance

    inclusive = _inclusive(kw)
    window = kw["window"]
    if len(trades) == 0:
        return np.full(len(book), np.nan)
    j = _rows_asof(book, trades, inclusive)
    if isinstance(window, (int, np.integer)) and not isinstance(window, (bool, np.bool_)):
        per_trade = trade_imbalance(trades, **kw).to_numpy()  # the last `window` trades up to each trade
        out = np.full(len(book), np.nan)
        has = j >= 0
        out[has] = per_trade[j[has]]
        return out
    # a time window: the trades in (tau - w, tau] at each book time tau (B and S from running sums)
    w_ns = to_duration_ns(window, "window")
    by = kw.get("by", "volume")
    if by not in BY:
        raise ParameterError(f"by must be one of {BY}, got {by!r}")
    bw, sw = buy_sell_weights(trades, kw.get("signs"), kw.get("unknown", "exclude"), "trade_imbalance")
    size = trades.size if by == "volume" else np.ones(len(trades))
    cb = np.concatenate(([0.0], np.cumsum(bw * size)))
    cs = np.concatenate(([0.0], np.cumsum(sw * size)))
    ck = np.concatenate(([0], np.cumsum(bw + sw > 0)))
    end = j + 1
    lo = np.minimum(np.searchsorted(trades.ts, book.ts - w_ns, side="right"), end)
    b, s, k = cb[end] - cb[lo], cs[end] - cs[lo], ck[end] - ck[lo]
    tot = np.where(k > 0, b + s, np.nan)
    return np.clip(ratio(b - s, tot), -1.0, 1.0)


def _cum_ofi(book, trades, kw):
    from .ofi import ofi

    flow = ofi(book, **kw)
    out = np.cumsum(np.where(np.isnan(flow), 0.0, flow), axis=0)
    out[np.isnan(flow)] = np.nan
    return out


def _next_move(book, trades, kw):
    from .predict import next_move

    m = next_move(book, **kw)
    return {"sign": m.sign, "size": m.size, "event_time": m.event_time, "clock_time_ns": m.clock_time_ns}


def _plain(name: str) -> Callable:
    def compute(book, trades, kw):
        from .. import metrics

        return getattr(metrics, name)(book, **kw)

    return compute


def _integrated_ofi(book, trades, kw):
    from .ofi import integrated_ofi

    per_row = {**kw, "freq": None}  # each row its own interval
    return integrated_ofi(book, **per_row).values


_FIT = ("model", "n_imb", "n_spread", "tick", "step", "sample", "symmetrize", "tol", "max_iter")
METRICS: Mapping[str, _Metric] = {
    "mid": _Metric(_plain("mid"), ()),
    "spread": _Metric(_plain("spread"), ()),
    "weighted_mid": _Metric(_plain("weighted_mid"), ()),
    "microprice": _Metric(_plain("microprice"), _FIT),
    "level1_imbalance": _Metric(_plain("level1_imbalance"), ("form",)),
    "depth_imbalance": _Metric(_plain("depth_imbalance"), ("levels", "weights", "decay", "form")),
    "band_imbalance": _Metric(_plain("band_imbalance"), ("bps", "form", "truncated")),
    "depth": _Metric(_plain("depth"), ("levels", "bps", "side", "unit")),
    "book_slope": _Metric(_plain("book_slope"), ("levels", "side", "log_volume")),
    "sweep_cost": _Metric(_plain("sweep_cost"), ("quantity", "side", "reference", "unit"), ("quantity",)),
    "ofi": _Metric(_plain("ofi"), ("levels", "empty", "tick")),
    "cum_ofi": _Metric(_cum_ofi, ("levels", "empty", "tick")),
    "integrated_ofi": _Metric(_integrated_ofi, ("levels", "train", "weights", "empty", "tick")),
    "forward_return": _Metric(_plain("forward_return"), ("horizon", "kind", "align", "price"), ("horizon",)),
    "next_move": _Metric(_next_move, ("price", "missing", "crossed", "rtol")),
    "cvd": _Metric(_cvd, ("signs", "unknown", "inclusive"), trades=True),
    "trade_imbalance": _Metric(
        _trade_imbalance, ("window", "by", "signs", "unknown", "inclusive"), ("window",), trades=True
    ),
}


def _entries(names, fn: str) -> list[tuple[str, str, dict]]:
    """(column label, metric name, kwargs) per entry of ``names``."""
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple)):
        raise ParameterError(f"{fn}(): names must be a list of metric names, got {type(names).__name__}")
    items: list[object] = list(names)
    out = []
    for i, entry in enumerate(items):
        if isinstance(entry, str):
            label, name, kw = entry, entry, {}
        elif isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
            (name, kw), label = entry, entry[0]
        elif isinstance(entry, tuple) and len(entry) == 3 and all(isinstance(x, str) for x in entry[:2]):
            label, name, kw = entry
        else:
            raise ParameterError(
                f"{fn}(): names[{i}] is {entry!r}; expected a metric name, a (name, {{kwargs}}) pair or a "
                "(label, name, {kwargs}) triple"
            )
        if not isinstance(kw, Mapping):
            raise ParameterError(f"{fn}(): the arguments of names[{i}] ({name!r}) must be a dict, got {kw!r}")
        if name not in METRICS:
            raise ParameterError(f"{fn}(): unknown metric {name!r} (names[{i}]); known: {', '.join(METRICS)}")
        out.append((label, name, dict(kw)))
    return out


def frame(book, names, *, trades=None, **params) -> pd.DataFrame:
    r"""Several per-row metrics of ``book`` as one DataFrame, one row per book row.

    The one-liner: ``metrics.frame(book, ["mid", "level1_imbalance", "ofi"])``. Each column is
    exactly the direct call, e.g. column ``mid`` = :func:`mid` ``(book)``, ``ofi`` =
    :func:`ofi` ``(book)``; the index is the book's row times, a ``DatetimeIndex`` named ``ts``
    (UTC-naive, as in :meth:`Book.to_frame`).

    Entries of ``names``: a metric name; a ``(name, {kwargs})`` pair; or a ``(label, name,
    {kwargs})`` triple to name the column (e.g. the same metric twice: ``("di3",
    "depth_imbalance", {"levels": 3})``). Keyword arguments of ``frame`` named after a metric apply
    to every entry of it: ``frame(book, ["depth_imbalance"], depth_imbalance={"levels": 5})``
    (a pair's or triple's own kwargs take precedence).

    Metrics (name: the function and its arguments):

    - ``mid``, ``spread``, ``weighted_mid``: :func:`mid`, :func:`spread`, :func:`weighted_mid`.
    - ``microprice``: :func:`microprice` (Stoikov 2018) with ``model=`` or fit options
      (``n_imb``, ``n_spread``, ``tick``...). Without ``model=`` it is **fitted in-sample** on this
      book; pass a model fitted on earlier data for an out-of-sample column.
    - ``level1_imbalance`` (``form``), ``depth_imbalance`` (``levels``, ``weights``, ``decay``,
      ``form``), ``band_imbalance`` (``bps``, ``form``, ``truncated``), ``depth`` (``levels``,
      ``bps``, ``side``, ``unit``), ``book_slope`` (``levels``, ``side``, ``log_volume``),
      ``sweep_cost`` (``quantity`` required, ``side``, ``reference``, ``unit``).
    - ``ofi`` (``levels``, ``empty``, ``tick``): :func:`ofi` per row; ``levels=k > 1`` gives
      columns ``ofi_1 .. ofi_k``. ``cum_ofi``: its running sum,
      :math:`C_t = \sum_{n \le t} e_n` (per level likewise); with ``empty="nan"`` a NaN row adds
      nothing to the sum and is NaN itself.
    - ``integrated_ofi`` (``levels``, ``train``, ``weights``, ``empty``, ``tick``):
      :func:`integrated_ofi` with ``freq=None`` (each row its own interval), its ``.values``.
    - ``forward_return`` (``horizon`` required, ``kind``, ``align``, ``price``):
      :func:`forward_return`; ``horizon="next"`` for the change to the next mid move.
    - ``next_move`` (``price``, ``missing``, ``crossed``, ``rtol``): :func:`next_move`, four
      columns ``next_move_sign``, ``next_move_size``, ``next_move_event_time`` (rows) and
      ``next_move_clock_time_ns``.

    Trade-based metrics (need ``trades=``; a value per *book row* from the trades up to its time:
    those with time <= the row's time, ``inclusive=True`` (default: a book row shows the book after
    the events stamped with its time, as in LOBSTER), or < it with ``inclusive=False``):

    - ``cvd`` (``signs``, ``unknown``, ``inclusive``): :func:`cumulative_volume_delta` of the last
      such trade, :math:`\mathrm{CVD}_t = \sum_{\tau_i \le \tau_t} s_i v_i` (0 before the first trade).
    - ``trade_imbalance`` (``window`` required, ``by``, ``signs``, ``unknown``, ``inclusive``):
      :math:`(B - S)/(B + S)` over the last ``window`` trades (an int; the value of
      :func:`trade_imbalance` ``(trades, window=n)`` at the last such trade) or over the trades in
      :math:`(\tau_t - w, \tau_t]` for a duration ``window`` (so it decays to NaN between trades);
      NaN before the first trade or without signed trades in the window.

    Raises ParameterError for an unknown name (listing the known ones), an argument a metric does
    not take, a missing required one, a trade-based name without ``trades=``, duplicated column
    labels, or ``frame`` keyword arguments for a metric not in ``names``; a metric's own error
    (same class) names the column.
    """
    fn = "frame"
    book = require_book(book, fn)
    entries = _entries(names, fn)
    used = {name for _, name, _ in entries}
    for key, value in params.items():
        if key not in METRICS:
            raise ParameterError(f"{fn}(): unexpected keyword {key}=; known metrics: {', '.join(METRICS)}")
        if key not in used:
            raise ParameterError(f"{fn}(): {key}= gives arguments for {key!r}, which is not in names")
        if not isinstance(value, Mapping):
            raise ParameterError(f"{fn}(): {key}= must be a dict of arguments, got {value!r}")
    if trades is not None:
        trades = require_trades(trades, fn)
    columns: dict[str, np.ndarray] = {}
    for label, name, own in entries:
        spec = METRICS[name]
        kw = {**params.get(name, {}), **own}
        bad = sorted(set(kw) - set(spec.accepts))
        if bad:
            takes = ", ".join(spec.accepts) if spec.accepts else "no arguments"
            raise ParameterError(f"{fn}(): {name!r} does not take {', '.join(bad)}; it takes {takes}")
        missing = [k for k in spec.required if k not in kw]
        if missing:
            raise ParameterError(
                f"{fn}(): {name!r} needs {', '.join(missing)}=, e.g. ({name!r}, {{{missing[0]!r}: ...}})"
            )
        if spec.trades and trades is None:
            raise ParameterError(f"{fn}(): {name!r} is computed from trades: pass trades=")
        try:
            values = spec.compute(book, trades, kw)
        except ObiError as exc:
            raise type(exc)(f"{fn}(): column {label!r} ({name}): {exc}") from exc
        if isinstance(values, dict):
            new = {f"{label}_{suffix}": v for suffix, v in values.items()}
        elif values.ndim == 2:
            new = {f"{label}_{m + 1}": values[:, m] for m in range(values.shape[1])}
        else:
            new = {label: values}
        for col, v in new.items():
            if col in columns:
                raise ParameterError(
                    f"{fn}(): two entries make the column {col!r}; name one with a (label, name, {{kwargs}}) triple"
                )
            columns[col] = v
    return pd.DataFrame(columns, index=ts_index(book.ts))

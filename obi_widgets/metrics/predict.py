"""Does a signal predict the next price move? Forward returns, a per-bucket profile, and OLS."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._time import to_duration_ns
from ..errors import ParameterError
from ._common import ratio, require_book
from ._stats import Regression, ols

KINDS = ("change", "log")
ALIGNS = ("next", "last")
BINNINGS = ("quantile", "uniform")


def forward_return(book, horizon, *, kind: str = "change", align: str = "next", price=None) -> np.ndarray:
    r"""The move of the mid (or of ``price``) from each row to a later one, one value per row.

    .. math:: \Delta_t = m_{j(t)} - m_t \quad(\text{kind="change"}), \qquad
              \Delta_t = \ln(m_{j(t)} / m_t) \quad(\text{kind="log"})

    the prediction target of e.g. Cartea, Jaimungal & Penalva (2015, ch. 4) and Gould & Bonart
    (2016). The later row :math:`j(t)`:

    - ``horizon`` an int h >= 1: h rows ahead (event time), :math:`j = t + h`;
    - ``horizon`` a duration ('1s', '500ms', ``pd.Timedelta``): with ``align="next"`` (default) the
      first row at or after :math:`\tau_t + h`; with ``align="last"`` the last row at or before it,
      i.e. the book in force at :math:`\tau_t + h` (the two differ when no event falls exactly there).

    NaN where :math:`j` is past the end of the book (the last rows; with ``align="last"``, the rows
    with :math:`\tau_t + h` after the last timestamp) or either price is NaN. ``price=`` (float array
    of shape (T,), e.g. a micro-price) replaces the mid. Raises ParameterError for ``kind="log"``
    on a price <= 0. Returns float64 (T,).
    """
    fn = "forward_return"
    book = require_book(book, fn)
    if kind not in KINDS:
        raise ParameterError(f"{fn}(): kind must be one of {KINDS}, got {kind!r}")
    if align not in ALIGNS:
        raise ParameterError(f"{fn}(): align must be one of {ALIGNS}, got {align!r}")
    t = len(book)
    if price is None:
        p = np.add(book.bid_px[:, 0], book.ask_px[:, 0])
        np.multiply(p, 0.5, out=p)  # the mid, in place
    else:
        p = np.asarray(price, dtype=np.float64)
        if p.shape != (t,):
            raise ParameterError(f"{fn}(): price has shape {p.shape}, expected ({t},) like the book")
    if isinstance(horizon, (bool, np.bool_)):
        raise ParameterError(f"{fn}(): horizon must be an int (rows) or a duration, got {horizon!r}")
    if isinstance(horizon, (int, np.integer)):
        if horizon < 1:
            raise ParameterError(f"{fn}(): horizon must be >= 1 row, got {horizon}")
        h = int(horizon)
        if kind == "change":  # p[t + h] - p[t] on two slices, no index array or gather
            out = np.empty(t)
            if h < t:
                np.subtract(p[h:], p[:-h], out=out[:-h])
            out[max(t - h, 0) :] = np.nan
            return out
        j = np.arange(t, dtype=np.int64) + h
    else:
        h = to_duration_ns(horizon, "horizon")
        target = book.ts + h
        if align == "next":
            j = np.searchsorted(book.ts, target, side="left")
        else:
            j = np.searchsorted(book.ts, target, side="right") - 1
            j[target > (book.ts[-1] if t else 0)] = t
    valid = j < t
    later = np.full(t, np.nan)
    later[valid] = p[j[valid]]
    if kind == "change":
        return later - p
    bad = np.flatnonzero(np.isfinite(p) & (p <= 0))
    if bad.size:
        raise ParameterError(f"{fn}(kind='log'): price {p[bad[0]].item()!r} at row {bad[0]} is not > 0")
    rel = ratio(later, p)
    out = np.full(t, np.nan)
    np.log(rel, out=out, where=np.isfinite(rel) & (rel > 0))
    return out


def _pairs(signal, future_move, fn: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(signal, dtype=np.float64)
    y = np.asarray(future_move, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ParameterError(
            f"{fn}(): signal and future_move must be 1-D and of the same length, got {x.shape} and {y.shape}"
        )
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def imbalance_profile(signal, future_move, bins=10, *, binning: str = "quantile") -> pd.DataFrame:
    r"""The future move conditional on the signal: one row per signal bucket.

    Rows where either value is NaN (or infinite) are dropped. Buckets: ``bins`` an int with
    ``binning="quantile"`` (default) -- edges at the signal's quantiles 0, 1/bins, ..., 1, equal
    counts; duplicated edges (a signal with few distinct values) are merged, so fewer buckets may
    result -- or ``binning="uniform"`` -- equal-width buckets between the signal's min and max (the
    binning of Gould & Bonart 2016 for queue imbalance); or ``bins`` an increasing array of edges.
    Buckets are ``[lo, hi)``, the last one ``[lo, hi]``; values outside explicit edges are dropped.

    Columns: ``lo``, ``hi`` (edges), ``count``, ``signal_mean``, ``move_mean`` (mean future move),
    ``p_up`` = :math:`P(\Delta > 0 \mid \Delta \ne 0)` (NaN when every move in the bucket is 0),
    ``p_zero`` = fraction of moves equal to 0. The up-probability given a move is the quantity
    studied by Gould & Bonart (2016), "Queue imbalance as a one-tick-ahead price predictor in a
    limit order book". Empty buckets have count 0 and NaN statistics. Index: bucket number.
    """
    fn = "imbalance_profile"
    if binning not in BINNINGS:
        raise ParameterError(f"{fn}(): binning must be one of {BINNINGS}, got {binning!r}")
    x, y = _pairs(signal, future_move, fn)
    if x.size == 0:
        raise ParameterError(f"{fn}(): no row has both a finite signal and a finite future move")
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, (bool, np.bool_)):
        if bins < 1:
            raise ParameterError(f"{fn}(): bins must be >= 1, got {bins}")
        if binning == "quantile":
            edges = np.unique(np.quantile(x, np.linspace(0.0, 1.0, int(bins) + 1)))
        else:
            edges = np.linspace(x.min(), x.max(), int(bins) + 1)
        if edges.size == 1:  # a constant signal: one bucket holding everything
            edges = np.array([edges[0], edges[0]])
    else:
        edges = np.asarray(bins, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 2 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
            raise ParameterError(
                f"{fn}(): bins must be an int or a strictly increasing array of >= 2 finite edges, got {bins!r}"
            )
    nb = edges.size - 1
    idx = np.searchsorted(edges, x, side="right") - 1
    idx[x == edges[-1]] = nb - 1  # the last bucket is closed on the right
    inside = (idx >= 0) & (idx < nb)
    idx, xs, ys = idx[inside], x[inside], y[inside]
    count = np.bincount(idx, minlength=nb)
    cnt = count.astype(np.float64)
    up = np.bincount(idx, (ys > 0).astype(np.float64), nb)
    zero = np.bincount(idx, (ys == 0).astype(np.float64), nb)
    return pd.DataFrame(
        {
            "lo": edges[:-1],
            "hi": edges[1:],
            "count": count,
            "signal_mean": ratio(np.bincount(idx, xs, nb), cnt),
            "move_mean": ratio(np.bincount(idx, ys, nb), cnt),
            "p_up": ratio(up, cnt - zero),
            "p_zero": ratio(zero, cnt),
        },
        index=pd.RangeIndex(nb, name="bucket"),
    )


def regress(signal, future_move, *, intercept: bool = True) -> Regression:
    r"""OLS of the future move on the signal, :math:`\Delta_t = a + b\, x_t + e_t`, rows with a NaN
    (or infinite) value in either dropped.

    Returns a :class:`Regression` with ``slope`` b, ``intercept`` a, ``stderr`` and ``t_stat`` of b
    (classical homoskedastic OLS standard error: overlapping forward returns are autocorrelated, so
    treat the t-stat as optimistic; no HAC correction), ``r2`` and ``n``. Raises ParameterError
    with fewer than 3 usable rows or a constant signal. ``intercept=False`` fits :math:`\Delta = b x`.
    """
    x, y = _pairs(signal, future_move, "regress")
    return ols(x, y, intercept=intercept, what="regress")

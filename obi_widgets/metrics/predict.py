"""Does a signal predict the next price move? The next move, forward returns, a per-bucket profile, and OLS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import crossed_mask
from .._time import format_ns, to_duration_ns
from ..errors import CrossedBookError, ParameterError
from ._common import ratio, require_book
from ._stats import Regression, ols

KINDS = ("change", "log")
ALIGNS = ("next", "last")
BINNINGS = ("quantile", "uniform")
MISSING = ("skip", "stop")
CROSSED = ("raise", "keep", "missing")
PRICES = ("mid", "weighted_mid")
# Two prices closer than this relative distance are the same price: (bid + ask) / 2 is computed in
# floating point, and e.g. 100.01 + 100.03 != 100.02 + 100.02 in float64, so an exact comparison
# would report a "move" of 1e-14 where the mid did not move (the tolerance of sign_trades' at-mid test).
RTOL = 1e-9


# -- the next mid move ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class NextMove:
    r"""The result of :func:`next_move`: for each row t, the next change of the price after it.

    Attributes
    ----------
    All of shape (T,), one value per book row; NaN (-1 for ``index``) where the row has no later
    change or no price of its own.

    ts : ndarray of int64
        The book's row times (ns), for :meth:`to_frame`.
    sign : ndarray of float64
        Direction of the next change, -1.0 (down) or +1.0 (up); never 0.
    size : ndarray of float64
        The change itself, :math:`p_{s(t)} - p_t` (price units).
    event_time : ndarray of float64
        Rows until the change, :math:`s(t) - t` (>= 1): the time to the move in *event time*.
    clock_time_ns : ndarray of float64
        Clock time until the change, :math:`\tau_{s(t)} - \tau_t` in ns (0 when the change is
        stamped with the same time as row t). float64 holds whole ns exactly up to 104 days.
    index : ndarray of int64
        :math:`s(t)`, the row of the change (-1 where there is none), to read other arrays there.
    """

    ts: np.ndarray
    sign: np.ndarray
    size: np.ndarray
    event_time: np.ndarray
    clock_time_ns: np.ndarray
    index: np.ndarray

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def __repr__(self) -> str:
        n = len(self)
        have = np.isfinite(self.sign)
        k = int(have.sum())
        if not k:
            return f"NextMove({n} rows, no row is followed by a price change)"
        up = float(np.mean(self.sign[have] > 0))
        return (
            f"NextMove({n} rows, {k} followed by a change: {up:.1%} up; median {np.median(self.event_time[have]):g} "
            f"rows / {pd.Timedelta(int(np.median(self.clock_time_ns[have])))} until it; see .to_frame())"
        )

    def to_frame(self, prefix: str = "next_move_") -> pd.DataFrame:
        """``sign``, ``size``, ``event_time`` and ``clock_time_ns`` as a DataFrame indexed by the
        book's row times (a ``DatetimeIndex`` named ``ts``, UTC-naive like :meth:`Book.to_frame`);
        column names get ``prefix``."""
        cols = {f"{prefix}{k}": getattr(self, k) for k in ("sign", "size", "event_time", "clock_time_ns")}
        return pd.DataFrame(cols, index=pd.DatetimeIndex(self.ts.view("datetime64[ns]"), name="ts"))


def _check_rtol(rtol, fn: str) -> float:
    if isinstance(rtol, (bool, np.bool_, str, bytes)):
        raise ParameterError(f"{fn}(): rtol must be a number >= 0, got {rtol!r}")
    try:
        r = float(rtol)
    except (TypeError, ValueError):
        raise ParameterError(f"{fn}(): rtol must be a number >= 0, got {rtol!r}") from None
    if not (np.isfinite(r) and r >= 0):
        raise ParameterError(f"{fn}(): rtol must be a finite number >= 0, got {rtol!r}")
    return r


def _changed(a: np.ndarray, b: np.ndarray, rtol: float) -> np.ndarray:
    """|a - b| > rtol * max(|a|, |b|), True where either is NaN. Prices equal exactly are equal
    within any tolerance, so the tolerance is only tested where ``a != b`` (the rare rows)."""
    out = np.not_equal(a, b)
    if rtol == 0.0:
        return out
    at = np.flatnonzero(out)
    x, y = a[at], b[at]
    with np.errstate(invalid="ignore", over="ignore"):
        same = np.abs(x - y) <= rtol * np.maximum(np.abs(x), np.abs(y))
    out[at[same]] = False
    return out


def _first_after(event: np.ndarray, n: int) -> np.ndarray:
    """For k = 0..n-1: the smallest k' > k with event[k' - 1] (event has n - 1 entries, event[i]
    for position i + 1), or n if none. The answer is constant between two events, so it is the
    event positions each repeated over the rows before it: one pass, no per-row Python."""
    at = np.append(np.flatnonzero(event) + 1, n).astype(np.int64)  # the event positions, then T
    return np.repeat(at, np.diff(at, prepend=0))  # position k repeated over the rows before it


def _next_change(p: np.ndarray, rtol: float, missing: str) -> np.ndarray:
    """Per row t: s(t), the first row s > t whose price differs from p[t] (see next_move); T (the
    row count) where there is none or p[t] is NaN."""
    t = p.shape[0]
    ok = np.isfinite(p)
    if missing == "skip":  # the rows without a price are passed over
        if ok.all():
            return _first_after(_changed(p[1:], p[:-1], rtol), t)
        rows = np.flatnonzero(ok)
        q = p[rows]
        j = _first_after(_changed(q[1:], q[:-1], rtol), q.shape[0])
        out = np.full(t, t, dtype=np.int64)
        out[rows] = np.append(rows, t)[j]
        return out
    # "stop": a row without a price ends the search (the next move is then not observed)
    j = _first_after(~ok[1:] | _changed(p[1:], p[:-1], rtol), t)
    good = ok & np.append(ok, False)[j]
    return np.where(good, j, t)


def _price_of(book, price, fn: str) -> np.ndarray:
    t = len(book)
    if isinstance(price, str):
        if price == "mid":
            p = np.add(book.bid_px[:, 0], book.ask_px[:, 0])
            return np.multiply(p, 0.5, out=p)
        if price == "weighted_mid":
            from .prices import weighted_mid

            return weighted_mid(book)
        raise ParameterError(f"{fn}(): price must be one of {PRICES} or a float array of shape ({t},), got {price!r}")
    p = np.asarray(price, dtype=np.float64)
    if p.shape != (t,):
        raise ParameterError(f"{fn}(): price has shape {p.shape}, expected ({t},) like the book")
    return p


def next_move(book, *, price="mid", missing: str = "skip", crossed: str = "raise", rtol: float = RTOL) -> NextMove:
    r"""The next change of the mid price after each row: its sign, its size and the time until it.

    With :math:`m_t` the price of row t (the mid by default) and :math:`\tau_t` its time,

    .. math::
        s(t) = \min\{s > t : m_s \ne m_t\}, \qquad \Delta_t = m_{s(t)} - m_t, \qquad
        \operatorname{sign}(\Delta_t) \in \{-1, +1\},

    the time until it in event time, :math:`s(t) - t` rows (``event_time``), and in clock time,
    :math:`\tau_{s(t)} - \tau_t` ns (``clock_time_ns``). The direction of the next mid move is the
    target of queue-imbalance prediction: Gould & Bonart (2016), "Queue imbalance as a one-tick-ahead
    price predictor in a limit order book", *Market Microstructure and Liquidity* 2(2); Lipton,
    Pesavento & Sotiropoulos (2013), "Trade arrival dynamics and quote imbalance in a limit order
    book", arXiv:1312.0514; and, with the time until it, Cont & de Larrard (2013), "Price dynamics
    in a Markovian limit order market", *SIAM J. Financial Mathematics* 4(1). Event time is primary
    there: the move is counted in book updates, whatever their spacing in clock time.

    Two prices are equal when :math:`|m_s - m_t| \le` ``rtol`` :math:`\cdot \max(|m_s|, |m_t|)`
    (default 1e-9: the mids of different quotes at the same mid differ in the last bits of a
    float64; ``rtol=0`` compares exactly). A row with no later change gets NaN (and ``index`` -1),
    so the last row always does.

    ``price``: ``"mid"`` (default), ``"weighted_mid"`` (:func:`weighted_mid`), or any float array of
    shape (T,) (e.g. a micro-price). Rows without a price (NaN: a side of the book empty), per
    ``missing``:

    - ``"skip"`` (default): they are passed over, :math:`s(t)` is the first later row *with a
      price* that differs from :math:`m_t` (the move across a one-sided spell is reported, and the
      event time still counts every row in between);
    - ``"stop"``: they end the search: when the first later row that differs or has no price has
      none, the next move is not observed and row t gets NaN.

    Either way a row without a price gets NaN itself. Crossed or locked rows (best bid >= best ask;
    only present in books built with ``validate=False`` or ``on_crossed="flag"``), per ``crossed``:
    ``"raise"`` (default) CrossedBookError naming the first one; ``"keep"``: their price is used as
    it is; ``"missing"``: they have no price (then ``missing`` applies).

    Returns a :class:`NextMove` (``.sign``, ``.size``, ``.event_time``, ``.clock_time_ns``,
    ``.index``, ``.to_frame()``). ``next_move(book).size`` equals ``forward_return(book, "next")``
    on a book without crossed rows. Vectorised: each change position repeated over the rows
    before it, no per-row Python.
    """
    fn = "next_move"
    book = require_book(book, fn)
    if missing not in MISSING:
        raise ParameterError(f"{fn}(): missing must be one of {MISSING}, got {missing!r}")
    if crossed not in CROSSED:
        raise ParameterError(f"{fn}(): crossed must be one of {CROSSED}, got {crossed!r}")
    r = _check_rtol(rtol, fn)
    p = _price_of(book, price, fn)
    if crossed != "keep":
        bad = crossed_mask(book.bid_px[:, 0], book.ask_px[:, 0])
        if bad.any():
            if crossed == "raise":
                row = int(np.flatnonzero(bad)[0])
                raise CrossedBookError(
                    f"{fn}(): the book is crossed or locked at row {row} ({format_ns(int(book.ts[row]))}: best bid "
                    f"{float(book.bid_px[row, 0])!r} >= best ask {float(book.ask_px[row, 0])!r}; {int(bad.sum())} "
                    "such rows); pass crossed='keep' to use their price or crossed='missing' to treat them as "
                    "rows without a price"
                )
            p = np.where(bad, np.nan, p)
    j = _next_change(p, r, missing)
    n = p.shape[0]
    none = j == n
    # j = T where there is no next change: take(mode="clip") reads row T-1 there, then NaN
    size = np.take(p, j, mode="clip") if n else np.zeros(0)
    size -= p
    size[none] = np.nan
    event_time = np.subtract(j, np.arange(n, dtype=np.int64), out=np.empty(n), casting="unsafe")
    event_time[none] = np.nan
    ts = np.asarray(book.ts)
    clock = np.subtract(np.take(ts, j, mode="clip") if n else ts, ts, out=np.empty(n), casting="unsafe")
    clock[none] = np.nan
    j[none] = -1
    return NextMove(ts=ts, sign=np.sign(size), size=size, event_time=event_time, clock_time_ns=clock, index=j)


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
    - ``horizon="next"``: the row of the next change of the price, :math:`j = s(t) = \min\{s > t :
      m_s \ne m_t\}` as in :func:`next_move` (the change to the next mid move, the one-tick-ahead
      target of Gould & Bonart 2016), with ``next_move``'s conventions ``missing="skip"`` (rows
      with a NaN price are passed over), ``crossed="keep"`` (like every other horizon here) and
      ``rtol=1e-9``; with ``kind="change"`` it equals ``next_move(book, price=...).size``. ``align``
      does not apply (``align="last"`` raises ParameterError).

    NaN where :math:`j` is past the end of the book (the last rows; with ``align="last"``, the rows
    with :math:`\tau_t + h` after the last timestamp; with ``"next"``, the rows after the last
    change) or either price is NaN. ``price=`` (float array
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
        raise ParameterError(f"{fn}(): horizon must be an int (rows), a duration or 'next', got {horizon!r}")
    if isinstance(horizon, str) and horizon == "next":
        if align != "next":
            raise ParameterError(f"{fn}(horizon='next'): align={align!r} does not apply to the next price change")
        j = _next_change(p, RTOL, "skip")
    elif isinstance(horizon, (int, np.integer)):
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
        try:
            h = to_duration_ns(horizon, "horizon")
        except ParameterError as exc:
            raise ParameterError(f"{fn}(): {exc}; or horizon='next' for the next price change") from None
        target = book.ts + h
        if align == "next":
            j = np.searchsorted(book.ts, target, side="left")
        else:
            j = np.searchsorted(book.ts, target, side="right") - 1
            j[target > (book.ts[-1] if t else 0)] = t
    later = np.take(p, j, mode="clip") if t else np.zeros(0)  # j >= T (past the end) -> NaN below
    later[j >= t] = np.nan
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

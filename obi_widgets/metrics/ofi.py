r"""Order-flow imbalance (OFI): best-level, multi-level and integrated, and time aggregation.

- :func:`ofi`: the per-event order-flow imbalance of Cont, Kukanov & Stoikov (2014) at the best
  quotes, or its multi-level version (Xu, Gould & Howison 2018) at each of the first ``levels``
  levels;
- :func:`integrated_ofi`: the depth-normalised multi-level OFI combined into one series with the
  weights of its first principal component (Cont, Cucuringu & Zhang 2023);
- :func:`aggregate`: per-row values summed (or averaged, or the last one taken) into time bins.

Prices are compared exactly (``==``, ``<=``, ``>=`` on float64). That is right for prices read from
one source and never recomputed (a LOBSTER or exchange feed parsed the same way gives bit-identical
floats for the same price); for prices that went through arithmetic (a rescaling, a sum of ticks)
pass ``tick=``: prices are then rounded to integer ticks before the comparisons, after a check that
each lies within 1/1000 of a tick of the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from .._time import as_ns_array, check_time_order, format_ns, to_duration_ns, to_ns
from ..errors import ParameterError, TimestampError
from ._common import ratio, require_book
from ._ticks import check_tick, to_ticks

_k = lazy_module("._ofi_kernels", __package__)  # numba loads on the first kernel call
_lk = lazy_module("._level_kernels", __package__)

EMPTY_MODES = ("zero", "nan")
HOWS = ("sum", "mean", "last", "first", "count", "max", "min")
MAX_BINS = 100_000_000


# -- helpers -----------------------------------------------------------------------------------------
def _check_levels(levels, book, fn: str) -> int:
    if isinstance(levels, (bool, np.bool_)) or not isinstance(levels, (int, np.integer)) or levels < 1:
        raise ParameterError(f"{fn}(): levels must be an integer >= 1, got {levels!r}")
    if levels > book.levels:
        raise ParameterError(f"{fn}(): levels={levels} but the book has only {book.levels} level(s) per side")
    return int(levels)


def _check_empty(empty, fn: str) -> bool:
    if empty not in EMPTY_MODES:
        raise ParameterError(f"{fn}(): empty must be one of {EMPTY_MODES}, got {empty!r}")
    return empty == "nan"


def _sides(book, levels: int, tick, fn: str):
    bid_px, ask_px = book.bid_px[:, :levels], book.ask_px[:, :levels]
    if tick is not None:
        t = check_tick(tick, fn)
        bid_px = to_ticks(bid_px, t, "bid price")
        ask_px = to_ticks(ask_px, t, "ask price")
    return bid_px, book.bid_sz[:, :levels], ask_px, book.ask_sz[:, :levels]


# -- OFI -------------------------------------------------------------------------------------------------
def ofi(book, levels: int = 1, *, empty: str = "zero", tick=None) -> np.ndarray:
    r"""Order-flow imbalance of each row (event), at the best quotes or at each of the first levels.

    Cont, Kukanov & Stoikov (2014), "The price impact of order book events", *J. Financial
    Econometrics* 12(1), 47-88: with :math:`P^b_n, q^b_n` (:math:`P^a_n, q^a_n`) the best bid
    (ask) price and size after event :math:`n`,

    .. math::
        e_n = \mathbb 1\{P^b_n \ge P^b_{n-1}\}\, q^b_n - \mathbb 1\{P^b_n \le P^b_{n-1}\}\, q^b_{n-1}
            - \mathbb 1\{P^a_n \le P^a_{n-1}\}\, q^a_n + \mathbb 1\{P^a_n \ge P^a_{n-1}\}\, q^a_{n-1}

    with non-strict comparisons: when a price is unchanged both of its terms fire and the row gets
    the change of that queue (:math:`q^b_n - q^b_{n-1}`, minus the change of the ask queue); a bid
    that improves counts its whole new queue, one that retreats its whole old queue with a minus
    sign (mirrored on the ask side). The OFI over an interval is the sum of :math:`e_n` over its
    rows (see :func:`aggregate`). Row 0 has no previous state: its value is 0.

    ``levels=k > 1`` gives the multi-level OFI of Xu, Gould & Howison (2018), "Multi-level
    order-flow imbalance in a limit order book", *Market Microstructure and Liquidity* 4(3-4): the
    same rule applied to the m-th best price level of each side, :math:`e^m_n` for
    :math:`m = 1..k`, as a (T, k) array (column m-1 for level m). ``levels=1`` gives shape (T,).

    Empty levels (NaN price; a book thinner than ``levels``), per ``empty``:

    - ``"zero"`` (default): an empty bid level is a queue of size 0 at price :math:`-\infty`, an
      empty ask level a queue of size 0 at :math:`+\infty`. A level that empties contributes minus
      (bid) or plus (ask) its whole previous queue, one that fills its whole new queue, as in the
      formula when the price moves away or comes in; two empty rows contribute 0.
    - ``"nan"``: the value at (row n, level m) is NaN when level m is empty on either side in row
      n or row n-1.

    ``tick``: None (default) compares prices exactly as stored (right for prices from one feed);
    a tick size compares them as integer numbers of ticks (for prices that went through
    arithmetic), and raises ParameterError when a price is more than 1/1000 tick off the grid.

    Returns float64, shape (T,) for ``levels=1``, else (T, levels). Units: the book's size units.
    Raises ParameterError for a bad ``levels`` (< 1, or more than the book has), ``empty`` or
    ``tick``.
    """
    book = require_book(book, "ofi")
    levels = _check_levels(levels, book, "ofi")
    nan_out = _check_empty(empty, "ofi")
    bid_px, bid_sz, ask_px, ask_sz = _sides(book, levels, tick, "ofi")
    n_rows = len(book)
    if levels == 1:
        out = np.empty(n_rows, dtype=np.float64)
        _k.ofi_level1(bid_px[:, 0], bid_sz[:, 0], ask_px[:, 0], ask_sz[:, 0], nan_out, out)
        return out
    out = np.empty((n_rows, levels), dtype=np.float64)
    _k.ofi_levels(bid_px, bid_sz, ask_px, ask_sz, levels, nan_out, out)
    return out


# -- time bins -----------------------------------------------------------------------------------------
def _origin_ns(origin, ts: np.ndarray, fn: str) -> int:
    if isinstance(origin, str) and origin == "epoch":
        return 0
    if isinstance(origin, str) and origin == "start":
        return int(ts[0]) if ts.size else 0
    try:
        return to_ns(origin)
    except TimestampError as exc:
        raise ParameterError(f"{fn}(): origin must be 'epoch', 'start' or a time, got {origin!r} ({exc})") from None


@dataclass(frozen=True)
class _Bins:
    first: int  # bin number of the first bin
    count: int  # number of bins from the first to the last occupied one
    starts: np.ndarray  # row index where each occupied bin starts
    occupied: np.ndarray  # position (0..count-1) of each occupied bin
    start_ns: np.ndarray  # (count,) start time of every bin, int64 ns


def _binning(ts: np.ndarray, f: int, origin: int, fn: str) -> _Bins:
    bins = (ts - origin) // f
    b0 = int(bins[0])
    count = int(bins[-1]) - b0 + 1
    if count > MAX_BINS:
        raise ParameterError(
            f"{fn}(): freq={pd.Timedelta(f)} over {format_ns(ts[0])} .. {format_ns(ts[-1])} makes {count} bins "
            f"(more than {MAX_BINS}); use a longer freq"
        )
    starts = np.concatenate(([0], np.flatnonzero(bins[1:] != bins[:-1]) + 1))
    occupied = bins[starts] - b0
    start_ns = origin + (b0 + np.arange(count, dtype=np.int64)) * f
    return _Bins(b0, count, starts, occupied, start_ns)


def _reduce(vals: np.ndarray, bins: _Bins, how: str, skipna: bool) -> np.ndarray:
    """(T, K) float values -> (count, K) per-bin result."""
    n_rows, width = vals.shape
    ends = np.concatenate((bins.starts[1:], [n_rows]))
    out = np.full((bins.count, width), 0.0 if how in ("sum", "count") else np.nan)
    if how == "sum" and not skipna:  # one compiled pass, the order of np.add.reduceat
        _k.bin_sums(vals, bins.starts, n_rows, out, bins.occupied)
        return out
    if how == "mean" and not skipna:
        sums = np.empty((bins.starts.size, width))
        _k.bin_sums(vals, bins.starts, n_rows, sums, np.arange(bins.starts.size))
        counts = np.broadcast_to((ends - bins.starts)[:, None], (bins.starts.size, width))
        out[bins.occupied] = ratio(sums, counts.astype(np.float64))
        return out
    nan = np.isnan(vals)
    if how in ("sum", "mean", "count"):
        if skipna:
            counts = np.add.reduceat((~nan).astype(np.int64), bins.starts, axis=0)
        else:
            counts = np.broadcast_to((ends - bins.starts)[:, None], (bins.starts.size, width))
        if how == "count":
            out[bins.occupied] = counts
            return out
        sums = np.add.reduceat(np.where(nan, 0.0, vals) if skipna else vals, bins.starts, axis=0)
        if how == "sum":
            out[bins.occupied] = sums
        else:
            out[bins.occupied] = ratio(sums, counts.astype(np.float64))
        return out
    if how in ("max", "min"):
        if skipna:
            op = np.fmax if how == "max" else np.fmin
        else:
            op = np.maximum if how == "max" else np.minimum
        out[bins.occupied] = op.reduceat(vals, bins.starts, axis=0)
        return out
    # first / last
    rows = np.arange(n_rows, dtype=np.int64)[:, None]
    if how == "last":
        if skipna:
            idx = np.maximum.reduceat(np.where(nan, -1, rows), bins.starts, axis=0)
        else:
            idx = np.broadcast_to((ends - 1)[:, None], (bins.starts.size, width))
        ok = idx >= 0
    else:
        if skipna:
            idx = np.minimum.reduceat(np.where(nan, n_rows, rows), bins.starts, axis=0)
        else:
            idx = np.broadcast_to(bins.starts[:, None], (bins.starts.size, width))
        ok = idx < n_rows
    cols = np.broadcast_to(np.arange(width), idx.shape)
    picked = np.full(idx.shape, np.nan)
    picked[ok] = vals[idx[ok], cols[ok]]
    out[bins.occupied] = picked
    return out


def aggregate(values, ts, freq="10s", how: str = "sum", *, origin="epoch", skipna: bool = False):
    r"""Per-row values gathered into fixed time bins: a pandas Series (or DataFrame) by bin start.

    Bin :math:`j` holds the rows with :math:`o + j f \le t_n < o + (j+1) f` (left-closed), where
    :math:`f` is ``freq`` and :math:`o` the ``origin``; the result has one entry per bin from the
    first row's bin to the last row's, empty bins included, indexed by the bin start (a
    ``DatetimeIndex`` named ``ts``). With ``how``:

    - ``"sum"`` (default): :math:`\sum_{n \in j} x_n`, e.g. the OFI of the interval,
      :math:`OFI_j = \sum_{n \in j} e_n` (Cont, Kukanov & Stoikov 2014); 0 for an empty bin;
    - ``"mean"``: the mean; ``"last"`` / ``"first"``: the value of the bin's last / first row (the
      state in force at the bin's end for ``"last"``); NaN for an empty bin;
    - ``"count"``: the number of rows (of non-NaN values with ``skipna``);
    - ``"max"`` / ``"min"``: the extremes of the bin (NaN for an empty bin).

    NaN values propagate (a bin with a NaN row has a NaN sum or mean, and ``"last"`` may be NaN)
    unless ``skipna=True``, which ignores them (a bin of NaN rows only then sums to 0 and has a NaN
    mean, last and first).

    ``values``: (T,) or (T, K) numbers, or a pandas Series / DataFrame (its name / columns are
    kept). ``ts``: (T,) int64 ns or datetime64, non-decreasing (e.g. ``book.ts``). ``freq``: a fixed
    duration (``"10s"``, ``"1min"``, a ``Timedelta``, or int ns). ``origin``: ``"epoch"`` (default:
    bins aligned on multiples of ``freq`` since 1970-01-01 UTC, so 10-second bins start on round
    seconds), ``"start"`` (the first row's time) or any time.

    Vectorised (``np.add.reduceat`` on the bin boundaries); the row loop never runs in Python.
    Raises ParameterError (lengths, ``freq``, ``how``, ``origin``), TimestampError (``ts`` going
    backwards).
    """
    name, columns = None, None
    if isinstance(values, pd.DataFrame):
        columns = values.columns
    elif isinstance(values, pd.Series):
        name = values.name
    try:
        vals = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"aggregate(): values must be numbers, got {type(values).__name__} ({exc})") from None
    if vals.ndim not in (1, 2):
        raise ParameterError(f"aggregate(): values must have shape (T,) or (T, K), got {vals.shape}")
    times = as_ns_array(ts, "ts")
    if times.shape[0] != vals.shape[0]:
        raise ParameterError(f"aggregate(): values has {vals.shape[0]} rows but ts has {times.shape[0]}")
    check_time_order(times, what="aggregate(): ts times")
    if how not in HOWS:
        raise ParameterError(f"aggregate(): how must be one of {HOWS}, got {how!r}")
    f = to_duration_ns(freq, "aggregate(): freq")
    o = _origin_ns(origin, times, "aggregate")
    two_d = vals.ndim == 2
    v2 = vals if two_d else vals[:, None]
    if times.size == 0:
        index = pd.DatetimeIndex(np.array([], dtype="datetime64[ns]"), name="ts")
        res = np.zeros((0, v2.shape[1]))
    else:
        bins = _binning(times, f, o, "aggregate")
        index = pd.DatetimeIndex(bins.start_ns.view("datetime64[ns]"), name="ts")
        res = _reduce(v2, bins, how, bool(skipna))
    if two_d:
        return pd.DataFrame(res, index=index, columns=columns)
    return pd.Series(res[:, 0], index=index, name=name)


# -- integrated OFI ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class IntegratedOFI:
    """The result of :func:`integrated_ofi`.

    Attributes
    ----------
    ts : ndarray of int64, shape (N,)
        Start of each time bin (ns), or each row's time when ``freq=None``.
    values : ndarray, shape (N,)
        The integrated OFI :math:`w^\\top \\mathrm{ofi}_t`.
    ofi : ndarray, shape (N, M)
        The depth-normalised multi-level OFI, column m-1 for level m.
    depth : ndarray, shape (N,)
        The common depth :math:`Q_t` each unit was divided by (NaN for an empty bin).
    weights : ndarray, shape (M,)
        The level weights used, :math:`\\sum_m |w_m| = 1` when fitted.
    train : ndarray of bool, shape (N,)
        The units the weights were fitted on (all False when ``weights=`` was given).
    explained : float
        Share of the training window's OFI variance explained by the first principal component
        (NaN when ``weights=`` was given).
    """

    ts: np.ndarray
    values: np.ndarray
    ofi: np.ndarray
    depth: np.ndarray
    weights: np.ndarray
    train: np.ndarray
    explained: float

    def __repr__(self) -> str:
        w = ", ".join(f"{x:.3f}" for x in self.weights)
        return (
            f"IntegratedOFI({self.values.shape[0]} bins, {self.weights.size} levels, weights [{w}], "
            f"first component explains {self.explained:.0%}, trained on {int(np.sum(self.train))} bins)"
        )

    def to_series(self) -> pd.Series:
        """``values`` as a Series indexed by time (``ts``)."""
        return pd.Series(
            self.values, index=pd.DatetimeIndex(self.ts.view("datetime64[ns]"), name="ts"), name="integrated_ofi"
        )

    def to_frame(self) -> pd.DataFrame:
        """``ofi_1 .. ofi_M``, ``depth`` and ``integrated_ofi`` as a DataFrame indexed by time."""
        cols = {f"ofi_{m + 1}": self.ofi[:, m] for m in range(self.ofi.shape[1])}
        cols["depth"] = self.depth
        cols["integrated_ofi"] = self.values
        return pd.DataFrame(cols, index=pd.DatetimeIndex(self.ts.view("datetime64[ns]"), name="ts"))


def _train_mask(train, ts: np.ndarray) -> np.ndarray:
    n = ts.shape[0]
    mask = np.zeros(n, dtype=bool)
    if isinstance(train, slice):
        mask[train] = True
        return mask
    if isinstance(train, tuple) and len(train) == 2:
        lo = -np.inf if train[0] is None else to_ns(train[0])
        hi = np.inf if train[1] is None else to_ns(train[1])
        return (ts >= lo) & (ts < hi)
    if isinstance(train, (float, int, np.floating, np.integer)) and not isinstance(train, (bool, np.bool_)):
        frac = float(train)
        if not (0 < frac <= 1):
            raise ParameterError(f"integrated_ofi(): a train fraction must be in (0, 1], got {train!r}")
        mask[: int(np.floor(frac * n))] = True
        return mask
    raise ParameterError(
        f"integrated_ofi(): train must be a fraction in (0, 1], a slice of positions or a (start, end) "
        f"pair of times, got {train!r}"
    )


def _pc1_weights(x: np.ndarray) -> tuple[np.ndarray, float]:
    """First principal component of the rows of ``x`` (N, M), scaled to unit L1 norm, sign so that it sums > 0."""
    centred = x - x.mean(axis=0)
    cov = centred.T @ centred / max(x.shape[0] - 1, 1)
    vals, vecs = np.linalg.eigh(cov)  # ascending
    top = vals[-1]
    if not (top > 0):
        raise ParameterError("integrated_ofi(): the OFI does not vary over the training window; no principal component")
    if vals.size > 1 and vals[-2] >= top * (1 - 1e-9):
        raise ParameterError(
            "integrated_ofi(): the first principal component is not unique over the training window "
            f"(two largest eigenvalues {vals[-1]:.6g} and {vals[-2]:.6g}); use a longer window"
        )
    w = vecs[:, -1]
    s = w.sum()
    if s < 0 or (s == 0 and w[np.flatnonzero(w)[0]] < 0):
        w = -w
    w = w / np.abs(w).sum()
    return w, float(top / vals.clip(min=0).sum())


def integrated_ofi(
    book,
    levels: int = 10,
    *,
    freq="1min",
    train=0.5,
    weights=None,
    origin="epoch",
    empty: str = "zero",
    tick=None,
) -> IntegratedOFI:
    r"""Integrated OFI: depth-normalised multi-level OFI combined with first-principal-component weights.

    Cont, Cucuringu & Zhang (2023), "Cross-impact of order flow imbalance in equity markets",
    *Quantitative Finance* 23, 1373-1393. For each time bin :math:`(t-h, t]` (``freq`` = h) with
    :math:`\Delta N` events and each level :math:`m = 1..M` (``levels``):

    .. math::
        OFI^{m}_t = \sum_{n \in (t-h, t]} e^m_n, \qquad
        Q^M_t = \frac{1}{M} \sum_{m=1}^{M} \frac{1}{2\,\Delta N}
                 \sum_{n \in (t-h, t]} \left(q^{b,m}_n + q^{a,m}_n\right), \qquad
        \mathrm{ofi}^m_t = OFI^m_t / Q^M_t

    (:math:`e^m_n` from :func:`ofi`; :math:`Q^M_t`, the average depth per level and side over the
    first M levels and the bin's events, is one number per bin shared by every level: a *common*
    normalisation, not a per-level one; empty levels count as size 0). Then

    .. math:: \mathrm{ofi}^I_t = \frac{w_1^\top \mathrm{ofi}_t}{\lVert w_1 \rVert_1}

    with :math:`w_1` the first principal component (of the covariance matrix of the vectors
    :math:`\mathrm{ofi}_t`, centred) fitted on the **training window only**, then applied to every
    bin; its sign is chosen so that the weights sum to a positive number.

    Parameters
    ----------
    levels : M, default 10 as in the paper; at most the book's level count.
    freq : the bin length h (``"10s"``, ``"1min"``...), bins left-closed ``[t, t+h)`` aligned per
        ``origin`` as in :func:`aggregate`. An empty bin has OFI 0 (no events), NaN depth, and
        normalised OFI 0. ``None``: each row is its own interval (:math:`\Delta N = 1`: each event's
        :math:`e^m_n` divided by that row's own average depth).
    train : the units (bins, or rows when ``freq=None``) the weights are fitted on: a fraction in
        (0, 1] (the first fraction of the units; default 0.5), a ``slice`` of unit positions, or a
        ``(start, end)`` pair of times (units starting in ``[start, end)``; either may be None).
        Units with a NaN normalised OFI are left out of the fit.
    weights : reuse weights (M,) fitted before (``result.weights``), e.g. on another day; then
        ``train`` is ignored. Used as given (not renormalised).
    empty, tick : as in :func:`ofi`.

    Returns an :class:`IntegratedOFI` (``.values``, ``.weights``, ``.ofi``, ``.depth``, ``.ts``,
    ``.to_series()``). Raises ParameterError for bad arguments, a training window with fewer than
    two usable units or without variance.
    """
    book = require_book(book, "integrated_ofi")
    levels = _check_levels(levels, book, "integrated_ofi")
    per_row = ofi(book, levels, empty=empty, tick=tick)
    if per_row.ndim == 1:
        per_row = per_row[:, None]
    depth_row = np.empty(len(book))
    _lk.mean_depth(book.bid_sz, book.ask_sz, levels, depth_row)  # one pass, (T, L) read in place
    if freq is None:
        ts = np.array(book.ts)
        flow = per_row
        depth = depth_row
    else:
        f = to_duration_ns(freq, "integrated_ofi(): freq")
        if len(book) == 0:
            raise ParameterError("integrated_ofi(): the book has no rows")
        o = _origin_ns(origin, book.ts, "integrated_ofi")
        bins = _binning(book.ts, f, o, "integrated_ofi")
        ts = bins.start_ns
        flow = _reduce(per_row, bins, "sum", False)
        depth = _reduce(depth_row[:, None], bins, "mean", False)[:, 0]
    normalised = ratio(flow, depth[:, None])
    normalised[flow == 0] = 0.0  # no flow: 0 whatever the depth (an empty bin has no depth)

    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (levels,):
            raise ParameterError(
                f"integrated_ofi(): weights has shape {w.shape}, expected ({levels},) for levels={levels}"
            )
        if not np.all(np.isfinite(w)) or not np.any(w != 0):
            raise ParameterError(f"integrated_ofi(): weights must be finite and not all 0, got {w.tolist()}")
        mask = np.zeros(ts.shape[0], dtype=bool)
        explained = float("nan")
    else:
        mask = _train_mask(train, ts) & np.all(np.isfinite(normalised), axis=1)
        if mask.sum() < 2:
            raise ParameterError(
                f"integrated_ofi(): the training window has {int(mask.sum())} usable unit(s) of {ts.shape[0]}; "
                "need at least 2 (use a larger train window or a shorter freq)"
            )
        if levels == 1:
            w, explained = np.ones(1), 1.0
        else:
            w, explained = _pc1_weights(normalised[mask])
    values = normalised @ w
    return IntegratedOFI(ts=ts, values=values, ofi=normalised, depth=depth, weights=w, train=mask, explained=explained)


__all__ = ["ofi", "integrated_ofi", "IntegratedOFI", "aggregate"]

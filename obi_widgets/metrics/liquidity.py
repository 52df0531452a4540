"""Liquidity: visible depth, order-book slope, the cost of sweeping the book, and price impact
estimated from trades (Kyle's lambda, Amihud's illiquidity)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from .._time import to_duration_ns
from ..errors import ParameterError
from ._common import positive_number, ratio, require_book
from ._flow import bin_count, bin_index, buy_sell_weights, require_trades, time_bins
from ._stats import Regression, ols

_k = lazy_module("._level_kernels", __package__)  # numba loads on the first kernel call

SIDES = ("bid", "ask", "both")
SWEEP_SIDES = ("buy", "sell")
DEPTH_UNITS = ("size", "notional")
REFERENCES = ("mid", "best")
COST_UNITS = ("bps", "price")
FLOWS = ("volume", "dollar", "sqrt_dollar")
RESPONSES = ("mid_change", "log_return")
RETURNS = ("simple", "log")
_REL = 1e-12  # relative tolerance for "within the band" / "enough volume" comparisons made in float


def _check_choice(value, choices, name: str, fn: str):
    if not isinstance(value, str) or value not in choices:
        raise ParameterError(f"{fn}(): {name} must be one of {choices}, got {value!r}")
    return value


def _check_levels(book, levels, fn: str) -> int:
    if levels is None:
        return book.levels
    if isinstance(levels, (bool, np.bool_)) or not isinstance(levels, (int, np.integer)) or levels < 1:
        raise ParameterError(f"{fn}(): levels must be None or an integer >= 1, got {levels!r}")
    if levels > book.levels:
        raise ParameterError(f"{fn}(): levels={levels} but the book has only {book.levels} level(s) per side")
    return int(levels)


# -- depth ------------------------------------------------------------------------------------
def depth(book, levels=None, bps=None, side: str = "both", *, unit: str = "size") -> np.ndarray:
    r"""Visible depth per row: the size resting on the first ``levels`` levels and/or within
    ``bps`` basis points of the mid.

    .. math:: D_t = \sum_{i < L,\ |P_{t,i} - m_t| \le m_t \cdot \text{bps}/10^4} Q_{t,i}

    summed over the bid, the ask, or both sides (``side``). ``levels=None`` takes every level of
    the book; ``bps=None`` applies no price band (the band is inclusive, up to a relative 1e-12 for
    float rounding). ``unit="notional"`` sums price x size instead of size. Depth within a fixed
    number of levels is the classic depth dimension of liquidity (e.g. Harris 2003, *Trading and
    Exchanges*); depth within a band around the mid makes books with different tick sizes and level
    spacings comparable.

    Empty levels count as zero. With ``bps`` set, rows whose mid is undefined (a side empty) are
    NaN; without it, an empty side has depth 0. Returns float64 (T,).
    """
    fn = "depth"
    book = require_book(book, fn)
    n_lv = _check_levels(book, levels, fn)
    _check_choice(side, SIDES, "side", fn)
    _check_choice(unit, DEPTH_UNITS, "unit", fn)
    band = None if bps is None else positive_number(bps, "bps", fn) / 1e4
    out = np.empty(len(book))
    # one compiled pass: NaN sizes as 0, notional, band test and both sides' sums fused
    _k.depth(
        book.bid_px,
        book.bid_sz,
        book.ask_px,
        book.ask_sz,
        n_lv,
        side != "ask",
        side != "bid",
        unit == "notional",
        band is not None,
        0.0 if band is None else band + _REL,
        out,
    )
    return out


# -- slope ------------------------------------------------------------------------------------
def book_slope(book, levels=None, side: str = "both", *, log_volume: bool = True) -> np.ndarray:
    r"""Order-book slope of Næs & Skjeltorp (2006), "Order book characteristics and the
    volume-volatility relation: empirical evidence from a limit order market", *Journal of
    Financial Markets* 9(4), 408-432, per row:

    .. math:: \mathrm{BS}_t = \frac{1}{N^B}\left\{\frac{v^B_1}{|p^B_1/p_0 - 1|}
              + \sum_{\tau=1}^{N^B-1} \frac{v^B_{\tau+1}/v^B_\tau - 1}{|p^B_{\tau+1}/p^B_\tau - 1|}\right\}

    and likewise :math:`\mathrm{AS}_t` on the ask side, where :math:`p_0` is the mid,
    :math:`p_\tau` the price of level :math:`\tau` (1 = best), :math:`N` the number of non-empty
    levels among the first ``levels`` (None = all) and :math:`v_\tau = \ln \sum_{j \le \tau} Q_j`
    the log of the cumulative size (``log_volume=False``: the cumulative size itself, a variant some
    implementations use). It is the average elasticity of depth to price along the book: steeper =
    more liquid. ``side="both"`` gives :math:`(\mathrm{BS}+\mathrm{AS})/2`, their paper's order-book
    slope; ``"bid"`` / ``"ask"`` one side.

    NaN where the mid is undefined, a side is empty, or a term is undefined (a cumulative size of 0,
    or of exactly 1 share when ``log_volume`` makes :math:`v_\tau = 0` a denominator). Returns
    float64 (T,).
    """
    fn = "book_slope"
    book = require_book(book, fn)
    n_lv = _check_levels(book, levels, fn)
    _check_choice(side, SIDES, "side", fn)
    log_volume = bool(log_volume)
    out = np.empty(len(book))
    v = np.empty((len(book), n_lv))  # one (T, levels) buffer, reused for the second side
    for k, name in enumerate(("bid", "ask") if side == "both" else (side,)):
        px = getattr(book, f"{name}_px")
        _k.slope_volume(px, getattr(book, f"{name}_sz"), log_volume, n_lv, v)
        if log_volume:
            np.log(v, out=v)  # numpy's log (its results, bit for bit); NaN stays NaN without a warning
        _k.slope(px, v, book.bid_px, book.ask_px, n_lv, out, k == 1)
    return out


# -- sweep cost ---------------------------------------------------------------------------------
def _sweep(book, qs, side: str, reference: str, unit: str) -> np.ndarray:
    """(T, Q) costs of walking the book for each quantity of ``qs``, one compiled pass over the rows."""
    px, sz = (book.ask_px, book.ask_sz) if side == "buy" else (book.bid_px, book.bid_sz)
    out = np.empty((len(book), len(qs)))
    q = np.asarray(qs, dtype=np.float64)
    _k.sweep(
        px, sz, book.bid_px[:, 0], book.ask_px[:, 0], q, side == "buy", reference == "mid", unit == "bps", _REL, out
    )
    return out


def sweep_cost(book, quantity, side: str = "buy", *, reference: str = "mid", unit: str = "bps") -> np.ndarray:
    r"""Cost of executing ``quantity`` at once by walking the visible book, per row.

    A buy lifts the asks from the best level up until ``quantity`` is filled (a sell hits the bids);
    its average price is

    .. math:: \bar P_t(q) = \frac{1}{q}\sum_i P_{t,i}\,\min\!\big(Q_{t,i},\ (q - C_{t,i-1})^+\big),
              \qquad C_{t,i} = \sum_{j\le i} Q_{t,j}

    and the cost, signed so that it is >= 0 on both sides, is
    :math:`10^4 (\bar P - R)/R` for a buy and :math:`10^4 (R - \bar P)/R` for a sell, in basis
    points (``unit="bps"``), or :math:`\bar P - R` resp. :math:`R - \bar P` in price units
    (``unit="price"``). The reference :math:`R` is the mid (``reference="mid"``, default: includes
    the half-spread, as the "effective cost" of the order) or the same side's best quote
    (``"best"``: the market impact beyond the touch) -- the "cost of round trip"/"XLM" family of
    measures, e.g. Irvine, Benston & Kandel (2000), "Liquidity beyond the inside spread: measuring
    and using information in the limit order book", and the Xetra Liquidity Measure (Gomber,
    Schweickert & Theissen 2015).

    NaN where the visible book is too thin to fill ``quantity`` or the reference is undefined.
    ``quantity`` is in the book's size units. Vectorised over rows. Returns float64 (T,).
    """
    fn = "sweep_cost"
    book = require_book(book, fn)
    q = positive_number(quantity, "quantity", fn)
    _check_choice(side, SWEEP_SIDES, "side", fn)
    _check_choice(reference, REFERENCES, "reference", fn)
    _check_choice(unit, COST_UNITS, "unit", fn)
    return _sweep(book, [q], side, reference, unit).ravel()  # (T, 1) -> (T,), a view


def slippage_curve(book, quantities, side: str = "buy", *, reference: str = "mid", unit: str = "bps") -> np.ndarray:
    r"""The slippage curve: :func:`sweep_cost` for several quantities at once,
    :math:`S_{t,j} = \mathrm{sweep\_cost}_t(q_j)` -- the cost of walking the visible book for
    each ``quantities[j]`` (each a number > 0; any order), same ``side``, ``reference`` and
    ``unit``. Returns float64 (T, Q); NaN where the book is too thin for that quantity."""
    fn = "slippage_curve"
    book = require_book(book, fn)
    qs = np.atleast_1d(np.asarray(quantities, dtype=object))
    if qs.ndim != 1 or qs.size == 0:
        raise ParameterError(f"{fn}(): quantities must be a non-empty 1-D sequence of numbers > 0, got {quantities!r}")
    qv = [positive_number(q, f"quantities[{j}]", fn) for j, q in enumerate(qs)]
    _check_choice(side, SWEEP_SIDES, "side", fn)
    _check_choice(reference, REFERENCES, "reference", fn)
    _check_choice(unit, COST_UNITS, "unit", fn)
    return _sweep(book, qv, side, reference, unit)


# -- price impact from trades ---------------------------------------------------------------------
def _edge_mids(book, edges: np.ndarray) -> np.ndarray:
    """Mid of the book in force just before each edge (last row with ts < edge); NaN before the first row."""
    rows = np.searchsorted(book.ts, edges, side="left") - 1
    out = np.full(edges.shape, np.nan)
    ok = rows >= 0
    r = rows[ok]
    out[ok] = 0.5 * (book.bid_px[r, 0] + book.ask_px[r, 0])
    return out


def _require_positive(values: np.ndarray, what: str, where: str, fn: str) -> None:
    bad = np.flatnonzero(np.isfinite(values) & (values <= 0))
    if bad.size:
        raise ParameterError(
            f"{fn}(): {what} at {where} {bad[0]} is {values[bad[0]].item()!r}, not > 0 ({bad.size} such); "
            "returns and square roots of it are undefined"
        )


def kyle_lambda(
    book,
    trades,
    freq="1min",
    *,
    flow: str = "volume",
    response: str = "mid_change",
    signs=None,
    unknown: str = "exclude",
    drop_empty: bool = False,
    intercept: bool = True,
) -> Regression:
    r"""Kyle's lambda, the price impact of order flow (Kyle 1985, "Continuous auctions and insider
    trading", *Econometrica* 53(6)), estimated by the time-bin regression of Hasbrouck (2009),
    "Trading costs and returns for U.S. equities: estimating effective costs from daily data",
    *Journal of Finance* 64(3), and Goyenko, Holden & Trzcinka (2009):

    .. math:: y_n = \alpha + \lambda\, S_n + \varepsilon_n

    over time bins n of length ``freq`` (from the epoch, from the first trade's bin to the last's).
    Order flow :math:`S_n = \sum_{k \in n} s_k f_k` with :math:`s_k` the trade sign and
    :math:`f_k` = size (``flow="volume"``, Kyle's signed volume), price x size (``"dollar"``) or
    :math:`\sqrt{\text{price} \times \text{size}}` (``"sqrt_dollar"``, Hasbrouck's signed
    square-root dollar volume). Response :math:`y_n` = the change of the mid over the bin
    (``response="mid_change"``, price units) or its log return (``"log_return"``, Hasbrouck), the
    mid at a bin boundary being that of the last book row strictly before it. Hasbrouck's exact
    specification is ``flow="sqrt_dollar", response="log_return", freq="5min"``.

    Signs: ``trades.side`` or ``signs=`` (see :func:`trade_imbalance`); unknown signs are left out
    (``unknown="exclude"``) or raise (``"raise"``). Bins without trades have :math:`S_n = 0` and
    are kept unless ``drop_empty``; bins whose mid is undefined at either end are dropped.
    ``intercept=False`` fits :math:`y = \lambda S`.

    Returns a :class:`Regression`: ``slope`` (lambda), ``intercept``, ``stderr``, ``t_stat``
    (classical OLS standard error, no HAC correction), ``r2``, ``n`` (bins used).
    """
    fn = "kyle_lambda"
    book = require_book(book, fn)
    trades = require_trades(trades, fn)
    _check_choice(flow, FLOWS, "flow", fn)
    _check_choice(response, RESPONSES, "response", fn)
    f_ns = to_duration_ns(freq, "freq")
    if len(trades) == 0 or len(book) == 0:
        raise ParameterError(f"{fn}(): needs trades and a book, got {len(trades)} trade(s) and {len(book)} book row(s)")
    bw, sw = buy_sell_weights(trades, signs, unknown, fn)
    if flow == "volume":
        f = trades.size
    elif flow == "dollar":
        f = trades.price * trades.size
    else:
        dollar = trades.price * trades.size
        _require_positive(dollar, "the dollar volume", "trade", fn)
        f = np.sqrt(dollar)
    bins, start = time_bins(trades.ts, f_ns)
    nb = bin_count(bins, freq, fn)
    s = np.bincount(bins, (bw - sw) * f, nb)
    count = np.bincount(bins, minlength=nb)
    edges = start + f_ns * np.arange(nb + 1, dtype=np.int64)
    m = _edge_mids(book, edges)
    if response == "mid_change":
        y = np.diff(m)
    else:
        _require_positive(m, "the mid", "bin edge", fn)
        lm = np.full(m.shape, np.nan)
        np.log(m, out=lm, where=np.isfinite(m) & (m > 0))
        y = np.diff(lm)
    if drop_empty:
        keep = count > 0
        s, y = s[keep], y[keep]
    return ols(s, y, intercept=intercept, what=fn)


def amihud(trades, freq="1D", *, book=None, returns: str = "simple") -> pd.Series:
    r"""Amihud (2002) illiquidity per time bin, "Illiquidity and stock returns: cross-section and
    time-series effects", *Journal of Financial Markets* 5(1), 31-56:

    .. math:: \mathrm{ILLIQ}_n = \frac{|r_n|}{\mathrm{DVol}_n}, \qquad
              \mathrm{DVol}_n = \sum_{k \in n} P_k v_k

    per bin n of length ``freq`` (default one day, as in the paper; bins from the epoch, from the
    first trade's to the last's). The return :math:`r_n` is close-to-close from the trade prices
    (the last trade price of the bin over that of the previous bin, carried over empty bins), or,
    with ``book=``, from the mid in force at the bin boundaries (last row strictly before each);
    ``returns="simple"`` (Amihud's) or ``"log"``. Amihud's measure for a period is the *mean* of
    these values over its bins (often scaled by 1e6); bins without volume are NaN and are skipped
    by ``Series.mean()``, as Amihud skips zero-volume days. The first bin has no return (NaN).

    Returns a Series ``amihud`` indexed by bin start. Raises ParameterError on prices <= 0.
    """
    fn = "amihud"
    trades = require_trades(trades, fn)
    _check_choice(returns, RETURNS, "returns", fn)
    f_ns = to_duration_ns(freq, "freq")
    if len(trades) == 0:
        return pd.Series([], index=bin_index(0, f_ns, 0), dtype=np.float64, name="amihud")
    bins, start = time_bins(trades.ts, f_ns)
    nb = bin_count(bins, freq, fn)
    dvol = np.bincount(bins, trades.price * trades.size, nb)
    if book is None:
        _require_positive(trades.price, "the price", "trade", fn)
        is_last = np.concatenate((bins[1:] != bins[:-1], [True]))  # times are sorted: bins too
        last = np.full(nb, -1, dtype=np.int64)
        last[bins[is_last]] = np.flatnonzero(is_last)
        close = trades.price[np.maximum.accumulate(last)]  # carried over empty bins (bin 0 has a trade)
        p0, p1 = np.concatenate(([np.nan], close[:-1])), close
    else:
        book = require_book(book, fn)
        edges = start + f_ns * np.arange(nb + 1, dtype=np.int64)
        m = _edge_mids(book, edges)
        _require_positive(m, "the mid", "bin edge", fn)
        p0, p1 = m[:-1], m[1:]
    rel = ratio(p1, p0)
    if returns == "simple":
        r = rel - 1.0
    else:
        r = np.full(rel.shape, np.nan)
        np.log(rel, out=r, where=np.isfinite(rel) & (rel > 0))
    illiq = ratio(np.abs(r), np.where(dvol > 0, dvol, np.nan))
    return pd.Series(illiq, index=bin_index(start, f_ns, nb), name="amihud")

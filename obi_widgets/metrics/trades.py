"""Trade classification (who initiated each trade) and trade-flow imbalance.

- :func:`sign_trades`: tick rule, Lee & Ready (1991), or bulk volume classification (fractional);
- :func:`bvc_buy_fraction`: the per-bar table of bulk volume classification (Easley, López de
  Prado & O'Hara 2012);
- :func:`trade_imbalance`: (buy - sell) / (buy + sell) per time bin or over a rolling window;
- :func:`cumulative_volume_delta`: the running sum of signed volume.

Signs follow :class:`~obi_widgets.Trades`: +1 buyer-initiated, -1 seller-initiated, 0 unknown.
Functions that consume signs take ``signs=None`` (use ``trades.side``) or an array: *integer*
signs in {-1, 0, +1}, where 0 is unknown, or *float* (fractional) signs in [-1, 1] as made by
``sign_trades(method='bvc')``, where a trade of sign s counts (1+s)/2 as buy and (1-s)/2 as sell
(so a float 0 is an even split, not "unknown").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._time import to_duration_ns
from ..errors import ParameterError, TradesError
from ..trades import Trades
from ._common import ratio, require_book
from ._flow import (
    bin_count,
    bin_index,
    buy_sell_weights,
    bvc_sigma,
    check_bucket_volume,
    end_trades,
    require_trades,
    time_bins,
    ts_index,
    volume_boundaries,
)
from ._stats import norm_cdf

METHODS = ("tick", "lee_ready", "bvc")
NO_QUOTE = ("tick", "zero", "raise")
BY = ("volume", "count")
# A trade within this relative distance of the mid counts as "at the mid": (bid + ask) / 2 is
# computed in floating point, and its last bit must never decide a sign.
_MID_RTOL = 1e-9


# -- tick rule ---------------------------------------------------------------------------------
def _tick_rule(price: np.ndarray, first: int) -> np.ndarray:
    n = price.size
    out = np.full(n, first, dtype=np.int8)
    if n < 2:
        return out
    step = np.sign(np.diff(price)).astype(np.int8)  # step[i-1] is trade i's tick
    moved = np.where(step != 0, np.arange(1, n), 0)
    last = np.maximum.accumulate(moved)  # trade index of the last price change, 0 = none yet
    signs = np.concatenate(([np.int8(first)], step))
    out[1:] = signs[last]
    return out


def _check_first(first) -> int:
    if isinstance(first, (bool, np.bool_)) or first not in (-1, 0, 1):
        raise ParameterError(f"first must be -1, 0 or +1, got {first!r}")
    return int(first)


# -- Lee & Ready -------------------------------------------------------------------------------
def _quote_mid(book, ts: np.ndarray, lag_ns: int, inclusive: bool) -> np.ndarray:
    """Mid of the book row in force at ``ts - lag`` (NaN before the first row)."""
    t = ts - lag_ns
    rows = np.searchsorted(book.ts, t, side="right" if inclusive else "left") - 1
    m = np.full(ts.shape, np.nan)
    ok = rows >= 0
    r = rows[ok]
    m[ok] = 0.5 * (book.bid_px[r, 0] + book.ask_px[r, 0])
    return m


def _lee_ready(trades: Trades, book, first: int, lag_ns: int, inclusive: bool, no_quote: str) -> np.ndarray:
    tick = _tick_rule(trades.price, first)
    m = _quote_mid(book, trades.ts, lag_ns, inclusive)
    have = np.isfinite(m)
    diff = np.where(have, trades.price - np.where(have, m, 0.0), 0.0)
    at_mid = np.abs(diff) <= _MID_RTOL * np.abs(np.where(have, m, 0.0))
    out = np.where(at_mid, tick, np.sign(diff).astype(np.int8)).astype(np.int8)
    if not have.all():
        miss = ~have
        if no_quote == "raise":
            r = int(np.flatnonzero(miss)[0])
            raise TradesError(
                f"sign_trades(method='lee_ready'): no two-sided quote for trade {r} "
                f"({pd.Timestamp(int(trades.ts[r]))}): {int(miss.sum())} trade(s) fall before the book's "
                "first row or on a one-sided book; pass no_quote='tick' or 'zero'"
            )
        out[miss] = tick[miss] if no_quote == "tick" else 0
    return out


# -- bulk volume classification ----------------------------------------------------------------
def _bvc_bars(trades: Trades, freq, bar_volume, sigma, fn: str):
    """Bars for BVC: dict of per-bar arrays and the per-trade buy fraction."""
    n = len(trades)
    if n == 0:
        raise TradesError(f"{fn}(): no trades to classify")
    if (freq is None) == (bar_volume is None):
        raise ParameterError(f"{fn}(): give exactly one of freq= (time bars) or bar_volume= (volume bars)")
    price, size = trades.price, trades.size
    if freq is not None:
        f_ns = to_duration_ns(freq, "freq")
        bins, first_bin = time_bins(trades.ts, f_ns)
        starts = np.flatnonzero(np.concatenate(([True], bins[1:] != bins[:-1])))
        ends = np.concatenate((starts[1:] - 1, [n - 1]))
        volume = np.add.reduceat(size, starts)
        start_ns = first_bin + bins[starts] * f_ns
        complete = np.ones(starts.size, dtype=bool)
        bar_of_trade = np.repeat(np.arange(starts.size), np.diff(np.concatenate((starts, [n]))))
    else:
        v = check_bucket_volume(bar_volume, fn, "bar_volume")
        cv, edges, k = volume_boundaries(size, v, fn)
        ends = end_trades(cv, edges)
        volume = np.full(k, v)
        complete = np.ones(k, dtype=bool)
        if cv[-1] - k * v > 1e-12 * cv[-1]:  # an incomplete last bar
            ends = np.concatenate((ends, [n - 1]))
            volume = np.concatenate((volume, [cv[-1] - k * v]))
            complete = np.concatenate((complete, [False]))
        prev_edge = np.concatenate(([0.0], v * np.arange(1, ends.size)))
        starts = np.minimum(np.searchsorted(cv, prev_edge * (1.0 + 1e-12), side="right"), ends)
        start_ns = trades.ts[starts]
        bar_of_trade = None
    close = price[ends]
    dp = np.diff(close, prepend=price[0])
    s = bvc_sigma(dp, sigma, fn, "bars")
    frac = norm_cdf(dp / s)
    if bar_of_trade is not None:
        trade_frac = frac[bar_of_trade]
    else:
        # volume bars: the buy share of a trade is the volume-weighted average over the bars it spans
        bounds = np.concatenate(([0.0], np.cumsum(volume)))
        cum_buy = np.concatenate(([0.0], np.cumsum(volume * frac)))
        at = np.interp(np.concatenate(([0.0], cv)), bounds, cum_buy)
        trade_frac = np.clip(np.diff(at) / size, 0.0, 1.0)
    bars = {
        "start": start_ns,
        "end": trades.ts[ends],
        "volume": volume,
        "close": close,
        "dp": dp,
        "buy_fraction": frac,
        "complete": complete,
    }
    return bars, s, trade_frac


def bvc_buy_fraction(trades, *, freq=None, bar_volume=None, sigma=None) -> pd.DataFrame:
    r"""Bulk volume classification per bar, Easley, López de Prado & O'Hara (2012), "Flow toxicity
    and liquidity in a high-frequency world", *Review of Financial Studies* 25(5), 1457-1493.

    Trades are aggregated into bars, either time bars (``freq='1min'``, the paper's choice; bins on
    whole multiples of ``freq`` from the epoch, empty bins skipped) or volume bars
    (``bar_volume=V``: every bar holds exactly V, a trade straddling a boundary is split, the
    incomplete last bar is kept and flagged ``complete=False``). For bar i:

    .. math:: \Delta P_i = P_i - P_{i-1}, \qquad
              \text{buy fraction}_i = \Phi\!\left(\frac{\Delta P_i}{\sigma_{\Delta P}}\right), \qquad
              V^B_i = V_i \,\text{buy fraction}_i, \quad V^S_i = V_i - V^B_i

    with :math:`P_i` the price of the bar's last trade (for the first bar, :math:`P_{i-1}` is the
    price of the first trade), :math:`\Phi` the standard normal CDF and :math:`\sigma_{\Delta P}` the
    sample standard deviation (ddof=1) of the :math:`\Delta P_i` over all the bars -- note that this
    full-sample estimate looks ahead; pass ``sigma=`` (price units) to fix it from a past sample.

    Returns a DataFrame indexed by the time of each bar's last trade (``ts``), with columns
    ``start`` (bar start for time bars, first trade for volume bars), ``volume``, ``close``, ``dp``,
    ``buy_fraction``, ``buy_volume``, ``sell_volume``, ``complete``; the sigma used is in
    ``df.attrs['sigma']``. Raises TradesError when sigma cannot be estimated (fewer than 2 bars or a
    price that never changes between bars).
    """
    trades = require_trades(trades, "bvc_buy_fraction")
    bars, s, _ = _bvc_bars(trades, freq, bar_volume, sigma, "bvc_buy_fraction")
    out = pd.DataFrame(
        {
            "start": pd.DatetimeIndex(np.asarray(bars["start"], dtype=np.int64).view("datetime64[ns]")),
            "volume": bars["volume"],
            "close": bars["close"],
            "dp": bars["dp"],
            "buy_fraction": bars["buy_fraction"],
            "buy_volume": bars["volume"] * bars["buy_fraction"],
            "sell_volume": bars["volume"] * (1.0 - bars["buy_fraction"]),
            "complete": bars["complete"],
        },
        index=ts_index(bars["end"]),
    )
    out.attrs["sigma"] = s
    return out


# -- public: sign_trades -------------------------------------------------------------------------
def sign_trades(
    trades,
    book=None,
    *,
    method: str = "tick",
    first: int = 0,
    lag=0,
    inclusive: bool = False,
    no_quote: str = "tick",
    freq="1min",
    bar_volume=None,
    sigma=None,
) -> np.ndarray:
    r"""Classify each trade as buyer- (+1) or seller-initiated (-1).

    ``method="tick"`` -- the tick rule (e.g. Lee & Ready 1991, sec. II): a trade above the last
    *different* earlier price is a buy, below it a sell; a zero tick (same price as the previous
    trade) takes the sign of the last price change:

    .. math:: s_i = \operatorname{sign}(P_i - P_{j(i)}),\quad j(i) = \max\{j < i : P_j \ne P_i\}

    Trades before the first price change (the first trade included) get ``first`` (default 0,
    "unknown"; +1 or -1 to force a side). Returns int8 (N,).

    ``method="lee_ready"`` -- Lee & Ready (1991), "Inferring trade direction from intraday data",
    *Journal of Finance* 46(2), 733-746: the quote rule against the mid :math:`m` in force at the
    trade, :math:`s_i = \operatorname{sign}(P_i - m)`, and the tick rule for trades at the mid
    (within a relative 1e-9, so that float rounding of (bid+ask)/2 never decides a sign). The
    quote is the ``book`` row in force just before ``t - lag``: the last row with ``ts < t - lag``
    (``inclusive=False``, the default: in event data such as LOBSTER a book row that shares the
    trade's timestamp shows the book *after* the trade, so the quotes the trade hit are the ones
    strictly before it), or ``ts <= t - lag`` (``inclusive=True``, for feeds whose quote rows are
    stamped before the trades they precede). Lee & Ready used ``lag='5s'`` for 1988 TAQ data,
    whose quotes were stamped late; modern feeds use 0. Trades with no
    two-sided quote (before the book's first row, or a side empty) fall back on the tick rule
    (``no_quote="tick"``), get 0 (``"zero"``) or raise TradesError (``"raise"``). Returns int8 (N,).

    ``method="bvc"`` -- bulk volume classification, Easley, López de Prado & O'Hara (2012), see
    :func:`bvc_buy_fraction`: bars by ``freq`` (time, default '1min') or ``bar_volume`` (volume bars;
    takes precedence over ``freq``); each trade
    gets the *fractional* sign :math:`2\Phi(\Delta P/\sigma_{\Delta P}) - 1 \in [-1, 1]` of its bar
    (for a trade split across volume bars, the volume-weighted average), i.e. a fraction
    :math:`(1+s)/2` of its volume is classified as buys. Returns **float64** (N,); a 0 here is an
    even split, not "unknown". Use :func:`bvc_buy_fraction` for the per-bar table.
    """
    trades = require_trades(trades, "sign_trades")
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}")
    first = _check_first(first)
    if method == "tick":
        return _tick_rule(trades.price, first)
    if method == "lee_ready":
        if book is None:
            raise ParameterError("sign_trades(method='lee_ready') needs the quotes: pass book=")
        book = require_book(book, "sign_trades")
        if no_quote not in NO_QUOTE:
            raise ParameterError(f"no_quote must be one of {NO_QUOTE}, got {no_quote!r}")
        lag_ns = to_duration_ns(lag, "lag", allow_zero=True)
        return _lee_ready(trades, book, first, lag_ns, bool(inclusive), no_quote)
    if bar_volume is not None:
        freq = None
    if len(trades) == 0:
        return np.zeros(0)
    _, _, frac = _bvc_bars(trades, freq, bar_volume, sigma, "sign_trades")
    return 2.0 * frac - 1.0


# -- trade imbalance -----------------------------------------------------------------------------
def trade_imbalance(
    trades, *, freq=None, window=None, by: str = "volume", signs=None, unknown: str = "exclude"
) -> pd.Series:
    r"""Trade-flow imbalance :math:`(B - S) / (B + S) \in [-1, 1]` per time bin or rolling window.

    :math:`B` and :math:`S` are the buyer- and seller-initiated volume (``by="volume"``) or trade
    counts (``by="count"``) -- the order-flow (trade) imbalance of e.g. Chordia & Subrahmanyam
    (2004), "Order imbalance and individual stock returns", *J. Financial Economics* 72(3), whose
    volume and count forms both appear in the literature.

    Exactly one of:

    - ``freq='1min'``: time bins ``[k*freq, (k+1)*freq)`` from the epoch, every bin from the first
      trade's to the last trade's; a Series indexed by bin start, NaN for bins without signed trades;
    - ``window=n`` (int): the last n trades up to and including each trade; ``window='5min'``: the
      trades with time in ``(t - 5min, t]`` up to and including each trade. A Series indexed by
      trade time (one value per trade); with an int window the first n-1 values are NaN.

    Signs: ``signs=None`` uses ``trades.side``; see the module docstring for integer vs fractional
    signs. Trades of unknown sign (integer 0) are left out of both B and S (``unknown="exclude"``)
    or raise TradesError (``"raise"``); all-unknown input always raises.
    """
    trades = require_trades(trades, "trade_imbalance")
    if by not in BY:
        raise ParameterError(f"by must be one of {BY}, got {by!r}")
    if (freq is None) == (window is None):
        raise ParameterError("trade_imbalance(): give exactly one of freq= (time bins) or window= (rolling)")
    n = len(trades)
    if n == 0:
        return pd.Series([], index=ts_index(np.zeros(0, dtype=np.int64)), dtype=np.float64, name="trade_imbalance")
    bw, sw = buy_sell_weights(trades, signs, unknown, "trade_imbalance")
    w = trades.size if by == "volume" else np.ones(n)
    buy, sell = bw * w, sw * w
    known = (bw + sw > 0).astype(np.int64)
    if freq is not None:
        f_ns = to_duration_ns(freq, "freq")
        bins, start = time_bins(trades.ts, f_ns)
        nb = bin_count(bins, freq, "trade_imbalance")
        b = np.bincount(bins, buy, nb)
        s = np.bincount(bins, sell, nb)
        k = np.bincount(bins, known, nb)
        index = bin_index(start, f_ns, nb)
    else:
        cb = np.concatenate(([0.0], np.cumsum(buy)))
        cs = np.concatenate(([0.0], np.cumsum(sell)))
        ck = np.concatenate(([0], np.cumsum(known)))
        end = np.arange(1, n + 1)
        if isinstance(window, (int, np.integer)) and not isinstance(window, (bool, np.bool_)):
            if window < 1:
                raise ParameterError(f"window must be >= 1 trade, got {window}")
            lo = end - int(window)
            valid = lo >= 0
            lo = np.maximum(lo, 0)
        else:
            w_ns = to_duration_ns(window, "window")
            lo = np.searchsorted(trades.ts, trades.ts - w_ns, side="right")
            valid = np.ones(n, dtype=bool)
        b, s, k = cb[end] - cb[lo], cs[end] - cs[lo], ck[end] - ck[lo]
        k = np.where(valid, k, 0)
        index = ts_index(trades.ts)
    tot = np.where(k > 0, b + s, np.nan)  # a window of only unknown trades is NaN, never rounding noise
    imb = np.clip(ratio(b - s, tot), -1.0, 1.0)
    return pd.Series(imb, index=index, name="trade_imbalance")


def cumulative_volume_delta(trades, *, signs=None, unknown: str = "exclude") -> np.ndarray:
    r"""Cumulative volume delta: the running sum of signed volume, one value per trade.

    .. math:: \mathrm{CVD}_i = \sum_{j \le i} (B_j - S_j) = \sum_{j \le i} s_j\, v_j

    (for fractional signs, :math:`B_j - S_j = s_j v_j` as well). Trades of unknown sign (integer 0)
    add nothing (``unknown="exclude"``) or raise TradesError (``"raise"``); all-unknown input always
    raises. Returns float64 (N,) in size units.
    """
    trades = require_trades(trades, "cumulative_volume_delta")
    if len(trades) == 0:
        return np.zeros(0)
    bw, sw = buy_sell_weights(trades, signs, unknown, "cumulative_volume_delta")
    return np.cumsum((bw - sw) * trades.size)

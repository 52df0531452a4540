"""VPIN, the volume-synchronised probability of informed trading, and the equal-volume buckets it
is built on (Easley, López de Prado & O'Hara 2012)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._time import to_duration_ns
from ..errors import ParameterError, TradesError
from ._flow import (
    bvc_sigma,
    check_bucket_volume,
    cumulative_at,
    end_trades,
    require_trades,
    ts_index,
    volume_boundaries,
)
from ._stats import norm_cdf
from .trades import _bvc_bars, _check_first, _tick_rule

CLASSIFICATIONS = ("side", "tick", "bvc")
_COLUMNS = ("start", "first_trade", "last_trade", "close", "buy_volume", "sell_volume", "order_imbalance")


def _buckets(trades, bucket_volume, classification, bvc_bar, sigma, first, fn):
    trades = require_trades(trades, fn)
    v = check_bucket_volume(bucket_volume, fn)
    if classification not in CLASSIFICATIONS:
        raise ParameterError(f"{fn}(): classification must be one of {CLASSIFICATIONS}, got {classification!r}")
    first = _check_first(first)
    n = len(trades)
    if n == 0:
        return None, v
    price, size = trades.price, trades.size
    cv, edges, k = volume_boundaries(size, v, fn)
    if k == 0:
        return None, v
    ends = end_trades(cv, edges)
    starts = np.minimum(np.searchsorted(cv, (edges - v) * (1.0 + 1e-12), side="right"), ends)
    close = price[ends]
    if classification == "bvc" and isinstance(bvc_bar, str) and bvc_bar == "bucket":
        dp = np.diff(close, prepend=price[0])
        s = bvc_sigma(dp, sigma, fn, "buckets")
        buy = v * norm_cdf(dp / s)
    else:
        if classification == "side":
            zero = trades.side == 0
            if zero.any():
                r = int(np.flatnonzero(zero)[0])
                raise TradesError(
                    f"{fn}(classification='side'): {int(zero.sum())} of {n} trades have an unknown side "
                    f"(0; first at row {r}); use classification='tick' or 'bvc', or sign the trades first"
                )
            frac = 0.5 * (1.0 + trades.side)
        elif classification == "tick":
            frac = 0.5 * (1.0 + _tick_rule(price, first))
        else:
            if bvc_bar is None:
                raise ParameterError(f"{fn}(): bvc_bar must be a duration such as '1min' or 'bucket', got None")
            to_duration_ns(bvc_bar, "bvc_bar")  # checked here so that an error names the right argument
            _, _, frac = _bvc_bars(trades, bvc_bar, None, sigma, fn)
        at = cumulative_at(edges, cv, np.cumsum(size * frac))
        buy = np.clip(np.diff(np.concatenate(([0.0], at))), 0.0, v)
    sell = v - buy
    table = {
        "start": trades.ts[starts],
        "first_trade": starts,
        "last_trade": ends,
        "close": close,
        "buy_volume": buy,
        "sell_volume": sell,
        "order_imbalance": np.abs(buy - sell),
        "end": trades.ts[ends],
    }
    return table, v


def volume_buckets(
    trades, bucket_volume, *, classification: str = "side", bvc_bar="1min", sigma=None, first: int = 0
) -> pd.DataFrame:
    r"""The equal-volume buckets of VPIN (Easley, López de Prado & O'Hara 2012), one row per bucket.

    Trades are accumulated in time order into buckets of exactly ``bucket_volume`` (size units):
    bucket k holds the cumulative volume :math:`(kV, (k+1)V]`, and a trade that crosses a boundary
    is split, its volume shared between the buckets (possibly several, for a trade larger than V).
    The incomplete last bucket is dropped. Buy and sell volume per bucket by ``classification``:

    - ``"side"``: ``trades.side`` (+1 buy, -1 sell); any unknown side (0) raises TradesError;
    - ``"tick"``: the tick rule (see :func:`sign_trades`); the trades before the first price change
      get ``first`` and, for ``first=0``, count half buy, half sell;
    - ``"bvc"``: bulk volume classification. As in the paper, with ``bvc_bar='1min'`` (default)
      trades are first aggregated into time bars of that length; a bar's volume (the part of it
      inside the bucket) is classified as buys in the fraction :math:`\Phi(\Delta P_i/\sigma_{\Delta P})`,
      :math:`\Delta P_i` the change of the last trade price from the previous non-empty bar and
      :math:`\sigma_{\Delta P}` the full-sample std of those changes (see :func:`bvc_buy_fraction`):
      :math:`V^B_\tau = \sum_{i \in \tau} V_i\,\Phi(\Delta P_i/\sigma_{\Delta P})`. With
      ``bvc_bar='bucket'`` the bucket is its own bar: :math:`V^B_\tau = V\,\Phi(\Delta P_\tau/\sigma)`
      with :math:`\Delta P_\tau` the change of the closing price between consecutive buckets.
      ``sigma=`` fixes sigma (price units) instead of estimating it over the whole sample.

    Returns a DataFrame indexed by the time of the trade that completes each bucket (``ts``; not
    unique when one trade completes several buckets) with columns ``start`` (time of the bucket's
    first trade), ``first_trade``, ``last_trade`` (trade row numbers), ``close`` (price of the last
    trade), ``buy_volume``, ``sell_volume`` (summing to ``bucket_volume``) and ``order_imbalance``
    :math:`|V^B - V^S|`. No trades, or less than one bucket's volume, gives an empty frame.
    Cumulative volume is summed in float64: exact for integer sizes below 2**53.
    """
    table, _ = _buckets(trades, bucket_volume, classification, bvc_bar, sigma, first, "volume_buckets")
    if table is None:
        empty: dict[str, np.ndarray | pd.DatetimeIndex] = {
            c: np.zeros(0, dtype=np.int64 if c in ("first_trade", "last_trade") else np.float64) for c in _COLUMNS
        }
        empty["start"] = pd.DatetimeIndex([], dtype="datetime64[ns]")
        return pd.DataFrame(empty, index=ts_index(np.zeros(0, dtype=np.int64)))
    data = {c: table[c] for c in _COLUMNS}
    data["start"] = pd.DatetimeIndex(np.asarray(table["start"], dtype=np.int64).view("datetime64[ns]"))
    return pd.DataFrame(data, index=ts_index(table["end"]))


def vpin(
    trades,
    bucket_volume,
    window: int = 50,
    classification: str = "side",
    *,
    bvc_bar="1min",
    sigma=None,
    first: int = 0,
) -> pd.Series:
    r"""VPIN, Easley, López de Prado & O'Hara (2012), "Flow toxicity and liquidity in a
    high-frequency world", *Review of Financial Studies* 25(5), 1457-1493, eq. (4):

    .. math:: \mathrm{VPIN}_k = \frac{\sum_{\tau=k-n+1}^{k} |V^B_\tau - V^S_\tau|}{n V}

    over the last :math:`n` = ``window`` equal-volume buckets of volume :math:`V` =
    ``bucket_volume`` (the paper: :math:`V` = average daily volume / 50 and :math:`n = 50`). The
    buckets, the splitting of trades across them and the buy/sell classification
    (``classification="side" | "tick" | "bvc"``, ``bvc_bar``, ``sigma``, ``first``) are those of
    :func:`volume_buckets`. As each bucket holds exactly V, :math:`V^B_\tau + V^S_\tau = V` and
    VPIN is in [0, 1].

    Returns a Series ``vpin`` with one value per complete bucket, indexed by the time of the trade
    that completes the bucket; the first ``window - 1`` values are NaN (not enough buckets yet).
    The incomplete last bucket is dropped.

    Choosing the BVC bars: a bucket that lies inside a single bar gets
    :math:`|V^B - V^S|/V = |2\Phi(Z) - 1|` with :math:`Z = \Delta P/\sigma`, whose mean is 1/2 for
    a standard normal Z whatever the order flow. So bulk-classified VPIN drifts to about 0.5 when
    buckets are much smaller than ``bvc_bar``; keep the bars several times shorter than a bucket
    takes to fill (or use ``bvc_bar="bucket"``, which has the same mean but one draw per bucket).
    """
    if isinstance(window, (bool, np.bool_)) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ParameterError(f"vpin(): window must be an integer >= 1 (buckets), got {window!r}")
    table, v = _buckets(trades, bucket_volume, classification, bvc_bar, sigma, first, "vpin")
    if table is None:
        return pd.Series([], index=ts_index(np.zeros(0, dtype=np.int64)), dtype=np.float64, name="vpin")
    oi = table["order_imbalance"]
    c = np.concatenate(([0.0], np.cumsum(oi)))
    out = np.full(oi.size, np.nan)
    w = int(window)
    if oi.size >= w:
        out[w - 1 :] = np.clip((c[w:] - c[:-w]) / (w * v), 0.0, 1.0)
    return pd.Series(out, index=ts_index(table["end"]), name="vpin")

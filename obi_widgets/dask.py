"""Many days with Dask: a Parquet store (:mod:`obi_widgets.io.parquet`) as a Dask DataFrame, metrics per
partition with the previous rows carried over, and per instrument-day aggregations as small pandas frames.

Needs the ``[dask]`` extra (``dask[dataframe]``, ``distributed``); Dask is imported inside the
functions, so ``import obi_widgets`` never loads it. Every function computes with Dask's current
scheduler: the default threads, or whatever ``distributed.Client`` is active (a ``LocalCluster`` in
a notebook, or ``Client("tcp://scheduler:8786")`` for any cluster): the same code runs on all of
them. Workers read the Parquet files themselves, so on a cluster the store's ``root`` must be a
path every worker sees (a shared filesystem).

- :func:`open_store`: one partition per instrument-day file (``split="file"``) or per row group
  (``split="row_group"``, i.e. per chunk written), in (instrument, time) order; columns ``ts``,
  ``bid_px_1 ..`` (books) or ``price, size, side`` (trades), ``instrument``, ``date``.
- :func:`map_book`: any per-row metric of a :class:`~obi_widgets.Book`, per partition, each
  partition's book starting with the previous partition's last ``carry`` rows of the same
  instrument, so that OFI (needs the previous row) and forward returns over ``h`` rows
  (``align="forward"``, ``carry=h``) equal the single-process result on the whole series, bit for bit.
- :func:`per_day`: the same row metric gathered per instrument-day, then reduced by a function of
  the day (exact: the day's values in time order, whatever the partitioning).
- Ready-made days: :func:`ofi_regressions` (Cont, Kukanov & Stoikov 2014), :func:`imbalance_profiles`
  (Gould & Bonart 2016), :func:`vpin_by_day` (Easley, López de Prado & O'Hara 2012) and
  :func:`daily_summary` (spread, depth, imbalance, OFI, prices).

Carried rows cross day boundaries within an instrument (the first row of a day's OFI uses the
previous day's last book, as on the whole series), never between instruments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._dask_store import Piece, apply_rows, load_piece, map_book, open_store, per_day
from .errors import ParameterError


# -- ready-made days ------------------------------------------------------------------------------------
def _ofi_mid(book) -> pd.DataFrame:
    from .metrics import mid, ofi

    return pd.DataFrame({"ofi": ofi(book), "mid": mid(book)})


@dataclass(frozen=True)
class _OfiDay:
    freq: Any

    def __call__(self, day: pd.DataFrame) -> dict:
        return ofi_regression_of_day(day["ts"].to_numpy(), day["ofi"].to_numpy(), day["mid"].to_numpy(), self.freq)


def ofi_regression_of_day(ts: np.ndarray, ofi_rows: np.ndarray, mid_rows: np.ndarray, freq="10s") -> dict:
    r"""The Cont, Kukanov & Stoikov (2014) regression of one day, from its per-row OFI and mid.

    Bins of ``freq`` (aligned on the epoch, :func:`~obi_widgets.metrics.aggregate`):
    :math:`\mathrm{OFI}_k = \sum_{n \in k} e_n` and :math:`\Delta P_k = P_k - P_{k-1}` with
    :math:`P_k` the mid in force at the end of bin k (last row's mid, carried through empty bins);
    then OLS :math:`\Delta P_k = \alpha + \beta\, \mathrm{OFI}_k + \varepsilon_k` over the bins
    after the first (:func:`~obi_widgets.metrics.regress`). Cont, Kukanov & Stoikov, "The price
    impact of order book events", *J. Financial Econometrics* 12(1), 47-88. Returns slope,
    intercept, stderr, t_stat, r2, n (NaN statistics when fewer than 3 bins or no OFI variation).
    """
    from .metrics import aggregate, regress

    nan = {"slope": math.nan, "intercept": math.nan, "stderr": math.nan, "t_stat": math.nan, "r2": math.nan, "n": 0}
    if len(ts) == 0:
        return nan
    flow = aggregate(ofi_rows, ts, freq, "sum").to_numpy()
    price = aggregate(mid_rows, ts, freq, "last").ffill().to_numpy()
    try:
        fit = regress(flow[1:], np.diff(price))
    except ParameterError:
        return nan
    return fit.to_dict()


def _frame(results: dict, index_names=("instrument", "date")) -> pd.DataFrame:
    keys = sorted(results)
    frame = pd.DataFrame([results[k] for k in keys], index=pd.MultiIndex.from_tuples(keys, names=list(index_names)))
    return frame


def ofi_regressions(store, freq="10s", *, scheduler=None) -> pd.DataFrame:
    r"""Per instrument-day OLS of mid changes on order-flow imbalance (Cont, Kukanov & Stoikov 2014).

    :math:`\Delta P_k = \alpha + \beta\, \mathrm{OFI}_k + \varepsilon_k` over the ``freq`` bins of
    each day (see :func:`ofi_regression_of_day`), with level-1 OFI
    :math:`e_n = \mathbb 1\{P^b_n \ge P^b_{n-1}\} q^b_n - \mathbb 1\{P^b_n \le P^b_{n-1}\} q^b_{n-1}
    - \mathbb 1\{P^a_n \le P^a_{n-1}\} q^a_n + \mathbb 1\{P^a_n \ge P^a_{n-1}\} q^a_{n-1}` computed
    over the whole series (the previous row carried across partitions and days). Cont, Kukanov &
    Stoikov, "The price impact of order book events", *J. Financial Econometrics* 12(1), 2014.
    Returns a frame indexed by (instrument, date): slope, intercept, stderr, t_stat, r2, n.
    """
    return _frame(per_day(store, _ofi_mid, _OfiDay(freq), carry=1, scheduler=scheduler))


@dataclass(frozen=True)
class _ImbalanceMove:
    horizon: int

    def __call__(self, book) -> pd.DataFrame:
        from .metrics import forward_return, level1_imbalance

        return pd.DataFrame({"signal": level1_imbalance(book), "move": forward_return(book, self.horizon)})


@dataclass(frozen=True)
class _ProfileDay:
    bins: Any
    binning: str

    def __call__(self, day: pd.DataFrame):
        from .metrics import imbalance_profile

        try:
            return imbalance_profile(day["signal"].to_numpy(), day["move"].to_numpy(), self.bins, binning=self.binning)
        except ParameterError:
            return None


def imbalance_profiles(store, horizon: int = 1, bins=10, *, binning: str = "quantile", scheduler=None) -> pd.DataFrame:
    r"""Per instrument-day profile of the mid move ``horizon`` rows ahead by level-1 imbalance bucket.

    Signal :math:`I_t = (Q^b_t - Q^a_t)/(Q^b_t + Q^a_t)`, move :math:`\Delta_t = m_{t+h} - m_t`
    (:func:`~obi_widgets.metrics.forward_return`, rows carried across partitions so the last rows
    of a partition are exact; the move of a day's last rows reaches into the next day, as on the
    whole series), bucketed per day by :func:`~obi_widgets.metrics.imbalance_profile` (``bins``,
    ``binning``): count, signal_mean, move_mean, p_up :math:`= P(\Delta > 0 \mid \Delta \ne 0)`,
    p_zero. Gould & Bonart (2016), "Queue imbalance as a one-tick-ahead price predictor in a limit
    order book", *Market Microstructure and Liquidity* 2(2). Returns a frame indexed by
    (instrument, date, bucket).
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError(f"imbalance_profiles: horizon must be an int >= 1 (rows), got {horizon!r}")
    res = per_day(
        store,
        _ImbalanceMove(int(horizon)),
        _ProfileDay(bins, binning),
        carry=int(horizon),
        align="forward",
        scheduler=scheduler,
    )
    frames = {k: v for k, v in sorted(res.items()) if v is not None}
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, names=["instrument", "date"])


def _trade_rows(trades) -> pd.DataFrame:
    return pd.DataFrame({"price": trades.price, "size": trades.size, "side": trades.side})


@dataclass(frozen=True)
class _VpinDay:
    bucket_volume: Any
    window: int
    classification: str

    def __call__(self, day: pd.DataFrame) -> dict:
        from .metrics import vpin
        from .trades import Trades

        trades = Trades(
            day["ts"].to_numpy(),
            day["price"].to_numpy(),
            day["size"].to_numpy(),
            day["side"].to_numpy(),
            validate=False,
        )
        volume = float(np.sum(trades.size))
        v = volume / 50.0 if self.bucket_volume is None else float(self.bucket_volume)
        row = {"trades": len(trades), "volume": volume, "bucket_volume": v}
        series = vpin(trades, v, self.window, self.classification) if v > 0 else pd.Series([], dtype=np.float64)
        values = series.to_numpy()
        finite = values[np.isfinite(values)]
        row["buckets"] = int(values.size)
        row["vpin_mean"] = float(finite.mean()) if finite.size else math.nan
        row["vpin_max"] = float(finite.max()) if finite.size else math.nan
        row["vpin_last"] = float(finite[-1]) if finite.size else math.nan
        return row


def vpin_by_day(
    store, bucket_volume=None, window: int = 50, classification: str = "side", *, scheduler=None
) -> pd.DataFrame:
    r"""VPIN per instrument-day from a trades store (``open_store(root, "trades")`` or its root).

    :math:`\mathrm{VPIN}_k = \sum_{\tau=k-n+1}^{k} |V^B_\tau - V^S_\tau| / (nV)` over the last
    ``window`` = n equal-volume buckets of volume V (:func:`~obi_widgets.metrics.vpin`); Easley,
    López de Prado & O'Hara (2012), "Flow toxicity and liquidity in a high-frequency world", *Review
    of Financial Studies* 25(5). Buckets restart each day. ``bucket_volume``: V (size units), or
    None for each day's volume / 50 (the paper's choice with the day's own volume). Returns a frame
    indexed by (instrument, date): trades, volume, bucket_volume, buckets, vpin_mean, vpin_max,
    vpin_last (NaN when fewer than ``window`` buckets).
    """
    day = _VpinDay(bucket_volume, int(window), classification)
    if isinstance(store, (str, Path)):
        store = open_store(store, "trades")
    return _frame(per_day(store, _trade_rows, day, carry=0, kind="trades", scheduler=scheduler))


def _liquidity_rows(book) -> pd.DataFrame:
    from .metrics import depth, level1_imbalance, mid, ofi, spread

    m = mid(book)
    return pd.DataFrame(
        {
            "mid": m,
            "spread": spread(book),
            "depth": depth(book),
            "imbalance": level1_imbalance(book),
            "ofi": ofi(book),
        }
    )


def _liquidity_day(day: pd.DataFrame) -> dict:
    m = day["mid"].to_numpy()
    s = day["spread"].to_numpy()
    ok = np.isfinite(m)
    rel = np.full(len(m), np.nan)
    np.divide(s * 1e4, m, out=rel, where=ok & (m != 0))

    def mean(x):
        x = x[np.isfinite(x)]
        return float(x.mean()) if x.size else math.nan

    mids = m[ok]
    ts = day["ts"].to_numpy()
    spreads = s[np.isfinite(s)]
    return {
        "rows": len(day),
        "start": pd.Timestamp(int(ts[0])) if len(ts) else pd.NaT,
        "end": pd.Timestamp(int(ts[-1])) if len(ts) else pd.NaT,
        "mid_open": float(mids[0]) if mids.size else math.nan,
        "mid_high": float(mids.max()) if mids.size else math.nan,
        "mid_low": float(mids.min()) if mids.size else math.nan,
        "mid_close": float(mids[-1]) if mids.size else math.nan,
        "spread_mean": mean(s),
        "spread_median": float(np.median(spreads)) if spreads.size else math.nan,
        "spread_bps_mean": mean(rel),
        "depth_mean": mean(day["depth"].to_numpy()),
        "imbalance_mean": mean(day["imbalance"].to_numpy()),
        "ofi_sum": float(np.sum(day["ofi"].to_numpy())),
    }


def daily_summary(store, *, scheduler=None) -> pd.DataFrame:
    r"""Daily liquidity per instrument-day: one row each, means over the day's book rows (event-weighted).

    Columns: rows, start, end; mid_open/high/low/close (mid :math:`m = (P^b + P^a)/2`);
    spread_mean, spread_median (:math:`P^a - P^b`), spread_bps_mean (:math:`10^4 (P^a - P^b)/m`);
    depth_mean (all stored levels, both sides, :func:`~obi_widgets.metrics.depth`; Harris 2003,
    *Trading and Exchanges*); imbalance_mean (level-1 :math:`(Q^b - Q^a)/(Q^b + Q^a)`, Gould & Bonart
    2016); ofi_sum (level-1 OFI of Cont, Kukanov & Stoikov 2014, summed over the day). Rows with a
    side empty are left out of the means.
    """
    return _frame(per_day(store, _liquidity_rows, _liquidity_day, carry=1, scheduler=scheduler))


__all__ = [
    "open_store",
    "load_piece",
    "map_book",
    "apply_rows",
    "per_day",
    "ofi_regressions",
    "ofi_regression_of_day",
    "imbalance_profiles",
    "vpin_by_day",
    "daily_summary",
    "Piece",
]

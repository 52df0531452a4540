"""Helpers shared by the trade-flow metrics (not public): argument checks, time bins,
trade signs and the equal-volume split used by bulk volume classification and VPIN."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError, TradesError
from ..trades import Trades
from ._common import positive_number

UNKNOWN = ("exclude", "raise")
# Upper bound on the bins or buckets a call may create, so that a too-fine freq or a tiny
# bucket_volume is an error naming the cause rather than a MemoryError (or a frozen machine).
MAX_BINS = 50_000_000


def require_trades(trades, fn: str) -> Trades:
    if not isinstance(trades, Trades):
        raise ParameterError(f"{fn}() expects an obi_widgets.Trades, got {type(trades).__name__}")
    return trades


def time_bins(ts: np.ndarray, freq_ns: int) -> tuple[np.ndarray, int]:
    """(bin number of each time relative to the first bin, first bin's start in ns).

    Bins are ``[k*freq, (k+1)*freq)`` counted from the Unix epoch, so '1min' bins start on whole
    minutes and '1D' bins at midnight (of the timestamps' own clock, UTC for tz-aware input).
    """
    b = np.floor_divide(ts, freq_ns)
    b0 = int(b[0]) if b.size else 0
    return b - b0, b0 * freq_ns


def bin_count(bins: np.ndarray, freq, fn: str) -> int:
    """Number of time bins from the first trade's to the last trade's, checked against MAX_BINS."""
    nb = int(bins[-1]) + 1
    if nb > MAX_BINS:
        raise ParameterError(
            f"{fn}(): freq={freq!r} makes {nb:,} bins between the first and the last trade "
            f"(limit {MAX_BINS:,}); use a coarser freq or slice the trades"
        )
    return nb


def bin_index(start_ns: int, freq_ns: int, count: int) -> pd.DatetimeIndex:
    ns = start_ns + freq_ns * np.arange(count, dtype=np.int64)
    return pd.DatetimeIndex(ns.view("datetime64[ns]"), name="ts")


def ts_index(ts: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(ts, dtype=np.int64).view("datetime64[ns]"), name="ts")


def signs_of(trades: Trades, signs, fn: str) -> np.ndarray:
    """The trade signs as float64 in [-1, 1] and whether they are discrete (int dtype).

    ``None`` takes ``trades.side``. Integer arrays must hold -1, 0, +1 (0 = unknown); float arrays
    are fractional signs in [-1, 1] (bulk volume classification), where 0 is an even split.
    """
    if signs is None:
        return trades.side
    s = np.asarray(signs)
    if s.shape != (len(trades),):
        raise ParameterError(f"{fn}(): signs has shape {s.shape}, expected ({len(trades)},) like the trades")
    if s.dtype == bool or not (np.issubdtype(s.dtype, np.integer) or np.issubdtype(s.dtype, np.floating)):
        raise ParameterError(
            f"{fn}(): signs must be integers in {{-1, 0, 1}} or floats in [-1, 1], got dtype {s.dtype}"
        )
    if np.issubdtype(s.dtype, np.integer):
        ok = np.isin(s, (-1, 0, 1))
        if not ok.all():
            r = int(np.flatnonzero(~ok)[0])
            raise ParameterError(f"{fn}(): integer sign at row {r} is {s[r].item()!r}; expected -1, 0 or +1")
        return s
    ok = (s >= -1.0) & (s <= 1.0)  # NaN fails both
    if not ok.all():
        r = int(np.flatnonzero(~ok)[0])
        raise ParameterError(f"{fn}(): fractional sign at row {r} is {s[r].item()!r}; expected a number in [-1, 1]")
    return s


def buy_sell_weights(trades: Trades, signs, unknown: str, fn: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-trade buy and sell shares (each in [0, 1]) from the signs.

    A sign s gives buy (1+s)/2 and sell (1-s)/2. An *integer* sign of 0 means unknown: with
    ``unknown='exclude'`` it counts as neither (both shares 0), with ``'raise'`` it is an error.
    Whatever ``unknown`` says, input whose signs are all unknown is an error: every result would
    be NaN or 0 for a reason the caller should hear about (unsigned data, e.g. trades without side).
    """
    if unknown not in UNKNOWN:
        raise ParameterError(f"{fn}(): unknown must be one of {UNKNOWN}, got {unknown!r}")
    s = signs_of(trades, signs, fn)
    src = "trades.side" if signs is None else "signs"
    if np.issubdtype(s.dtype, np.integer):
        zero = s == 0
        if zero.any():
            if unknown == "raise" or zero.all():
                r = int(np.flatnonzero(zero)[0])
                what = f"all {s.size} trades have" if zero.all() else f"{int(zero.sum())} trade(s) have"
                raise TradesError(
                    f"{fn}(): {what} an unknown sign (0 in {src}; first at row {r}); sign them with "
                    "obi_widgets.metrics.sign_trades(...) and pass signs=..."
                    + ("" if zero.all() else ", or pass unknown='exclude' to leave them out")
                )
        known = (~zero).astype(np.float64)
        sf = s.astype(np.float64)
        return known * 0.5 * (1.0 + sf), known * 0.5 * (1.0 - sf)
    sf = s.astype(np.float64)
    return 0.5 * (1.0 + sf), 0.5 * (1.0 - sf)


def volume_boundaries(size: np.ndarray, bucket_volume: float, fn: str = "") -> tuple[np.ndarray, np.ndarray, int]:
    """Cumulative volume (N,), the complete buckets' end boundaries (K,) and K.

    Bucket k covers cumulative volume ``(k*V, (k+1)*V]``; a trade straddling a boundary is split.
    The count of complete buckets tolerates a relative rounding of 1e-12 in the cumulative sum,
    so that sizes like 0.1 still fill a bucket of 0.3.
    """
    cv = np.cumsum(size, dtype=np.float64)
    total = float(cv[-1]) if cv.size else 0.0
    k = int(np.floor(total / bucket_volume * (1.0 + 1e-12))) if total > 0 else 0
    if k > MAX_BINS:
        raise ParameterError(
            f"{fn}(): a volume of {bucket_volume!r} per bucket makes {k:,} buckets (limit {MAX_BINS:,}) "
            f"for a total volume of {total!r}; use larger buckets"
        )
    edges = bucket_volume * np.arange(1, k + 1, dtype=np.float64)
    return cv, edges, k


def end_trades(cv: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the trade that completes each bucket: the first whose cumulative volume reaches the edge."""
    idx = np.searchsorted(cv, edges * (1.0 - 1e-12), side="left")
    return np.minimum(idx, cv.size - 1)


def cumulative_at(edges: np.ndarray, cv: np.ndarray, cum_value: np.ndarray) -> np.ndarray:
    """A per-trade cumulative quantity (linear within a trade) read at cumulative-volume ``edges``."""
    xp = np.concatenate(([0.0], cv))
    fp = np.concatenate(([0.0], cum_value))
    return np.interp(edges, xp, fp)


def check_bucket_volume(bucket_volume, fn: str, name: str = "bucket_volume") -> float:
    return positive_number(bucket_volume, name, fn)


def bvc_sigma(dp: np.ndarray, sigma, fn: str, what: str) -> float:
    """The sigma of bulk volume classification: ``sigma`` if given (checked), else the sample std
    (ddof=1) of the price changes ``dp`` between consecutive ``what`` (bars or buckets)."""
    if sigma is not None:
        return positive_number(sigma, "sigma (None or a number)", fn)
    if dp.size < 2:
        raise TradesError(
            f"{fn}(): only {dp.size} {what}; sigma (the std of {what} price changes) needs at least 2, "
            f"use smaller {what} or pass sigma="
        )
    s = float(np.std(dp, ddof=1))
    if not s > 0:
        raise TradesError(
            f"{fn}(): the price does not change between any of the {dp.size} {what}, so the standard "
            "deviation of their price changes is 0 and bulk volume classification is undefined"
        )
    return s

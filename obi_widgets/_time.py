"""Conversions of user-supplied times to int64 nanoseconds since the Unix epoch (UTC)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import TimestampError


def to_ns(value) -> int:
    """One point in time as int nanoseconds since the epoch.

    Accepts an int (already ns), ``numpy.datetime64``, ``pandas.Timestamp``, ``datetime`` or an
    ISO string. Naive times are taken as UTC.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TimestampError(f"cannot use a boolean ({value!r}) as a time")
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise TimestampError(f"cannot read {value!r} as a time: {exc}") from None
    if ts is pd.NaT:
        raise TimestampError(f"{value!r} is not a time (NaT)")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(ts.value)


def as_ns_array(ts, what: str = "ts") -> np.ndarray:
    """A 1-D int64 array of ns from ints, datetime64 values or a DatetimeIndex."""
    if isinstance(ts, pd.DatetimeIndex | pd.Series) and getattr(ts.dtype, "tz", None) is not None:
        ts = (
            ts.tz_convert("UTC").tz_localize(None)
            if isinstance(ts, pd.DatetimeIndex)
            else ts.dt.tz_convert("UTC").dt.tz_localize(None)
        )
    arr = np.asarray(ts)
    if arr.ndim != 1:
        raise TimestampError(f"{what} must be one-dimensional, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.datetime64):
        if np.isnat(arr).any():
            raise TimestampError(f"{what} has NaT at row {int(np.flatnonzero(np.isnat(arr))[0])}")
        return np.ascontiguousarray(arr.astype("datetime64[ns]").view(np.int64))
    if np.issubdtype(arr.dtype, np.integer):
        return np.ascontiguousarray(arr, dtype=np.int64)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    raise TimestampError(f"{what} must be int64 nanoseconds or datetime64 values, got dtype {arr.dtype}")


def format_ns(ns: int) -> str:
    """ISO-like text of a ns timestamp, to the microsecond, for labels and messages."""
    return str(pd.Timestamp(int(ns)))


def first_decrease(ts: np.ndarray) -> int | None:
    """Index of the first row whose time is earlier than the row before it, or None."""
    if ts.size < 2:
        return None
    bad = np.flatnonzero(ts[1:] < ts[:-1])
    return int(bad[0]) + 1 if bad.size else None

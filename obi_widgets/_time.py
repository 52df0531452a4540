"""Conversions of user-supplied times to int64 nanoseconds since the Unix epoch (UTC), of durations to
int ns, and the time-order checks shared by Book, Trades and the loaders."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from .errors import ParameterError, TimestampError


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


def check_time_order(
    ts: np.ndarray, *, what: str = "timestamps", place: Callable[[int], str] = lambda r: f"row {r}", hint: str = ""
) -> None:
    """Raise :class:`~obi_widgets.errors.TimestampError` naming the first row whose time is earlier
    than the row before it: ``{what} go backwards at {place(r)}: {time} after {previous time}{hint}``."""
    bad = first_decrease(ts)
    if bad is not None:
        raise TimestampError(
            f"{what} go backwards at {place(bad)}: {format_ns(ts[bad])} after {format_ns(ts[bad - 1])}{hint}"
        )


class RowOrderError(TimestampError, IndexError):
    """Row indices that would put a time series out of time order (both a TimestampError and an
    IndexError: the index is wrong, and the result would have backwards timestamps)."""


def row_index(index, n: int, what: str) -> slice | np.ndarray:
    """A row index of a time series of ``n`` rows as a slice or an increasing int / bool array.

    An int (negative counts from the end) becomes a one-row slice; a slice stays as is; a bool
    mask must have shape (n,); int arrays must not decrease (equal indices repeat a row), or
    :class:`RowOrderError` names the first row that comes after a later one. ``what`` names the
    series in messages ("a book of 5 rows", "5 trades").
    """
    if isinstance(index, (bool, np.bool_)):
        raise IndexError(f"cannot index {what} with a boolean ({index!r})")
    if isinstance(index, (int, np.integer)):
        i = int(index)
        if not -n <= i < n:
            raise IndexError(f"row {i} is out of range for {what}")
        i %= n
        return slice(i, i + 1)
    if isinstance(index, slice):
        return index
    idx = np.asarray(index)
    if idx.dtype == bool:
        if idx.shape != (n,):
            raise IndexError(f"boolean mask has shape {idx.shape}, expected ({n},)")
        return idx
    if not np.issubdtype(idx.dtype, np.integer) and idx.size:
        raise IndexError(f"cannot index {what} with {type(index).__name__} of dtype {idx.dtype}")
    idx = idx.astype(np.int64)
    if idx.ndim != 1:
        raise IndexError(f"row indices must be one-dimensional, got shape {idx.shape}")
    back = np.flatnonzero(np.diff(idx) < 0)
    if back.size:
        k = int(back[0]) + 1
        raise RowOrderError(
            f"row indices must be increasing to keep time order: row {int(idx[k])} (position {k}) comes after "
            f"row {int(idx[k - 1])}"
        )
    return idx


def between_slice(ts: np.ndarray, start=None, end=None) -> slice:
    """The rows with ``start <= ts < end`` of a sorted ``ts`` (either bound may be None)."""
    lo = 0 if start is None else int(np.searchsorted(ts, to_ns(start), side="left"))
    hi = ts.shape[0] if end is None else int(np.searchsorted(ts, to_ns(end), side="left"))
    return slice(lo, max(lo, hi))


def to_duration_ns(value, what: str = "duration", *, allow_zero: bool = False) -> int:
    """A duration as int nanoseconds, or :class:`~obi_widgets.errors.ParameterError` naming ``what``.

    Accepts a string pandas reads as a fixed duration (``"5s"``, ``"100ms"``, ``"1min"``, ``"1D"``),
    a ``pandas.Timedelta``, a ``numpy.timedelta64``, a ``datetime.timedelta`` or an int (already
    ns). Refuses booleans, floats (their unit would be a guess), NaT, calendar units with no fixed
    length (``"1M"``), and durations <= 0 (< 0 with ``allow_zero``).
    """
    if isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{what} must be a duration such as '5s' or '100ms', got {value!r}")
    if value is pd.NaT:
        raise ParameterError(f"{what}={value!r} is not a duration (NaT)")
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.timedelta64):  # timedelta64 is an integer
        ns = int(value)
    elif isinstance(value, (float, np.floating)):
        raise ParameterError(
            f"{what}={value!r} is a float and its unit would be a guess; pass a duration such as '5s' or '100ms', "
            "a Timedelta, or int nanoseconds"
        )
    elif isinstance(value, (str, pd.Timedelta, np.timedelta64, _dt.timedelta)):
        try:
            td = pd.Timedelta(value)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ParameterError(f"cannot read {what}={value!r} as a duration such as '5s' or '100ms': {exc}") from None
        if td is pd.NaT:
            raise ParameterError(f"{what}={value!r} is not a duration (NaT)")
        ns = int(td.value)
    else:
        raise ParameterError(
            f"{what} must be a duration such as '5s' or '100ms' (str, Timedelta, timedelta64 or int nanoseconds), "
            f"got {type(value).__name__} {value!r}"
        )
    if ns < 0 or (ns == 0 and not allow_zero):
        raise ParameterError(f"{what} must be a positive duration{' or 0' if allow_zero else ''}, got {value!r}")
    return ns

"""ccxt order-book snapshots (https://github.com/ccxt/ccxt): ``fetch_order_book`` / ``watch_order_book``.

A ccxt order book is a dict (ccxt's ``OrderBook`` is a dict subclass)::

    {'bids': [[price, amount], ...],   # best (highest) first, strictly decreasing prices
     'asks': [[price, amount], ...],   # best (lowest) first, strictly increasing prices
     'timestamp': 1711537208403,       # int milliseconds since the epoch (UTC), or None
     'datetime': '2024-03-27T11:00:08.403Z',  # ISO 8601 text of the same time, or None
     'nonce': ..., 'symbol': 'LTC/USDT'}

Entries may carry a third element -- an order count (``[price, amount, count]``, e.g. okx,
bitfinex) or an order id (ccxt's indexed books) -- which is ignored. Prices and amounts may be
numbers or numeric strings. Only ``bids`` and ``asks`` are required; the time comes from
``timestamp`` (ms), else from ``datetime``.

Each snapshot becomes one row of a :class:`~obi_widgets.Book`, in list order.

A trap: ccxt's ``watch_order_book`` returns the *same* ``OrderBook`` object on every call, updated
in place (``OrderBook.limit()`` returns ``self``). Appending it to a list N times stores N
references to the final state. :func:`read_ccxt_book` refuses such a list (the same dict, or the
same ``bids``/``asks`` list, at two indices) and says how to store a copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._checks import check_not_crossed
from .._time import check_time_order
from ..errors import BookError, DataFormatError, ParameterError

if TYPE_CHECKING:
    from ..book import Book

NS_PER_MS = 1_000_000
_COPY_HINT = (
    "ccxt's watch_order_book returns one OrderBook updated in place, so a list of its results holds "
    "the final state N times; store a copy of each update, e.g. "
    "{'bids': [e[:2] for e in ob['bids']], 'asks': [e[:2] for e in ob['asks']], 'timestamp': ob['timestamp']}"
)


def _as_snapshot_list(snapshots) -> list:
    if isinstance(snapshots, Mapping):
        return [snapshots]
    if isinstance(snapshots, (str, bytes)) or not isinstance(snapshots, Iterable):
        raise DataFormatError(
            f"expected a ccxt order book (dict with 'bids' and 'asks') or a list of them, "
            f"got {type(snapshots).__name__}"
        )
    snaps = list(snapshots)
    bad = [i for i, s in enumerate(snaps) if not isinstance(s, Mapping)][:1]
    if bad:
        i = bad[0]
        raise DataFormatError(
            f"ccxt snapshot {i} is a {type(snaps[i]).__name__}, expected a dict with 'bids' and 'asks'"
        )
    return snaps


def _first_repeat(keys: np.ndarray, skip: np.ndarray | None = None):
    """(i, j): the first two indices with equal rows of ``keys`` (rows where ``skip`` is set never match)."""
    if keys.ndim == 1:
        keys = keys[:, None]
    idx = np.arange(keys.shape[0]) if skip is None else np.flatnonzero(~skip)
    if idx.size < 2:
        return None
    _, inverse, counts = np.unique(keys[idx], axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    dup = np.flatnonzero(counts[inverse] > 1)
    if dup.size == 0:
        return None
    i = int(idx[dup[0]])
    j = int(idx[dup[inverse[dup] == inverse[dup[0]]][1]])
    return i, j


def _check_not_aliased(snaps: list) -> None:
    """Refuse the watch_order_book trap: one mutable book stored at several indices.

    Flagged: the same dict at two indices, or two snapshots sharing both their (non-empty, mutable)
    ``bids`` and ``asks`` lists. Sharing one side only is allowed (an unchanged side reused).
    """
    hit = _first_repeat(np.fromiter((id(s) for s in snaps), dtype=np.int64, count=len(snaps)))
    if hit:
        raise DataFormatError(f"ccxt snapshots {hit[0]} and {hit[1]} are the same dict object. {_COPY_HINT}")
    pairs = [(s.get("bids"), s.get("asks")) for s in snaps]
    keys = np.array([(id(b), id(a)) for b, a in pairs], dtype=np.int64).reshape(len(snaps), 2)
    shared = np.fromiter(
        (isinstance(b, list) and isinstance(a, list) and bool(b) and bool(a) for b, a in pairs),
        dtype=bool,
        count=len(snaps),
    )
    hit = _first_repeat(keys, skip=~shared)
    if hit:
        raise DataFormatError(
            f"ccxt snapshots {hit[0]} and {hit[1]} share the same 'bids' and 'asks' list objects. {_COPY_HINT} "
            "(if the book really did not change, store copies of the lists)"
        )


def _side_lists(snaps: list, key: str) -> list:
    try:
        sides = [s[key] for s in snaps]
    except KeyError:
        i = next(i for i, s in enumerate(snaps) if key not in s)
        raise DataFormatError(
            f"ccxt snapshot {i} has no {key!r} key (keys: {sorted(map(str, snaps[i]))}); "
            "expected a ccxt order book with 'bids' and 'asks'"
        ) from None
    for i, side in enumerate(sides):  # a cheap per-snapshot type check (not per entry)
        if side is None or isinstance(side, (str, bytes, Mapping)) or not hasattr(side, "__len__"):
            raise DataFormatError(
                f"ccxt snapshot {i}: {key!r} is a {type(side).__name__}, expected a list of [price, amount] entries"
            )
    return sides


def _locate_bad_entry(sides: list, key: str) -> DataFormatError:
    """The error for the first entry that is not [price, amount, ...] with numbers (error path only)."""
    for i, side in enumerate(sides):
        for k, e in enumerate(side):
            try:
                if isinstance(e, (str, bytes, Mapping)):
                    raise TypeError
                _ = (float(e[0]), float(e[1]))  # only to see whether they convert
            except (TypeError, ValueError, IndexError, KeyError):
                return DataFormatError(
                    f"ccxt snapshot {i}, {key} level {k}: entry {e!r} is not [price, amount] "
                    "(optionally with a third element) with numeric price and amount"
                )
    return DataFormatError(f"ccxt {key}: entries are not [price, amount] pairs of numbers")


def _flatten_side(snaps: list, key: str, levels: int | None):
    """(price, amount, counts): flat float arrays of every kept entry and the entry count per snapshot."""
    sides = _side_lists(snaps, key)
    if levels is not None:
        sides = [s[:levels] for s in sides]
    counts = np.fromiter(map(len, sides), dtype=np.int64, count=len(sides))
    flat = list(chain.from_iterable(sides))
    try:
        px = np.array([e[0] for e in flat], dtype=np.float64)
        sz = np.array([e[1] for e in flat], dtype=np.float64)
        kinds = set(map(type, flat))  # a str entry would index as characters: refuse it
        if px.ndim != 1 or sz.ndim != 1 or any(issubclass(k, (str, bytes, Mapping)) for k in kinds):
            raise TypeError
    except (TypeError, ValueError, IndexError, KeyError):
        raise _locate_bad_entry(sides, key) from None
    return px, sz, counts


def _scatter(px: np.ndarray, sz: np.ndarray, counts: np.ndarray, width: int):
    """Flat entries into NaN-padded (T, width) arrays, entry j of snapshot i at [i, j]."""
    t = counts.shape[0]
    out_px = np.full((t, width), np.nan)
    out_sz = np.full((t, width), np.nan)
    if px.size:
        rows = np.repeat(np.arange(t), counts)
        starts = np.cumsum(counts) - counts
        level = np.arange(px.size) - np.repeat(starts, counts)
        keep = level < width
        out_px[rows[keep], level[keep]] = px[keep]
        out_sz[rows[keep], level[keep]] = sz[keep]
    return out_px, out_sz


def _timestamps(snaps: list) -> np.ndarray:
    """int64 ns from 'timestamp' (ms), else 'datetime' (ISO 8601); DataFormatError naming the snapshot."""
    t = len(snaps)
    raw = [s.get("timestamp") for s in snaps]
    missing = np.fromiter((v is None for v in raw), dtype=bool, count=t)
    ns = np.zeros(t, dtype=np.int64)
    have = np.flatnonzero(~missing)
    if have.size:
        try:
            ms = np.array([raw[i] for i in have], dtype=np.float64)
            if ms.ndim != 1:
                raise TypeError
        except (TypeError, ValueError):
            i = next(int(i) for i in have if not _is_number(raw[i]))
            raise DataFormatError(
                f"ccxt snapshot {i}: 'timestamp' is {raw[i]!r}, expected integer milliseconds since the epoch"
            ) from None
        bad = np.flatnonzero(~np.isfinite(ms))
        if bad.size:
            i = int(have[bad[0]])
            raise DataFormatError(
                f"ccxt snapshot {i}: 'timestamp' is {raw[i]!r}, expected integer milliseconds since the epoch"
            )
        whole = np.floor(ms)  # exact for ms < 2**53; sub-ms fractions kept to the ns
        ns[have] = whole.astype(np.int64) * NS_PER_MS + np.rint((ms - whole) * NS_PER_MS).astype(np.int64)
    todo = np.flatnonzero(missing)
    if todo.size:
        texts = [snaps[i].get("datetime") for i in todo]
        for i, text in zip(todo, texts):  # only the snapshots without 'timestamp'
            if not isinstance(text, str) or not text:
                raise DataFormatError(
                    f"ccxt snapshot {int(i)} has no time: 'timestamp' is None and 'datetime' is {text!r}; "
                    "expected integer milliseconds in 'timestamp' or ISO 8601 text in 'datetime'"
                )
        try:
            parsed = pd.to_datetime(pd.Series(texts), utc=True, format="ISO8601")
        except (ValueError, TypeError):
            for i, text in zip(todo, texts):
                try:
                    pd.Timestamp(text)
                except (ValueError, TypeError):
                    raise DataFormatError(
                        f"ccxt snapshot {int(i)}: 'datetime' is {text!r}, not ISO 8601 text (and 'timestamp' is None)"
                    ) from None
            raise DataFormatError("ccxt 'datetime' values are not ISO 8601 text") from None
        ns[todo] = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64)
    return ns


def _is_number(v) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _first(mask: np.ndarray):
    flat = np.flatnonzero(mask)
    if flat.size == 0:
        return None
    return divmod(int(flat[0]), mask.shape[1])


def _check_side(side: str, px: np.ndarray, sz: np.ndarray) -> None:
    """ccxt's own contract: finite prices, finite sizes > 0, bids strictly down, asks strictly up."""
    present = ~np.isnan(px) | ~np.isnan(sz)
    hit = _first(present & ~np.isfinite(px))
    if hit:
        i, k = hit
        raise BookError(f"ccxt snapshot {i}, {side} level {k}: price is {float(px[i, k])!r}, expected a finite number")
    hit = _first(present & ~(np.isfinite(sz) & (sz > 0)))
    if hit:
        i, k = hit
        raise BookError(
            f"ccxt snapshot {i}, {side} level {k} (price {float(px[i, k])!r}): amount is {float(sz[i, k])!r}, "
            "expected a finite number > 0"
        )
    if px.shape[1] > 1:
        step = np.diff(px, axis=1)
        hit = _first(step >= 0 if side == "bids" else step <= 0)  # NaN (padding) compares False
        if hit:
            i, k = hit
            order = "descending (best = highest first)" if side == "bids" else "ascending (best = lowest first)"
            raise BookError(
                f"ccxt snapshot {i}: {side} must be strictly {order}, but level {k} is {float(px[i, k])!r} "
                f"and level {k + 1} is {float(px[i, k + 1])!r}"
            )


def read_ccxt_book(snapshots, *, levels: int | None = None, name: str | None = None, validate: bool = True) -> Book:
    """A :class:`~obi_widgets.Book` from one ccxt order book dict or a list of them (one row each).

    ``levels``: the book's level count L. Default: the deepest side seen in any snapshot (no cap:
    the Book's arrays take 16 bytes per entry, far less than the Python lists they come from).
    With an int, deeper entries are dropped and thinner snapshots are padded with NaN.

    Times: ``timestamp`` (ms) to ns; where it is None, ``datetime`` (ISO 8601) is parsed; where
    both are missing, :class:`~obi_widgets.errors.DataFormatError` names the snapshot. ``name``
    defaults to the snapshots' ``symbol``.

    With ``validate`` (the default), the kept levels are checked against ccxt's contract and a
    typed error names the snapshot index and level: :class:`~obi_widgets.errors.BookError` for a
    non-finite price, an amount that is not > 0, bids not strictly descending or asks not strictly
    ascending; :class:`~obi_widgets.errors.CrossedBookError` for best bid >= best ask (locked or
    crossed); :class:`~obi_widgets.errors.TimestampError` when a snapshot is older than the one
    before it; DataFormatError for two snapshots of different symbols. Malformed input (a missing
    ``bids``/``asks`` key, an entry that is not ``[price, amount, ...]``, the same mutable
    ``OrderBook`` object appended several times) is a DataFormatError whatever ``validate`` says.
    """
    from ..book import Book

    if levels is not None:
        if isinstance(levels, (bool, np.bool_)) or not isinstance(levels, (int, np.integer)) or levels < 1:
            raise ParameterError(f"read_ccxt_book(): levels must be an int >= 1 or None, got {levels!r}")
        levels = int(levels)
    snaps = _as_snapshot_list(snapshots)
    if not snaps:
        raise DataFormatError("no ccxt snapshots: the list is empty")
    _check_not_aliased(snaps)
    bpx, bsz, bn = _flatten_side(snaps, "bids", levels)
    apx, asz, an = _flatten_side(snaps, "asks", levels)
    width = levels if levels is not None else max(1, int(bn.max()), int(an.max()))
    bid_px, bid_sz = _scatter(bpx, bsz, bn, width)
    ask_px, ask_sz = _scatter(apx, asz, an, width)
    ts = _timestamps(snaps)

    symbols = [s.get("symbol") for s in snaps]
    known = [(i, s) for i, s in enumerate(symbols) if s is not None]
    if name is None and known:
        name = str(known[0][1])
    if validate:
        if known:
            first_sym = known[0][1]
            other = next(((i, s) for i, s in known if s != first_sym), None)
            if other:
                raise DataFormatError(
                    f"ccxt snapshot {other[0]} is for symbol {other[1]!r} but snapshot {known[0][0]} is for "
                    f"{first_sym!r}; a Book holds one instrument (use obi_widgets.consolidate for several venues)"
                )
        check_time_order(ts, what="ccxt snapshot times", place=lambda i: f"snapshot {i}")
        _check_side("bids", bid_px, bid_sz)
        _check_side("asks", ask_px, ask_sz)
        check_not_crossed(ts, bid_px, ask_px, what="ccxt book", place=lambda i: f"snapshot {i}", unit="snapshots")
    return Book(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, validate=validate)


__all__ = ["read_ccxt_book"]

"""`Book`: a limit-order book sampled over time, as contiguous columnar numpy arrays.

Layout (T rows, L levels, level 0 = best):

- ``ts``: int64 nanoseconds since the epoch (UTC), shape (T,), non-decreasing;
- ``bid_px``, ``bid_sz``, ``ask_px``, ``ask_sz``: float64, shape (T, L), C-contiguous.

An empty level (the book is thinner than L on that side) has NaN price and NaN size; empty levels
only ever follow non-empty ones. Bid prices strictly decrease and ask prices strictly increase with
the level. The arrays are read-only: a Book is a value, and slices share memory with their parent.

``meta`` is a read-only mapping describing the instrument: ``price_unit`` (e.g. "USD", "USDT"),
``size_unit`` (e.g. "shares", "BTC"), ``tick`` (the price increment), ``venue`` and ``symbol``,
all optional; other keys are allowed. Values are str, int or float. Slices keep the name and meta.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from ._arrays import frozen
from ._checks import check_not_crossed
from ._lazy import lazy_module
from ._time import as_ns_array, between_slice, check_time_order, format_ns, row_index, to_ns
from .errors import BookError, ParameterError, TimestampError

_k = lazy_module("._book_kernels", __package__)  # numba loads with the first large book
COMPILED_CHECK_CELLS = 1 << 20  # books of at least this many cells per array are checked in one compiled pass

_SIDES = ("bid_px", "bid_sz", "ask_px", "ask_sz")
META_KEYS = ("price_unit", "size_unit", "tick", "venue", "symbol")
_STR_KEYS = ("price_unit", "size_unit", "venue", "symbol")
_TICK_SAMPLE = 1_000_000  # price cells (rows x levels x 2 sides) read to estimate the tick
_EMPTY_META: Mapping[str, str | int | float] = MappingProxyType({})


def book_meta(meta: Mapping | None) -> Mapping[str, str | int | float]:
    """``meta`` checked and frozen: a read-only mapping of str keys to str/int/float values.

    Raises :class:`~obi_widgets.errors.ParameterError` naming the key of a bad value; the known
    keys are checked further (units, venue and symbol are str; ``tick`` is a finite number > 0).
    """
    if meta is None:
        return _EMPTY_META
    if not isinstance(meta, Mapping):
        raise ParameterError(f"meta must be a mapping (dict) of str keys, got {type(meta).__name__}")
    out: dict[str, str | int | float] = {}
    for key, value in meta.items():
        if not isinstance(key, str):
            raise ParameterError(f"meta keys must be str, got {key!r}")
        if isinstance(value, np.generic) and not isinstance(value, np.bool_):
            value = value.item()  # numpy scalars become their Python values
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (str, int, float)):
            raise ParameterError(f"meta[{key!r}] must be a str, int or float, got {type(value).__name__} {value!r}")
        if key in _STR_KEYS and not isinstance(value, str):
            raise ParameterError(f"meta[{key!r}] must be a str, got {value!r}")
        if key == "tick":
            if isinstance(value, str) or not (math.isfinite(value) and value > 0):
                raise ParameterError(f"meta['tick'] must be a finite number > 0, got {value!r}")
            value = float(value)
        out[key] = value
    return MappingProxyType(out)


def estimate_tick(*prices: np.ndarray) -> float:
    """The smallest positive gap between distinct finite prices of the (T, L) arrays, NaN if none.

    Reads at most about ``_TICK_SAMPLE`` cells: every level of evenly spaced rows. Float noise is
    snapped off by rounding the gap to 12 significant digits of the largest price
    (60000.01 - 60000.00 = 0.0099999999983 reads as 0.01). A book that never shows a one-tick gap
    gives a multiple of the true tick.
    """
    arrays = [p for p in prices if p.size]
    if not arrays:
        return math.nan
    rows, width = arrays[0].shape[0], sum(p.shape[1] for p in arrays)
    step = max(1, math.ceil(rows * width / _TICK_SAMPLE))
    sample = np.concatenate([p[::step].ravel() for p in arrays])
    uniq = np.unique(sample[np.isfinite(sample)])
    if uniq.size < 2:
        return math.nan
    gaps = np.diff(uniq)
    scale = float(np.max(np.abs(uniq)))
    decimals = 11 - math.floor(math.log10(scale))  # scale > 0: two distinct values, one is not 0
    gaps = np.round(gaps, decimals)
    gaps = gaps[gaps > 0]
    if gaps.size == 0:
        return math.nan
    return float(f"{float(gaps.min()):.12g}")


def _as_levels(name: str, values, rows: int | None) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise BookError(f"{name} must have shape (T,) or (T, L), got shape {arr.shape}")
    if rows is not None and arr.shape[0] != rows:
        raise BookError(f"{name} has {arr.shape[0]} rows but ts has {rows}")
    return np.ascontiguousarray(arr)


def _first_row(mask: np.ndarray) -> tuple[int, int] | None:
    """(row, level) of the first True of a (T, L) mask, or None."""
    flat = np.flatnonzero(mask)
    if flat.size == 0:
        return None
    row, level = divmod(int(flat[0]), mask.shape[1])
    return row, level


class Book:
    """A limit-order book over time (see the module docstring for the layout and invariants).

    Build one with :meth:`from_arrays`, :meth:`from_lobster`, or :func:`obi_widgets.datasets.simulate`.
    ``book[i:j]`` slices rows, ``book.between(start, end)`` slices by time, ``len(book)`` is T and
    ``book.levels`` is L.
    """

    __slots__ = ("ts", "bid_px", "bid_sz", "ask_px", "ask_sz", "name", "meta", "_tick")

    ts: np.ndarray
    bid_px: np.ndarray
    bid_sz: np.ndarray
    ask_px: np.ndarray
    ask_sz: np.ndarray
    name: str | None
    meta: Mapping[str, str | int | float]
    _tick: float | None

    def __init__(
        self,
        ts,
        bid_px,
        bid_sz,
        ask_px,
        ask_sz,
        *,
        name: str | None = None,
        meta: Mapping | None = None,
        validate: bool = True,
    ):
        meta = book_meta(meta)
        ts = as_ns_array(ts)
        arrays = [_as_levels(n, v, ts.shape[0]) for n, v in zip(_SIDES, (bid_px, bid_sz, ask_px, ask_sz))]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            detail = ", ".join(f"{n} {a.shape}" for n, a in zip(_SIDES, arrays))
            raise BookError(f"price and size arrays must all have the same shape (T, L); got {detail}")
        if arrays[0].shape[1] < 1:
            raise BookError("a book needs at least one level")
        if validate and _validate(ts, *arrays, name=name):
            for i in (1, 3):  # empty levels carry NaN size, whatever the source wrote there
                empty = np.isnan(arrays[i - 1])
                if empty.any() and not np.isnan(arrays[i][empty]).all():
                    arrays[i] = np.where(empty, np.nan, arrays[i])
        # read-only views: the caller's own arrays stay writeable, the Book's never are
        ts, *arrays = [frozen(a) for a in (ts, *arrays)]
        self.ts = ts
        self.bid_px, self.bid_sz, self.ask_px, self.ask_sz = arrays
        self.name = name
        self.meta = meta
        self._tick = None

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        ts,
        bid_px,
        bid_sz,
        ask_px,
        ask_sz,
        *,
        name: str | None = None,
        meta: Mapping | None = None,
        validate: bool = True,
    ) -> Book:
        """A Book from arrays: ``ts`` (T,) int64 ns or datetime64; prices and sizes (T, L), or (T,) for one level.

        ``meta``: optional description of the instrument (see :attr:`meta`); raises
        :class:`~obi_widgets.errors.ParameterError` naming the key of a value that is not a str,
        int or float.

        Raises :class:`~obi_widgets.errors.BookError` (or a subclass) naming the first bad row when an
        invariant is broken: shapes, negative or NaN sizes at a priced level, levels out of order,
        a gap before a non-empty level, a crossed or locked best quote, backwards timestamps.
        """
        return cls(ts, bid_px, bid_sz, ask_px, ask_sz, name=name, meta=meta, validate=validate)

    @classmethod
    def from_lobster(cls, message_path, orderbook_path, *, date=None, validate: bool = True) -> Book:
        """A Book from a LOBSTER message file and its orderbook file (any level count, gzip or plain).

        Row i is the book after message i; its time is the message time (seconds after midnight) on
        ``date`` (default: the date in the file name, else 1970-01-01). LOBSTER prices are in units
        of 1/10000 USD and are divided back to USD; its dummy empty levels (price ±9999999999, size 0)
        become NaN. See :func:`obi_widgets.io.read_lobster`.
        """
        from .io.lobster import read_lobster_book

        return read_lobster_book(message_path, orderbook_path, date=date, validate=validate)

    @classmethod
    def from_binance(cls, paths, **kwargs) -> Book:
        """The L2 book rebuilt from Binance raw capture file(s) (snapshot + depth diffs, the exchange's
        sync rule). Keyword arguments as :func:`obi_widgets.io.read_binance`, which also returns the
        trades, the bookTicker series and per-row flags (gaps, crossed rows).

        When the trades are wanted too, parse the files once: ``res = obi_widgets.io.read_binance(paths)``
        then ``res.book``, ``res.trades``, ``res.bbo`` (one clock for all three)."""
        from .io.binance import read_binance

        return read_binance(paths, **kwargs).book

    @classmethod
    def from_tardis(cls, paths, **kwargs) -> Book:
        """A book from Tardis CSV file(s): ``incremental_book_L2`` (rebuilt, see
        :func:`obi_widgets.io.read_tardis_book` for the flags) or ``book_snapshot_N``."""
        from .io.builder import BuildResult
        from .io.tardis import read_tardis

        result = read_tardis(paths, **kwargs)
        if isinstance(result, Book):
            return result
        if isinstance(result, BuildResult):
            return result.book
        raise TypeError(f"{paths!r} holds trades, not a book: use Trades.from_tardis")

    @classmethod
    def from_ccxt(cls, snapshots, **kwargs) -> Book:
        """A book from one ccxt order-book dict or a list of them (see :func:`obi_widgets.io.read_ccxt_book`)."""
        from .io.ccxt import read_ccxt_book

        return read_ccxt_book(snapshots, **kwargs)

    @classmethod
    def from_frame(cls, frame, **kwargs) -> Book:
        """A book from a wide pandas frame, one column per level and side; :meth:`to_frame`'s layout by
        default (see :func:`obi_widgets.io.read_wide_frame` for other column patterns)."""
        from .io.frames import read_wide_frame

        return read_wide_frame(frame, **kwargs)

    @classmethod
    def from_long_frame(cls, frame, **kwargs) -> Book:
        """A book from a long pandas frame: (ts, side, level, price, size) snapshots, or absolute size
        updates with ``mode="updates"`` (see :func:`obi_widgets.io.read_long_frame`)."""
        from .io.frames import read_long_frame

        return read_long_frame(frame, **kwargs)

    @staticmethod
    def consolidate(books, names=None, tick=None, **kwargs):
        """Books of one instrument on several venues merged onto one time axis and price ladder.

        Returns a :class:`obi_widgets.ConsolidatedBook` (the consolidated book, per-venue sizes on
        its ladder, crossed-across-venues flags); see :func:`obi_widgets.consolidate`.
        """
        from .consolidation import consolidate

        return consolidate(books, names, tick, **kwargs)

    # -- shape ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.ts.shape[0])

    @property
    def levels(self) -> int:
        """Number of price levels per side, L."""
        return int(self.bid_px.shape[1])

    @property
    def shape(self) -> tuple[int, int]:
        """(T, L)."""
        return (len(self), self.levels)

    @property
    def tick(self) -> float:
        """The price increment: ``meta["tick"]`` when given, else estimated from the prices.

        The estimate is the smallest positive gap between distinct finite prices over a sample of
        rows (all levels, both sides), float noise rounded off; NaN for a book with fewer than two
        distinct prices. It is computed once; a slice of a book whose estimate is known keeps it.
        """
        given = self.meta.get("tick")
        if given is not None:
            return float(given)
        if self._tick is None:
            self._tick = estimate_tick(self.bid_px, self.ask_px)
        return self._tick

    # -- slicing --------------------------------------------------------------------------
    def _take(self, index) -> Book:
        new = object.__new__(Book)
        new.ts = self.ts[index]
        for side in _SIDES:
            setattr(new, side, getattr(self, side)[index])
        for side in ("ts", *_SIDES):  # fancy indexing copies: freeze the copies too
            setattr(new, side, frozen(getattr(new, side)))
        new.name = self.name
        new.meta = self.meta
        new._tick = self._tick
        return new

    def __getitem__(self, index) -> Book:
        """Rows of the book: a slice (shares memory), an int (a one-row Book), a bool mask, or an
        increasing int array (a decreasing one raises a TimestampError that is also an IndexError)."""
        return self._take(row_index(index, len(self), f"a book of {len(self)} rows"))

    def between(self, start=None, end=None) -> Book:
        """Rows with ``start <= ts < end`` (either bound may be None). Times: ns int, str, Timestamp, datetime64."""
        return self._take(between_slice(self.ts, start, end))

    def row_at(self, time) -> int:
        """Index of the book in force at ``time``: the last row with ``ts <= time``.

        Raises :class:`~obi_widgets.errors.TimestampError` when ``time`` is before the first row.
        """
        t = to_ns(time)
        i = int(np.searchsorted(self.ts, t, side="right")) - 1
        if i < 0:
            first = format_ns(self.ts[0]) if len(self) else "(empty book)"
            raise TimestampError(f"{format_ns(t)} is before the first row of the book ({first})")
        return i

    # -- export ---------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """A wide DataFrame indexed by time: columns ``bid_px_0, bid_sz_0, ask_px_0, ask_sz_0, bid_px_1, ...``."""
        cols: dict[str, np.ndarray] = {}
        for k in range(self.levels):
            for side in _SIDES:
                cols[f"{side}_{k}"] = getattr(self, side)[:, k]
        index = pd.DatetimeIndex(self.ts.view("datetime64[ns]"), name="ts")
        return pd.DataFrame(cols, index=index)

    def to_long_frame(self, *, first_level: int = 0) -> pd.DataFrame:
        """A long DataFrame: one row per (time, side, level) with columns ``ts, side, level, price, size``."""
        from .io.frames import to_long_frame

        return to_long_frame(self, first_level=first_level)

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        if len(self) == 0:
            return f"<Book{name}: 0 rows x {self.levels} levels>"
        return (
            f"<Book{name}: {len(self)} rows x {self.levels} levels, "
            f"{format_ns(self.ts[0])} .. {format_ns(self.ts[-1])}>"
        )


def _validate(ts, bid_px, bid_sz, ask_px, ask_sz, *, name=None) -> bool:
    """Raise the BookError / TimestampError / CrossedBookError naming the first broken invariant;
    return whether empty levels may carry sizes (0) that must become NaN."""
    # A large book is checked in one compiled pass that reads each cell once; only when it finds a
    # problem do the numpy checks below run, to name it (they make several passes and temporaries).
    if bid_px.size >= COMPILED_CHECK_CELLS:
        state = int(_k.book_ok(ts, bid_px, bid_sz, ask_px, ask_sz))
        if state:
            return state == 2
    where = f" in {name}" if name else ""
    check_time_order(ts, place=lambda r: f"row {r}{where}")
    for side, px, sz in (("bid", bid_px, bid_sz), ("ask", ask_px, ask_sz)):
        empty = np.isnan(px)
        hit = _first_row(np.isinf(px))
        if hit:
            raise BookError(f"{side} price at row {hit[0]}, level {hit[1]}{where} is infinite")
        hit = _first_row(~empty & ~(sz >= 0))  # catches NaN and negative sizes at priced levels
        if hit:
            r, k = hit
            raise BookError(
                f"{side} size at row {r}, level {k}{where} is {float(sz[r, k])!r}; a priced level needs a size >= 0"
            )
        hit = _first_row(empty & ~np.isnan(sz) & (sz != 0))
        if hit:
            r, k = hit
            raise BookError(f"{side} level {k} at row {r}{where} has size {float(sz[r, k])!r} but no price")
        if px.shape[1] > 1:
            hit = _first_row(empty[:, :-1] & ~empty[:, 1:])
            if hit:
                r, k = hit
                raise BookError(f"{side} level {k} at row {r}{where} is empty but level {k + 1} is not")
            step = np.diff(px, axis=1)
            wrong = (step >= 0) if side == "bid" else (step <= 0)
            hit = _first_row(wrong)  # NaN comparisons are False: empty tails pass
            if hit:
                r, k = hit
                order = "decrease" if side == "bid" else "increase"
                raise BookError(
                    f"{side} prices must strictly {order} with the level; row {r}{where} has "
                    f"level {k} = {float(px[r, k])!r} and level {k + 1} = {float(px[r, k + 1])!r}"
                )
    check_not_crossed(ts, bid_px, ask_px, place=lambda r: f"row {r}{where}")
    return True

"""Incremental L2 book building: a stream of price-level deltas to a :class:`~obi_widgets.Book`.

Input: one row per price-level change, as columnar arrays (any length n)

- ``ts``: int64 ns (or datetime64), the time of the row;
- ``side``: +1 bid / -1 ask (or bool, True = bid; or the strings ``bid``/``ask``, ``buy``/``sell``,
  ``b``/``a``); **0 is a marker row** that changes no level but carries a time, an ``emit`` and a
  ``reset`` (use it for a message with no level changes or an empty snapshot);
- ``price``: float64, the level's price;
- ``size``: float64, the level's ABSOLUTE new size; 0 deletes the level (deleting a level that
  is not in the book is allowed and does nothing, as exchanges send such deletes routinely);
- ``reset`` (optional, bool per row or row indices): clear BOTH sides before applying this row;
  set it on the first row of every full snapshot (the rest of the snapshot follows as rows);
- ``emit`` (optional): after which rows to sample the book. ``None``/``"row"`` samples after every
  row; ``"ts"`` after the last row of each run of equal ``ts``; a bool mask or increasing row
  indices sample after exactly those rows, so a message that changes several levels gives ONE
  output row when only its last row is marked.

Output: a :class:`BuildResult` holding a Book of the top ``levels`` levels per side, one row per
sampled input row, with the input row's time (empty levels NaN, at the tail, as in every Book),
the input row each output row was sampled after (``source_row``), and per-row ``flags``.

Crossed books: every built book is checked for best bid >= best ask (crossed, or locked when
equal). ``on_crossed="raise"`` (default) raises :class:`~obi_widgets.errors.CrossedBookError`
naming the output row, its time and the input row; ``on_crossed="flag"`` returns the book with
those rows kept and ``flags["crossed"]`` set on them (such a Book is built with
``validate=False``: its crossed rows break the Book invariant on purpose, and
``result.book[~result.unreliable]`` is the clean part).

Prices are keyed internally as integers: ``key = rint(price * 10**k)`` on the decimal grid
``10**-k``; the tick is ``tick_size = g * 10**-k``. By default the grid is inferred: k is the
fewest decimal places that write every price exactly (up to a few float64 ulps, which absorbs the
rounding of text-to-float parsing; at most 12 places), g the gcd of all the prices in those units.
Later chunks may refine the grid (a finer g changes nothing in the ladder; more decimal places
rescale the live keys). Pass ``tick_size`` to fix it: a price off that grid is then an error.
Output prices are the input floats themselves, never recomputed from keys.

The ladder of each side is a blocked sorted array (the leaf level of a B+-tree, see
:mod:`obi_widgets.io._builder_kernels`) inside one numba kernel: finding a level d places from the
top costs O(log d), inserting or deleting it O(64) (one block shifts), prices may drift without
bound (no dense window to re-centre), memory is O(live levels) + O(T * levels) output.
A stateful :class:`BookBuilder` takes the stream in chunks (``feed`` may be called many times,
the ladder carries over), so a day of tens of millions of updates never has to sit in memory as
input all at once; :func:`build_book` is the one-shot form.

Per ``feed``: one pass checks every row and finds the grid (sides, finite prices, sizes >= 0,
decimals, gcd: :func:`~obi_widgets.io._builder_kernels.scan`; nothing changes when it fails), one
kernel pass applies the rows and writes the sampled top-N rows, then ``ts`` is gathered at the
sampled rows. :meth:`BookBuilder.result` checks time order and crossing and builds the Book
without re-running the Book's other invariant checks: the builder's output satisfies them by
construction (levels strictly ordered because distinct keys are distinct grid prices, empty levels
NaN in both price and size and only at the tail, prices finite and sizes >= 0 as checked on input).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NoReturn

import numpy as np

from .._arrays import frozen
from .._checks import check_not_crossed, crossed_mask
from .._lazy import lazy_module
from .._time import as_ns_array, check_time_order
from ..errors import BookError, ParameterError

_k = lazy_module("._builder_kernels", __package__)  # numba loads on the first kernel call

MAX_DECIMALS = 12
_BID_WORDS = {"bid", "bids", "b", "buy"}
_ASK_WORDS = {"ask", "asks", "a", "sell", "s", "offer", "offers"}
_ON_CROSSED = ("raise", "flag")


# -- result -----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class BuildResult:
    """A built book and what is known about its rows.

    - ``book``: the :class:`~obi_widgets.Book` (T rows x ``levels``);
    - ``flags``: name -> read-only bool array (T,), True where the row is suspect. The builder
      always sets ``"crossed"`` (best bid >= best ask); loaders add their own (e.g. ``"gap"`` for
      rows built while a feed was out of sequence). ``unreliable`` is their OR;
    - ``source_row``: int64 (T,), the input row (counted over all ``feed`` calls) each output row
      was sampled after: map any per-input-row value ``v`` to the book rows with ``v[source_row]``;
    - ``tick_size``: the price grid step used to key levels (inferred or given; NaN if no prices);
    - ``trades``, ``bbo``: loaders that read them attach :class:`~obi_widgets.Trades` and the
      venue's own best bid/offer stream as a 1-level Book (None otherwise);
    - ``meta``: loader-specific extras (documented by each loader), read-only mapping.
    """

    book: Any
    flags: Mapping[str, np.ndarray]
    source_row: np.ndarray
    tick_size: float = math.nan
    trades: Any = None
    bbo: Any = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.book)
        clean = {}
        for key, mask in self.flags.items():
            arr = np.asarray(mask, dtype=bool)
            if arr.shape != (n,):
                raise ParameterError(f"flag {key!r} has shape {arr.shape}, expected ({n},) like the book")
            clean[key] = frozen(np.ascontiguousarray(arr))
        object.__setattr__(self, "flags", MappingProxyType(clean))
        object.__setattr__(self, "source_row", frozen(np.ascontiguousarray(self.source_row, dtype=np.int64)))
        meta = {k: frozen(v) if isinstance(v, np.ndarray) else v for k, v in dict(self.meta).items()}
        object.__setattr__(self, "meta", MappingProxyType(meta))

    @property
    def unreliable(self) -> np.ndarray:
        """Bool (T,): True where any flag is set."""
        out = np.zeros(len(self.book), dtype=bool)
        for mask in self.flags.values():
            out |= mask
        return out

    def with_flags(self, **flags) -> BuildResult:
        """A copy with more (or replaced) flags; each a bool array (T,)."""
        merged = dict(self.flags)
        merged.update(flags)
        return BuildResult(self.book, merged, self.source_row, self.tick_size, self.trades, self.bbo, self.meta)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={int(v.sum())}" for k, v in self.flags.items()) or "none"
        extra = "".join(f", {a}={getattr(self, a)!r}" for a in ("trades", "bbo") if getattr(self, a) is not None)
        return f"BuildResult(book={self.book!r}, flags: {counts}, tick_size={self.tick_size!r}{extra})"


# -- argument parsing -------------------------------------------------------------------------
def as_side(side, n: int | None = None) -> np.ndarray:
    """Sides as int8 +1 (bid) / -1 (ask) / 0 (marker) from ints, bools (True = bid) or strings."""
    arr = np.asarray(side)
    if arr.ndim != 1 or (n is not None and arr.shape[0] != n):
        raise ParameterError(f"side has shape {arr.shape}, expected ({n},) like ts")
    if arr.dtype == bool:
        return np.where(arr, 1, -1).astype(np.int8)
    if arr.dtype.kind in "OUS":
        words = np.char.lower(arr.astype(str))
        out = np.zeros(arr.shape[0], dtype=np.int8)
        out[np.isin(words, list(_BID_WORDS))] = 1
        out[np.isin(words, list(_ASK_WORDS))] = -1
        bad = np.flatnonzero((out == 0) & ~np.isin(words, ["0", ""]))
        if bad.size:
            r = int(bad[0])
            raise BookError(
                f"side at row {r} is {arr[r]!r}; expected bid/ask (or buy/sell, b/a, +1/-1, 0 for a marker)"
            )
        return out
    if arr.dtype.kind in "iuf":
        ok = (arr == 1) | (arr == -1) | (arr == 0)
        if not ok.all():
            r = int(np.flatnonzero(~ok)[0])
            raise BookError(f"side at row {r} is {arr[r]!r}; expected +1 (bid), -1 (ask) or 0 (marker row)")
        return arr.astype(np.int8)
    raise ParameterError(f"side must be ints, bools or strings, got dtype {arr.dtype}")


def _side_array(side, n: int) -> np.ndarray:
    """Sides as int8 for the kernels; int8 input is used as is (:func:`_k.scan` checks its values)."""
    if isinstance(side, np.ndarray) and side.dtype == np.int8:
        if side.shape != (n,):
            raise ParameterError(f"side has shape {side.shape}, expected ({n},) like ts")
        return np.ascontiguousarray(side)
    return as_side(side, n)


def _row_mask(value, n: int, what: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ParameterError(f"{what} mask has shape {arr.shape}, expected ({n},) like ts")
        return np.ascontiguousarray(arr)
    if arr.dtype.kind in "iu" or (arr.size == 0 and arr.ndim == 1):
        idx = arr.astype(np.int64).ravel()
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ParameterError(f"{what} row indices must be in [0, {n}), got {idx.min()}..{idx.max()}")
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        return mask
    raise ParameterError(f"{what} must be a bool mask or an int array of row indices, got dtype {arr.dtype}")


def _emit_mask(emit, ts: np.ndarray) -> np.ndarray:
    n = ts.shape[0]
    if emit is None or (isinstance(emit, str) and emit == "row"):
        return np.ones(n, dtype=bool)
    if isinstance(emit, str):
        if emit == "ts":
            mask = np.ones(n, dtype=bool)
            mask[:-1] = ts[1:] != ts[:-1]
            return mask
        raise ParameterError(f"emit={emit!r}: expected None, 'row', 'ts', a bool mask or row indices")
    return _row_mask(emit, n, "emit")


def _tick_grid(tick_size) -> tuple[int, int]:
    t = float(tick_size)
    if not (t > 0 and math.isfinite(t)):
        raise ParameterError(f"tick_size must be a positive finite number, got {tick_size!r}")
    for k in range(MAX_DECIMALS + 1):
        s = t * 10.0**k
        if abs(s - round(s)) <= _k.REL_TOL * max(s, 1.0) and round(s) >= 1:
            return k, int(round(s))
    raise ParameterError(f"tick_size {tick_size!r} is not a decimal with at most {MAX_DECIMALS} places")


def _check_values(side, price, size):
    priced = side != 0
    bad = np.flatnonzero(priced & ~np.isfinite(price))
    if bad.size:
        r = int(bad[0])
        raise BookError(f"price at row {r} is {float(price[r])!r}; a level update needs a finite price")
    bad = np.flatnonzero(priced & ~(np.isfinite(size) & (size >= 0)))
    if bad.size:
        r = int(bad[0])
        raise BookError(f"size at row {r} is {float(size[r])!r}; expected a finite absolute size >= 0 (0 deletes)")


# -- the builder ------------------------------------------------------------------------------
class _Ladders:
    """Both sides' blocked sorted arrays, side index first (see :mod:`obi_widgets.io._builder_kernels`)."""

    def __init__(self, blocks: int = 16):
        B = _k.BLOCK
        self.K = np.zeros((2, blocks, B), dtype=np.int64)
        self.P = np.zeros((2, blocks, B))
        self.S = np.zeros((2, blocks, B))
        self.cnt = np.zeros((2, blocks), dtype=np.int64)
        self.dirs = np.zeros((2, blocks), dtype=np.int64)
        self.dlast = np.zeros((2, blocks), dtype=np.int64)
        self.free = np.zeros((2, blocks), dtype=np.int64)
        self.info = np.zeros((2, 3), dtype=np.int64)
        for q in range(2):
            _k.clear(self.cnt, self.free, self.info, q)

    @property
    def arrays(self):
        return self.K, self.P, self.S, self.cnt, self.dirs, self.dlast, self.free, self.info

    @property
    def empty(self) -> bool:
        return not self.info[:, 2].any()

    def grow(self) -> None:
        """Double the blocks of both sides (the new ones go on the free stacks)."""
        m = self.cnt.shape[1]
        for name in ("K", "P", "S", "cnt", "dirs", "dlast"):
            old = getattr(self, name)
            new = np.zeros((2, 2 * m, *old.shape[2:]), dtype=old.dtype)
            new[:, :m] = old
            setattr(self, name, new)
        free = np.zeros((2, 2 * m), dtype=np.int64)
        for q in range(2):
            nfree = int(self.info[q, 1])
            free[q, :nfree] = self.free[q, :nfree]
            free[q, nfree : nfree + m] = np.arange(2 * m - 1, m - 1, -1)
            self.info[q, 1] = nfree + m
        self.free = free

    def levels(self, q: int):
        return _k.levels_of(self.K, self.P, self.S, self.cnt, self.dirs, self.info, q)

    def rescale(self, factor: int) -> None:
        if not _k.rescale(self.K, self.cnt, self.dirs, self.dlast, self.info, factor, 2**62):
            raise ParameterError("the refined price grid overflows int64 keys; pass tick_size= explicitly")


class BookBuilder:
    """Stateful L2 book builder: ``feed`` chunks of deltas, then take the ``result``.

    ``levels``: how many levels per side each output row keeps (N). ``tick_size``: the price grid
    (None infers it, see the module docstring). ``name``: the Book's name.

    >>> b = BookBuilder(levels=2)
    >>> b.feed([1, 1, 2], [1, -1, 1], [99.5, 100.0, 99.0], [3, 4, 5], emit=[False, True, True])
    2
    >>> b.result().book.bid_px.tolist()
    [[99.5, nan], [99.5, 99.0]]
    """

    def __init__(self, levels: int = 10, *, tick_size: float | None = None, name: str | None = None):
        if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 1:
            raise ParameterError(f"levels must be an int >= 1, got {levels!r}")
        self.levels = int(levels)
        self.name = name
        self._explicit = tick_size is not None
        self._k, self._g = _tick_grid(tick_size) if self._explicit else (0, 0)  # g == 0: no price seen yet
        self._ladders = _Ladders()
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self._rows_in = 0
        self._rows_out = 0

    # -- state ------------------------------------------------------------------------------
    @property
    def tick_size(self) -> float:
        """The grid step prices are keyed on (NaN until a price has been seen when inferring)."""
        return self._g / 10.0**self._k if self._g else math.nan

    @property
    def rows_in(self) -> int:
        """Input rows fed so far (the next feed's row 0 has this global index)."""
        return self._rows_in

    @property
    def rows_out(self) -> int:
        """Output rows sampled so far."""
        return self._rows_out

    def depth(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The whole current ladder, best first: ``(bid_px, bid_sz, ask_px, ask_sz)`` (copies)."""
        _, bp, bs = self._ladders.levels(0)
        _, ap, as_ = self._ladders.levels(1)
        return bp, bs, ap, as_

    # -- input ------------------------------------------------------------------------------
    def _grid(self, side: np.ndarray, price: np.ndarray, size: np.ndarray, raw_side) -> None:
        """Check the chunk and settle the grid (k, g) for it, rescaling the live keys when k grows.

        Raises before anything changes: the checks of :func:`_k.scan` in the order a reader
        expects them (sides, then prices, then sizes, over the whole chunk; then the grid).
        """
        code, bad, k, g, priced = _k.scan(side, price, size, self._k, MAX_DECIMALS, self._g, self._explicit)
        if code != _k.OK:
            self._raise_bad(code, int(bad), raw_side, side, price, size)
        if self._explicit:
            return
        if k > self._k and not self._ladders.empty:
            self._ladders.rescale(10 ** (k - self._k))
        if g == 0 and priced:  # priced rows, all at price 0: the finest grid so far
            g = 1
        self._k, self._g = int(k), int(g)

    def _raise_bad(self, code: int, bad: int, raw_side, side, price, size) -> NoReturn:
        as_side(raw_side, side.shape[0])  # a side that is not +-1/0 (int8 input is only checked here)
        _check_values(side, price, size)
        if code == _k.BAD_DECIMALS:
            raise ParameterError(
                f"price at row {bad} ({float(price[bad])!r}) is not a decimal with at most {MAX_DECIMALS} "
                "places (or has too many digits for float64); pass tick_size= explicitly"
            )
        if code == _k.OFF_GRID:
            raise ParameterError(
                f"price at row {bad} ({float(price[bad])!r}) is not a multiple of tick_size {self.tick_size!r}"
            )
        raise BookError(f"row {bad} of this chunk is not a valid level update")  # pragma: no cover

    def feed(self, ts, side, price, size, *, emit=None, reset=None) -> int:
        """Apply n delta rows in order (see the module docstring for the columns); returns the
        number of output rows sampled from this chunk.

        ``emit``: None/"row" (after every row), "ts" (after the last row of each run of equal
        ts, within this chunk: a run cut by a chunk boundary is sampled at the boundary), a bool
        mask (n,) or increasing row indices. ``reset``: bool mask (n,) or row indices; both sides
        are cleared before such a row is applied. The ladder carries over to the next ``feed``.
        """
        ts = as_ns_array(ts)
        n = ts.shape[0]
        raw_side = side
        side = _side_array(side, n)
        price = np.ascontiguousarray(price, dtype=np.float64)
        size = np.ascontiguousarray(size, dtype=np.float64)
        for label, arr in (("price", price), ("size", size)):
            if arr.shape != (n,):
                raise ParameterError(f"{label} has shape {arr.shape}, expected ({n},) like ts")
        emit_mask = _emit_mask(emit, ts)
        reset_mask = np.zeros(n, dtype=bool) if reset is None else _row_mask(reset, n, "reset")
        self._grid(side, price, size, raw_side)
        scale = float(_k.POW10[self._k])
        m = int(np.count_nonzero(emit_mask))
        bpx, bsz, apx, asz = (np.empty((m, self.levels)) for _ in range(4))  # the kernel fills every cell
        src = np.empty(m, dtype=np.int64)
        lad = self._ladders
        row, r = 0, 0
        while True:
            row, r = _k.apply_deltas(
                side,
                price,
                size,
                reset_mask,
                emit_mask,
                row,
                scale,
                self.levels,
                *lad.arrays,
                bpx,
                bsz,
                apx,
                asz,
                src,
                r,
            )
            if row >= n:
                break
            lad.grow()  # a side ran out of blocks: double them and resume at that row
        if src.size:
            self._chunks.append((ts[src], bpx, bsz, apx, asz, src + self._rows_in))
        self._rows_in += n
        self._rows_out += int(src.size)
        return int(src.size)

    # -- output -----------------------------------------------------------------------------
    def arrays(self) -> tuple[np.ndarray, ...]:
        """The output so far as ``(ts, bid_px, bid_sz, ask_px, ask_sz, source_row)`` arrays."""
        if not self._chunks:
            empty = np.full((0, self.levels), np.nan)
            return (np.zeros(0, np.int64), empty, empty.copy(), empty.copy(), empty.copy(), np.zeros(0, np.int64))
        if len(self._chunks) > 1:  # concatenate once, keep the single chunk
            self._chunks = [tuple(np.concatenate(parts) for parts in zip(*self._chunks))]
        return self._chunks[0]

    def drain(self) -> tuple[np.ndarray, ...]:
        """The rows sampled since the previous ``drain`` (or the start), as :meth:`arrays` gives
        them, and forget them: a streaming loader hands them on chunk by chunk while the ladder
        carries over, so memory stays bounded by one chunk. ``source_row`` stays global."""
        out = self.arrays()
        self._chunks = []
        return out

    def result(
        self,
        *,
        on_crossed: str = "raise",
        flags: Mapping[str, np.ndarray] | None = None,
        validate: bool = True,
        book_meta: Mapping | None = None,
        **fields,
    ) -> BuildResult:
        """The Book built so far, checked for crossed/locked rows, as a :class:`BuildResult`.

        ``on_crossed``: "raise" (CrossedBookError naming the first crossed output row, its time
        and input row) or "flag" (keep the rows, set ``flags["crossed"]``). ``flags``: more
        per-output-row masks to attach. ``validate``: run the Book's invariant checks (skipped
        for the crossed rows' sake when some are flagged; the builder's output is ordered and
        NaN-tailed by construction, and timestamps are still checked). With ``validate`` the
        output is checked for time order (and crossing, above); the Book's other invariants hold by
        construction (see the module docstring), so the Book itself is built without its checks.
        ``validate=False`` skips the time-order check too. ``book_meta``: the Book's
        :attr:`~obi_widgets.Book.meta` (units, venue, symbol, tick). ``fields``: ``trades``,
        ``bbo``, ``meta`` passed on to the BuildResult.
        """
        from ..book import Book

        if on_crossed not in _ON_CROSSED:
            raise ParameterError(f"on_crossed={on_crossed!r}: expected one of {_ON_CROSSED}")
        ts, bpx, bsz, apx, asz, src = self.arrays()
        crossed = built_crossed(ts, bpx, apx, src, on_crossed, self.name)
        where = f" in {self.name}" if self.name else ""
        if validate or crossed.any():
            check_time_order(ts, place=lambda r: f"output row {r}{where} (input row {int(src[r])})")
        book = Book(ts, bpx, bsz, apx, asz, name=self.name, meta=book_meta, validate=False)
        all_flags = {"crossed": crossed}
        all_flags.update(flags or {})
        return BuildResult(book, all_flags, src, self.tick_size, **fields)


def built_crossed(
    ts, bid_px, ask_px, source_row, on_crossed: str, name: str | None, *, row0: int = 0, unit: str = "rows"
) -> np.ndarray:
    """The crossed/locked mask of built rows; with ``on_crossed="raise"`` a CrossedBookError naming
    the first such row (``row0`` + its index, in ``name``), its time and the input row it was sampled after."""
    crossed = crossed_mask(bid_px[:, 0], ask_px[:, 0])
    if on_crossed == "raise":
        where = f" in {name}" if name else ""
        check_not_crossed(
            ts,
            bid_px,
            ask_px,
            what="built book",
            place=lambda r: f"row {r + row0}{where}",
            note=lambda r: f", after input row {int(source_row[r])}",
            unit=unit,
            hint="; pass on_crossed='flag' to keep them flagged instead",
        )
    return crossed


def build_book(
    ts,
    side,
    price,
    size,
    *,
    levels: int = 10,
    emit=None,
    reset=None,
    tick_size: float | None = None,
    on_crossed: str = "raise",
    name: str | None = None,
    validate: bool = True,
) -> BuildResult:
    """Build a book from one array of deltas at once: ``BookBuilder(...).feed(...)`` then ``.result(...)``.

    See the module docstring for the inputs. Returns a :class:`BuildResult`; its ``book`` has one row
    per sampled input row and ``levels`` levels per side.

    >>> r = build_book([0, 0, 1], ["bid", "ask", "bid"], [10.0, 10.5, 10.0], [1, 2, 0], emit="ts", levels=1)
    >>> r.book.bid_px.tolist(), r.book.ask_px.tolist()
    ([[10.0], [nan]], [[10.5], [10.5]])
    """
    builder = BookBuilder(levels, tick_size=tick_size, name=name)
    builder.feed(ts, side, price, size, emit=emit, reset=reset)
    return builder.result(on_crossed=on_crossed, validate=validate)


def infer_tick_size(price, side=None) -> float:
    """The grid step :class:`BookBuilder` would infer from these prices (see the module docstring)."""
    price = np.ascontiguousarray(price, dtype=np.float64).ravel()
    side = np.ones(price.shape[0], np.int8) if side is None else as_side(side, price.shape[0])
    b = BookBuilder(1)
    b._grid(side, price, np.zeros(price.shape[0]), side)
    return b.tick_size


__all__ = ["BookBuilder", "BuildResult", "build_book", "infer_tick_size", "as_side"]

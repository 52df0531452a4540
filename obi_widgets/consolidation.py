"""One consolidated order book from the books of one instrument on several venues.

:func:`consolidate` puts V venue :class:`~obi_widgets.Book` s on

- **one time axis**: the sorted union of all their timestamps (equal times merged). At each time
  every venue contributes the book of its last row at or before that time (an as-of join,
  ``np.searchsorted(side="right") - 1``); before a venue's first row it contributes nothing;
- **one price ladder**: prices are matched as whole numbers of ticks (``tick``, or inferred as
  the smallest gap between distinct prices of all venues), never by float equality. At each time
  the sizes of all venues at the same price are summed and the best N distinct prices per side
  are kept: the consolidated best bid is the highest venue best bid, and so on. Output prices
  are the venues' own floats (for a tick quoted by several venues, the first of them in venue
  order), never recomputed from ticks: a single venue consolidates to itself exactly.

The result is a :class:`ConsolidatedBook` holding the consolidated arrays for every time, the
per-venue sizes on the consolidated ladder, shape (T, N, V), and a ``crossed`` flag per time.

Crossed times. Venues are not one market: the highest bid on one venue can be at or above the
lowest ask on another (an arbitrage left open, or just feed latency). Such a consolidated state
breaks the :class:`~obi_widgets.Book` invariant (best bid < best ask), so it is kept in the raw
arrays and flagged (``crossed``, which includes *locked* times, bid == ask, exactly the rows a
Book refuses) and, with the default ``crossed="drop"``, left out of :attr:`ConsolidatedBook.book`.
``crossed="keep"`` builds ``book`` from every time without validation (its crossed rows have
negative or zero spreads: metrics that assume a positive spread will be wrong there);
``crossed="raise"`` raises :class:`~obi_widgets.errors.CrossedBookError` naming the first such
time and the venues at the best bid and ask.

Depth beyond what a venue shows. A venue's book has L_v levels; below its deepest visible price
its size is unknown, not zero. ``bid_complete[t]`` / ``ask_complete[t]`` count the consolidated
levels at time t that are no deeper than the deepest visible price of every venue whose side is
full (all L_v levels priced): those levels are exact sums; deeper ones miss what the truncated
venues do not show.

Fragmentation. :func:`venue_share` is each venue's share of the displayed size in the top k
consolidated levels; :func:`fragmentation` turns the shares s_v into ``1 - HHI`` (the default:
``1 - sum s_v**2``, 0 when one venue holds all the depth, at most ``1 - 1/V``) or into the
*Fidessa Fragmentation Index* ``1 / HHI`` (Fidessa's "number of venues to visit"; from 1 to V).
Fidessa computed its index from traded-volume shares; here the shares are of displayed depth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ._arrays import frozen
from ._checks import crossed_kind, crossed_mask
from ._time import format_ns
from .errors import CrossedBookError, ParameterError
from .metrics._ticks import check_tick, infer_tick, to_ticks

if TYPE_CHECKING:
    from .book import Book

_EMPTY = np.iinfo(np.int64).max  # sort key of an empty level: after every price
_CHUNK = 1 << 19  # elements per (rows x venue levels) work array
_CROSSED = ("drop", "keep", "raise")


class ConsolidatedBook:
    """Several venues' books of one instrument on one time axis and one price ladder.

    Attributes (read-only numpy arrays; T times, N consolidated levels, V venues):

    - ``ts`` (T,) int64 ns: the union of the venues' timestamps;
    - ``bid_px, bid_sz, ask_px, ask_sz`` (T, N): the consolidated ladder at every time, crossed
      times included (NaN price and size for empty levels);
    - ``venue_bid_sz, venue_ask_sz`` (T, N, V): each venue's size at each consolidated level
      (0 where the venue has nothing at that price, NaN where the level is empty);
    - ``crossed`` (T,) bool: best bid >= best ask across venues (crossed or locked);
    - ``locked`` (T,) bool: the crossed times with best bid == best ask (on the tick grid);
    - ``bid_complete, ask_complete`` (T,) int64: how many consolidated levels are exact sums
      (see the module docstring);
    - ``venue_rows`` (T, V) int64: the row of each venue's book in force at each time (-1 before
      its first row);
    - ``names`` (tuple of V str), ``tick`` (float), ``on_crossed`` (str);
    - ``meta``: the consolidated Book's :attr:`~obi_widgets.Book.meta`: ``venue`` "consolidated",
      ``tick`` the consolidation tick, and each of ``symbol``, ``price_unit``, ``size_unit`` that
      all the venues' books give alike.

    :attr:`book` is the consolidated :class:`~obi_widgets.Book` (by default without the crossed
    times; :attr:`book_rows` maps its rows to the times above).
    """

    __slots__ = (
        "ts",
        "bid_px",
        "bid_sz",
        "ask_px",
        "ask_sz",
        "venue_bid_sz",
        "venue_ask_sz",
        "crossed",
        "locked",
        "bid_complete",
        "ask_complete",
        "venue_rows",
        "names",
        "tick",
        "on_crossed",
        "name",
        "meta",
        "_book",
    )

    ts: np.ndarray
    bid_px: np.ndarray
    bid_sz: np.ndarray
    ask_px: np.ndarray
    ask_sz: np.ndarray
    venue_bid_sz: np.ndarray
    venue_ask_sz: np.ndarray
    crossed: np.ndarray
    locked: np.ndarray
    bid_complete: np.ndarray
    ask_complete: np.ndarray
    venue_rows: np.ndarray
    names: tuple[str, ...]
    tick: float
    on_crossed: str
    name: str | None
    meta: Mapping[str, str | int | float]
    _book: Book | None

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    @property
    def levels(self) -> int:
        """N, the consolidated levels per side."""
        return int(self.bid_px.shape[1])

    @property
    def venues(self) -> int:
        """V, the number of venues."""
        return len(self.names)

    @property
    def book_rows(self) -> np.ndarray:
        """Indices into ``ts`` of the rows of :attr:`book` (all rows unless ``crossed="drop"``)."""
        if self.on_crossed == "drop":
            return np.flatnonzero(~self.crossed)
        return np.arange(len(self))

    @property
    def book(self) -> Book:
        """The consolidated :class:`~obi_widgets.Book`.

        With ``crossed="drop"`` (default) the crossed/locked times are left out: an as-of lookup
        (``book.row_at``) inside a crossed episode returns the last uncrossed state, which is
        stale -- check ``crossed`` when that matters. With ``crossed="keep"`` every time is a
        row and the Book is not validated.
        """
        if self._book is None:
            from .book import Book

            rows = self.book_rows
            keep_all = self.on_crossed != "drop"
            self._book = Book(
                self.ts[rows],
                self.bid_px[rows],
                self.bid_sz[rows],
                self.ask_px[rows],
                self.ask_sz[rows],
                name=self.name,
                meta=self.meta,
                validate=not keep_all,
            )
        return self._book

    def venue_share(self, levels: int | None = None, side: str = "both") -> np.ndarray:
        """(T, V) share of each venue in the top-``levels`` consolidated depth; see :func:`venue_share`."""
        return venue_share(self, levels=levels, side=side)

    def fragmentation(self, levels: int | None = None, side: str = "both", kind: str = "1-hhi") -> np.ndarray:
        """(T,) fragmentation of the top-``levels`` depth across venues; see :func:`fragmentation`."""
        return fragmentation(self, levels=levels, side=side, kind=kind)

    def __repr__(self) -> str:
        venues = ", ".join(self.names)
        if len(self) == 0:
            return f"<ConsolidatedBook [{venues}]: 0 rows x {self.levels} levels>"
        return (
            f"<ConsolidatedBook [{venues}]: {len(self)} rows x {self.levels} levels, tick {self.tick!r}, "
            f"{int(self.crossed.sum())} crossed/locked, {format_ns(self.ts[0])} .. {format_ns(self.ts[-1])}>"
        )


def _venue_names(books, names) -> tuple[list, list]:
    from .book import Book

    if isinstance(books, Mapping):
        if names is not None:
            raise ParameterError("consolidate(): pass names= or a dict of books, not both")
        names, books = list(books.keys()), list(books.values())
    else:
        books = list(books)
    if not books:
        raise ParameterError("consolidate(): no books given")
    for i, b in enumerate(books):
        if not isinstance(b, Book):
            raise ParameterError(f"consolidate(): books[{i}] is a {type(b).__name__}, expected an obi_widgets.Book")
    if names is None:
        names = [b.name if b.name else f"venue{i}" for i, b in enumerate(books)]
        where = "book names"
        hint = "; pass names=[...] (several venues' books of one symbol often share its name)"
    else:
        names = list(names)
        if len(names) != len(books):
            raise ParameterError(f"consolidate(): {len(names)} names for {len(books)} books")
        where, hint = "names", ""
    names = [str(n) for n in names]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise ParameterError(
                f"consolidate(): {where} must be distinct, but books {seen[n]} and {i} are both {n!r}{hint}"
            )
        seen[n] = i
    return books, names


def _side_keys(books, names, side: str, tick: float) -> list:
    """Per venue: (T_v, L_v) int64 sort keys (better price = smaller key, empty = _EMPTY)."""
    keys = []
    for b, n in zip(books, names):
        px = getattr(b, f"{side}_px")
        try:
            ticks = to_ticks(px, tick, f"venue {n!r}: {side} price")
        except ParameterError as exc:
            raise ParameterError(f"consolidate(): {exc}") from None
        empty = np.isnan(ticks)
        k = np.where(empty, 0.0, ticks).astype(np.int64)
        if side == "bid":
            k = -k
        k[empty] = _EMPTY
        keys.append(k)
    return keys


def _consolidate_side(keys, prices, sizes, rows, n_levels: int):
    """Merge one side of every venue at every union time: (key, price, size, venue sizes, complete count)."""
    t = rows.shape[0]
    v_count = len(keys)
    widths = [k.shape[1] for k in keys]
    m = sum(widths)
    vid = np.repeat(np.arange(v_count), widths)
    out_key = np.full((t, n_levels), _EMPTY, dtype=np.int64)
    out_px = np.full((t, n_levels), np.nan)
    out_sz = np.zeros((t, n_levels))
    out_venue = np.zeros((t, n_levels, v_count))
    complete = np.zeros(t, dtype=np.int64)
    step = max(1, _CHUNK // max(m, 1))
    for a in range(0, t, step):
        b = min(t, a + step)
        n = b - a
        key = np.empty((n, m), dtype=np.int64)
        size = np.empty((n, m))
        price = np.empty((n, m))
        bound = np.full(n, _EMPTY, dtype=np.int64)  # deepest visible key of venues whose side is full
        col = 0
        for v, (kv, pv, sv) in enumerate(zip(keys, prices, sizes)):
            w = kv.shape[1]
            if kv.shape[0] == 0:  # a venue book without rows contributes nothing
                key[:, col : col + w] = _EMPTY
                size[:, col : col + w] = 0.0
                price[:, col : col + w] = np.nan
                col += w
                continue
            idx = rows[a:b, v]
            live = idx >= 0
            safe = np.where(live, idx, 0)
            key[:, col : col + w] = np.where(live[:, None], kv[safe], _EMPTY)
            size[:, col : col + w] = np.where(live[:, None], sv[safe], 0.0)
            price[:, col : col + w] = pv[safe]  # only read where the key is not _EMPTY
            deepest = np.where(live, kv[safe, w - 1], _EMPTY)
            bound = np.minimum(bound, deepest)
            col += w
        order = np.argsort(key, axis=1, kind="stable")
        key = np.take_along_axis(key, order, axis=1)
        size = np.take_along_axis(size, order, axis=1)
        price = np.take_along_axis(price, order, axis=1)
        venue = vid[order]
        starts = np.ones((n, m), dtype=bool)  # first entry of each distinct tick in the sorted row
        starts[:, 1:] = key[:, 1:] != key[:, :-1]
        level = np.cumsum(starts, axis=1) - 1
        keep = (key != _EMPTY) & (level < n_levels)
        r = np.broadcast_to(np.arange(n)[:, None], (n, m))[keep]
        lv = level[keep]
        flat = r * n_levels + lv
        w = np.nan_to_num(size[keep])  # a priced level with NaN size (unvalidated input) adds nothing
        out_sz[a:b] = np.bincount(flat, weights=w, minlength=n * n_levels).reshape(n, n_levels)
        out_venue[a:b] = np.bincount(flat * v_count + venue[keep], weights=w, minlength=n * n_levels * v_count).reshape(
            n, n_levels, v_count
        )
        chunk_key = out_key[a:b]
        chunk_key[r, lv] = key[keep]
        first = keep & starts  # the price of a level is its first venue's own float
        rf = np.broadcast_to(np.arange(n)[:, None], (n, m))[first]
        out_px[a:b][rf, level[first]] = price[first]
        complete[a:b] = ((chunk_key != _EMPTY) & (chunk_key <= bound[:, None])).sum(axis=1)
    return out_key, out_px, out_sz, out_venue, complete


def consolidate(
    books,
    names=None,
    tick: float | None = None,
    *,
    levels: int | None = None,
    crossed: str = "drop",
    name: str | None = None,
) -> ConsolidatedBook:
    """Consolidate the books of one instrument on several venues (see the module docstring).

    ``books``: a list of :class:`~obi_widgets.Book` (one per venue) or a dict ``{venue: book}``.
    ``names``: the venue names (default: the books' names, else ``venue0, venue1, ...``; they
    must be distinct). ``tick``: the price grid used to match prices across venues (default:
    inferred from all prices; a price off the grid raises
    :class:`~obi_widgets.errors.ParameterError` naming the venue, row and level). ``levels``:
    N, the consolidated levels per side (default: the deepest venue's level count).
    ``crossed``: what :attr:`ConsolidatedBook.book` does with the times at which the best bid of
    some venue is at or above the best ask of another -- ``"drop"`` (default: leave them out),
    ``"keep"`` (keep them, unvalidated Book) or ``"raise"``
    (:class:`~obi_widgets.errors.CrossedBookError` naming the first such time and the venues).
    ``name``: the consolidated Book's name (default: the venue names joined with ``+``).
    """
    books, names = _venue_names(books, names)
    if crossed not in _CROSSED:
        raise ParameterError(f"consolidate(): crossed must be one of {_CROSSED}, got {crossed!r}")
    if levels is None:
        n_levels = max(b.levels for b in books)
    elif isinstance(levels, (bool, np.bool_)) or not isinstance(levels, (int, np.integer)) or levels < 1:
        raise ParameterError(f"consolidate(): levels must be an int >= 1 or None, got {levels!r}")
    else:
        n_levels = int(levels)
    if tick is None:
        prices = np.unique(np.concatenate([np.unique(p[np.isfinite(p)]) for b in books for p in (b.bid_px, b.ask_px)]))
        tick = infer_tick(prices, "consolidate")
    else:
        tick = check_tick(tick, "consolidate")

    ts = np.unique(np.concatenate([b.ts for b in books]))
    rows = np.stack([np.searchsorted(b.ts, ts, side="right") - 1 for b in books], axis=1).astype(np.int64)

    result = {}
    for side in ("bid", "ask"):
        keys = _side_keys(books, names, side, tick)
        prices = [np.asarray(getattr(b, f"{side}_px")) for b in books]
        sizes = [np.asarray(getattr(b, f"{side}_sz")) for b in books]
        key, px, sz, venue, complete = _consolidate_side(keys, prices, sizes, rows, n_levels)
        empty = key == _EMPTY
        ticks = np.where(empty, 0, key)
        if side == "bid":
            ticks = -ticks
        sz[empty] = np.nan
        venue[empty] = np.nan
        result[side] = (px, sz, venue, complete, np.where(empty[:, 0], np.nan, ticks[:, 0].astype(np.float64)))

    bid_best, ask_best = result["bid"][4], result["ask"][4]
    is_crossed = crossed_mask(bid_best, ask_best)  # on the tick grid
    if crossed == "raise" and is_crossed.any():
        r = int(np.flatnonzero(is_crossed)[0])
        at_bid = [n for v, n in enumerate(names) if _best_is(books[v], rows[r, v], "bid", result["bid"][0][r, 0], tick)]
        at_ask = [n for v, n in enumerate(names) if _best_is(books[v], rows[r, v], "ask", result["ask"][0][r, 0], tick)]
        kind = crossed_kind(bid_best[r], ask_best[r])
        raise CrossedBookError(
            f"consolidated book is {kind} at {format_ns(ts[r])} (row {r}): best bid {float(result['bid'][0][r, 0])!r} "
            f"({', '.join(at_bid)}) >= best ask {float(result['ask'][0][r, 0])!r} ({', '.join(at_ask)}); "
            f"{int(is_crossed.sum())} such times. Use crossed='drop' or 'keep' to get the flags instead"
        )

    out = object.__new__(ConsolidatedBook)
    out.ts = frozen(ts)
    out.bid_px, out.bid_sz, out.venue_bid_sz, out.bid_complete = (
        frozen(np.ascontiguousarray(a)) for a in result["bid"][:4]
    )
    out.ask_px, out.ask_sz, out.venue_ask_sz, out.ask_complete = (
        frozen(np.ascontiguousarray(a)) for a in result["ask"][:4]
    )
    out.crossed = frozen(is_crossed)
    out.locked = frozen(is_crossed & (bid_best == ask_best))
    out.venue_rows = frozen(rows)
    out.names = tuple(names)
    out.tick = float(tick)
    out.on_crossed = crossed
    out.name = name if name is not None else "+".join(names)
    out.meta = _consolidated_meta(books, out.tick)
    out._book = None
    return out


def _consolidated_meta(books, tick: float) -> Mapping[str, str | int | float]:
    """venue "consolidated", the tick, and the symbol / units the venues' books all share (read-only)."""
    from .book import book_meta

    meta: dict[str, str | int | float] = {"venue": "consolidated", "tick": tick}
    for key in ("symbol", "price_unit", "size_unit"):
        values = {b.meta.get(key) for b in books}
        if len(values) == 1 and None not in values:
            meta[key] = values.pop()
    return book_meta(meta)


def _best_is(book, row: int, side: str, price: float, tick: float) -> bool:
    """Whether venue ``book`` quotes ``price`` at its best ``side`` level in ``row`` (error messages only)."""
    if row < 0:
        return False
    p = float(getattr(book, f"{side}_px")[row, 0])
    return bool(np.isfinite(p) and round(p / tick) == round(price / tick))


def _side_sizes(cb: ConsolidatedBook, levels, side: str, fn: str) -> np.ndarray:
    if not isinstance(cb, ConsolidatedBook):
        raise ParameterError(f"{fn}(): expected a ConsolidatedBook (from consolidate()), got {type(cb).__name__}")
    if levels is None:
        levels = cb.levels
    elif (
        isinstance(levels, (bool, np.bool_))
        or not isinstance(levels, (int, np.integer))
        or not 1 <= levels <= cb.levels
    ):
        raise ParameterError(f"{fn}(): levels must be an int from 1 to {cb.levels}, got {levels!r}")
    if side not in ("bid", "ask", "both"):
        raise ParameterError(f"{fn}(): side must be 'bid', 'ask' or 'both', got {side!r}")
    k = int(levels)
    parts = []
    if side in ("bid", "both"):
        parts.append(np.nansum(cb.venue_bid_sz[:, :k, :], axis=1))
    if side in ("ask", "both"):
        parts.append(np.nansum(cb.venue_ask_sz[:, :k, :], axis=1))
    return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def venue_share(cb: ConsolidatedBook, levels: int | None = None, side: str = "both") -> np.ndarray:
    """(T, V) each venue's share of the displayed size in the top ``levels`` consolidated levels.

    ``side``: ``"bid"``, ``"ask"`` or ``"both"`` (the two sides' sizes added). ``levels`` defaults
    to every consolidated level. Rows sum to 1; a time with no size in those levels is NaN.
    """
    depth = _side_sizes(cb, levels, side, "venue_share")
    total = depth.sum(axis=1, keepdims=True)
    share = np.full_like(depth, np.nan)
    np.divide(depth, total, out=share, where=total > 0)
    return share


def fragmentation(
    cb: ConsolidatedBook, levels: int | None = None, side: str = "both", kind: str = "1-hhi"
) -> np.ndarray:
    """(T,) fragmentation of the top-``levels`` displayed depth across venues.

    From the shares s_v of :func:`venue_share`, with HHI = sum s_v**2 (Herfindahl-Hirschman):
    ``kind="1-hhi"`` (default) gives ``1 - HHI``, from 0 (one venue holds all) to ``1 - 1/V``
    (equal shares); ``kind="fidessa"`` gives the Fidessa Fragmentation Index ``1 / HHI``, the
    "effective number of venues", from 1 to V. NaN where there is no depth.
    """
    if kind not in ("1-hhi", "fidessa"):
        raise ParameterError(f"fragmentation(): kind must be '1-hhi' or 'fidessa', got {kind!r}")
    share = venue_share(cb, levels=levels, side=side)
    hhi = np.sum(share * share, axis=1)  # NaN rows stay NaN
    return 1.0 - hhi if kind == "1-hhi" else 1.0 / hhi


__all__ = ["ConsolidatedBook", "consolidate", "venue_share", "fragmentation"]

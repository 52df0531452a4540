"""`BookSource`: the shared, JS-less model under every view.

A source holds what the browser needs to draw any view of one book (the time axis and overviews,
a replay track of the top levels) and the state the views share: ``cursor`` (a row),
``time_range`` (the visible time span) and ``selection`` (a brushed span or None). Views reference
it through ``widget_serialization`` (the lonboard pattern), so views made from one source move
together *in the browser*: one view sets ``cursor`` on the shared model and every other view is
notified there, without a kernel round trip -- which is also what keeps an exported page linked.

What travels (self-describing buffers, see ``_buffers.py``; times as float64 ms since the epoch):

- ``_axis``: the whole book reduced to ``AXIS_BINS`` equal time bins: ``t`` (bins + 1 edges),
  ``mid_lo``/``mid_hi`` (min/max of the mid in the bin), ``bid``/``ask`` (best quotes in force at
  the end of the bin), ``row`` (row in force at the start of the bin);
- ``_track``: the replay track, the top ``track_levels`` levels at up to ``track_rows`` rows
  spread evenly over the book (every row when the book is that short): ``row`` (int32), ``t``,
  ``bid_px``/``ask_px`` (K, L', float64), ``bid_sz``/``ask_sz`` and ``bid_cum``/``ask_cum``
  (K, L', float32, :func:`~obi_widgets.metrics.cumulative_depth`), ``imb_l1`` and ``imb_depth``
  (K, float32: level-1 imbalance and depth imbalance over the L' levels);
- ``_meta``: rows, levels, start/end times, name, units, tick, venues;
- ``_cursor_at``: ``[row, ms]``, the exact time of the cursor row (set from Python; the browser
  interpolates on the track until it arrives).

Live (:meth:`BookSource.push`): rows and trades pushed into a source go into ring buffers
(``max_rows``), and at most ``rate`` times a second one *flush* updates ``_meta`` and, with
``follow``, moves ``cursor`` to the newest row and ``time_range`` to end there (the last
``window`` of the book, or all of it); every view observes the flush (``data_version``) and sends
what changed. The axis and track, which are larger, are rebuilt at most once a second and once
more when the pushes stop, so a saved notebook or an exported page holds the last state.
"""

from __future__ import annotations

import threading
import time

import ipywidgets as widgets
import numpy as np
import pandas as pd
import traitlets as t

from .. import metrics
from .._time import to_duration_ns, to_ns
from ..book import Book
from ..errors import ParameterError
from ..trades import Trades
from ._buffers import pack
from ._live import Coalescer, RingBook, RingTrades, kernel_loop
from ._reduce import bin_last, bin_minmax, rows_in_bins, time_edges

AXIS_BINS = 2048
NS_PER_MS = 1_000_000
FULL_EVERY = 1.0  # seconds between rebuilds of the axis and track while pushes arrive


def ms(ns) -> np.ndarray:
    """int64 ns since the epoch -> float64 ms since the epoch (what the browser works in)."""
    return np.asarray(ns, dtype=np.int64).astype(np.float64) / NS_PER_MS


class BookSource(widgets.Widget):
    """The shared model of linked views: a book (and optionally its trades) plus the shared state.

    Parameters
    ----------
    book : Book or ConsolidatedBook
        The book the views show. A :class:`~obi_widgets.ConsolidatedBook` is shown through its
        consolidated ``book``; views that can split size per venue (``Ladder``) use the venues.
    trades : Trades, optional
        Trades of the same instrument (volume dots, traded volume, trade markers).
    name : str, optional
        Title of the views (default: the book's name).
    track_rows, track_levels : int
        Size of the replay track that lets views draw any row without the kernel (default
        2000 rows of the top 10 levels, about 480 kB).
    max_rows : int, optional
        Live sources: keep only the last ``max_rows`` book rows (a ring buffer; trades older than
        the first kept row are dropped too), so memory stays bounded for hours. None (default):
        keep every row.
    rate : float
        Most flushes per second that reach the browser, whatever the push rate (default 20).
    window : duration, optional
        Live sources with ``follow``: the time span the time views show, ending at the newest
        row (e.g. ``"2min"``; default: the whole book kept).
    follow : bool
        Live sources: move the cursor to the newest row and the time range to end there at each
        flush (default True). A view that zooms or moves the cursor elsewhere does not stop it;
        set ``follow = False`` to hold the view still while rows keep arriving.

    Shared state (synced both ways with every view of this source):

    - ``cursor``: the row shown by frame views and marked by time views;
    - ``time_range``: ``(start_ns, end_ns)`` visible in time views (zoom and pan set it);
    - ``selection``: ``(start_ns, end_ns)`` brushed on a timeline, or ``None``.
    """

    cursor = t.Int(0, help="Row of the book at the cursor; shared by every view of this source.").tag(sync=True)
    time_range = t.Tuple(t.Int(), t.Int(), help="Visible time span (start_ns, end_ns).").tag(sync=True)
    selection = t.Tuple(t.Int(), t.Int(), allow_none=True, default_value=None, help="Brushed span or None.").tag(
        sync=True
    )
    name = t.Unicode("", help="Title shown by the views.").tag(sync=True)
    _meta = t.Dict({}).tag(sync=True)
    _axis = t.Bytes(b"").tag(sync=True)
    _track = t.Bytes(b"").tag(sync=True)
    _cursor_at = t.List([0, 0.0]).tag(sync=True)
    follow = t.Bool(True, help="Live: cursor and time range follow the newest row.").tag(sync=True)
    data_version = t.Int(0, help="Bumped at every flush of pushed rows (views observe it).")
    full_version = t.Int(0, help="Bumped when the axis and track are rebuilt after pushes.")

    def __init__(
        self,
        book,
        trades: Trades | None = None,
        *,
        name: str | None = None,
        cursor: int = 0,
        track_rows: int = 2000,
        track_levels: int = 10,
        max_rows: int | None = None,
        rate: float = 20.0,
        window=None,
        follow: bool = True,
        **kwargs,
    ):
        from ..consolidation import ConsolidatedBook

        consolidated = None
        if isinstance(book, ConsolidatedBook):
            consolidated, book = book, book.book
        if not isinstance(book, Book):
            raise ParameterError(f"a view needs an obi_widgets.Book or BookSource, got {type(book).__name__}")
        if len(book) == 0:
            raise ParameterError("a view needs a book with at least one row (this one is empty)")
        if trades is not None and not isinstance(trades, Trades):
            raise ParameterError(f"trades must be an obi_widgets.Trades or None, got {type(trades).__name__}")
        for label, value in (("track_rows", track_rows), ("track_levels", track_levels)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ParameterError(f"{label} must be a positive int, got {value!r}")
        if max_rows is not None and (
            isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 2
        ):
            raise ParameterError(f"max_rows must be an int >= 2 or None, got {max_rows!r}")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 60:
            raise ParameterError(f"rate must be a number of flushes per second in (0, 60], got {rate!r}")
        self._window_ns = None if window is None else to_duration_ns(window)
        if self._window_ns is not None and self._window_ns <= 0:
            raise ParameterError(f"window must be a positive duration, got {window!r}")
        self._track_size = (int(track_rows), int(track_levels))
        self._max_rows = None if max_rows is None else int(max_rows)
        self._ring: RingBook | None = None
        self._ring_trades: RingTrades | None = None
        self._data_lock = threading.Lock()
        self._flush_lock = threading.RLock()
        self._deferring: dict | None = None
        self._last_full = 0.0
        self._full_dirty = False
        self._dropped_seen = 0
        self._coalescer = Coalescer(self._flush_fast, self._flush_settled, float(rate), kernel_loop())
        if self._max_rows is not None and len(book) > self._max_rows:
            book = book[len(book) - self._max_rows :]
            if trades is not None:
                trades = trades.between(int(book.ts[0]), None)
        self._book = book
        self._trades = trades
        self._consolidated = consolidated
        self._mid = metrics.mid(book)
        self._mid_of = book
        ts = book.ts
        span = (int(ts[0]), int(ts[-1]))
        super().__init__(name=book.name or "" if name is None else name, time_range=span, follow=follow, **kwargs)
        self._meta = self._make_meta()
        self._axis = self._make_axis()
        self._track = self._make_track(int(track_rows), int(track_levels))
        self.cursor = cursor
        self._on_cursor({"new": self.cursor})

    # -- Python API ----------------------------------------------------------------------------
    @property
    def book(self) -> Book:
        return self._book

    @property
    def trades(self) -> Trades | None:
        return self._trades

    @property
    def consolidated(self):
        """The :class:`~obi_widgets.ConsolidatedBook` this source was made from, or None."""
        return self._consolidated

    @property
    def mid(self) -> np.ndarray:
        """``metrics.mid(book)``, computed once for every view of this source."""
        if self._mid_of is not self._book:  # a live source grew since: once per new book
            book = self._book
            self._mid, self._mid_of = metrics.mid(book), book
        return self._mid

    @property
    def cursor_time(self) -> pd.Timestamp:
        """Time of the cursor row."""
        return pd.Timestamp(int(self._book.ts[self.cursor]))  # pyright: ignore[reportReturnType] (never NaT: an int)

    def go_to(self, time) -> None:
        """Move the cursor (every linked view) to the book in force at ``time`` (ns, str, Timestamp)."""
        self.cursor = self._book.row_at(to_ns(time))

    def zoom(self, start=None, end=None) -> None:
        """Show ``[start, end]`` in every time view (None: the book's first / last time)."""
        ts = self._book.ts
        lo = int(ts[0]) if start is None else to_ns(start)
        hi = int(ts[-1]) if end is None else to_ns(end)
        self.time_range = (lo, hi)

    def reset(self) -> None:
        """Whole book visible, no selection."""
        self.zoom()
        self.selection = None

    @property
    def selected(self) -> Book | None:
        """The rows of the book inside ``selection``, or None without a selection."""
        if self.selection is None:
            return None
        return self._book.between(self.selection[0], self.selection[1])

    def __repr__(self) -> str:
        return (
            f"BookSource(name={self.name!r}, rows={len(self._book)}, levels={self._book.levels}, cursor={self.cursor})"
        )

    # -- live --------------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """True once rows or trades have been pushed into this source."""
        return self._ring is not None

    @property
    def max_rows(self) -> int | None:
        return self._max_rows

    @property
    def dropped(self) -> int:
        """Rows dropped from the front of the ring buffer (``max_rows``) up to the last flush."""
        return self._dropped_seen

    @property
    def flushes(self) -> int:
        """Flushes sent to the browser so far (at most ``rate`` a second)."""
        return self._coalescer.flushes

    def push(self, book: Book | None = None, trades: Trades | None = None) -> None:
        """Append book rows and/or trades (thread-safe; the browser is updated at most ``rate`` times a second).

        ``book``: a :class:`Book` with this source's levels whose first row is not before the
        source's last row; ``trades``: :class:`Trades` not before the last pushed trade.
        :attr:`book` and :attr:`trades` are what the views show: the state at the last flush
        (flushes run on the kernel's event loop, so the views' code never sees the book change
        under it); :meth:`flush` brings them up to date at once. Build
        rows from L2 deltas with :class:`obi_widgets.io.BookBuilder` (``result().book``), or use a
        feed adapter of :mod:`obi_widgets.live` that pushes for you. The last pushed state
        always reaches the browser (a trailing flush); :meth:`flush` sends it at once.
        """
        if book is None and trades is None:
            return
        if self._consolidated is not None:
            raise ParameterError("push() needs a source over a Book, not a ConsolidatedBook")
        if book is not None and not isinstance(book, Book):
            raise ParameterError(f"push(book=...) needs an obi_widgets.Book, got {type(book).__name__}")
        if trades is not None and not isinstance(trades, Trades):
            raise ParameterError(f"push(trades=...) needs an obi_widgets.Trades, got {type(trades).__name__}")
        with self._data_lock:
            if self._ring is None:
                self._ring = RingBook(self._book, self._max_rows)
                cap = None if self._max_rows is None else 8 * self._max_rows
                self._ring_trades = RingTrades(self._trades, cap)
            ring, tring = self._ring, self._ring_trades
            assert tring is not None
            if book is not None:
                ring.append(book)
            if trades is not None:
                tring.append(trades)
            tring.drop_before(ring.book_first_ts())  # no trade older than the first kept row
        self._coalescer.poke()

    def flush(self) -> None:
        """Send what was pushed to the browser now, the axis and track included (the final state).

        Called from another thread than the kernel's (a feed's), the flush runs on the kernel's
        event loop as soon as it is free."""
        if self._ring is not None:
            self._coalescer.call(self._flush_final)

    def _flush_final(self) -> None:
        self._coalescer.flush_now()
        self._flush_settled()

    def _flush_settled(self) -> None:
        if self._full_dirty:
            self._flush(full=True)

    def _flush_fast(self) -> None:
        self._flush(full=time.monotonic() - self._last_full >= FULL_EVERY)

    def _flush(self, full: bool) -> None:
        # one flush at a time: the trailing, settle and explicit flushes may come from the
        # pushing thread, a timer thread and the caller's
        with self._flush_lock:
            self._flush_locked(full)

    def _flush_locked(self, full: bool) -> None:
        with self._data_lock:
            ring, tring = self._ring, self._ring_trades
            if ring is None:
                return
            book = ring.book()
            trades = tring.trades() if tring is not None and (len(tring) or self._trades is not None) else None
            dropped = ring.dropped - self._dropped_seen
            self._dropped_seen = ring.dropped
        old_cursor = self.cursor
        self._book, self._trades = book, trades
        n = len(book)
        ts = book.ts
        self._deferring = pending = {}
        try:
            with self.hold_sync():
                self._meta = self._make_meta()
                if full:
                    self._axis = self._make_axis()
                    self._track = self._make_track(*self._track_size)
                if self.follow:
                    new_cursor = n - 1
                    w = self._window_ns
                    hi = int(ts[-1])
                    lo = int(ts[0]) if w is None else max(hi - w, int(ts[0]) - w)
                    self.time_range = (lo, hi if hi > lo else lo + 1)
                else:
                    new_cursor = min(max(old_cursor - dropped, 0), n - 1)
                if new_cursor == self.cursor:  # same row number, new content: tell the views
                    self._on_cursor({"new": new_cursor})
                    self.notify_change(
                        t.Bunch(name="cursor", old=old_cursor, new=new_cursor, owner=self, type="change")
                    )
                else:
                    self.cursor = new_cursor
                self.data_version += 1
                if full:
                    self.full_version += 1
        finally:
            self._deferring = None
        # views react once per flush: the data observers first, then cursor / time range ones
        for handler, change in sorted(pending.values(), key=lambda hc: hc[1]["name"] not in _DATA_TRAITS):
            handler(change)
        if full:
            self._last_full = time.monotonic()
            self._full_dirty = False
        else:
            self._full_dirty = True

    def defer(self, handler, change) -> bool:
        """Inside a flush: remember ``handler(change)`` to run once after it (views' source
        observers go through this); True when deferred."""
        if self._deferring is None:
            return False
        self._deferring[(id(handler), change["name"] in _DATA_TRAITS)] = (handler, change)
        return True

    # -- validation and observers --------------------------------------------------------------
    @t.validate("cursor")
    def _check_cursor(self, proposal):
        value = int(proposal["value"])
        n = len(self._book)
        if not 0 <= value < n:
            raise t.TraitError(f"cursor must be a row in [0, {n - 1}], got {value}")
        return value

    @t.validate("time_range")
    def _check_range(self, proposal):
        lo, hi = (int(v) for v in proposal["value"])
        if hi < lo:
            raise t.TraitError(f"time_range must be (start, end) with start <= end, got ({lo}, {hi})")
        t0, t1 = int(self._book.ts[0]), int(self._book.ts[-1])
        if self.live and self._window_ns is not None:  # the window may reach before the kept rows
            t0 = min(t0, t1 - self._window_ns)
        # the browser works in float ms (exact to ~0.1 us at today's epoch): ends within 1 us of
        # the book's ends are the ends
        lo = t0 if abs(lo - t0) <= 1_000 else lo
        hi = t1 if abs(hi - t1) <= 1_000 else hi
        pad = max(t1 - t0, 1)  # allow looking a book-length beyond each end, no further
        return (max(lo, t0 - pad), min(hi, t1 + pad)) if hi > lo else (lo, lo + 1)

    @t.validate("selection")
    def _check_selection(self, proposal):
        value = proposal["value"]
        if value is None:
            return None
        lo, hi = (int(v) for v in value)
        if hi < lo:
            lo, hi = hi, lo
        return (lo, hi)

    @t.observe("cursor", "time_range", "follow")
    def _on_live_state(self, change):
        """A live source: a cursor moved by hand (a click, a key, Python) holds the views still
        (``follow = False``, as scrolling back on a trading screen leaves "live"); a zoom or pan
        while following keeps its span for the next flushes; following again jumps to the newest row."""
        if not self.live or self._deferring is not None:  # not live, or the flush's own change
            return
        if change["name"] == "follow":
            if change["new"]:
                self._coalescer.poke()
        elif change["name"] == "cursor" and self.follow:
            self.follow = False
        elif change["name"] == "time_range" and self.follow:
            lo, hi = change["new"]
            self._window_ns = max(int(hi) - int(lo), 1)

    @t.observe("cursor")
    def _on_cursor(self, change):
        row = int(change["new"])
        self._cursor_at = [row, float(ms(self._book.ts[row]))]

    # -- payloads ------------------------------------------------------------------------------
    def _make_meta(self) -> dict:
        b = self._book
        meta = b.meta
        tick = b.tick
        cb = self._consolidated
        return {
            "rows": len(b),
            "levels": b.levels,
            "start_ms": float(ms(b.ts[0])),
            "end_ms": float(ms(b.ts[-1])),
            "price_unit": str(meta.get("price_unit", "")),
            "size_unit": str(meta.get("size_unit", "")),
            "symbol": str(meta.get("symbol", "")),
            "venue": str(meta.get("venue", "")),
            "tick": float(tick) if np.isfinite(tick) else None,
            "venues": list(cb.names) if cb is not None else [],
            "trades": self._trades is not None and len(self._trades) > 0,
            "live": self.live,
            "max_rows": self._max_rows,
        }

    def _make_axis(self) -> bytes:
        b = self._book
        ts = b.ts
        edges = time_edges(int(ts[0]), int(ts[-1]), AXIS_BINS if ts[-1] > ts[0] else 1)
        lo, hi = bin_minmax(ts, self.mid, edges)
        _, in_force = rows_in_bins(ts, edges)
        return pack(
            {
                "t": ms(edges),
                "mid_lo": lo,
                "mid_hi": hi,
                "bid": bin_last(ts, b.bid_px[:, 0], edges),
                "ask": bin_last(ts, b.ask_px[:, 0], edges),
                "row": np.maximum(in_force, 0).astype(np.int32),
            }
        )

    def _make_track(self, rows: int, levels: int) -> bytes:
        b = self._book
        n = len(b)
        idx = np.arange(n) if n <= rows else np.unique(np.linspace(0, n - 1, rows).round().astype(np.int64))
        lv = min(levels, b.levels)
        sub = b[idx]
        return pack(
            {
                "row": idx.astype(np.int32),
                "t": ms(b.ts[idx]),
                "bid_px": b.bid_px[idx, :lv],
                "ask_px": b.ask_px[idx, :lv],
                "bid_sz": b.bid_sz[idx, :lv].astype(np.float32),
                "ask_sz": b.ask_sz[idx, :lv].astype(np.float32),
                "imb_l1": metrics.level1_imbalance(sub).astype(np.float32),
                "imb_depth": metrics.depth_imbalance(sub, levels=lv).astype(np.float32),
                "bid_cum": metrics.cumulative_depth(sub, "bid")[:, :lv].astype(np.float32),
                "ask_cum": metrics.cumulative_depth(sub, "ask")[:, :lv].astype(np.float32),
            },
            {"levels": lv, "rows": n, "depth_levels": lv},
        )


_DATA_TRAITS = ("data_version", "full_version")


def as_source(source_or_book, trades: Trades | None = None, **kwargs) -> BookSource:
    """The source of a view: ``source_or_book`` itself, or a new source over a book."""
    if isinstance(source_or_book, BookSource):
        if trades is not None:
            raise ParameterError("pass trades to the BookSource, not to a view made from one")
        return source_or_book
    return BookSource(source_or_book, trades, **kwargs)

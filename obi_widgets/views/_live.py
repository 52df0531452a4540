"""What makes a :class:`~obi_widgets.BookSource` live: ring buffers of rows and a flush coalescer.

- :class:`RingBook` / :class:`RingTrades` hold the rows pushed into a source in preallocated
  arrays and hand out the last ``max_rows`` of them as an ordinary, read-only ``Book`` /
  ``Trades`` that shares their memory (no copy per push). When the arrays are full, the rows kept
  move to *new* arrays, so a Book handed out earlier never changes under its holder.
- :class:`Coalescer` turns any number of pushes per second into at most ``rate`` flushes per
  second: the first push after a quiet spell flushes at once, later ones within ``1 / rate`` s
  wait for one trailing flush, so the last pushed state always goes out. When a flush (the views'
  payloads) takes longer than half of ``1 / rate``, the gap grows to twice its duration: the
  kernel keeps half of its time for the user and the feed. Flushes run on the
  kernel's event loop when the source was made inside a running kernel (serialised with the
  browser's messages), else on the pushing thread or a timer thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import numpy as np

from ..book import Book
from ..errors import ParameterError, TimestampError
from ..trades import Trades

_SIDES = ("bid_px", "bid_sz", "ask_px", "ask_sz")


def _capacity(rows: int, max_rows: int | None) -> int:
    return max(1024, 2 * (max_rows if max_rows is not None else rows))


class _ColumnRing:
    """Columns (name -> dtype and row shape) in preallocated arrays: rows appended at the end,
    the last ``max_rows`` (None: all) kept, ``dropped`` counting those that fell off the front.
    When the arrays are full the kept rows move to new ones, so views handed out earlier never
    change."""

    def __init__(self, columns: dict[str, tuple], max_rows: int | None, rows: int = 0):
        self.max_rows = max_rows
        self.dropped = 0
        self._spec = columns
        self._cols = self._allocate(_capacity(rows, max_rows))
        self._start = self._end = 0

    def _allocate(self, cap: int) -> dict[str, np.ndarray]:
        return {k: np.empty((cap, *shape), dtype=dtype) for k, (dtype, shape) in self._spec.items()}

    def __len__(self) -> int:
        return self._end - self._start

    def last(self, name: str):
        return self._cols[name][self._end - 1] if len(self) else None

    def first(self, name: str):
        return self._cols[name][self._start]

    def append(self, values: dict[str, np.ndarray]) -> None:
        n = next(iter(values.values())).shape[0]
        cap_rows = self.max_rows
        if cap_rows is not None and n > cap_rows:  # every kept row goes: the push's last ones stay
            self.dropped += len(self) + n - cap_rows
            self._start = self._end
            values = {k: v[n - cap_rows :] for k, v in values.items()}
            n = cap_rows
        if self._end + n > next(iter(self._cols.values())).shape[0]:
            keep = len(self) if cap_rows is None else min(len(self), cap_rows - n)
            old_cap = next(iter(self._cols.values())).shape[0]
            lo = self._end - keep
            cols = self._allocate(max(old_cap, _capacity(keep + n, cap_rows)))
            for k, a in cols.items():
                a[:keep] = self._cols[k][lo : self._end]
            self.dropped += lo - self._start
            self._cols, self._start, self._end = cols, 0, keep
        e = self._end
        for k, a in self._cols.items():
            a[e : e + n] = values[k]
        self._end = e + n
        if cap_rows is not None and len(self) > cap_rows:
            self.dropped += len(self) - cap_rows
            self._start = self._end - cap_rows

    def drop_before(self, name: str, value) -> None:
        """Drop the rows at the front whose (ascending) ``name`` is below ``value``."""
        col = self._cols[name][self._start : self._end]
        k = int(np.searchsorted(col, value, side="left"))
        self._start += k
        self.dropped += k

    def view(self) -> dict[str, np.ndarray]:
        return {k: a[self._start : self._end] for k, a in self._cols.items()}


class RingBook:
    """A growing book: rows appended at the end, the last ``max_rows`` (None: all) kept.

    ``dropped`` counts the rows that fell off the front since the ring was made.
    """

    def __init__(self, book: Book, max_rows: int | None):
        self.levels = book.levels
        self.name = book.name
        self.meta = book.meta
        self.max_rows = max_rows
        spec = {"ts": (np.int64, ())} | {s: (np.float64, (self.levels,)) for s in _SIDES}
        self._ring = _ColumnRing(spec, max_rows, len(book))
        self.append(book)

    def __len__(self) -> int:
        return len(self._ring)

    @property
    def dropped(self) -> int:
        return self._ring.dropped

    @property
    def last_ts(self) -> int:
        last = self._ring.last("ts")
        return np.iinfo(np.int64).min if last is None else int(last)

    def append(self, book: Book) -> int:
        """Append ``book``'s rows (same levels, times not before the last row); rows dropped."""
        if book.levels != self.levels:
            raise ParameterError(f"pushed book has {book.levels} levels; this source holds {self.levels}")
        n = len(book)
        if n == 0:
            return 0
        if int(book.ts[0]) < self.last_ts:
            raise TimestampError(
                f"pushed row 0 at ts={int(book.ts[0])} is before the source's last row (ts={self.last_ts}); "
                "pushes must be in time order"
            )
        self._ring.append({"ts": book.ts} | {s: getattr(book, s) for s in _SIDES})
        return n

    def book_first_ts(self) -> int:
        return int(self._ring.first("ts"))

    def book(self) -> Book:
        """The kept rows as a read-only Book sharing the ring's memory."""
        v = self._ring.view()
        return Book(v["ts"], *(v[s] for s in _SIDES), name=self.name, meta=self.meta, validate=False)


class RingTrades:
    """Trades appended in time order; those before ``keep_from`` (the book's first row) and beyond
    ``max_trades`` are dropped."""

    _SPEC = {"ts": (np.int64, ()), "price": (np.float64, ()), "size": (np.float64, ()), "side": (np.int8, ())}

    def __init__(self, trades: Trades | None, max_trades: int | None):
        self.max_trades = max_trades
        self.name = trades.name if trades is not None else None
        self._ring = _ColumnRing(self._SPEC, max_trades, len(trades) if trades is not None else 0)
        if trades is not None:
            self.append(trades)

    def __len__(self) -> int:
        return len(self._ring)

    def append(self, trades: Trades, keep_from: int | None = None) -> int:
        n = len(trades)
        last = self._ring.last("ts")
        if n and last is not None and int(trades.ts[0]) < int(last):
            raise TimestampError(
                f"pushed trade 0 at ts={int(trades.ts[0])} is before the source's last trade (ts={int(last)}); "
                "pushes must be in time order"
            )
        if n:
            self._ring.append({k: getattr(trades, k) for k in self._SPEC})
        if keep_from is not None:
            self.drop_before(keep_from)
        return n

    def drop_before(self, ts: int) -> None:
        """Drop the trades before ``ts`` (the first kept book row's time)."""
        if len(self):
            self._ring.drop_before("ts", ts)

    def trades(self) -> Trades:
        v = self._ring.view()
        return Trades(v["ts"], v["price"], v["size"], v["side"], name=self.name, validate=False)


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The IPython kernel's event loop when called on its thread inside a kernel, else None.

    Only a kernel's loop is used: another library's loop that merely looks running in this
    thread (Playwright's sync API, for one) may never run the flushes handed to it."""
    import sys

    if "ipykernel" not in sys.modules:
        return None
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        return None
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Coalescer:
    """At most ``rate`` calls of ``flush`` per second, whatever the rate of :meth:`poke`; the
    last poke is always followed by a flush (after at most ``1 / rate`` s), and ``settle`` is
    called once pushes have stopped for ``settle_after`` s."""

    def __init__(
        self,
        flush: Callable[[], None],
        settle: Callable[[], None],
        rate: float,
        loop: asyncio.AbstractEventLoop | None,
        settle_after: float = 0.5,
    ):
        self._flush, self._settle = flush, settle
        self.interval = 1.0 / rate
        self.settle_after = settle_after
        self._loop = loop
        self._loop_thread = threading.get_ident()  # sources are made on the kernel's thread
        self._lock = threading.Lock()
        self._last = -np.inf  # monotonic time of the last flush
        self._pending = False  # a trailing flush is scheduled
        self._dirty = False
        self._poked = -np.inf
        self._settle_due = False
        self.flushes = 0
        self.busy = 0.0  # seconds the last flush took

    @property
    def gap(self) -> float:
        """Seconds between flushes: ``1 / rate``, or twice the last flush's own duration when
        that is longer, so that flushing never takes more than half of the kernel's time."""
        return max(self.interval, 2.0 * self.busy)

    # -- scheduling ----------------------------------------------------------------------------
    def _on_loop(self) -> bool:
        loop = self._loop
        return loop is not None and not loop.is_closed() and loop.is_running()

    def _later(self, delay: float, fn: Callable[[], None]) -> None:
        if self._on_loop():
            loop = self._loop
            assert loop is not None
            loop.call_soon_threadsafe(loop.call_later, max(delay, 0.0), fn)
        else:
            timer = threading.Timer(max(delay, 0.0), fn)
            timer.daemon = True
            timer.start()

    def poke(self) -> None:
        """New data: flush now if the last flush is old enough, else schedule one trailing flush."""
        with self._lock:
            self._dirty = True
            now = time.monotonic()
            self._poked = now
            if self._pending:
                return
            self._pending = True
            delay = self._last + self.gap - now
        inline = not self._on_loop() or threading.get_ident() == self._loop_thread
        if delay <= 0 and inline:
            self._run()
        else:
            self._later(delay, self._run)

    def _run(self) -> None:
        with self._lock:
            self._pending = False
            if not self._dirty:
                return
            self._dirty = False
            self._last = time.monotonic()
            schedule_settle = not self._settle_due
            self._settle_due = True
        self.flushes += 1
        began = time.perf_counter()
        self._flush()
        self.busy = time.perf_counter() - began
        if schedule_settle:
            self._later(self.settle_after, self._check_settle)

    def _check_settle(self) -> None:
        with self._lock:
            quiet = time.monotonic() - self._poked
            if quiet < self.settle_after or self._pending:
                wait = self.settle_after - quiet if quiet < self.settle_after else self.gap
                again = True
            else:
                self._settle_due = False
                again = False
        if again:
            self._later(max(wait, 0.01), self._check_settle)
        else:
            self._settle()

    def call(self, fn: Callable[[], None]) -> None:
        """``fn()`` on the kernel's loop when the source has one and this is another thread (the
        flush then runs soon, serialised with the browser's messages), else here and now."""
        if self._on_loop() and threading.get_ident() != self._loop_thread:
            loop = self._loop
            assert loop is not None
            loop.call_soon_threadsafe(fn)
        else:
            fn()

    def flush_now(self) -> None:
        """Flush what is pending now, in this thread (``BookSource.flush``)."""
        with self._lock:
            self._dirty = False
            self._last = time.monotonic()
        self.flushes += 1
        self._flush()

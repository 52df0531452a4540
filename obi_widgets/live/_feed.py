"""The base of the live feeds: a daemon thread running its own asyncio loop, pushing into a source.

A :class:`Feed` runs one coroutine (:meth:`Feed._run`, written by each adapter) in an event loop
of its own, in a daemon thread, so a notebook's kernel stays free while the feed receives; it
delivers books and trades with :meth:`Feed._deliver`, which pushes them into the source
(``source.push(book=..., trades=...)``, thread-safe by the source's contract). Until a source
exists the rows wait in a bounded buffer; :attr:`Feed.source` creates the
:class:`~obi_widgets.views.source.BookSource` from them in the CALLING thread (a widget is made
where the notebook runs, never in the feed thread).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import FeedError, ParameterError

PENDING_ROWS = 100_000  # book rows held for a source nobody has asked for yet (the newest are kept)


def concat_books(books: list):
    """One :class:`~obi_widgets.Book` from consecutive books of the same levels (time order kept)."""
    from ..book import Book

    if len(books) == 1:
        return books[0]
    first = books[0]
    cols = [np.concatenate([getattr(b, k) for b in books]) for k in ("ts", "bid_px", "bid_sz", "ask_px", "ask_sz")]
    return Book(*cols, name=first.name, meta=first.meta, validate=False)


def concat_trades(trades: list):
    """One :class:`~obi_widgets.Trades` from consecutive ones."""
    from ..trades import Trades

    if len(trades) == 1:
        return trades[0]
    cols = [np.concatenate([getattr(t, k) for t in trades]) for k in ("ts", "price", "size", "side")]
    return Trades(*cols, name=trades[0].name, validate=False)


def check_positive(name: str, value, *, allow_inf: bool = False, allow_none: bool = False) -> None:
    """ParameterError unless ``value`` is a positive number (``inf`` / None when allowed)."""
    if value is None and allow_none:
        return
    number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not number or not (float(value) > 0 and (allow_inf or math.isfinite(float(value)))):  # type: ignore[arg-type]
        extra = " (or inf)" if allow_inf else ""
        raise ParameterError(f"{name} must be a positive number{extra}, got {value!r}")


async def in_daemon_thread(fn: Callable[..., Any], *args) -> Any:
    """``fn(*args)`` in a daemon thread, awaited (unlike ``asyncio.to_thread``, a call still blocked
    in it, e.g. a slow HTTP request, never holds up the feed's stop or the interpreter's exit)."""
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def settle(ok: bool, value) -> None:
        if not fut.done():
            (fut.set_result if ok else fut.set_exception)(value)

    def work() -> None:
        try:
            result, ok = fn(*args), True
        except BaseException as exc:  # handed to the awaiting coroutine
            result, ok = exc, False
        try:
            loop.call_soon_threadsafe(settle, ok, result)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    threading.Thread(target=work, name="obi-feed-io", daemon=True).start()
    return await fut


class Feed:
    """A feed running in a background thread with its own asyncio loop (base of the adapters).

    ``source``: an existing :class:`~obi_widgets.views.source.BookSource` (or any object with
    ``push(book=, trades=)``) to push into; None: the feed makes one from its first synced rows
    when :attr:`source` is first read. ``max_rows``: ring-buffer length of the source it makes
    (None: the source's own default). ``wait``: seconds :attr:`source` waits for the first book.

    Use :meth:`start` / :meth:`stop`, or ``with feed:``; :attr:`status` is a snapshot of the
    counters (``state``, ``messages``, ``snapshots``, ``resyncs``, ``reconnects``, ``gaps``,
    ``crossed`` rows, ``rows`` and ``trades`` pushed, ``last_error``...);
    :meth:`wait_until` polls a condition on the feed (for tests and notebooks).
    """

    kind = "feed"

    def __init__(self, *, source=None, max_rows: int | None = None, wait: float = 15.0):
        if source is not None and not callable(getattr(source, "push", None)):
            raise ParameterError(
                f"source must be a BookSource (or have push(book=, trades=)), got {type(source).__name__}"
            )
        if max_rows is not None and (
            not isinstance(max_rows, (int, np.integer)) or isinstance(max_rows, bool) or max_rows < 1
        ):
            raise ParameterError(f"max_rows must be a positive int or None, got {max_rows!r}")
        check_positive("wait", wait)
        self._source = source
        self._max_rows = None if max_rows is None else int(max_rows)
        self.wait = float(wait)
        self._lock = threading.Lock()
        self._first = threading.Event()  # a first book was delivered (or the feed ended)
        self._done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._pending_books: list = []
        self._pending_trades: list = []
        self._pending_rows = 0
        self.error: BaseException | None = None
        self._status: dict[str, Any] = {
            "state": "new",
            "messages": 0,
            "snapshots": 0,
            "resyncs": 0,
            "reconnects": 0,
            "gaps": 0,
            "crossed": 0,
            "gap_rows": 0,
            "rows": 0,
            "trades": 0,
            "pushes": 0,
            "last_error": "",
        }

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> Feed:
        """Start the feed thread (a no-op when already started); returns the feed."""
        if self._thread is not None:
            return self
        self._set(state="starting")
        self._thread = threading.Thread(target=self._main, name=f"obi-{self.kind}", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """True while the feed thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the feed and wait up to ``timeout`` s for its thread; the source gets a final flush.
        Raises :class:`FeedError` when the thread is still running after ``timeout``."""
        self._stop.set()
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop closed in between
                pass
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise FeedError(f"the {self.kind} thread did not stop within {timeout} s")
        if self.status["state"] not in ("failed", "finished"):
            self._set(state="stopped")

    def __enter__(self) -> Feed:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __del__(self):  # a forgotten feed must not keep pushing
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._task = loop.create_task(self._run())
            if self._stop.is_set():
                self._task.cancel()
            loop.run_until_complete(self._task)
            if self.status["state"] not in ("failed",):
                self._set(state="finished")
        except asyncio.CancelledError:
            self._set(state="stopped")
        except BaseException as exc:  # recorded, raised by .source / visible in .status
            self.error = exc
            self._set(state="failed", last_error=f"{type(exc).__name__}: {exc}")
        finally:
            try:
                self._flush_source()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()
                self._done.set()
                self._first.set()

    async def _run(self) -> None:  # pragma: no cover - written by each adapter
        raise NotImplementedError

    async def _sleep(self, seconds: float) -> None:
        """Sleep, or return early once the feed is stopping."""
        end = time.monotonic() + seconds
        while not self._stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.05))

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop.is_set()

    # -- status -------------------------------------------------------------------------------
    @property
    def status(self) -> dict:
        """A copy of the feed's counters and state (see the class docstring)."""
        with self._lock:
            return dict(self._status)

    def _set(self, **values) -> None:
        with self._lock:
            self._status.update(values)

    def _count(self, **deltas: int) -> None:
        with self._lock:
            for k, v in deltas.items():
                self._status[k] = self._status.get(k, 0) + int(v)

    def wait_until(self, pred: Callable[[Feed], bool], timeout: float = 10.0, interval: float = 0.01) -> bool:
        """Poll ``pred(feed)`` every ``interval`` s until it is true (returns True) or ``timeout`` s
        pass or the feed ends without it (returns False)."""
        end = time.monotonic() + timeout
        while True:
            if pred(self):
                return True
            if time.monotonic() >= end or (self._done.is_set() and not pred(self)):
                return bool(pred(self))
            time.sleep(interval)

    # -- delivery -----------------------------------------------------------------------------
    def _deliver(self, book=None, trades=None) -> None:
        """Push rows into the source, or hold them until the source exists (newest PENDING_ROWS)."""
        if book is not None and len(book) == 0:
            book = None
        if trades is not None and len(trades) == 0:
            trades = None
        if book is None and trades is None:
            return
        with self._lock:
            src = self._source
            if src is None:
                if book is not None:
                    self._pending_books.append(book)
                    self._pending_rows += len(book)
                if trades is not None:
                    self._pending_trades.append(trades)
                self._trim_pending()
            self._status["rows"] += 0 if book is None else len(book)
            self._status["trades"] += 0 if trades is None else len(trades)
        if src is not None:
            src.push(book=book, trades=trades)
            self._count(pushes=1)
        if book is not None:
            self._first.set()

    def _trim_pending(self) -> None:
        """Keep the newest ``max_rows`` (or PENDING_ROWS) book rows and 8x as many trades; when book rows
        were dropped, the trades before the first kept row go too."""
        cap = self._max_rows or PENDING_ROWS
        dropped = False
        while self._pending_rows > cap and len(self._pending_books) > 1:
            self._pending_rows -= len(self._pending_books.pop(0))
            dropped = True
        if self._pending_rows > cap:
            b = self._pending_books[0]
            self._pending_books[0] = b[len(b) - cap :]
            self._pending_rows = cap
            dropped = True
        trades = self._pending_trades
        if dropped and self._pending_books and trades:
            t0 = int(self._pending_books[0].ts[0])
            while trades and int(trades[0].ts[-1]) < t0:
                trades.pop(0)
            if trades:
                trades[0] = trades[0].between(t0, None)
        while len(trades) > 1 and sum(len(t) for t in trades[1:]) >= 8 * cap:
            trades.pop(0)

    @property
    def source(self):
        """The source the feed pushes into; made from the first synced rows (in this thread) when
        none was given, waiting up to ``wait`` s for them. Raises :class:`FeedError` with the reason
        when no book came (the feed failed, stopped, or is still syncing)."""
        if self._source is not None:
            return self._source
        if self._thread is None:
            self.start()
        self._first.wait(self.wait)
        with self._lock:
            if self._source is None and self._pending_books:
                from ..views.source import BookSource

                book = concat_books(self._pending_books)
                trades = concat_trades(self._pending_trades) if self._pending_trades else None
                self._source = BookSource(book, trades, max_rows=self._max_rows)
                self._pending_books, self._pending_trades, self._pending_rows = [], [], 0
            if self._source is not None:
                return self._source
        st = self.status
        reason = st["last_error"] or "no error reported"
        if self.error is not None:
            raise FeedError(f"the {self.kind} failed before its first book: {reason}") from self.error
        raise FeedError(
            f"no synced book from the {self.kind} within wait={self.wait} s (state {st['state']!r}, "
            f"{st['messages']} messages, {st['snapshots']} snapshots, {st['reconnects']} reconnects; "
            f"last error: {reason})"
        )

    def _flush_source(self) -> None:
        src = self._source
        flush = getattr(src, "flush", None)
        if callable(flush):
            flush()

    def __repr__(self) -> str:
        st = self.status
        return f"<{type(self).__name__} {st['state']}: {st['rows']} rows, {st['trades']} trades>"

"""Replay a recorded capture (or any Book + Trades) into a source at x speed of its own clock."""

from __future__ import annotations

import math
import time

import numpy as np

from ..errors import ParameterError
from ._feed import Feed, check_positive


class ReplayFeed(Feed):
    """A recorded book played into a source (see :func:`replay`, which makes and starts one)."""

    kind = "replay"

    def __init__(
        self,
        data,
        trades=None,
        *,
        speed: float = 1.0,
        levels: int = 10,
        clock: str = "exchange",
        source=None,
        max_rows: int | None = None,
        wait: float = 15.0,
        batch_ms: float = 20.0,
        chunk_lines: int | None = None,
        **read_kwargs,
    ):
        super().__init__(source=source, max_rows=max_rows, wait=wait)
        from ..book import Book
        from ..trades import Trades

        check_positive("speed", speed, allow_inf=True)
        check_positive("batch_ms", batch_ms)
        if trades is not None and not isinstance(trades, Trades):
            raise ParameterError(f"trades must be an obi_widgets.Trades or None, got {type(trades).__name__}")
        if isinstance(data, Book):
            if read_kwargs or chunk_lines is not None:
                raise ParameterError(f"replaying a Book takes no capture arguments, got {sorted(read_kwargs)}")
            self._parts_of = lambda: iter([(data, trades)])
        else:
            if trades is not None:
                raise ParameterError("trades= goes with a Book; a capture's trades are read from the capture")
            from ..io.binance import iter_binance

            kwargs = {"levels": levels, "clock": clock, "on_gap": "flag", "on_crossed": "flag", **read_kwargs}
            if chunk_lines is not None:
                kwargs["chunk_lines"] = chunk_lines
            from ..io.binance_messages import _paths

            _paths(data)  # the files exist (FileNotFoundError now, not in the feed thread)
            iter_binance(data, **kwargs)  # checks the arguments now; the capture is read in the feed thread
            self._parts_of = lambda: (
                (r.book[~r.unreliable] if r.unreliable.any() else r.book, r.trades)
                for r in iter_binance(data, **kwargs)
            )
        self.speed = float(speed)
        self.batch_s = float(batch_ms) / 1000.0
        self.t0: int | None = None  # the data's clock at the start of the replay (ns)
        self.w0: float | None = None  # time.monotonic() then

    async def _run(self) -> None:
        self._set(state="playing")
        t0 = None  # the data's clock at the start (ns)
        w0 = time.monotonic()
        for book, trades in self._parts_of():
            if self.stopping:
                return
            if not len(book) and (trades is None or not len(trades)):
                continue
            if t0 is None:
                firsts = [int(book.ts[0])] if len(book) else []
                if trades is not None and len(trades):
                    firsts.append(int(trades.ts[0]))
                t0 = min(firsts)
                w0 = time.monotonic()
                self.t0, self.w0 = t0, w0
            if math.isinf(self.speed):
                self._deliver(book, trades)
                self._count(messages=1)
                await self._sleep(0)  # let stop() in
                continue
            bi = ti = 0
            nb = len(book)
            nt = 0 if trades is None else len(trades)
            while bi < nb or ti < nt:
                if self.stopping:
                    return
                cut = t0 + int((time.monotonic() - w0) * self.speed * 1e9)
                bj = int(np.searchsorted(book.ts, cut, side="right"))
                tj = ti if trades is None else int(np.searchsorted(trades.ts, cut, side="right"))
                if bj > bi or tj > ti:
                    self._deliver(
                        book[bi:bj] if bj > bi else None, trades[ti:tj] if trades is not None and tj > ti else None
                    )
                    self._count(messages=1)
                    bi, ti = bj, tj
                if bi < nb or ti < nt:
                    await self._sleep(self.batch_s)


def replay(
    data,
    trades=None,
    *,
    speed: float = 1.0,
    levels: int = 10,
    clock: str = "exchange",
    source=None,
    max_rows: int | None = None,
    wait: float = 15.0,
    batch_ms: float = 20.0,
    chunk_lines: int | None = None,
    start: bool = True,
    **read_kwargs,
) -> ReplayFeed:
    """Play a recorded Binance capture (one path or several consecutive ones) — or a
    :class:`~obi_widgets.Book` with optional ``trades`` — into a source at ``speed`` x its own clock.

    A row stamped ``t`` is pushed when ``(t - t_0) / speed`` seconds of wall time have passed since
    the start (``t_0`` the first row's or trade's time); every ``batch_ms`` the rows due are pushed
    in one ``push``. ``speed=float('inf')``: as fast as possible (one push per chunk read). A capture
    is read by :func:`~obi_widgets.io.iter_binance` (streamed, ``chunk_lines`` lines at a time) with
    ``levels``, ``clock`` ("exchange" or "local", the clock that paces the replay too),
    ``on_gap="flag"``, ``on_crossed="flag"`` and ``read_kwargs``; rows flagged gap or crossed are not
    pushed, so a replay at any speed pushes ``read_binance(...).book[~unreliable]`` row for row.
    ``source`` / ``max_rows`` / ``wait``: as :func:`~obi_widgets.live.binance`. Returns the started
    :class:`ReplayFeed` (``start=False``: not started); ``feed.stop()`` or ``with`` ends it early.
    """
    feed = ReplayFeed(
        data,
        trades,
        speed=speed,
        levels=levels,
        clock=clock,
        source=source,
        max_rows=max_rows,
        wait=wait,
        batch_ms=batch_ms,
        chunk_lines=chunk_lines,
        **read_kwargs,
    )
    return feed.start() if start else feed  # type: ignore[return-value]

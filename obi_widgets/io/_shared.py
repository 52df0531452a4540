"""What the streaming loaders share: the clock argument and reading ahead in a thread."""

from __future__ import annotations

import queue
import sys
import threading
import warnings
from collections.abc import Generator, Iterable

from ..errors import ParameterError

CLOCKS = ("exchange", "local")


def check_clock(clock: str | None, time: str | None, where: str) -> str:
    """The clock to use (default "exchange"); ``time=`` is the deprecated spelling of ``clock=``."""
    if time is not None:
        warnings.warn(
            f"{where}(time=...) is deprecated; pass clock={time!r}",
            DeprecationWarning,
            stacklevel=3,
        )
        if clock is not None and clock != time:
            raise ParameterError(f"clock={clock!r} and time={time!r} disagree; pass clock= only")
        clock = time
    clock = "exchange" if clock is None else clock
    if clock not in CLOCKS:
        raise ParameterError(f"clock={clock!r}: expected one of {CLOCKS}")
    return clock


def prefetch(items: Iterable, ahead: int = 1, name: str = "obi-prefetch") -> Generator:
    """Yield ``items`` while a thread produces up to ``ahead`` more (so at most ``ahead + 1`` are
    alive: the one the caller works on and those produced ahead). The producer's exceptions are
    raised in the caller; closing the returned generator stops the thread and closes ``items``."""
    q: queue.Queue = queue.Queue()
    turn = threading.Semaphore(ahead)  # the producer starts item k + ahead once the caller took item k
    stop = threading.Event()
    done = object()

    def produce() -> None:
        it = iter(items)
        try:
            while True:
                while not turn.acquire(timeout=0.05):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                try:
                    item = next(it)
                except StopIteration:
                    q.put((True, done))
                    return
                q.put((True, item))
        except BaseException as exc:  # handed to the caller, which raises it
            q.put((False, exc))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            ok, item = q.get()
            turn.release()
            if not ok:
                raise item
            if item is done:
                return
            yield item
    finally:
        stop.set()
        if not sys.is_finalizing():  # at interpreter exit the daemon thread may never run again
            thread.join(timeout=10.0)

"""One venue's limit-order book with order identities: price-time priority matching.

Prices are integer ticks. Each side keeps a dict ``tick -> deque of order ids`` (time priority
inside a price: the oldest order at the left), a sorted list of the ticks that hold orders
(:mod:`bisect`), and per tick the total resting size and the part of it owned by ``"market"``
(the simulated flow's own orders, the only ones it may cancel). Orders themselves live in one
dict ``order_id -> _Rec`` shared by the venues of a :class:`~obi_widgets.sandbox.Sandbox`, so
ids are unique across venues.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque

__all__ = ["Engine"]

BID, ASK = "bid", "ask"


class _Rec:
    """A mutable order record (the public, frozen view is :class:`~obi_widgets.sandbox.Order`)."""

    __slots__ = ("order_id", "owner", "venue", "side", "tick", "size", "original_size", "ts", "status")

    def __init__(self, order_id: int, owner: str, venue: str, side: str, tick: int, size: float, ts: int):
        self.order_id = order_id
        self.owner = owner
        self.venue = venue
        self.side = side
        self.tick = tick
        self.size = size
        self.original_size = size
        self.ts = ts
        self.status = "resting"


class _Side:
    """One side of one venue: queues per tick, the sorted ticks, total and "market" size per tick."""

    __slots__ = ("queues", "ticks", "total", "market")

    def __init__(self):
        self.queues: dict[int, deque] = {}
        self.ticks: list[int] = []  # ascending
        self.total: dict[int, float] = {}
        self.market: dict[int, float] = {}

    def add(self, rec: _Rec) -> None:
        t = rec.tick
        q = self.queues.get(t)
        if q is None:
            q = self.queues[t] = deque()
            insort(self.ticks, t)
            self.total[t] = 0.0
            self.market[t] = 0.0
        q.append(rec.order_id)
        self.total[t] += rec.size
        if rec.owner == "market":
            self.market[t] += rec.size

    def reduce(self, rec: _Rec, amount: float) -> None:
        """Take ``amount`` off ``rec`` (resting on this side); drop it from its queue when it reaches 0."""
        t = rec.tick
        rec.size -= amount
        self.total[t] -= amount
        if rec.owner == "market":
            self.market[t] -= amount
        if rec.size <= 1e-9 * max(1.0, rec.original_size):
            self.total[t] -= rec.size
            if rec.owner == "market":
                self.market[t] -= rec.size
            rec.size = 0.0
            self.queues[t].remove(rec.order_id)
            if not self.queues[t]:
                self.drop_tick(t)

    def drop_tick(self, t: int) -> None:
        del self.queues[t], self.total[t], self.market[t]
        del self.ticks[bisect_left(self.ticks, t)]


class Engine:
    """The book of one venue. ``orders`` is the (shared) dict of every order record by id."""

    __slots__ = ("venue", "orders", "bid", "ask")

    def __init__(self, venue: str, orders: dict):
        self.venue = venue
        self.orders = orders
        self.bid = _Side()
        self.ask = _Side()

    def side(self, side: str) -> _Side:
        """The bid or ask side."""
        return self.bid if side == BID else self.ask

    def best_bid(self) -> int | None:
        """Best bid tick, None when the bid side is empty."""
        return self.bid.ticks[-1] if self.bid.ticks else None

    def best_ask(self) -> int | None:
        """Best ask tick, None when the ask side is empty."""
        return self.ask.ticks[0] if self.ask.ticks else None

    def add(self, rec: _Rec) -> None:
        """Rest ``rec`` at the back of its price's queue (no crossing check: the caller matches first)."""
        self.orders[rec.order_id] = rec
        self.side(rec.side).add(rec)

    def remove(self, rec: _Rec, amount: float | None = None) -> None:
        """Cancel ``amount`` (default: all) of a resting order."""
        self.side(rec.side).reduce(rec, rec.size if amount is None else amount)

    def queue(self, side: str, tick: int) -> list:
        """The order records resting at ``tick`` on ``side``, oldest first."""
        q = self.side(side).queues.get(tick)
        return [self.orders[i] for i in q] if q else []

    def execute(self, side: str, tick: int, amount: float, fills: list) -> float:
        """Execute up to ``amount`` against the queue at ``tick`` of resting ``side``, oldest first.

        Appends ``(rec, size)`` to ``fills`` for every order touched; returns the size filled. A
        fully filled order gets status "filled".
        """
        s = self.side(side)
        q = s.queues.get(tick)
        done = 0.0
        while q and amount - done > 1e-12:
            rec = self.orders[q[0]]
            take = min(rec.size, amount - done)
            whole = take >= rec.size
            if whole:
                take = rec.size
            fills.append((rec, take))
            done += take
            s.reduce(rec, take)
            if whole or rec.size == 0.0:
                rec.status = "filled"
            q = s.queues.get(tick)
        return done

    def snapshot(self, levels: int) -> tuple[list, list, list, list]:
        """Top ``levels`` price ticks and sizes per side: (bid ticks, bid sizes, ask ticks, ask sizes), best first."""
        bt = self.bid.ticks[-levels:][::-1]
        at = self.ask.ticks[:levels]
        return bt, [self.bid.total[t] for t in bt], at, [self.ask.total[t] for t in at]

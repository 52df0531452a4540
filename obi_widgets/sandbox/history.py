"""The sandbox's record: one row per event (the book after it), the trades and the event log.

Rows are written into preallocated float arrays that double when full (prices ``ticks * tick``
rounded to 12 decimals, NaN where a level is empty); :attr:`History.book` is a
:class:`~obi_widgets.Book` over views of them (no per-row Python; only the rows added since the
last Book are validated) and is cached until the next event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..book import Book
from ..trades import Trades

__all__ = ["History"]

_EVENT_COLUMNS = ("ts", "kind", "side", "price", "size", "owner", "order_id", "venue", "text")


class _Levels:
    """Growing (rows, L) float arrays of prices and sizes for both sides (NaN where a level is empty).

    Rows are written once and never changed, so a Book over the first ``n`` rows is a view of
    them; only the rows added since the last Book are validated (with one row of overlap, for the
    time order), which validates the whole record.
    """

    __slots__ = ("n", "tick", "bp", "bs", "ap", "as_", "checked")

    def __init__(self, levels: int, tick: float, capacity: int = 1024):
        self.n = 0
        self.tick = tick
        self.bp = np.full((capacity, levels), np.nan)
        self.bs = np.full((capacity, levels), np.nan)
        self.ap = np.full((capacity, levels), np.nan)
        self.as_ = np.full((capacity, levels), np.nan)
        self.checked = 0  # rows already validated

    def append(self, bt, bs, at, as_) -> None:
        if self.n == self.bp.shape[0]:
            for name in ("bp", "bs", "ap", "as_"):
                old = getattr(self, name)
                new = np.full((2 * old.shape[0], old.shape[1]), np.nan)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        i, tick = self.n, self.tick
        self.bp[i, : len(bt)] = [round(t * tick, 12) for t in bt]
        self.bs[i, : len(bs)] = bs
        self.ap[i, : len(at)] = [round(t * tick, 12) for t in at]
        self.as_[i, : len(as_)] = as_
        self.n += 1

    def book(self, ts: np.ndarray, name: str | None, meta: dict) -> Book:
        n = self.n
        lo = max(0, self.checked - 1)
        # validate the new rows (raises BookError naming the row if the engine ever broke an invariant)
        Book.from_arrays(ts[lo:n], self.bp[lo:n], self.bs[lo:n], self.ap[lo:n], self.as_[lo:n], name=name, meta=meta)
        self.checked = n
        return Book.from_arrays(
            ts[:n], self.bp[:n], self.bs[:n], self.ap[:n], self.as_[:n], name=name, meta=meta, validate=False
        )


class History:
    """What happened in a :class:`~obi_widgets.sandbox.Sandbox`, from its start (row 0) to now.

    Attributes (built on access, cached until the next event)
    ----------
    book : Book
        One row per event, ``levels`` levels per side, the state AFTER the event; row 0 is the
        initial state. With several venues, the consolidated book (sizes at one price summed over
        the venues).
    trades : Trades
        Every fill, stamped with its event's time; side +1 for a buy aggressor, -1 for a sell.
    events : pandas.DataFrame
        One row per book row: ts (int64 ns), kind ("start", "place", "cancel", "market",
        "flow_limit", "flow_cancel", "flow_market", "flow_inside", "script"), side, price, size,
        owner, order_id, venue, text.
    venues : dict
        Venue name -> Book of that venue alone (empty dict with a single unnamed venue).
    consolidated : ConsolidatedBook or None
        :func:`obi_widgets.consolidation.consolidate` of the venue books (None with one venue).
    """

    def __init__(self, levels: int, tick: float, venues: tuple, name: str | None = None):
        self.levels = levels
        self.tick = tick
        self.venue_names = venues
        self.name = name
        self._ts = np.zeros(1024, dtype=np.int64)
        self._all = _Levels(levels, tick)
        self._per = {v: _Levels(levels, tick) for v in venues} if len(venues) > 1 else {}
        self._events: dict[str, list] = {c: [] for c in _EVENT_COLUMNS}
        self._tr_ts: list[int] = []
        self._tr_px: list[float] = []
        self._tr_sz: list[float] = []
        self._tr_side: list[int] = []
        self._cache: dict = {}

    def __len__(self) -> int:
        return self._all.n

    def record(self, ts: int, event: dict, snap, per_venue: dict) -> None:
        """Append one row: the event (a dict of the event columns but ts) and the book after it."""
        n = self._all.n
        if n == self._ts.shape[0]:
            self._ts = np.concatenate([self._ts, np.zeros_like(self._ts)])
        self._ts[n] = ts
        self._all.append(*snap)
        for v, lv in self._per.items():
            lv.append(*per_venue[v])
        ev = self._events
        ev["ts"].append(ts)
        for c in _EVENT_COLUMNS[1:]:
            ev[c].append(event.get(c))
        self._cache.clear()

    def record_trade(self, ts: int, price: float, size: float, side: int) -> None:
        """Append one trade (call before :meth:`record` of its event)."""
        self._tr_ts.append(ts)
        self._tr_px.append(price)
        self._tr_sz.append(size)
        self._tr_side.append(side)

    def _meta(self, venue: str | None = None) -> dict:
        return {"venue": venue or "sandbox", "size_unit": "shares", "tick": float(self.tick)}

    @property
    def book(self) -> Book:
        """The book after each event (see the class docstring)."""
        b = self._cache.get("book")
        if b is None:
            b = self._cache["book"] = self._all.book(self._ts, self.name, self._meta())
        return b

    @property
    def trades(self) -> Trades:
        """Every fill as a :class:`~obi_widgets.Trades` (side +1 buy / -1 sell aggressor)."""
        t = self._cache.get("trades")
        if t is None:
            t = self._cache["trades"] = Trades.from_arrays(
                np.asarray(self._tr_ts, dtype=np.int64),
                np.asarray(self._tr_px, dtype=np.float64),
                np.asarray(self._tr_sz, dtype=np.float64),
                np.asarray(self._tr_side, dtype=np.int8),
                name=self.name,
            )
        return t

    @property
    def events(self) -> pd.DataFrame:
        """The event log, one row per book row (see the class docstring)."""
        e = self._cache.get("events")
        if e is None:
            cols = dict(self._events)
            frame = pd.DataFrame(
                {
                    "ts": np.asarray(cols["ts"], dtype=np.int64),
                    "kind": cols["kind"],
                    "side": cols["side"],
                    "price": np.asarray([np.nan if p is None else p for p in cols["price"]], dtype=np.float64),
                    "size": np.asarray([np.nan if s is None else s for s in cols["size"]], dtype=np.float64),
                    "owner": cols["owner"],
                    "order_id": pd.array(cols["order_id"], dtype="Int64"),
                    "venue": cols["venue"],
                    "text": cols["text"],
                }
            )
            e = self._cache["events"] = frame
        return e

    @property
    def venues(self) -> dict:
        """Venue name -> Book of that venue (only with several venues; else an empty dict)."""
        v = self._cache.get("venues")
        if v is None:
            v = self._cache["venues"] = {
                name: lv.book(self._ts, name, self._meta(name)) for name, lv in self._per.items()
            }
        return v

    @property
    def consolidated(self):
        """A :class:`~obi_widgets.consolidation.ConsolidatedBook` of the venues (None with one venue)."""
        if not self._per:
            return None
        c = self._cache.get("consolidated")
        if c is None:
            from ..consolidation import consolidate

            c = self._cache["consolidated"] = consolidate(
                self.venues, tick=self.tick, levels=self.levels, crossed="keep", name=self.name
            )
        return c

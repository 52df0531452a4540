"""The order-book sandbox: a live limit-order book a student moves by hand and the simulator moves too.

:class:`Sandbox` holds one :class:`~obi_widgets.sandbox.engine.Engine` per venue (price-time
priority matching with order ids), a clock, a seeded random generator for the simulated order
flow (:mod:`obi_widgets.sandbox.flow`) and a :class:`~obi_widgets.sandbox.history.History` with one
row per event. Every action (place, cancel, market order, flow event, scenario script action) is
one event: one row of ``history.book`` (the state after it). User actions advance the clock by one
millisecond; flow events by Gillespie waiting times.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from .._time import to_ns
from ..errors import SandboxError
from ._checks import check_int, check_side, check_size, check_venues, get_scenario, moved, resolve_tick
from ._checks import fmt as _fmt
from ._checks import fmt_mid as _fmt_mid
from ._checks import tick_decimals as _tick_decimals
from .engine import ASK, BID, Engine, _Rec
from .history import History
from .orders import Execution, Fill, Order

__all__ = ["Sandbox"]

_USER_DT = 1_000_000  # ns a user action advances the clock
_SINGLE = "main"  # internal name of the one venue of a single-venue sandbox
_DEFAULT_REFERENCE = 1_000.0


def _size_text(x: float) -> str:
    return f"{x:g}"


class Sandbox:
    """A teaching limit-order book: place, cancel, send market orders, step the simulated market.

    Parameters
    ----------
    book : Book or ConsolidatedBook, optional
        Its LAST row seeds the engine: one resting order per level, owned by "market".
    tick_size : float, optional
        Price increment; default ``book.meta["tick"]``, else the book's estimated tick, else 0.01.
    seed : int, default 0
        Seed of the simulated order flow (and of a scenario's initial book).
    scenario : str, optional
        A preset of :data:`~obi_widgets.sandbox.SCENARIOS` (e.g. "balanced", "spoof_layering").
    levels : int, default 10
        Levels per side recorded in ``history.book``.
    depth_levels : int, default 5
        Levels of the depth imbalance and depth read-outs (at most ``levels``: a larger value is
        reduced to ``levels``).
    reference_size : float, optional
        Size of the sweep-cost read-outs (default: the scenario's, else 1,000).
    venues : sequence of str, optional
        Several venues (fragmented liquidity); orders route to the best price across them.
    start_time : str, int or Timestamp, default "2024-01-02 09:30:00"
        Clock at row 0.

    Prices must lie on the tick grid (within 1e-9 relative); sizes are plain positive numbers
    (shares). Bad input raises :class:`~obi_widgets.errors.SandboxError`.
    """

    def __init__(
        self,
        book=None,
        *,
        tick_size=None,
        seed=0,
        scenario=None,
        levels: int = 10,
        depth_levels: int = 5,
        reference_size=None,
        venues=None,
        start_time="2024-01-02 09:30:00",
    ):
        self._levels = check_int(levels, "levels", 1)
        self._depth_levels = check_int(depth_levels, "depth_levels", 1)
        self._depth_levels = min(self._depth_levels, self._levels)  # documented: at most `levels`
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
            raise SandboxError(f"seed must be a non-negative integer, got {seed!r}")
        self._seed = seed
        try:
            self._t0 = to_ns(start_time)
        except Exception as exc:
            raise SandboxError(f"start_time could not be understood: {start_time!r} ({exc})") from None
        if book is not None and hasattr(book, "book") and not hasattr(book, "bid_px"):
            book = book.book  # a ConsolidatedBook
        if book is not None and not hasattr(book, "bid_px"):
            raise SandboxError(f"book must be a Book or ConsolidatedBook, got {type(book).__name__}")
        self._seed_book = book
        self._tick = resolve_tick(tick_size, book)
        self._user_reference = None if reference_size is None else check_size(reference_size, "reference_size")
        self._user_venues = None if venues is None else check_venues(venues)
        self._scenario = None
        if scenario is not None:
            self._scenario = get_scenario(scenario).name
        self._build()

    # -- set-up ------------------------------------------------------------------------------------
    def _build(self) -> None:
        from .flow import FlowParams

        sc = get_scenario(self._scenario) if self._scenario else None
        venues = self._user_venues
        if venues is None and sc is not None and sc.venues:
            venues = tuple(sc.venues)
        self._venues = venues or ()
        names = self._venues or (_SINGLE,)
        self._orders: dict[int, _Rec] = {}
        self._engines = {v: Engine(v, self._orders) for v in names}
        self._next_id = 1
        self._clock = self._t0
        self._rng = np.random.default_rng(self._seed)
        self._flow = FlowParams() if sc is None else sc.flow
        self._script = None if sc is None else sc.make_script()
        self._steps = 0
        self._centre: int | None = None
        self._last_trade: int | None = None
        self._reference = self._user_reference or (sc.reference_size if sc is not None else _DEFAULT_REFERENCE)
        self._history = History(self._levels, self._tick, self._venues, name="sandbox")
        self._readouts = None
        self._fills: list[Fill] = []
        if self._seed_book is not None:
            self._seed_from_book(self._seed_book)
        elif sc is not None:
            sc.initial(self)
        self._record({"kind": "start", "text": "initial book"})
        self._last_change = "the book is at its initial state"

    def _seed_from_book(self, book) -> None:
        if len(book) == 0:
            raise SandboxError("book has no rows to seed the sandbox from")
        for side, px, sz in ((BID, book.bid_px[-1], book.bid_sz[-1]), (ASK, book.ask_px[-1], book.ask_sz[-1])):
            for p, s in zip(px, sz):
                if np.isfinite(p) and np.isfinite(s) and s > 0:
                    self._rest(side, self._to_tick(float(p), "book price"), float(s), self._venue_names()[0], "market")

    # -- helpers -------------------------------------------------------------------------------------
    def _venue_names(self) -> tuple:
        return tuple(self._engines)

    def _to_tick(self, price, what: str = "price") -> int:
        if isinstance(price, (bool, np.bool_)) or not isinstance(price, numbers.Real):
            raise SandboxError(f"{what} must be a number, got {price!r}")
        p = float(price)
        if not math.isfinite(p) or p <= 0:
            raise SandboxError(f"{what} must be a finite number > 0, got {price!r}")
        x = p / self._tick
        r = round(x)
        if abs(x - r) > 1e-9 * max(1.0, abs(x)):
            raise SandboxError(
                f"{what} {price!r} is not on the tick grid (tick {self._tick:g}); "
                f"nearest prices are {math.floor(x) * self._tick:.10g} and {math.ceil(x) * self._tick:.10g}"
            )
        return int(r)

    def _px(self, tick: int | None) -> float:
        return math.nan if tick is None else round(tick * self._tick, 12)

    def _price_text(self, tick: int) -> str:
        """A price with as many decimals as the tick size has (100.00 for tick 0.01)."""
        return f"{self._px(tick):.{_tick_decimals(self._tick)}f}"

    def _venue(self, venue) -> str | None:
        if venue is None:
            return None
        if venue not in self._engines or not self._venues:
            known = ", ".join(repr(v) for v in self._venues) if self._venues else "none (a single-venue sandbox)"
            raise SandboxError(f"unknown venue {venue!r}; venues are {known}")
        return venue

    def best(self) -> tuple[int | None, int | None]:
        """Best bid and best ask ticks across the venues (None for an empty side)."""
        bb = [b for e in self._engines.values() if (b := e.best_bid()) is not None]
        aa = [a for e in self._engines.values() if (a := e.best_ask()) is not None]
        return (max(bb) if bb else None), (min(aa) if aa else None)

    def _mid(self) -> float:
        b, a = self.best()
        return math.nan if b is None or a is None else 0.5 * (b + a) * self._tick

    def _l1(self) -> float:
        b, a = self.best()
        if b is None or a is None:
            return math.nan
        qb = sum(e.bid.total.get(b, 0.0) for e in self._engines.values())
        qa = sum(e.ask.total.get(a, 0.0) for e in self._engines.values())
        return (qb - qa) / (qb + qa) if qb + qa > 0 else math.nan

    def _rest(self, side: str, tick: int, size: float, venue: str, owner: str) -> _Rec:
        rec = _Rec(self._next_id, owner, venue, side, tick, size, self._clock)
        self._next_id += 1
        self._engines[venue].add(rec)
        return rec

    def _order(self, rec: _Rec) -> Order:
        return Order(
            rec.order_id,
            rec.owner,
            rec.venue if self._venues else None,
            rec.side,
            self._px(rec.tick),
            rec.size,
            rec.original_size,
            rec.ts,
            rec.status,
        )

    def _snapshot(self):
        L = self._levels
        if len(self._engines) == 1:
            (e,) = self._engines.values()
            return e.snapshot(L), {}
        per = {v: e.snapshot(L) for v, e in self._engines.items()}
        bid: dict[int, float] = {}
        ask: dict[int, float] = {}
        for bt, bs, at, as_ in per.values():
            for t, s in zip(bt, bs):
                bid[t] = bid.get(t, 0.0) + s
            for t, s in zip(at, as_):
                ask[t] = ask.get(t, 0.0) + s
        bt = sorted(bid, reverse=True)[:L]
        at = sorted(ask)[:L]
        return (bt, [bid[t] for t in bt], at, [ask[t] for t in at]), per

    def _record(self, event: dict) -> dict:
        snap, per = self._snapshot()
        self._history.record(self._clock, event, snap, per)
        self._readouts = None
        self._last_event = {"ts": self._clock, **event}
        return self._last_event

    def _sweep(self, aggressor: str, size: float, limit: int | None, venue: str | None) -> list:
        """Execute up to ``size`` against the other side, best price first (ties by venue order)."""
        resting = ASK if aggressor == "buy" else BID
        engines = [self._engines[venue]] if venue is not None else list(self._engines.values())
        raw: list = []
        left = size
        while left > 1e-12 * max(1.0, size):
            best_e, best_t = None, None
            for e in engines:
                t = e.best_ask() if resting == ASK else e.best_bid()
                if t is None:
                    continue
                if best_t is None or (t < best_t if resting == ASK else t > best_t):
                    best_e, best_t = e, t
            if best_e is None or best_t is None:
                break
            if limit is not None and (best_t > limit if resting == ASK else best_t < limit):
                break
            left -= best_e.execute(resting, best_t, left, raw)
        fills = []
        sign = 1 if aggressor == "buy" else -1
        for rec, amount in raw:
            price = self._px(rec.tick)
            fills.append(
                Fill(
                    rec.order_id, rec.owner, rec.venue if self._venues else None, aggressor, price, amount, self._clock
                )
            )
            self._history.record_trade(self._clock, price, amount, sign)
            self._last_trade = rec.tick
        self._fills.extend(fills)
        return fills

    def _limit(self, side: str, tick: int, size: float, venue: str, owner: str) -> tuple[_Rec | None, list]:
        """A limit order: execute the marketable part (across venues), rest the remainder at ``venue``."""
        b, a = self.best()
        fills: list = []
        if side == BID and a is not None and tick >= a:
            fills = self._sweep("buy", size, tick, None)
        elif side == ASK and b is not None and tick <= b:
            fills = self._sweep("sell", size, tick, None)
        left = size - sum(f.size for f in fills)
        rec = None
        if left > 1e-9 * size:
            rec = self._rest(side, tick, left, venue, owner)
            rec.original_size = size
        return rec, fills

    # -- public API ----------------------------------------------------------------------------------
    def place(self, side, price, size, *, venue=None, owner: str = "you") -> int:
        """Place a limit order; returns its order id.

        ``side`` "bid" or "ask"; ``price`` on the tick grid; ``size`` > 0. A limit that crosses
        (a bid at or above the best ask, an ask at or below the best bid) first executes against
        the other side up to its limit price (price-time priority, across venues), the rest rests
        at ``venue`` (default: the first venue). A fully executed order has status "filled" at
        once (see :meth:`order`). Raises SandboxError for a bad side, price, size or venue.
        """
        side = check_side(side, (BID, ASK), "place")
        tick = self._to_tick(price)
        size = check_size(size, "size")
        v = self._venue(venue) or self._venue_names()[0]
        l1_before = self._l1()
        oid = self._next_id
        self._clock += _USER_DT
        rec, fills = self._limit(side, tick, size, v, str(owner))
        if rec is None:  # fully executed: keep a record of it all the same
            rec = _Rec(oid, str(owner), v, side, tick, size, self._clock)
            rec.size = 0.0
            rec.status = "filled"
            self._orders[oid] = rec
            self._next_id = max(self._next_id, oid + 1)
        else:
            # the id is the one the order got when it rested (ids only grow)
            oid = rec.order_id
        self._record(
            {
                "kind": "place",
                "side": side,
                "price": self._px(tick),
                "size": size,
                "owner": str(owner),
                "order_id": oid,
                "venue": v if self._venues else None,
                "text": "",
            }
        )
        l1_after = self._l1()
        what = f"your {_size_text(size)}-lot {side} at {self._price_text(tick)}"
        if fills:
            filled = sum(f.size for f in fills)
            what += f" executed {_size_text(filled)} on arrival"
            what += " and" if rec.status == "resting" else ","
        self._last_change = f"{what} {moved(l1_before, l1_after)}"
        return oid

    def cancel(self, order_id) -> Order:
        """Cancel a resting order; returns it (status "cancelled", with the size that was still resting).

        Raises SandboxError for an unknown id, or an order already filled or cancelled.
        """
        if isinstance(order_id, (bool, np.bool_)) or not isinstance(order_id, numbers.Integral):
            raise SandboxError(f"order id must be an integer, got {order_id!r}")
        rec = self._orders.get(int(order_id))
        if rec is None:
            last = self._next_id - 1
            known = f"ids so far are 1..{last}" if last >= 1 else "no order has been placed yet"
            raise SandboxError(f"unknown order id {order_id!r}: {known}")
        if rec.status != "resting":
            raise SandboxError(f"order {order_id} was already {rec.status}; only a resting order can be cancelled")
        l1_before = self._l1()
        self._clock += _USER_DT
        out = self._cancel(rec)
        self._record(
            {
                "kind": "cancel",
                "side": rec.side,
                "price": self._px(rec.tick),
                "size": out.size,
                "owner": rec.owner,
                "order_id": rec.order_id,
                "venue": rec.venue if self._venues else None,
                "text": "",
            }
        )
        who = "your" if rec.owner == "you" else f"{rec.owner}'s"
        self._last_change = (
            f"cancelling {who} {_size_text(out.size)}-lot {rec.side} at {self._price_text(rec.tick)} "
            f"{moved(l1_before, self._l1())}"
        )
        return out

    def _cancel(self, rec: _Rec) -> Order:
        size = rec.size
        self._engines[rec.venue].remove(rec)
        rec.size = size  # keep the remaining size on the record, off the book
        rec.status = "cancelled"
        return self._order(rec)

    def market(self, side, size, *, venue=None, owner: str = "you") -> Execution:
        """Send a market order: ``side`` "buy" or "sell", ``size`` > 0; returns its :class:`Execution`.

        It sweeps the book level by level (oldest order first inside a level; across venues best
        price first, ties by venue order, unless ``venue`` is given); what finds no liquidity is
        ``Execution.unfilled``. Raises SandboxError for a bad side, size or venue.
        """
        side = check_side(side, ("buy", "sell"), "market")
        size = check_size(size, "size")
        v = self._venue(venue)
        ex = self._market(side, size, v, str(owner), "market")
        if ex.size > 0:
            self._last_change = (
                f"your market {side} of {_size_text(size)} filled {_size_text(ex.size)} at an average "
                f"{ex.avg_price:.6g} (slippage {round(ex.slippage, 9) + 0.0:.4g}); the mid moved from "
                f"{_fmt_mid(ex.mid_before, self._tick)} to {_fmt_mid(ex.mid_after, self._tick)}"
            )
            if ex.unfilled > 0:
                self._last_change += f"; {_size_text(ex.unfilled)} found no liquidity"
        else:
            self._last_change = f"your market {side} of {_size_text(size)} found no liquidity on the other side"
        return ex

    def _market(
        self, side: str, size: float, venue: str | None, owner: str, kind: str, dt: int = _USER_DT
    ) -> Execution:
        b, a = self.best()
        mid_before = self._mid()
        touch = self._px(a if side == "buy" else b)
        self._clock += dt
        fills = self._sweep(side, size, None, venue)
        ex = Execution(
            fills, side=side, requested=size, mid_before=mid_before, touch_before=touch, mid_after=self._mid()
        )
        self._record(
            {
                "kind": kind,
                "side": side,
                "price": ex.avg_price if fills else None,
                "size": size,
                "owner": owner,
                "order_id": None,
                "venue": venue,
                "text": "",
            }
        )
        return ex

    def step(self, n: int = 1) -> list:
        """Let the simulated order flow act on the book for ``n`` events; returns the events (dicts).

        The queue-reactive model of :mod:`obi_widgets.sandbox.flow` (that of
        :func:`obi_widgets.datasets.simulate`, on this book); a scenario's scripted actions run in
        between and are returned too (kind "script"). Reproducible for a given seed and actions.
        """
        from .flow import flow_event

        n = check_int(n, "n", 0)
        mid_before, l1_before = self._mid(), self._l1()
        events = []
        for _ in range(n):
            if self._script is not None:
                events.extend(self._script(self, self._steps))
            events.append(flow_event(self, self._flow, self._rng))
            self._steps += 1
        if n:
            self._last_change = (
                f"{n} simulated event{'s' if n != 1 else ''} moved the mid from {_fmt_mid(mid_before, self._tick)} to "
                f"{_fmt_mid(self._mid(), self._tick)} and level-1 imbalance from {_fmt(l1_before)} to {_fmt(self._l1())}"
            )
        return events

    def load(self, name, seed=None) -> None:
        """Load a scenario preset (see :data:`~obi_widgets.sandbox.SCENARIOS`), with ``seed`` if given."""
        sc = get_scenario(name)
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
                raise SandboxError(f"seed must be a non-negative integer, got {seed!r}")
            self._seed = int(seed)
        self._scenario = sc.name
        self._seed_book = None
        self._build()
        self._last_change = f"loaded scenario {sc.name!r}: {sc.title}"

    def reset(self) -> None:
        """Back to the initial state (same book or scenario, same seed): the history restarts."""
        self._build()

    def order(self, order_id) -> Order:
        """The order with this id (any status). Raises SandboxError for an unknown id."""
        rec = self._orders.get(int(order_id)) if isinstance(order_id, numbers.Integral) else None
        if rec is None:
            raise SandboxError(f"unknown order id {order_id!r}")
        return self._order(rec)

    def orders(self, owner: str | None = "you") -> pd.DataFrame:
        """Resting orders of ``owner`` (None: everyone's) in time order: order_id, side, price, size, venue, ts, owner."""
        recs = [r for r in self._orders.values() if r.status == "resting" and (owner is None or r.owner == owner)]
        return pd.DataFrame(
            {
                "order_id": np.array([r.order_id for r in recs], dtype=np.int64),
                "side": [r.side for r in recs],
                "price": np.array([self._px(r.tick) for r in recs], dtype=np.float64),
                "size": np.array([r.size for r in recs], dtype=np.float64),
                "venue": [r.venue if self._venues else None for r in recs],
                "ts": np.array([r.ts for r in recs], dtype=np.int64),
                "owner": [r.owner for r in recs],
            }
        )

    def fills(self, owner: str | None = None) -> list:
        """Every :class:`Fill` so far (against resting orders of ``owner``; None: all), in time order."""
        return [f for f in self._fills if owner is None or f.owner == owner]

    @property
    def history(self) -> History:
        """The record since the start: ``.book``, ``.trades``, ``.events``, ``.venues``, ``.consolidated``."""
        return self._history

    @property
    def readouts(self):
        """The read-outs at the last event (:class:`~obi_widgets.sandbox.readouts.Readouts`)."""
        if self._readouts is None:
            from .readouts import compute_readouts

            self._readouts = compute_readouts(
                self._history.book, depth_levels=self._depth_levels, reference_size=self._reference, tick=self._tick
            )
        return self._readouts

    @property
    def last_change(self) -> str:
        """One sentence about the last action and what it changed."""
        return self._last_change

    @property
    def scenario(self) -> str | None:
        """The loaded scenario's name, or None."""
        return self._scenario

    @property
    def tick_size(self) -> float:
        """The price increment."""
        return self._tick

    @property
    def venues(self) -> tuple:
        """The venue names (empty for a single-venue sandbox)."""
        return self._venues

    @property
    def levels(self) -> int:
        """Levels per side of ``history.book``."""
        return self._levels

    @property
    def depth_levels(self) -> int:
        """Levels of the depth read-outs."""
        return self._depth_levels

    @property
    def reference_size(self) -> float:
        """Size of the sweep-cost read-outs."""
        return self._reference

    @property
    def seed(self):
        """The seed of the order flow."""
        return self._seed

    @property
    def clock(self) -> int:
        """The current time, int64 ns."""
        return self._clock

    def ladder(self, rows=None) -> dict:
        """The data a ladder view draws: a window of ``rows`` consecutive ticks (default ``2 * levels + 4``).

        Centred on the mid (on the last traded price, or the middle of the book's prices, when a
        side is empty); row 0 is the highest price. Arrays: ``price`` (G,) f8, ``bid_sz``,
        ``ask_sz``, ``own_bid_sz``, ``own_ask_sz`` (G,) f8 (0 where empty; "own" = owner "you"),
        ``bid_orders``, ``ask_orders`` (G,) i4; ``queues``: list of ``(grid_row, side, [(order_id,
        owner, size), ...])`` in time priority; scalars ``best_bid``, ``best_ask``, ``mid``
        (NaN if undefined), ``tick``; with venues ``venue_bid_sz``, ``venue_ask_sz`` (G, V) and
        ``venues``.
        """
        from .ladder import ladder_data

        return ladder_data(self, rows)

    def __repr__(self) -> str:
        b, a = self.best()
        sc = f" scenario={self._scenario!r}" if self._scenario else ""
        return (
            f"<Sandbox{sc} seed={self._seed!r} tick={self._tick:g}: bid {_fmt(self._px(b))} / ask "
            f"{_fmt(self._px(a))}, {len(self._history)} events>"
        )

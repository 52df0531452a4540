"""`OrderBookSandbox`: a limit-order book to move by hand, for teaching imbalance.

The state lives in Python, in one :class:`obi_widgets.sandbox.Sandbox` (``sbx.sandbox``): price-time
priority matching, the simulator's order flow, the history and the read-outs (the kit's metrics on
the history book). This widget shows it and forwards what is clicked. Front-end:
``js/views/order_book_sandbox.js`` (layout helpers in ``order_book_sandbox_layout.js``).

What travels to the browser:

- ``_frame`` (self-describing buffers, ``_buffers.py``): the ladder window of
  :meth:`Sandbox.ladder`, G rows one tick apart, row 0 the highest price: ``price``, ``bid_sz``,
  ``ask_sz``, ``own_bid_sz``, ``own_ask_sz`` (G,) f8, with venues ``venue_bid_sz`` /
  ``venue_ask_sz`` (G, V) f8. ``meta``: ``tick``, ``decimals``, ``best_bid``, ``best_ask``,
  ``mid``, ``microprice``, ``weighted_mid`` (None when undefined), ``venues``, ``rows``, and
  ``queues``: ``[grid_row, side, [[order_id, owner, size], ...]]`` in time priority.
- ``_timeline`` (buffers): ``row`` f8, ``l1`` (level-1 imbalance) and ``mid`` (G,) f8, the history
  reduced to at most the view's width in points: the value at the last row of each of ``width``
  equal row bins (the whole history when it is shorter).
- ``readouts`` (:meth:`Readouts.as_dict`), ``last_change`` (a sentence), ``execution`` (the last
  market order: side, requested, filled, unfilled, avg_price, slippage, slippage_bps, impact,
  fills ``[[price, size, owner, venue], ...]``), ``error`` (the last refused action's message),
  ``scenario`` and ``scenarios`` (name, title, description, suggestion), ``venues``, ``events``.

The browser sends ``{"action": "place" | "cancel" | "market" | "step" | "load" | "reset", ...,
"seq": n}``; Python answers ``{"ack": n, "ok": bool}`` after updating the traits, which is how the
auto-run paces itself (one step message in flight at a time).
"""

from __future__ import annotations

import math

import numpy as np
import traitlets as t

from .. import metrics
from ..errors import ObiError, ParameterError
from ..sandbox._checks import tick_decimals as _decimals
from ._base import ObiWidget, assumed_width, finite_or_none, positive_int
from ._buffers import pack

ACTIONS = ("place", "cancel", "market", "step", "load", "reset")
#: most steps one browser message may ask for
MAX_STEP = 1000


def timeline_points(book, width: int) -> dict[str, np.ndarray]:
    """The sparkline of ``book``: level-1 imbalance and mid at the last row of each of ``width`` row bins.

    ``metrics.level1_imbalance`` and ``metrics.mid`` of every row; the rows kept are
    ``ceil((k + 1) * T / width) - 1`` for ``k < width`` (all rows when ``T <= width``), so the
    last row is always kept.
    """
    n = len(book)
    l1 = metrics.level1_imbalance(book)
    mid = metrics.mid(book)
    if n > width:
        rows = np.ceil((np.arange(width) + 1) * n / width).astype(np.int64) - 1
    else:
        rows = np.arange(n, dtype=np.int64)
    return {"row": rows.astype(np.float64), "l1": l1[rows], "mid": mid[rows]}


class OrderBookSandbox(ObiWidget):
    """A teaching order book: click to place and cancel limit orders, send market orders, step the market.

    Parameters
    ----------
    book : Book or ConsolidatedBook, optional
        Its last row seeds the book (one resting order per level, owner "market"). With no book and
        no scenario the book starts empty.
    tick_size : float, optional
        Price increment (default: the book's tick, else 0.01).
    seed : int, default 0
        Seed of the simulated order flow and of a scenario's initial book.
    scenario : str, optional
        A preset: "balanced", "buy_pressure", "liquidity_withdrawal", "large_sweep",
        "spoof_layering", "two_venues" (see ``obi_widgets.sandbox.SCENARIOS``).
    levels : int, default 10
        Levels per side recorded in ``history.book``; the ladder shows ``2 * levels + 4`` ticks
        unless ``rows`` is given.
    depth_levels : int, default 5
        Levels of the depth imbalance read-out.
    reference_size : float, optional
        Size whose sweep cost is shown (default: the scenario's, else 1,000).
    venues : sequence of str, optional
        Several venues (fragmented liquidity).
    order_size : float, default 100
        The size the browser's size box starts with.
    rows : int, optional
        Ticks shown in the ladder (5 to 200).
    height : int, default 560
        Height of the widget in CSS pixels.

    Everything the browser does is also a method: :meth:`place`, :meth:`cancel`, :meth:`market`,
    :meth:`step`, :meth:`load`, :meth:`reset`; ``history``, ``readouts``, ``last_change`` and
    :meth:`orders` read the state. The controls need a running kernel: an exported page shows the
    last state and says so.
    """

    _view_name_ = "order_book_sandbox"

    height = t.Int(560, help="Height in CSS pixels.").tag(sync=True)
    order_size = t.Float(100.0, help="Size of the orders placed by clicking (the browser's size box).").tag(sync=True)
    readouts = t.Dict(help="The read-outs at the last event (Readouts.as_dict()).").tag(sync=True)
    last_change = t.Unicode("", help="A sentence about the last action.").tag(sync=True)
    execution = t.Dict(help="The last market order: fills, average price, slippage, impact.").tag(sync=True)
    error = t.Unicode("", help="Why the last action was refused (empty when it was not).").tag(sync=True)
    scenario = t.Unicode("", help="The loaded scenario's name (empty: none).").tag(sync=True)
    scenarios = t.List(help="The presets: name, title, description, suggestion.").tag(sync=True)
    venues = t.List(help="The venues' names (empty: one venue).").tag(sync=True)
    events = t.Int(0, help="Events (rows) in the history.").tag(sync=True)
    origin = t.Unicode("", help="What the book started from, shown when no scenario is loaded.").tag(sync=True)
    _frame = t.Bytes(b"").tag(sync=True)
    _timeline = t.Bytes(b"").tag(sync=True)
    _width = t.Int(help="Width of the view in CSS pixels, reported by the front-end.").tag(sync=True)

    @t.default("_width")
    def _assumed_width(self) -> int:
        return assumed_width()

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
        order_size: float = 100.0,
        rows: int | None = None,
        height: int = 560,
        **kwargs,
    ):
        from ..sandbox import SCENARIOS, Sandbox

        self._sandbox = Sandbox(
            book,
            tick_size=tick_size,
            seed=seed,
            scenario=scenario,
            levels=levels,
            depth_levels=depth_levels,
            reference_size=reference_size,
            venues=venues,
        )
        self._rows = None if rows is None else positive_int("rows", rows, 5, 200)
        if isinstance(order_size, bool) or not isinstance(order_size, int | float) or not order_size > 0:
            raise ParameterError(f"order_size must be a number > 0, got {order_size!r}")
        super().__init__(height=positive_int("height", height, 200, 4000), order_size=float(order_size), **kwargs)
        self.scenarios = [
            {"name": s.name, "title": s.title, "description": s.description, "suggestion": s.suggestion}
            for s in SCENARIOS.values()
        ]
        self._last_execution = None
        if book is not None:
            name = getattr(getattr(book, "book", book), "name", None) or "the book given"
            self.origin = f"Started from the last row of {name}: one order of 'market' per level."
        else:
            self.origin = "An empty book: click to place orders, or pick a scenario."
        self.on_msg(self._on_message)
        self.observe(lambda _change: self._send_timeline(), "_width")
        self._refresh()

    # -- the state ---------------------------------------------------------------------------------
    @property
    def sandbox(self):
        """The core :class:`obi_widgets.sandbox.Sandbox` this widget shows."""
        return self._sandbox

    @property
    def history(self):
        """The history: ``.book`` (one row per event), ``.trades``, ``.events`` (see ``Sandbox.history``)."""
        return self._sandbox.history

    @property
    def tick_size(self) -> float:
        """The price increment."""
        return self._sandbox.tick_size

    def orders(self, owner: str | None = "you"):
        """Resting orders of ``owner`` (None: everyone's) as a DataFrame."""
        return self._sandbox.orders(owner)

    def fills(self, owner: str | None = None) -> list:
        """Every fill so far (of ``owner`` when given)."""
        return self._sandbox.fills(owner)

    # -- actions (each updates the browser) --------------------------------------------------------
    def place(self, side, price, size, *, venue=None, owner: str = "you") -> int:
        """Place a limit order (side "bid" or "ask"); returns its order id.

        ``owner``: whose order it is; "you" (the default) is the user's, highlighted and cancellable in
        the view; any other name plays another trader (e.g. "alice" to build a queue by hand)."""
        oid = self._sandbox.place(side, price, size, venue=venue, owner=owner)
        self._refresh()
        return oid

    def cancel(self, order_id):
        """Cancel a resting order by id; returns the cancelled :class:`~obi_widgets.sandbox.Order`."""
        order = self._sandbox.cancel(order_id)
        self._refresh()
        return order

    def market(self, side, size, *, venue=None, owner: str = "you"):
        """Send a market order (side "buy" or "sell", of ``owner``); returns the :class:`~obi_widgets.sandbox.Execution`."""
        ex = self._sandbox.market(side, size, venue=venue, owner=owner)
        self._last_execution = ex
        self._refresh()
        return ex

    def step(self, n: int = 1) -> list:
        """Let the simulated order flow act ``n`` events on the book; returns the events."""
        done = self._sandbox.step(n)
        self._refresh()
        return done

    def load(self, name, seed=None) -> None:
        """Start over from the scenario ``name`` (with ``seed``, default the sandbox's)."""
        self._sandbox.load(name, seed=seed)
        self._last_execution = None
        self._refresh()

    def reset(self) -> None:
        """Start over: the same scenario (or book) and seed, no actions."""
        self._sandbox.reset()
        self._last_execution = None
        self._refresh()

    # -- browser messages --------------------------------------------------------------------------
    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or "action" not in content:
            return  # not ours (e.g. the PNG snapshot's messages)
        seq = content.get("seq")
        try:
            self._act(content)
        except ObiError as exc:
            self.error = str(exc)
            self.send({"ack": seq, "ok": False, "error": str(exc)})
            return
        self.error = ""
        self.send({"ack": seq, "ok": True})

    def _act(self, msg: dict) -> None:
        action = msg.get("action")
        if action not in ACTIONS:
            raise ParameterError(f"unknown sandbox action {action!r}; expected one of {ACTIONS}")
        venue = msg.get("venue") or None
        if action == "place":
            self.place(msg.get("side"), msg.get("price"), msg.get("size"), venue=venue)
        elif action == "cancel":
            self.cancel(msg.get("order_id"))
        elif action == "market":
            self.market(msg.get("side"), msg.get("size"), venue=venue)
        elif action == "step":
            self.step(positive_int("steps", msg.get("n", 1), 1, MAX_STEP))
        elif action == "load":
            self.load(msg.get("name"))
        else:
            self.reset()

    # -- sending -----------------------------------------------------------------------------------
    def _refresh(self) -> None:
        sb = self._sandbox
        ro = sb.readouts
        lad = sb.ladder(self._rows)
        fields = {
            k: np.asarray(lad[k], dtype=np.float64) for k in ("price", "bid_sz", "ask_sz", "own_bid_sz", "own_ask_sz")
        }
        for k in ("venue_bid_sz", "venue_ask_sz"):
            if k in lad:
                fields[k] = np.ascontiguousarray(lad[k], dtype=np.float64)
        tick = float(lad["tick"])
        meta = {
            "tick": tick,
            "decimals": _decimals(tick),
            "rows": int(fields["price"].shape[0]),
            "best_bid": finite_or_none(lad["best_bid"]),
            "best_ask": finite_or_none(lad["best_ask"]),
            "mid": finite_or_none(lad["mid"]),
            "microprice": finite_or_none(ro.microprice),
            "weighted_mid": finite_or_none(ro.weighted_mid),
            "venues": list(lad.get("venues", [])),
            "queues": [[int(r), side, [[int(o), str(w), float(s)] for o, w, s in q]] for r, side, q in lad["queues"]],
        }
        with self.hold_sync():
            self._frame = pack(fields, meta)
            self.readouts = ro.as_dict()
            self.last_change = sb.last_change
            self.execution = _execution_dict(self._last_execution)
            self.scenario = sb.scenario or ""
            self.venues = list(sb.venues)
            self.events = len(sb.history.book)
            self._send_timeline()

    def _send_timeline(self) -> None:
        width = max(2, min(int(self._width or 800), 4000))
        self._timeline = pack(timeline_points(self._sandbox.history.book, width), {"events": self.events})

    def __repr__(self) -> str:
        sb = self._sandbox
        scen = f"scenario={sb.scenario!r}, " if sb.scenario else ""
        return f"OrderBookSandbox({scen}tick_size={sb.tick_size!r}, events={len(sb.history.book)})"


def _execution_dict(ex) -> dict:
    if ex is None:
        return {}

    def num(x):
        x = float(x)
        return x if math.isfinite(x) else None

    return {
        "side": ex.side,
        "requested": num(ex.requested),
        "filled": num(ex.size),
        "unfilled": num(ex.unfilled),
        "avg_price": num(ex.avg_price),
        "touch_before": num(ex.touch_before),
        "mid_before": num(ex.mid_before),
        "slippage": num(ex.slippage),
        "slippage_bps": num(ex.slippage_bps),
        "impact": num(ex.impact),
        "fills": [[float(f.price), float(f.size), str(f.owner), f.venue or ""] for f in ex],
    }


__all__ = ["OrderBookSandbox", "timeline_points"]

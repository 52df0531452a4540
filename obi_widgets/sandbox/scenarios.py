"""Scenario presets of the sandbox, for a teacher to load in one call (``Sandbox(scenario=...)``).

Each :class:`Scenario` is an initial book built deterministically from the seed (queues drawn
like the reserve queues of :func:`obi_widgets.datasets.simulate`: a gamma with the mean that
balances arrivals and cancellations at depth ``K``, the same draw for the bid and the ask side --
mirror images, so a balanced book starts with zero imbalance -- times the scenario's side scale,
rounded to whole lots and split into orders of log-normal size),
the flow parameters (:class:`~obi_widgets.sandbox.flow.FlowParams`), and optionally a script that
acts inside :meth:`~obi_widgets.sandbox.Sandbox.step` before each flow event (events of kind
"script"). The initial best bid is 100.00 (in ticks of the sandbox's tick size), the best ask one
tick above.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from .engine import ASK, BID
from .flow import FlowParams

__all__ = ["Scenario", "SCENARIOS"]


@dataclass(frozen=True)
class Scenario:
    """A preset: ``name``, ``title``, ``description`` (what the student sees), ``suggestion`` (what to
    try), ``flow`` parameters, ``venues`` (empty: one venue), ``reference_size`` of the sweep-cost
    read-outs, and how to build the initial book and the script."""

    name: str
    title: str
    description: str
    suggestion: str
    flow: FlowParams = field(default_factory=FlowParams)
    venues: tuple = ()
    reference_size: float = 1_000.0
    bid_scale: float = 1.0
    ask_scale: float = 1.0
    venue_scales: tuple = ()
    script: Callable | None = None

    def initial(self, sb) -> None:
        """Rest this scenario's initial book in ``sb`` (owner "market"), deterministically from ``sb.seed``."""
        _initial_book(sb, self)

    def make_script(self):
        """A fresh script (a callable ``(sandbox, step) -> list of events``), or None."""
        return None if self.script is None else self.script()


def _q_deep(p: FlowParams) -> float:
    lam = p.limit_rate / (1.0 + p.depth_decay * (p.levels - 1))
    q = 0.5 * p.queue_scale * (math.sqrt(1.0 + 4.0 * lam / (p.cancel_rate * p.queue_scale)) - 1.0)
    return max(q, 1.0)


def _initial_book(sb, sc: Scenario) -> None:
    p = sc.flow
    seed = sb.seed
    rng = np.random.default_rng(None if seed is None else [int(seed), 20241])
    K = p.levels
    G = K + max(K, 10)
    q = _q_deep(p)
    best_bid = int(round(100.0 / sb.tick_size))
    sb._centre = best_bid
    venues = sb._venue_names()
    vs = sc.venue_scales if len(sc.venue_scales) == len(venues) else tuple(1.0 for _ in venues)
    base = rng.gamma(2.0, q / 2.0, G)  # one draw for both sides: mirror-image queues before scaling
    for side, scale, start, sign in ((BID, sc.bid_scale, best_bid, -1), (ASK, sc.ask_scale, best_bid + 1, 1)):
        lots = np.maximum(1, np.rint(base * scale)).astype(np.int64)
        for j in range(G):
            tick = start + sign * j
            for v, s in zip(venues, vs):
                left = max(1, int(round(lots[j] * s)))
                while left > 0:
                    x = rng.lognormal(math.log(p.limit_size) - 0.32, 0.8)
                    take = min(left, max(1, int(round(x))))
                    sb._rest(side, tick, float(take * p.lot_size), v, "market")
                    left -= take


# -- scripts ------------------------------------------------------------------------------------------
def _spoof_script():
    """Layers of large bids 3, 4 and 5 ticks below the best bid, placed every 80 steps and cancelled
    30 steps later -- or at once when the best bid comes within 2 ticks of the top layer, so that
    they (practically) never trade."""
    state: dict = {"ids": []}
    period, life = 80, 30

    def script(sb, k: int) -> list:
        events = []
        ids = state["ids"]
        if ids:
            b, _ = sb.best()
            top = max(sb._orders[i].tick for i in ids)
            if k % period == 10 + life or b is None or b - top <= 2:
                for i in ids:
                    rec = sb._orders[i]
                    if rec.status == "resting":
                        sb._clock += 1
                        sb._cancel(rec)
                        events.append(
                            sb._record(
                                {
                                    "kind": "script",
                                    "side": rec.side,
                                    "price": sb._px(rec.tick),
                                    "size": rec.size,
                                    "owner": "spoofer",
                                    "order_id": i,
                                    "venue": rec.venue if sb.venues else None,
                                    "text": "spoof layer cancelled",
                                }
                            )
                        )
                state["ids"] = []
        elif k % period == 10:
            b, _ = sb.best()
            if b is not None:
                for d in (3, 4, 5):
                    size = 60.0 * sb._flow.lot_size
                    sb._clock += 1
                    rec = sb._rest(BID, b - d, size, sb._venue_names()[0], "spoofer")
                    state["ids"].append(rec.order_id)
                    events.append(
                        sb._record(
                            {
                                "kind": "script",
                                "side": BID,
                                "price": sb._px(rec.tick),
                                "size": size,
                                "owner": "spoofer",
                                "order_id": rec.order_id,
                                "venue": rec.venue if sb.venues else None,
                                "text": "spoof layer placed",
                            }
                        )
                    )
        return events

    return script


def _withdrawal_script():
    """Liquidity providers withdraw: over the first 500 steps limit arrivals and inside-spread
    improvements fall to 10% and cancellations rise tenfold (linearly in the step count)."""
    base = FlowParams()

    def script(sb, k: int) -> list:
        f = min(k, 500) / 500.0
        sb._flow = replace(
            sb._flow,
            limit_rate=base.limit_rate * (1.0 - 0.9 * f),
            inside_rate=base.inside_rate * (1.0 - 0.9 * f),
            cancel_rate=base.cancel_rate * (1.0 + 9.0 * f),
        )
        return []

    return script


SCENARIOS = MappingProxyType(
    {
        s.name: s
        for s in (
            Scenario(
                "balanced",
                "A balanced book",
                "Both sides hold similar depth and the order flow has no tilt: level-1 imbalance "
                "wanders around 0 and the mid moves little.",
                "Place a large bid at the best bid and watch level-1 imbalance jump; step the market "
                "and see whether the mid follows.",
            ),
            Scenario(
                "buy_pressure",
                "Buy pressure",
                "The bid side is twice as deep as the ask side, limit orders arrive more on the bid "
                "side and market orders lean to buying: imbalance is mostly positive and the mid "
                "drifts up as the short ask queues are depleted.",
                "Step 200 events and follow the mid and the cumulative OFI; then add ask liquidity "
                "and see whether you can stop the drift.",
                flow=FlowParams(imbalance_feedback=1.0, buy_bias=0.1, limit_tilt=0.4),
                bid_scale=2.0,
            ),
            Scenario(
                "liquidity_withdrawal",
                "Liquidity withdrawal",
                "Liquidity providers pull out over the first 500 steps: fewer limit orders, more "
                "cancellations. Depth thins and the spread widens -- the liquidity imbalance of a "
                "stressed market.",
                "Step 500 events and watch depth fall and the spread and the sweep cost rise; compare "
                "a market order of the reference size before and after.",
                script=_withdrawal_script,
            ),
            Scenario(
                "large_sweep",
                "A large sweep",
                "The ask side is thin: a large market buy walks several levels, pays slippage beyond "
                "the touch and moves the mid (market impact).",
                "Send sb.market('buy', 2000) and read the fills, the average price, the slippage and "
                "the impact; then step the market and watch the book refill.",
                ask_scale=0.4,
                reference_size=2_000.0,
            ),
            Scenario(
                "spoof_layering",
                "Spoof-like layering",
                "Every 80 steps a trader ('spoofer') layers large bids 3 to 5 ticks below the best bid "
                "and cancels them before they can trade: depth imbalance swings to the bid side while "
                "level-1 imbalance barely moves.",
                "Step 100 events at a time and compare depth imbalance with level-1 imbalance while the "
                "layers rest; check the events with kind 'script'.",
                script=_spoof_script,
            ),
            Scenario(
                "two_venues",
                "Two venues",
                "The same instrument trades on venues A (deep) and B (thin): the consolidated book sums "
                "them, and a market order takes the best price across both.",
                "Send a market buy larger than venue A's best ask and see it fill on both venues; "
                "compare history.venues['A'] with history.venues['B'].",
                venues=("A", "B"),
                venue_scales=(1.0, 0.4),
                flow=FlowParams(venue_weights=(0.7, 0.3)),
            ),
        )
    }
)

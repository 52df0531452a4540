"""The sandbox's public records: :class:`Order`, :class:`Fill` and :class:`Execution`."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Order", "Fill", "Execution"]


@dataclass(frozen=True)
class Order:
    """A limit order: ``side`` "bid"/"ask", ``price``, ``size`` (remaining), ``original_size``,
    ``ts`` (int64 ns when it was placed), ``status`` "resting" | "filled" | "cancelled"; ``venue``
    is None in a single-venue sandbox; ``owner`` "you" for the user, "market" for the simulated flow."""

    order_id: int
    owner: str
    venue: str | None
    side: str
    price: float
    size: float
    original_size: float
    ts: int
    status: str


@dataclass(frozen=True)
class Fill:
    """One execution against one resting order: ``order_id``/``owner``/``venue`` of the resting
    order, ``side`` the aggressor's ("buy" lifts an ask, "sell" hits a bid), ``price``, ``size``,
    ``ts`` (int64 ns)."""

    order_id: int
    owner: str
    venue: str | None
    side: str
    price: float
    size: float
    ts: int


class Execution(list):
    """The fills of one marketable order (a list of :class:`Fill`, in execution order) and its costs.

    ``side`` "buy"/"sell", ``requested`` the size asked for, ``mid_before``/``mid_after`` the
    (consolidated) mid before and after, ``touch_before`` the best ask (buy) or best bid (sell)
    before the order. ``slippage`` is signed so that > 0 is a cost: buy ``avg_price -
    touch_before``, sell ``touch_before - avg_price``; ``slippage_bps`` is ``1e4 * slippage /
    mid_before``; ``impact`` is ``mid_after - mid_before``. NaN where undefined (no fill, a side
    empty).
    """

    def __init__(self, fills, *, side: str, requested: float, mid_before: float, touch_before: float, mid_after: float):
        super().__init__(fills)
        self.side = side
        self.requested = float(requested)
        self.mid_before = float(mid_before)
        self.touch_before = float(touch_before)
        self.mid_after = float(mid_after)

    @property
    def size(self) -> float:
        """Total size filled."""
        return float(sum(f.size for f in self))

    @property
    def unfilled(self) -> float:
        """Size that found no liquidity (``requested - size``; 0 for a resting limit's remainder)."""
        return max(0.0, self.requested - self.size)

    @property
    def avg_price(self) -> float:
        """Size-weighted average fill price, NaN without fills."""
        s = self.size
        return float(sum(f.price * f.size for f in self) / s) if s > 0 else math.nan

    @property
    def slippage(self) -> float:
        """Average price beyond the touch, > 0 is a cost (price units)."""
        sign = 1.0 if self.side == "buy" else -1.0
        return sign * (self.avg_price - self.touch_before)

    @property
    def slippage_bps(self) -> float:
        """:attr:`slippage` in basis points of ``mid_before``."""
        return 1e4 * self.slippage / self.mid_before if self.mid_before > 0 else math.nan

    @property
    def impact(self) -> float:
        """Mid after minus mid before (price units)."""
        return self.mid_after - self.mid_before

    def __repr__(self) -> str:
        return (
            f"Execution({self.side} {self.size:g} of {self.requested:g} in {len(self)} fill(s), "
            f"avg {self.avg_price:.6g}, slippage {self.slippage:.6g}, impact {self.impact:.6g})"
        )

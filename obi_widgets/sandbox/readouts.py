"""The sandbox's read-outs: the kit's metrics on the last row(s) of ``history.book``.

Each value is the metric of :mod:`obi_widgets.metrics` on the sandbox's history book. Per-row
metrics (imbalances, prices, depth, sweep cost) are computed on the last row alone, which gives
exactly the metric's last value; the OFI (last and cumulative) OFI on the whole
book (``np.nansum(metrics.ofi(history.book))``).

The micro-price (Stoikov 2018) needs a fitted :class:`~obi_widgets.metrics.MicropriceModel`: it is
fitted once per tick size on a seeded run of :func:`obi_widgets.datasets.simulate` (seed 0,
20,000 events, that tick, start price 10,000 ticks) and cached for the session, so that it is an
out-of-sample, reproducible estimate that does not change as the sandbox's own history grows.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

__all__ = ["Readouts", "compute_readouts", "microprice_model"]


@dataclass(frozen=True)
class Readouts:
    """The read-outs of a sandbox at its last event (see :mod:`obi_widgets.sandbox.readouts`).

    ``level1_imbalance`` = ``metrics.level1_imbalance(book)[-1]``, ``depth_imbalance`` =
    ``metrics.depth_imbalance(book, levels=depth_levels)[-1]``, ``ofi_last`` =
    ``metrics.ofi(book)[-1]``, ``ofi_cumulative`` = ``np.nansum(metrics.ofi(book))``; ``mid``,
    ``weighted_mid``, ``microprice`` (Stoikov 2018, model from :func:`microprice_model`),
    ``spread``, ``best_bid``, ``best_ask``; ``bid_depth``/``ask_depth`` = ``metrics.depth`` over
    ``depth_levels``; ``sweep_cost_buy``/``sweep_cost_sell`` = ``metrics.sweep_cost`` (bps from the
    mid) of ``reference_size``; ``row`` the last row, ``ts`` its time (int64 ns). NaN where undefined.
    """

    level1_imbalance: float
    depth_imbalance: float
    ofi_last: float
    ofi_cumulative: float
    mid: float
    weighted_mid: float
    microprice: float
    spread: float
    best_bid: float
    best_ask: float
    bid_depth: float
    ask_depth: float
    sweep_cost_buy: float
    sweep_cost_sell: float
    reference_size: float
    depth_levels: int
    row: int
    ts: int

    def as_dict(self) -> dict:
        """The read-outs as a JSON-safe dict (NaN -> None)."""
        out = {}
        for k, v in asdict(self).items():
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            out[k] = v
        return out


@lru_cache(maxsize=8)
def microprice_model(tick: float):
    """The :class:`~obi_widgets.metrics.MicropriceModel` used by the read-outs for ``tick``.

    Fitted once per tick (cached) with :func:`obi_widgets.metrics.fit_microprice` on
    ``datasets.simulate(seed=0, n_events=20_000, tick=tick, start_price=10_000 * tick)``.
    """
    from .. import metrics
    from ..datasets.simulate import simulate

    sim = simulate(seed=0, n_events=20_000, tick=tick, start_price=10_000 * tick)
    return metrics.fit_microprice(sim.book, tick=tick)


def compute_readouts(book, *, depth_levels: int, reference_size: float, tick: float) -> Readouts:
    """The :class:`Readouts` of the last row of ``book`` (a sandbox history book)."""
    from .. import metrics

    last = book[-1:]

    def one(a) -> float:
        return float(np.asarray(a)[-1])

    ofi_all = metrics.ofi(book)
    return Readouts(
        level1_imbalance=one(metrics.level1_imbalance(last)),
        depth_imbalance=one(metrics.depth_imbalance(last, levels=depth_levels)),
        ofi_last=float(ofi_all[-1]),
        ofi_cumulative=float(np.nansum(ofi_all)),
        mid=one(metrics.mid(last)),
        weighted_mid=one(metrics.weighted_mid(last)),
        microprice=one(metrics.microprice(last, microprice_model(tick))),
        spread=one(metrics.spread(last)),
        best_bid=float(last.bid_px[0, 0]),
        best_ask=float(last.ask_px[0, 0]),
        bid_depth=one(metrics.depth(last, levels=depth_levels, side="bid")),
        ask_depth=one(metrics.depth(last, levels=depth_levels, side="ask")),
        sweep_cost_buy=one(metrics.sweep_cost(last, reference_size, "buy")),
        sweep_cost_sell=one(metrics.sweep_cost(last, reference_size, "sell")),
        reference_size=float(reference_size),
        depth_levels=int(depth_levels),
        row=len(book) - 1,
        ts=int(book.ts[-1]),
    )

"""Chapter 8 exercises: liquidity fragmented across venues (consolidation, venue shares, fragmentation)."""

from __future__ import annotations

from ._check import Exercise

#: the chapter's data set: the sandbox's "two_venues" scenario with seed SEED, stepped STEPS events
SEED = 8
STEPS = 3_000
#: the depth (levels per side) of the venue shares and the fragmentation in the chapter
LEVELS = 5
#: exercise 8.2: a market buy of this size in a fresh "two_venues" sandbox with seed ROUTE_SEED
ROUTE_SIZE = 1_500
ROUTE_SEED = 1


def two_venues():
    """SIMULATED data: one instrument on two venues A (deep) and B (thin), from the sandbox's
    "two_venues" scenario (one matching engine per venue, the simulated order flow split 70/30
    between them), seed 8, stepped 3,000 events. Returns the sandbox's ``history``: ``.venues``
    (dict venue -> Book), ``.consolidated`` (a ConsolidatedBook), ``.book``, ``.trades``."""
    from ..sandbox import Sandbox

    sb = Sandbox(scenario="two_venues", seed=SEED)
    sb.step(STEPS)
    return sb.history


def independent(n_events: int = 5_000):
    """Two independent simulated markets (``datasets.simulate`` with seeds 81 and 82) consolidated
    as if they were two venues of one instrument: nothing links their prices."""
    from ..consolidation import consolidate
    from ..datasets import simulate

    a = simulate(seed=81, n_events=n_events).book
    b = simulate(seed=82, n_events=n_events).book
    return consolidate({"A": a, "B": b})


def data():
    """The chapter's data: :func:`two_venues` (simulated; the shared data have no two venues of one
    instrument)."""
    return two_venues()


def _mean_fragmentation():
    import numpy as np

    from ..consolidation import fragmentation

    cb = data().consolidated
    assert cb is not None  # the two_venues scenario has venues
    return float(np.nanmean(fragmentation(cb, levels=LEVELS)))


def _filled_on_b():
    from ..sandbox import Sandbox

    sb = Sandbox(scenario="two_venues", seed=ROUTE_SEED)
    ex = sb.market("buy", ROUTE_SIZE)
    return float(sum(f.size for f in ex if f.venue == "B"))


EXERCISES = {
    "8.1": Exercise(
        "8.1",
        f"On the chapter's consolidated book, what is the mean fragmentation 1 - HHI of the displayed depth "
        f"in the top {LEVELS} consolidated levels (both sides), over all rows?",
        _mean_fragmentation,
        hint=f"ow.fragmentation(history.consolidated, levels={LEVELS}) gives one value per row; take np.nanmean.",
        explanation="Between 0 (one venue holds everything) and 1 - 1/2 = 0.5 (two equal venues).",
    ),
    "8.2": Exercise(
        "8.2",
        f"In a fresh 'two_venues' sandbox (seed {ROUTE_SEED}), send a market buy of {ROUTE_SIZE:,}. How many "
        "lots fill on venue B? Predict from the ladder first, then verify.",
        _filled_on_b,
        hint="Each Fill of the Execution has .venue and .size; sum the sizes of the fills on 'B'.",
        explanation="The order takes the best price across both venues, level by level (ties: venue A first), "
        "so the thin venue B fills its share of every price level reached.",
    ),
}

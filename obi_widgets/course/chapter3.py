"""Chapter 3 exercises: order imbalance and the direction of the next mid move (Gould & Bonart 2016)."""

from __future__ import annotations

from ._check import Exercise
from ._data import data_file

AMZN_MESSAGES = "lobster_AMZN_2012-06-21_level1/AMZN_2012-06-21_34200000_57600000_message_1.csv.gz"
AMZN_ORDERBOOK = "lobster_AMZN_2012-06-21_level1/AMZN_2012-06-21_34200000_57600000_orderbook_1.csv.gz"
#: the simulated fallback of chapters 3 to 5: ``datasets.simulate(seed=SEED, n_events=N_EVENTS)``
SEED = 3
N_EVENTS = 60_000
#: the imbalance threshold of exercise 3.1
THRESHOLD = 0.5


def amzn(start=None):
    """LOBSTER AMZN level 1, the whole of 2012-06-21, as ``(book, trades)`` (LOBSTER's sample file,
    from ``../shared/data``); when it is absent, the simulated market
    ``datasets.simulate(seed=3, n_events=60_000)`` and one line saying so. Used by chapters 3 to 5."""
    from ..io.lobster import read_lobster

    messages, orderbook = data_file(AMZN_MESSAGES, start), data_file(AMZN_ORDERBOOK, start)
    if messages is not None and orderbook is not None:
        return read_lobster(messages, orderbook)
    from ..datasets import simulate

    print("LOBSTER AMZN sample not found: this chapter runs on the simulated market instead")
    sim = simulate(seed=SEED, n_events=N_EVENTS)
    return sim.book, sim.trades


def data(start=None):
    """The chapter's data: :func:`amzn` (LOBSTER AMZN level 1, or the simulated fallback)."""
    return amzn(start)


def _p_up_above():
    import numpy as np

    from .. import metrics

    book = data()[0]
    imb = metrics.level1_imbalance(book)
    sign = metrics.next_move(book).sign
    keep = np.isfinite(imb) & np.isfinite(sign) & (imb > THRESHOLD)
    return float(np.mean(sign[keep] > 0))


def _hit_rate():
    import numpy as np

    from .. import metrics

    book = data()[0]
    imb = metrics.level1_imbalance(book)
    sign = metrics.next_move(book).sign
    keep = np.isfinite(imb) & np.isfinite(sign) & (imb != 0)
    return float(np.mean(np.sign(imb[keep]) == sign[keep]))


EXERCISES = {
    "3.1": Exercise(
        "3.1",
        f"On the chapter's book, among the rows whose level-1 imbalance is above {THRESHOLD} (and that have a "
        "next mid move), what fraction see the next mid move go UP? Answer a fraction between 0 and 1.",
        _p_up_above,
        hint="metrics.next_move(book).sign is +1 / -1 (NaN after the last move); keep the rows where the "
        "imbalance is > 0.5 and the sign is finite.",
        explanation="A bid queue much larger than the ask queue makes the ask more likely to empty first: "
        "the next move is mostly up.",
    ),
    "3.2": Exercise(
        "3.2",
        "The simplest predictor: 'the next mid move goes the way of the imbalance' (up if I > 0, down if "
        "I < 0). On the rows of the chapter's book with a non-zero level-1 imbalance and a next move, what "
        "fraction of its calls are right (its hit rate)? Answer a fraction between 0 and 1.",
        _hit_rate,
        hint="Compare np.sign(imbalance) with next_move(book).sign on the rows where both are usable.",
        explanation="Above one half: queue imbalance carries information about the next move, in event time.",
    ),
}

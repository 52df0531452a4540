"""Chapter 2 exercises: order-book imbalance at the best quotes and across depth."""

from __future__ import annotations

from ._check import Exercise
from ._data import data_file

AAPL_MESSAGES = "lobster_AAPL_2012-06-21_level10_excerpt/AAPL_2012-06-21_34200000_57600000_message_10_first999.csv"
AAPL_ORDERBOOK = "lobster_AAPL_2012-06-21_level10_excerpt/AAPL_2012-06-21_34200000_57600000_orderbook_10_first999.csv"
#: the simulated fallback: ``datasets.simulate(seed=SEED, n_events=N_EVENTS)`` (10 levels)
SEED = 2
N_EVENTS = 5_000
#: the row exercise 2.1 asks about
ROW = 500


def data(start=None):
    """The chapter's book: LOBSTER AAPL, 10 levels, the first 999 events of 2012-06-21, when
    ``../shared/data`` has it; else the simulated market ``datasets.simulate(seed=2, n_events=5_000)``
    (a line says so). ``start``: the folder the data are looked for from (default: the working
    directory). Returns ``(book, trades)``."""
    from ..io.lobster import read_lobster

    messages, orderbook = data_file(AAPL_MESSAGES, start), data_file(AAPL_ORDERBOOK, start)
    if messages is not None and orderbook is not None:
        return read_lobster(messages, orderbook)
    from ..datasets import simulate

    print("LOBSTER AAPL excerpt not found: this chapter runs on the simulated market instead")
    sim = simulate(seed=SEED, n_events=N_EVENTS)
    return sim.book, sim.trades


def _depth_weights():
    from .. import metrics

    row = data()[0][ROW]
    return [
        float(metrics.depth_imbalance(row, levels=5)[0]),
        float(metrics.depth_imbalance(row, levels=5, weights="exp", decay=0.5)[0]),
    ]


def _disagree():
    import numpy as np

    from .. import metrics

    book = data()[0]
    l1 = metrics.level1_imbalance(book)
    d10 = metrics.depth_imbalance(book, levels=10)
    ok = np.isfinite(l1) & np.isfinite(d10)
    return float(np.mean(np.sign(l1[ok]) * np.sign(d10[ok]) < 0))


EXERCISES = {
    "2.1": Exercise(
        "2.1",
        f"At row {ROW} of the chapter's book (`chapter2.data()[0]`), compute the depth imbalance over the first "
        "5 levels with equal weights, then with exponential weights (weights='exp', decay=0.5). "
        "Answer [equal_weights, exp_weights].",
        _depth_weights,
        kind="numbers",
        hint="metrics.depth_imbalance(book, levels=5, weights=..., decay=...) returns one value per row.",
        explanation="Exponential weights let the levels near the touch dominate: the value moves towards "
        "the level-1 imbalance.",
    ),
    "2.2": Exercise(
        "2.2",
        "Over all rows of the chapter's book where both are defined, on what fraction of rows do the level-1 "
        "imbalance and the 10-level (equal weights) depth imbalance have opposite signs (a zero is not a sign)? "
        "Answer a fraction between 0 and 1.",
        _disagree,
        hint="np.sign(a) * np.sign(b) < 0 marks opposite signs; drop the rows where either is NaN first.",
        explanation="The touch and the depth often tell different stories: which one to trust is the "
        "question of chapter 3.",
    ),
}

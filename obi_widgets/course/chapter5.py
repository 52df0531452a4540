"""Chapter 5 exercises: liquidity imbalance (spread, depth, sweep cost, Kyle's lambda)."""

from __future__ import annotations

from ._check import Exercise

#: the order size of exercise 5.1 (shares)
QUANTITY = 1_000
#: the bins of exercise 5.2
FREQ = "5min"


def data(start=None):
    """Both books of the chapter: ``(deep, amzn)``. ``deep`` is the 10-level ``(book, trades)`` of
    :func:`obi_widgets.course.chapter2.data` (LOBSTER AAPL excerpt, or simulated); ``amzn`` the day of
    LOBSTER AMZN level 1 (or simulated) of :func:`obi_widgets.course.chapter3.amzn`."""
    from .chapter2 import data as aapl
    from .chapter3 import amzn

    return aapl(start), amzn(start)


def _sweep():
    from .. import metrics
    from .chapter2 import data as aapl

    last = aapl()[0][-1]
    return [
        float(metrics.sweep_cost(last, QUANTITY, "buy")[0]),
        float(metrics.sweep_cost(last, QUANTITY, "sell")[0]),
    ]


def _lambda():
    from .. import metrics
    from .chapter3 import amzn

    book, trades = amzn()
    return float(metrics.kyle_lambda(book, trades, FREQ).slope)


EXERCISES = {
    "5.1": Exercise(
        "5.1",
        f"At the LAST row of the 10-level book (`chapter5.data()[0][0]`), what does it cost, in basis points "
        f"from the mid, to BUY {QUANTITY:,} shares at once by walking the book? And to SELL {QUANTITY:,}? "
        "Answer [buy_cost_bps, sell_cost_bps].",
        _sweep,
        kind="numbers",
        hint="book[-1] is the last row; metrics.sweep_cost(row, quantity, side) with side 'buy' / 'sell' "
        "(reference='mid', unit='bps' by default).",
        explanation="The side with the thinner book is the dearer one to trade against: liquidity imbalance.",
    ),
    "5.2": Exercise(
        "5.2",
        "Estimate Kyle's lambda on the chapter's level-1 book (`chapter5.data()[1]`: the AMZN day, or the simulated market) with 5-minute bins, signed volume "
        "as the order flow and the mid change (USD) as the response. Answer the slope (USD per share).",
        _lambda,
        hint="metrics.kyle_lambda(book, trades, '5min') returns a Regression; take .slope.",
        explanation="Multiply by a typical 5-minute net flow to see how far such flow moves the price.",
    ),
}

"""Chapter 4 exercises: order flow imbalance (Cont, Kukanov & Stoikov 2014) and price impact."""

from __future__ import annotations

from ._check import Exercise

#: the two book states of exercise 4.1: (bid price, bid size, ask price, ask size), before and after
BEFORE = (99.99, 300.0, 100.01, 200.0)
AFTER = (100.00, 100.0, 100.01, 500.0)
#: the interval of exercise 4.2
FREQ = "1min"
TICK = 0.01


def data(start=None):
    """The chapter's data: LOBSTER AMZN level 1 of 2012-06-21 as ``(book, trades)``, or the
    simulated fallback (see :func:`obi_widgets.course.chapter3.amzn`)."""
    from .chapter3 import amzn

    return amzn(start)


def two_rows():
    """The two-row Book of exercise 4.1 (:data:`BEFORE`, then :data:`AFTER`), one level."""
    import numpy as np

    from ..book import Book

    rows = np.array([BEFORE, AFTER])
    ts = np.array(["2024-01-02T09:30:00", "2024-01-02T09:30:01"], dtype="datetime64[ns]")
    return Book(ts, rows[:, :1], rows[:, 1:2], rows[:, 2:3], rows[:, 3:4], name="exercise 4.1")


def _e_n():
    from .. import metrics

    return float(metrics.ofi(two_rows())[1])


def ofi_frame(book, freq, tick=TICK):
    """OFI summed over ``freq`` bins and the mid change over each bin in ticks, as in the chapter:
    a DataFrame with columns ``ofi`` and ``dmid`` (bins without a mid change defined dropped)."""
    import pandas as pd

    from .. import metrics

    ofi = metrics.aggregate(metrics.ofi(book), book.ts, freq)
    mid_end = metrics.aggregate(metrics.mid(book), book.ts, freq, how="last").ffill()
    return pd.DataFrame({"ofi": ofi, "dmid": mid_end.diff() / tick}).dropna()


def _r2():
    from .. import metrics

    frame = ofi_frame(data()[0], FREQ)
    return float(metrics.regress(frame["ofi"], frame["dmid"]).r2)


EXERCISES = {
    "4.1": Exercise(
        "4.1",
        f"Before an event the best bid is {BEFORE[0]:.2f} x {BEFORE[1]:.0f} and the best ask {BEFORE[2]:.2f} x "
        f"{BEFORE[3]:.0f}; after it the best bid is {AFTER[0]:.2f} x {AFTER[1]:.0f} and the best ask "
        f"{AFTER[2]:.2f} x {AFTER[3]:.0f}. What is this row's order flow imbalance e_n (shares)? Work it out "
        "by hand from the formula, then check it with metrics.ofi on a two-row Book.",
        _e_n,
        hint="The bid improved: it counts its whole new queue (+). The ask price is unchanged: its term is "
        "minus the change of the ask queue.",
        explanation="+100 from the new better bid, -300 from the ask queue that grew by 300: e_n = -200.",
    ),
    "4.2": Exercise(
        "4.2",
        "Repeat the chapter's regression of the mid change (ticks) on the OFI with 1-minute intervals "
        "instead of 10 seconds, over the whole book. What is its R^2? Answer a number between 0 and 1.",
        _r2,
        hint="chapter4.ofi_frame(book, '1min') builds the two columns; metrics.regress(x, y).r2.",
        explanation="Cont, Kukanov & Stoikov find the linear OFI relation over intervals from 10 s to minutes.",
    ),
}

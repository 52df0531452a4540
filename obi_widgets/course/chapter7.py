"""Chapter 7 exercises: Stoikov's micro-price against the mid and the weighted mid."""

from __future__ import annotations

from ._check import Exercise

#: the simulated market of the chapter: ``datasets.simulate(seed=SEED, n_events=N_EVENTS)``
SEED = 7
N_EVENTS = 40_000
#: the micro-price model of the chapter: ``fit_microprice(train, n_imb=N_IMB, n_spread=N_SPREAD)``
N_IMB = 10
N_SPREAD = 2


def simulated():
    """The chapter's simulated market, split in time: ``(train, test)``, the first and second half of
    the book of ``datasets.simulate(seed=7, n_events=40_000)``. The model is fitted on ``train`` and
    judged on ``test`` (out of sample)."""
    from ..datasets import simulate

    book = simulate(seed=SEED, n_events=N_EVENTS).book
    half = len(book) // 2
    return book[:half], book[half:]


def data():
    """The chapter's data: :func:`simulated` (``train``, ``test``)."""
    return simulated()


def next_mid_errors(test, model):
    """Root mean squared error of the mid, the weighted mid and the micro-price as forecasts of the
    NEXT mid (the mid after the next mid change, ``mid + forward_return(test, "next")``), on the rows
    where all three and the target are defined. A dict name -> RMSE in price units."""
    import numpy as np

    from .. import metrics

    mid = metrics.mid(test)
    target = mid + metrics.forward_return(test, "next")
    prices = {"mid": mid, "weighted mid": metrics.weighted_mid(test), "microprice": metrics.microprice(test, model)}
    keep = np.isfinite(target)
    for p in prices.values():
        keep &= np.isfinite(p)
    return {name: float(np.sqrt(np.mean((p[keep] - target[keep]) ** 2))) for name, p in prices.items()}


def _fit():
    from .. import metrics

    train, _ = data()
    return metrics.fit_microprice(train, n_imb=N_IMB, n_spread=N_SPREAD)


def _top_adjustment():
    model = _fit()
    return float(model.adjustment[0, -1] / model.tick)


def _rmse_ratio():
    _, test = data()
    err = next_mid_errors(test, _fit())
    return err["microprice"] / err["mid"]


EXERCISES = {
    "7.1": Exercise(
        "7.1",
        "Fit the micro-price model on the chapter's training book (n_imb=10, n_spread=2). What is its "
        "adjustment g* for a one-tick spread and the most bid-heavy imbalance bucket, in ticks?",
        _top_adjustment,
        hint="model = metrics.fit_microprice(train, n_imb=10, n_spread=2); model.adjustment has one row per "
        "spread (row 0: one tick), one column per imbalance bucket; divide by model.tick.",
        explanation="Positive and less than half a tick: a heavy bid queue moves the fair price towards the ask.",
    ),
    "7.2": Exercise(
        "7.2",
        "On the chapter's test book, with the model fitted on the training book: what is the ratio of the "
        "micro-price's RMSE to the mid's RMSE as forecasts of the next mid (below 1 means the micro-price "
        "is the better forecast)?",
        _rmse_ratio,
        hint="chapter7.next_mid_errors(test, model) gives the three RMSEs; divide the microprice's by the mid's.",
        explanation="The micro-price uses the imbalance and the spread the mid ignores, so it forecasts better.",
    ),
}

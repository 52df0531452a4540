"""Chapter 9 exercises: replaying a real Binance BTCUSDT session with the dashboard."""

from __future__ import annotations

from ._check import Exercise
from ._data import data_file

#: the first file of the capture: 2024-08-08 23:54 to 2024-08-09 00:00 UTC, with the REST snapshot
CAPTURE = "binance_spot_BTCUSDT_2024-08-08/btcusdt_20240808.gz"
#: levels per side of the rebuilt book
LEVELS = 10
#: the simulated fallback: ``datasets.simulate(seed=SEED)``
SEED = 0


def binance(start=None):
    """The first six minutes of the Binance spot BTCUSDT capture (its first file, which holds the REST
    snapshot), rebuilt with ``io.read_binance([path], levels=10)``, as ``(book, trades)``; when the
    capture is absent, ``datasets.simulate(seed=0)`` and one line saying so."""
    path = data_file(CAPTURE, start)
    if path is not None:
        from ..io import read_binance

        res = read_binance([path], levels=LEVELS)
        return res.book, res.trades
    from ..datasets import simulate

    print("Binance capture not found: this chapter replays the simulated market instead")
    sim = simulate(seed=SEED)
    return sim.book, sim.trades


def data(start=None):
    """The chapter's data: :func:`binance` (the Binance capture, or the simulated fallback)."""
    return binance(start)


def _imbalance_gap():
    import numpy as np

    from .. import metrics

    book = data()[0]
    imb = metrics.level1_imbalance(book)
    sign = metrics.next_move(book).sign
    return float(np.nanmean(imb[sign > 0]) - np.nanmean(imb[sign < 0]))


def _trade_imbalance():
    from .. import metrics

    trades = data()[1]
    return float(metrics.trade_imbalance(trades, window=len(trades)).iloc[-1])


EXERCISES = {
    "9.1": Exercise(
        "9.1",
        "Imbalance before moves: on the chapter's book, what is the mean level-1 imbalance of the rows whose "
        "next mid move is up, minus the mean level-1 imbalance of the rows whose next mid move is down?",
        _imbalance_gap,
        hint="metrics.next_move(book).sign is +1 / -1 (NaN after the last move); average "
        "metrics.level1_imbalance(book) over each group (np.nanmean) and subtract.",
        explanation="Positive: the bid queue tends to be the larger one before an up move, the ask before a down move.",
    ),
    "9.2": Exercise(
        "9.2",
        "Using the aggressor side the exchange reports, what is the volume trade imbalance (B - S) / (B + S) "
        "over all the chapter's trades?",
        _trade_imbalance,
        hint="metrics.trade_imbalance(trades, window=len(trades)) is the imbalance of the last n trades at each "
        "trade: its last value covers them all. Or sum trades.size by trades.side yourself.",
        explanation="Between -1 (all volume seller-initiated) and +1 (all buyer-initiated).",
    ),
}

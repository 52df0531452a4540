"""Chapter 6 exercises: trade signing, trade imbalance and VPIN on the E-mini S&P 500 trades."""

from __future__ import annotations

from ._check import Exercise
from ._data import data_file

ES_FILE = "es_futures_trades_2013-09/tick_data.csv.gz"
#: the simulated fallback (and the book + trades of the footprint section)
SEED = 6
N_EVENTS = 30_000
#: VPIN settings of the chapter: buckets of BUCKET_VOLUME contracts, a window of WINDOW buckets
BUCKET_VOLUME = 2_000
WINDOW = 50


def es_trades(start=None):
    """The E-mini S&P 500 futures trades (500,000 trades, 2013-09-01..03, no side) as a ``Trades``
    read from ``../shared/data``; when the file is absent, the trades of the simulated market
    ``datasets.simulate(seed=6, n_events=30_000)`` with their side removed, and one line saying so."""
    import numpy as np
    import pandas as pd

    from ..trades import Trades

    path = data_file(ES_FILE, start)
    if path is not None:
        frame = pd.read_csv(path, dtype={"Price": np.float64, "Volume": np.float64})
        ts = pd.to_datetime(frame["DateTime"], format="%Y-%m-%d %H:%M:%S.%f").to_numpy(dtype="datetime64[ns]")
        return Trades.from_arrays(ts, frame["Price"].to_numpy(), frame["Volume"].to_numpy(), name="ES 2013-09")
    print("ES futures trades not found: this chapter runs on the simulated market's trades instead")
    sim = simulated()
    return Trades.from_arrays(sim.trades.ts, sim.trades.price, sim.trades.size, name="simulated trades, no side")


def simulated():
    """The simulated market of the chapter, ``datasets.simulate(seed=6, n_events=30_000)``: a book,
    and trades whose true aggressor side is known (to test the signing rules)."""
    from ..datasets import simulate

    return simulate(seed=SEED, n_events=N_EVENTS)


def data(start=None):
    """The chapter's data: :func:`es_trades` (the ES futures trades, or the simulated fallback)."""
    return es_trades(start)


def _cvd_end():
    from .. import metrics

    trades = data()
    return float(metrics.cumulative_volume_delta(trades, signs=metrics.sign_trades(trades, method="tick"))[-1])


def _vpin_mean():
    import numpy as np

    from .. import metrics

    v = metrics.vpin(data(), BUCKET_VOLUME, WINDOW, "tick")
    return float(np.nanmean(v.to_numpy()))


EXERCISES = {
    "6.1": Exercise(
        "6.1",
        "Sign the chapter's trades with the tick rule. What is the cumulative volume delta (buy volume minus "
        "sell volume, in contracts) at the last trade?",
        _cvd_end,
        hint="metrics.cumulative_volume_delta(trades, signs=metrics.sign_trades(trades, method='tick')); take "
        "the last value.",
        explanation="The CVD is the running sum of s_i v_i; its last value is the net signed volume of the sample.",
    ),
    "6.2": Exercise(
        "6.2",
        f"Compute VPIN on the chapter's trades with buckets of {BUCKET_VOLUME:,} contracts, a window of {WINDOW} "
        "buckets and the tick rule as classification. What is its mean over the buckets where it is defined?",
        _vpin_mean,
        hint=f"metrics.vpin(trades, {BUCKET_VOLUME}, {WINDOW}, 'tick'); the first {WINDOW - 1} values are NaN: use "
        "np.nanmean.",
        explanation="VPIN is the average |V^B - V^S| / V over the last n buckets; it lies between 0 and 1.",
    ),
}

"""Tests of obi_widgets.metrics.frame: named metrics as one DataFrame indexed by the book's times.
Each column is compared with the direct metric call; the trade-based columns are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book, Trades, metrics
from obi_widgets.datasets import simulate
from obi_widgets.errors import ParameterError, TradesError
from obi_widgets.metrics import frame

T0 = pd.Timestamp("2024-01-02 09:30:00").value
SEC = 1_000_000_000
NAN = np.nan


@pytest.fixture(scope="module")
def sim():
    return simulate(0, 3000)


def test_the_one_liner(sim):
    b = sim.book
    f = metrics.frame(b, ["mid", "level1_imbalance", "ofi"])
    assert list(f.columns) == ["mid", "level1_imbalance", "ofi"]
    assert isinstance(f.index, pd.DatetimeIndex) and f.index.name == "ts" and f.index.tz is None
    assert f.index.equals(b.to_frame().index)
    np.testing.assert_array_equal(f.index.asi8, b.ts)
    np.testing.assert_array_equal(f["mid"], metrics.mid(b))
    np.testing.assert_array_equal(f["level1_imbalance"], metrics.level1_imbalance(b))
    np.testing.assert_array_equal(f["ofi"], metrics.ofi(b))


def test_every_book_column_is_the_direct_call(sim):
    b = sim.book
    names = [
        "mid",
        "spread",
        "weighted_mid",
        "microprice",
        ("level1_imbalance", {"form": "ratio"}),
        "depth_imbalance",
        ("di3", "depth_imbalance", {"levels": 3, "weights": "linear"}),
        "band_imbalance",
        ("depth", {"levels": 3}),
        "book_slope",
        ("sweep_cost", {"quantity": 500}),
        "ofi",
        "cum_ofi",
        ("integrated_ofi", {"levels": 3}),
        ("forward_return", {"horizon": "next"}),
        ("fr10", "forward_return", {"horizon": 10, "kind": "log"}),
        "next_move",
    ]
    f = frame(b, names)
    direct = {
        "mid": metrics.mid(b),
        "spread": metrics.spread(b),
        "weighted_mid": metrics.weighted_mid(b),
        "microprice": metrics.microprice(b),  # fitted in-sample, like the column
        "level1_imbalance": metrics.level1_imbalance(b, form="ratio"),
        "depth_imbalance": metrics.depth_imbalance(b),
        "di3": metrics.depth_imbalance(b, 3, "linear"),
        "band_imbalance": metrics.band_imbalance(b),
        "depth": metrics.depth(b, 3),
        "book_slope": metrics.book_slope(b),
        "sweep_cost": metrics.sweep_cost(b, 500),
        "ofi": metrics.ofi(b),
        "cum_ofi": np.cumsum(metrics.ofi(b)),
        "integrated_ofi": metrics.integrated_ofi(b, 3, freq=None).values,
        "forward_return": metrics.forward_return(b, "next"),
        "fr10": metrics.forward_return(b, 10, kind="log"),
    }
    m = metrics.next_move(b)
    for k in ("sign", "size", "event_time", "clock_time_ns"):
        direct[f"next_move_{k}"] = getattr(m, k)
    assert list(f.columns) == list(direct)
    for col, values in direct.items():
        np.testing.assert_array_equal(f[col].to_numpy(), values, err_msg=col)
    assert np.isfinite(f["microprice"]).mean() > 0.9  # not an all-NaN column compared with another


def test_multi_level_columns_and_per_name_params(sim):
    b = sim.book
    f = frame(
        b,
        ["ofi", "cum_ofi", "depth_imbalance"],
        ofi={"levels": 3},
        cum_ofi={"levels": 2},
        depth_imbalance={"levels": 2},
    )
    assert list(f.columns) == ["ofi_1", "ofi_2", "ofi_3", "cum_ofi_1", "cum_ofi_2", "depth_imbalance"]
    per_level = metrics.ofi(b, 3)
    for m in range(3):
        np.testing.assert_array_equal(f[f"ofi_{m + 1}"], per_level[:, m])
    np.testing.assert_array_equal(f["cum_ofi_2"], np.cumsum(per_level[:, 1]))
    np.testing.assert_array_equal(f["depth_imbalance"], metrics.depth_imbalance(b, 2))
    # an entry's own kwargs take precedence over the frame-level ones
    g = frame(b, [("depth_imbalance", {"levels": 4}), ("d1", "depth_imbalance", {})], depth_imbalance={"levels": 2})
    np.testing.assert_array_equal(g["depth_imbalance"], metrics.depth_imbalance(b, 4))
    np.testing.assert_array_equal(g["d1"], metrics.depth_imbalance(b, 2))
    single = frame(b, "spread")
    assert list(single.columns) == ["spread"]


def test_cum_ofi_with_nan_rows():
    # one level; row 1 has an empty bid: with empty="nan" rows 1 and 2 are NaN (either row empty)
    ts = T0 + np.arange(4) * SEC
    b = Book.from_arrays(ts, [10.0, NAN, 10.0, 10.0], [5.0, NAN, 3.0, 4.0], [11.0] * 4, [2.0, 2.0, 2.0, 1.0])
    e = metrics.ofi(b, empty="nan")
    assert np.isnan(e[1]) and np.isnan(e[2])
    # e_3 = (4 - 3) - (1 - 2) = 2; e_0 = 0 -> running sum 0, NaN, NaN, 2 (NaN rows add nothing)
    f = frame(b, ["cum_ofi"], cum_ofi={"empty": "nan"})
    np.testing.assert_array_equal(f["cum_ofi"], [0, NAN, NAN, 2])


@pytest.fixture
def small():
    # book rows at 0, 1, 2, 3, 4 s; trades at 0.5 s (buy 10), 1 s (sell 4), 1 s (buy 2), 3.5 s (sell 6)
    ts = T0 + np.arange(5) * SEC
    b = Book.from_arrays(ts, np.full(5, 99.0), np.ones(5), np.full(5, 101.0), np.ones(5))
    tt = T0 + (np.array([0.5, 1, 1, 3.5]) * SEC).astype(np.int64)
    tr = Trades.from_arrays(tt, [100.0] * 4, [10.0, 4, 2, 6], [1, -1, 1, -1])
    return b, tr


def test_cvd_as_of_book_rows(small):
    b, tr = small
    f = frame(b, ["cvd"], trades=tr)
    # CVD per trade 10, 6, 8, 2; at 0 s none (0), at 1 s the three first (8), ... at 4 s all four (2)
    np.testing.assert_array_equal(f["cvd"], [0, 8, 8, 8, 2])
    # inclusive=False: the trades strictly before the row; at 1 s only the 0.5 s trade
    g = frame(b, ["cvd"], trades=tr, cvd={"inclusive": False})
    np.testing.assert_array_equal(g["cvd"], [0, 10, 8, 8, 2])


def test_trade_imbalance_as_of_book_rows(small):
    b, tr = small
    f = frame(
        b,
        [
            ("n2", "trade_imbalance", {"window": 2}),
            ("w1", "trade_imbalance", {"window": "1s"}),
            ("w2", "trade_imbalance", {"window": "2s"}),
            ("w1x", "trade_imbalance", {"window": "1s", "inclusive": False}),
            ("c1", "trade_imbalance", {"window": "1s", "by": "count"}),
        ],
        trades=tr,
    )
    # last 2 trades, per trade: NaN, (10-4)/14, (2-4)/6, (2-6)/8 -> at rows 0..4: NaN, -1/3, -1/3, -1/3, -1/2
    np.testing.assert_allclose(f["n2"], [NAN, -1 / 3, -1 / 3, -1 / 3, -0.5])
    # trades in (t - 1 s, t]: none; 10 - 4 + 2 -> 8/16; none; none; -6/6
    np.testing.assert_allclose(f["w1"], [NAN, 0.5, NAN, NAN, -1])
    # (t - 2 s, t]: none; (8/16); the same three; (1, 3] none; (2, 4] the sell
    np.testing.assert_allclose(f["w2"], [NAN, 0.5, 0.5, NAN, -1])
    # (t - 1 s, t): at 1 s only the 0.5 s buy
    np.testing.assert_allclose(f["w1x"], [NAN, 1, NAN, NAN, -1])
    # by count at 1 s: 2 buys, 1 sell -> 1/3
    np.testing.assert_allclose(f["c1"], [NAN, 1 / 3, NAN, NAN, -1])


def test_trade_columns_agree_with_the_per_trade_metrics(sim):
    b, tr = sim.book, sim.trades
    f = frame(b, ["cvd", ("trade_imbalance", {"window": 20})], trades=tr)
    last = np.searchsorted(tr.ts, b.ts, side="right") - 1  # the last trade at or before each row
    have = last >= 0
    np.testing.assert_array_equal(f["cvd"].to_numpy()[have], metrics.cumulative_volume_delta(tr)[last[have]])
    ti = metrics.trade_imbalance(tr, window=20).to_numpy()
    np.testing.assert_array_equal(f["trade_imbalance"].to_numpy()[have], ti[last[have]])
    # a duration window at a row stamped with a trade's time equals the per-trade value of the
    # last trade with that time (the simulator stamps trades with their event's time)
    w = frame(b, [("trade_imbalance", {"window": "2s"})], trades=tr)["trade_imbalance"].to_numpy()
    per_trade = metrics.trade_imbalance(tr, window="2s").to_numpy()
    at_trade = np.isin(b.ts, tr.ts)
    assert at_trade.sum() > 100
    np.testing.assert_allclose(w[at_trade], per_trade[last[at_trade]])


def test_errors(sim, small):
    b = sim.book
    with pytest.raises(ParameterError, match=r"unknown metric 'imbalance' \(names\[1\]\); known: mid, spread"):
        frame(b, ["mid", "imbalance"])
    with pytest.raises(ParameterError, match="'cvd' is computed from trades: pass trades="):
        frame(b, ["cvd"])
    with pytest.raises(ParameterError, match="'mid' does not take levels; it takes no arguments"):
        frame(b, [("mid", {"levels": 2})])
    with pytest.raises(ParameterError, match="'depth_imbalance' does not take level; it takes levels"):
        frame(b, ["depth_imbalance"], depth_imbalance={"level": 2})
    with pytest.raises(ParameterError, match="'forward_return' needs horizon="):
        frame(b, ["forward_return"])
    with pytest.raises(ParameterError, match="'trade_imbalance' needs window="):
        frame(b, ["trade_imbalance"], trades=sim.trades)
    with pytest.raises(ParameterError, match="ofi= gives arguments for 'ofi', which is not in names"):
        frame(b, ["mid"], ofi={"levels": 2})
    with pytest.raises(ParameterError, match="unexpected keyword imbalance="):
        frame(b, ["mid"], imbalance={})
    with pytest.raises(ParameterError, match="must be a dict"):
        frame(b, ["ofi"], ofi=2)
    with pytest.raises(ParameterError, match="two entries make the column 'mid'"):
        frame(b, ["mid", "mid"])
    with pytest.raises(ParameterError, match=r"names\[0\] is 3"):
        frame(b, [3])
    with pytest.raises(ParameterError, match="must be a list"):
        frame(b, {"mid"})
    with pytest.raises(ParameterError, match="Book"):
        frame(sim.trades, ["mid"])
    with pytest.raises(ParameterError, match="Trades"):
        frame(b, ["cvd"], trades=b)
    # a metric's own error keeps its class and names the column
    with pytest.raises(ParameterError, match=r"column 'deep' \(depth_imbalance\): levels=50 but the book has only 10"):
        frame(b, [("deep", "depth_imbalance", {"levels": 50})])
    bb, tr = small
    unsigned = Trades.from_arrays(tr.ts, tr.price, tr.size)  # side 0: unknown
    with pytest.raises(TradesError, match=r"column 'cvd' \(cvd\): .*unknown sign"):
        frame(bb, ["cvd"], trades=unsigned)
    with pytest.raises(ParameterError, match="inclusive must be True or False"):
        frame(bb, ["cvd"], trades=tr, cvd={"inclusive": "yes"})


def test_empty_trades_and_empty_book(small):
    b, tr = small
    none = Trades.from_arrays(np.zeros(0, dtype=np.int64), [], [], np.zeros(0, dtype=np.int8))
    f = frame(b, ["cvd", ("trade_imbalance", {"window": "1s"})], trades=none)
    np.testing.assert_array_equal(f["cvd"], np.zeros(5))
    assert f["trade_imbalance"].isna().all()
    e = frame(b[0:0], ["mid", "next_move"])
    assert len(e) == 0 and "next_move_sign" in e.columns


@pytest.mark.realdata
def test_aapl_lobster_frame(aapl_files):
    from .conftest import skip_or_fail

    if not all(p.exists() for p in aapl_files):
        skip_or_fail(f"LOBSTER AAPL excerpt not found at {aapl_files[0].parent}")
    b = Book.from_lobster(*aapl_files)
    tr = Trades.from_lobster(aapl_files[0])
    f = frame(b, ["mid", ("depth_imbalance", {"levels": 10}), ("ofi", {"levels": 10}), "next_move", "cvd"], trades=tr)
    assert len(f) == len(b) == 999 and f.index.equals(b.to_frame().index)
    np.testing.assert_array_equal(f["depth_imbalance"], metrics.depth_imbalance(b, 10))
    np.testing.assert_array_equal(f["ofi_10"], metrics.ofi(b, 10)[:, 9])
    np.testing.assert_array_equal(f["next_move_size"], metrics.forward_return(b, "next"))
    # LOBSTER: the book row of an execution carries the execution's time, so with inclusive=True
    # the row's CVD includes its own trade; the last CVD is the whole excerpt's signed volume
    assert f["cvd"].iloc[-1] == pytest.approx(float(np.sum(tr.side * tr.size)))
    assert len(tr) > 10 and np.isfinite(f["next_move_sign"]).sum() > 900

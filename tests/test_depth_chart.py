"""DepthChart, Python side: what it sends to the front-end, and how it syncs."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

import obi_widgets as ow
from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError
from obi_widgets.views._serialize import minmax_bins

NAN = np.nan


def book() -> Book:
    ts = np.array([0, 1, 2, 3]) * 1_000_000_000
    return Book.from_arrays(
        ts,
        [[10.0, 9.9], [10.0, 9.9], [10.1, 10.0], [10.0, NAN]],
        [[5, 7], [4, 7], [1, 9], [3, NAN]],
        [[10.2, 10.3], [10.1, 10.2], [10.2, 10.3], [10.1, 10.2]],
        [[2, 8], [6, 2], [3, 3], [4, 4]],
        name="toy",
    )


def frame(chart) -> np.ndarray:
    return np.frombuffer(chart._frame, dtype="<f8").reshape(5, chart.levels)


def test_frame_layout_at_cursor():
    c = ow.DepthChart(book())
    assert (c.n_rows, c.levels, c.cursor) == (4, 2, 0)
    f = frame(c)
    np.testing.assert_array_equal(f[0], [10.0, 9.9])  # bid prices
    np.testing.assert_array_equal(f[1], [5, 12])  # cumulative bid sizes
    np.testing.assert_array_equal(f[2], [10.2, 10.3])
    np.testing.assert_array_equal(f[3], [2, 10])
    np.testing.assert_allclose(f[4], [(5 - 2) / 7, (12 - 10) / 22])
    assert c._info["mid"] == pytest.approx(10.1) and c._info["row"] == 0
    assert c._info["imbalance"] == pytest.approx(3 / 7)


def test_cursor_moves_frame_and_empty_levels_stay_nan():
    c = ow.DepthChart(book())
    c.cursor = 3
    f = frame(c)
    assert f[0, 0] == 10.0 and np.isnan(f[0, 1]) and np.isnan(f[1, 1]) and np.isnan(f[4, 1])
    assert f[1, 0] == 3
    assert c._info["time"].endswith("00:00:03")


def test_cursor_out_of_range():
    c = ow.DepthChart(book())
    with pytest.raises(traitlets.TraitError, match=r"\[0, 3\]"):
        c.cursor = 4
    with pytest.raises(traitlets.TraitError):
        ow.DepthChart(book(), cursor=-1)


def test_go_to_time():
    c = ow.DepthChart(book())
    c.go_to(2_500_000_000)
    assert c.cursor == 2
    assert c.cursor_time.value == 2_000_000_000


def test_trades_in_window():
    tr = Trades.from_arrays(
        [0, 500_000_000, 1_900_000_000, 2_000_000_000, 2_500_000_000],
        [10.2, 10.1, 10.0, 10.1, 10.2],
        [1, 2, 3, 4, 5],
        [1, -1, -1, 1, 1],
    )
    c = ow.DepthChart(book(), tr, cursor=2, trade_window="1s")
    sent = np.frombuffer(c._trades, dtype="<f8").reshape(3, -1)
    # window (1 s, 2 s]: trades at 1.9 s and 2.0 s (inclusive of the cursor time)
    np.testing.assert_array_equal(sent, [[10.0, 10.1], [3, 4], [-1, 1]])
    c.cursor = 0
    assert np.frombuffer(c._trades, dtype="<f8").size == 3  # the trade at t=0


def test_overview_follows_width():
    sim = ow.datasets.simulate(seed=1, n_events=3000)
    c = ow.DepthChart(sim.book)
    assert len(c._overview) == 2 * 800 * 8
    c._width = 300
    lo, hi = np.frombuffer(c._overview, dtype="<f8").reshape(2, -1)
    assert lo.size == 300 and np.all(lo <= hi)
    mid = ow.metrics.mid(sim.book)
    assert lo.min() == np.nanmin(mid) and hi.max() == np.nanmax(mid)


def test_minmax_bins_by_hand():
    starts, lo, hi = minmax_bins(np.array([1.0, 5.0, NAN, 2.0, 3.0, 0.0, 4.0]), 3)
    assert starts.tolist() == [0, 2, 4]
    assert lo.tolist() == [1.0, 2.0, 0.0] and hi.tolist() == [5.0, 2.0, 4.0]
    starts, lo, hi = minmax_bins(np.array([1.0, 2.0]), 10)
    assert starts.tolist() == [0, 1] and lo.tolist() == [1.0, 2.0]


def test_repr_is_deterministic():
    assert repr(ow.DepthChart(book(), cursor=1)) == "DepthChart(n_rows=4, levels=2, cursor=1)"


def test_bad_arguments():
    with pytest.raises(ParameterError, match="Book"):
        ow.DepthChart(np.zeros(3))
    with pytest.raises(ParameterError, match="trade_window"):
        ow.DepthChart(book(), trade_window="soon")
    with pytest.raises(ParameterError, match="Trades"):
        ow.DepthChart(book(), trades=[1, 2])


def test_state_is_binary_and_json_safe():
    import json

    c = ow.DepthChart(book(), cursor=3)
    state = c.get_state()
    assert isinstance(state["_frame"], (bytes, memoryview))
    json.dumps({k: v for k, v in state.items() if not isinstance(v, (bytes, memoryview))}, allow_nan=False)

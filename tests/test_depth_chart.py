"""DepthChart, Python side: the frame it sends (unpacked and checked by hand), sync, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import traitlets

import obi_widgets as ow
from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack

NAN = np.nan
S = 1_000_000_000


def book() -> Book:
    return Book.from_arrays(
        np.array([0, 1, 2, 3]) * S,
        [[10.0, 9.9], [10.0, 9.9], [10.1, 10.0], [10.0, NAN]],
        [[5, 7], [4, 7], [1, 9], [3, NAN]],
        [[10.2, 10.3], [10.1, 10.2], [10.2, 10.3], [10.1, 10.2]],
        [[2, 8], [6, 2], [3, 3], [4, 4]],
        name="toy",
    )


def trades() -> Trades:
    return Trades.from_arrays(
        (np.array([0, 0.5, 1.0, 1.9, 2.0, 2.5]) * S).astype(np.int64),
        [10.2, 10.1, 10.3, 10.0, 10.1, 10.2],
        [1, 2, 9, 3, 4, 5],
        [1, -1, 1, -1, 1, 1],
    )


def frame(chart):
    return unpack(chart._frame)


def test_frame_at_the_cursor_by_hand():
    c = ow.DepthChart(book())
    assert (c.n_rows, c.levels, c.cursor) == (4, 2, 0)
    f, m = frame(c)
    np.testing.assert_array_equal(f["bid_px"], [10.0, 9.9])
    np.testing.assert_array_equal(f["bid_cum"], [5, 12])  # 5, 5 + 7
    np.testing.assert_array_equal(f["ask_px"], [10.2, 10.3])
    np.testing.assert_array_equal(f["ask_cum"], [2, 10])  # 2, 2 + 8
    np.testing.assert_allclose(f["imb"], [(5 - 2) / 7, (12 - 10) / 22])
    assert m["row"] == 0 and m["t"] == 0.0 and m["window_ms"] == 5000.0
    assert m["mid"] == pytest.approx(10.1) and m["spread"] == pytest.approx(0.2)
    assert m["imbalance"] == pytest.approx(3 / 7)
    assert "trade_px" not in f  # no trades given


def test_cursor_moves_the_frame_and_empty_levels_stay_nan():
    c = ow.DepthChart(book())
    c.cursor = 3
    f, m = frame(c)
    assert m["row"] == 3 and m["t"] == 3000.0
    assert f["bid_px"][0] == 10.0 and np.isnan(f["bid_px"][1])
    assert f["bid_cum"][0] == 3 and np.isnan(f["bid_cum"][1]) and np.isnan(f["imb"][1])
    np.testing.assert_array_equal(f["ask_cum"], [4, 8])
    assert f["imb"][0] == pytest.approx((3 - 4) / 7)


def test_views_of_one_source_follow_the_shared_cursor():
    src = ow.BookSource(book())
    a, b = ow.DepthChart(src), ow.DepthChart(src)
    a.cursor = 2
    assert frame(b)[1]["row"] == 2 and b.cursor == 2
    src.go_to(int(1.5 * S))
    assert frame(a)[1]["row"] == 1


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


def test_trades_in_the_window_with_their_age():
    c = ow.DepthChart(book(), trades(), cursor=2, trade_window="1s")
    f, _ = frame(c)
    # window (1 s, 2 s]: the trades at 1.9 s and 2.0 s; not 1.0 s (open end) nor 2.5 s (future)
    np.testing.assert_array_equal(f["trade_px"], [10.0, 10.1])
    np.testing.assert_array_equal(f["trade_sz"], [3, 4])
    np.testing.assert_array_equal(f["trade_side"], [-1, 1])
    np.testing.assert_allclose(f["trade_age_ms"], [100.0, 0.0])
    c.cursor = 0
    f, _ = frame(c)
    np.testing.assert_array_equal(f["trade_px"], [10.2])  # the trade at t = 0 itself
    assert f["trade_age_ms"][0] == 0.0


def test_at_most_the_last_500_trades():
    n = 800
    tr = Trades.from_arrays(np.arange(n) * 1_000_000, np.full(n, 10.1), np.arange(1, n + 1), np.ones(n))
    c = ow.DepthChart(book(), tr, cursor=0, trade_window="10s")
    c.cursor = 1  # t = 1 s: all 800 trades (0 .. 0.799 s) are in the window
    f, _ = frame(c)
    assert len(f["trade_sz"]) == 500 and f["trade_sz"][-1] == n and f["trade_sz"][0] == n - 499


def test_one_row_one_level_book():
    one = Book.from_arrays([0], [[10.0]], [[5.0]], [[10.1]], [[3.0]])
    f, m = frame(ow.DepthChart(one))
    assert f["bid_cum"].tolist() == [5.0] and f["ask_cum"].tolist() == [3.0]
    assert m["imbalance"] == pytest.approx(0.25) and f["imb"][0] == pytest.approx(0.25)


def test_repr_is_deterministic():
    assert repr(ow.DepthChart(book(), cursor=1)) == "DepthChart(n_rows=4, levels=2, cursor=1)"


def test_bad_arguments():
    with pytest.raises(ParameterError, match="Book"):
        ow.DepthChart(np.zeros(3))
    with pytest.raises(ParameterError, match="trade_window"):
        ow.DepthChart(book(), trade_window="soon")
    with pytest.raises(ParameterError, match="trade_window"):
        ow.DepthChart(book(), trade_window="-2s")
    with pytest.raises(ParameterError, match="Trades"):
        ow.DepthChart(book(), trades=[1, 2])
    with pytest.raises(ParameterError, match="height"):
        ow.DepthChart(book(), height=5)


def test_state_is_binary_and_json_safe():
    c = ow.DepthChart(book(), trades(), cursor=3)
    state = c.get_state()
    assert isinstance(state["_frame"], (bytes, memoryview))
    json.dumps({k: v for k, v in state.items() if not isinstance(v, (bytes, memoryview))}, allow_nan=False)

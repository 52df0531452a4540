"""Ladder, Python side: the frame it sends (tick grid, sizes, traded volume, venue split), errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import obi_widgets as ow
from obi_widgets import Book, Trades, consolidate
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack
from obi_widgets.views.ladder import MAX_GRID

NAN = np.nan
S = 1_000_000_000


def book() -> Book:
    """Tick 0.1. Row 0: a gap at 9.9 on the bid, a 2-tick spread. Row 2: a 1-tick spread."""
    return Book.from_arrays(
        np.array([0, 1, 2, 3]) * S,
        [[10.0, 9.8, 9.7], [10.0, 9.9, 9.8], [10.1, 10.0, 9.9], [10.0, NAN, NAN]],
        [[5, 7, 1], [4, 7, 2], [3, 1, 6], [3, NAN, NAN]],
        [[10.2, 10.3, 10.5], [10.1, 10.2, 10.3], [10.2, 10.3, 10.4], [10.1, 10.2, 10.3]],
        [[2, 8, 4], [6, 2, 1], [1, 2, 3], [4, 4, 4]],
        name="toy",
        meta={"tick": 0.1, "price_unit": "USD", "size_unit": "shares"},
    )


def trades() -> Trades:
    return Trades.from_arrays(
        (np.array([0.5, 1.0, 1.2, 1.5, 1.8, 2.0, 2.5]) * S).astype(np.int64),
        [10.2, 10.2, 10.0, 10.0, 9.5, 10.3, 9.0],
        [1, 7, 2, 3, 1, 4, 5],
        [1, 1, -1, 0, -1, 1, -1],
    )


def sent(ladder) -> tuple[dict, dict]:
    return unpack(ladder._frame)


def test_rows_are_the_book_row_on_the_tick_grid():
    lad = ow.Ladder(book())
    f, m = sent(lad)
    # row 0: asks 10.2 (2), 10.3 (8), 10.5 (4); bids 10.0 (5), 9.8 (7), 9.7 (1); one row per tick, top first
    np.testing.assert_allclose(f["price"], [10.5, 10.4, 10.3, 10.2, 10.1, 10.0, 9.9, 9.8, 9.7])
    np.testing.assert_array_equal(f["ask_sz"], [4, NAN, 8, 2, NAN, NAN, NAN, NAN, NAN])
    np.testing.assert_array_equal(f["bid_sz"], [NAN, NAN, NAN, NAN, NAN, 5, NAN, 7, 1])
    np.testing.assert_array_equal(f["ask_level"], [3, 0, 2, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(f["bid_level"], [0, 0, 0, 0, 0, 1, 0, 2, 3])
    np.testing.assert_array_equal(f["ask_cum"], [14, NAN, 10, 2, NAN, NAN, NAN, NAN, NAN])
    np.testing.assert_array_equal(f["bid_cum"], [NAN, NAN, NAN, NAN, NAN, 5, NAN, 12, 13])
    # level prices are the book's own floats, exactly
    assert f["price"][5] == 10.0 and f["price"][3] == 10.2
    assert (m["row"], m["tick"], m["anchor"], m["hi"]) == (0, 0.1, 10.0, 5)
    assert (m["best_bid"], m["best_ask"], m["bid_levels"], m["ask_levels"], m["levels"]) == (0, 2, 3, 3, 3)
    assert m["imb_l1"] == pytest.approx((5 - 2) / 7)
    assert m["imb_depth"] == pytest.approx((13 - 14) / 27) and m["depth_levels"] == 3
    assert m["mid"] == pytest.approx(10.1) and m["spread"] == pytest.approx(0.2)
    assert "buy_vol" not in f and "venue_bid_sz" not in f and m["venues"] == []


def test_cursor_moves_the_frame_and_empty_levels_are_empty_rows():
    lad = ow.Ladder(book())
    lad.cursor = 3  # bid 10.0 only; asks 10.1, 10.2, 10.3
    f, m = sent(lad)
    assert m["row"] == 3 and m["bid_levels"] == 1 and m["ask_levels"] == 3
    np.testing.assert_allclose(f["price"], [10.3, 10.2, 10.1, 10.0])
    np.testing.assert_array_equal(f["bid_sz"], [NAN, NAN, NAN, 3])
    np.testing.assert_array_equal(f["ask_sz"], [4, 4, 4, NAN])
    assert m["imb_depth"] == pytest.approx((3 - 12) / 15)
    src = ow.BookSource(book())
    other = ow.Ladder(src)
    src.go_to(int(2.5 * S))
    assert sent(other)[1]["row"] == 2


def test_traded_volume_per_price_by_hand():
    lad = ow.Ladder(book(), trades(), cursor=2, trade_window="1s")
    f, m = sent(lad)
    # row 2 (t = 2 s): bids 10.1, 10.0, 9.9; asks 10.2, 10.3, 10.4. Window (1 s, 2 s]: the trades at
    # 1.2 s (10.0, 2, sell), 1.5 s (10.0, 3, unsigned), 1.8 s (9.5, 1, sell), 2.0 s (10.3, 4, buy);
    # not 1.0 s (the window's open end) nor 2.5 s (after the cursor). 9.5 widens the grid.
    np.testing.assert_allclose(f["price"], [10.4, 10.3, 10.2, 10.1, 10.0, 9.9, 9.8, 9.7, 9.6, 9.5])
    np.testing.assert_array_equal(f["buy_vol"], [0, 4, 0, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(f["sell_vol"], [0, 0, 0, 0, 2, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(f["other_vol"], [0, 0, 0, 0, 3, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(f["bid_sz"], [NAN, NAN, NAN, 3, 1, 6, NAN, NAN, NAN, NAN])
    assert m["trades"] == 4 and m["window_ms"] == 1000.0
    assert (m["best_bid"], m["best_ask"]) == (0, 1)  # anchor 10.1
    lad.cursor = 0  # t = 0: the trade at 0.5 s is in the future
    f, m = sent(lad)
    assert m["trades"] == 0 and f["buy_vol"].sum() == 0


def two_venues():
    ts = [0, S]
    a = Book.from_arrays(ts, [[10.0, 9.9]] * 2, [[5, 2]] * 2, [[10.1, 10.2]] * 2, [[1, 4]] * 2, name="A")
    b = Book.from_arrays(ts, [[10.0, 9.8]] * 2, [[3, 6]] * 2, [[10.2, 10.3]] * 2, [[2, 2]] * 2, name="B")
    return consolidate([a, b], tick=0.1, levels=3)


def test_venue_split_sums_to_the_consolidated_size():
    cb = two_venues()
    lad = ow.Ladder(cb)
    f, m = sent(lad)
    assert m["venues"] == ["A", "B"]
    np.testing.assert_allclose(f["price"], [10.3, 10.2, 10.1, 10.0, 9.9, 9.8])
    # by hand: 10.3 ask B 2; 10.2 ask A 4 + B 2; 10.1 ask A 1; 10.0 bid A 5 + B 3; 9.9 A 2; 9.8 B 6
    np.testing.assert_array_equal(f["venue_ask_sz"][:3], [[0, 2], [4, 2], [1, 0]])
    np.testing.assert_array_equal(f["venue_bid_sz"][3:], [[5, 3], [2, 0], [0, 6]])
    assert np.isnan(f["venue_ask_sz"][3:]).all() and np.isnan(f["venue_bid_sz"][:3]).all()
    for side in ("bid", "ask"):
        have = np.isfinite(f[f"{side}_sz"])
        np.testing.assert_array_equal(f[f"venue_{side}_sz"][have].sum(axis=1), f[f"{side}_sz"][have])
    np.testing.assert_array_equal(f["ask_sz"][:3], [2, 6, 1])
    # a source made from the consolidated book splits too
    assert "venue_bid_sz" in sent(ow.Ladder(ow.BookSource(cb)))[0]


def test_grid_is_capped_around_the_touch():
    far = Book.from_arrays([0], [[100.0, 50.0]], [[1, 1]], [[100.01, 100.02]], [[1, 1]], meta={"tick": 0.01})
    f, m = sent(ow.Ladder(far))
    assert len(f["price"]) == MAX_GRID
    assert np.isfinite(f["bid_sz"]).sum() == 1  # 50.0 is 5000 ticks away: left out
    assert 0 <= m["hi"] - m["best_ask"] < MAX_GRID and 0 <= m["hi"] - m["best_bid"] < MAX_GRID


def test_one_row_one_level_book_and_tick_fallback():
    one = Book.from_arrays([0], [[10.0]], [[5.0]], [[10.5]], [[3.0]])
    lad = ow.Ladder(one)
    f, m = sent(lad)
    assert lad.tick == pytest.approx(0.5)  # the book's tick: its one price gap
    np.testing.assert_allclose(f["price"], [10.5, 10.0])
    assert m["imb_l1"] == pytest.approx(0.25) and m["imb_depth"] == pytest.approx(0.25)


def test_height_rows_and_repr():
    lad = ow.Ladder(book(), rows=11)
    assert lad.rows == 11 and lad.height == 22 + 18 * 11 and lad.cumulative is False
    assert ow.Ladder(book(), height=500).height == 500
    assert repr(lad) == "Ladder(n_rows=4, tick=0.1, rows=11, cursor=0)"
    assert str(ow.Ladder(book(), trade_window="2min").trade_window) == "0 days 00:02:00"


def test_bad_arguments_are_typed_errors():
    with pytest.raises(ParameterError, match="rows"):
        ow.Ladder(book(), rows=2)
    with pytest.raises(ParameterError, match="rows"):
        ow.Ladder(book(), rows="many")
    with pytest.raises(ParameterError, match="cumulative"):
        ow.Ladder(book(), cumulative="yes")
    with pytest.raises(ParameterError, match="trade_window"):
        ow.Ladder(book(), trade_window="soon")
    with pytest.raises(ParameterError, match="trade_window"):
        ow.Ladder(book(), trade_window="-1s")
    with pytest.raises(ParameterError, match="height"):
        ow.Ladder(book(), height=10)
    with pytest.raises(ParameterError, match="Book"):
        ow.Ladder(np.zeros(3))
    with pytest.raises(ParameterError, match="trades"):
        ow.Ladder(ow.BookSource(book()), trades())
    with pytest.raises(ParameterError, match="row"):
        ow.Ladder(book()).frame(9)


def test_state_is_binary_and_json_safe():
    lad = ow.Ladder(book(), trades(), cursor=3)
    state = lad.get_state()
    assert isinstance(state["_frame"], (bytes, memoryview))
    json.dumps({k: v for k, v in state.items() if not isinstance(v, (bytes, memoryview))}, allow_nan=False)

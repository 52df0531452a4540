"""BookSource: validation of the shared state, the Python API, and what it sends to the browser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import traitlets

import obi_widgets as ow
from obi_widgets import Book, Trades
from obi_widgets.errors import ParameterError
from obi_widgets.views._buffers import unpack
from obi_widgets.views.source import AXIS_BINS, BookSource

NAN = np.nan
S = 1_000_000_000


def toy() -> Book:
    """Four rows at 0, 1, 2, 3 s; mids 10.1, 10.05, 10.15, 10.05."""
    return Book.from_arrays(
        np.array([0, 1, 2, 3]) * S,
        [[10.0, 9.9], [10.0, 9.9], [10.1, 10.0], [10.0, NAN]],
        [[5, 7], [4, 7], [1, 9], [3, NAN]],
        [[10.2, 10.3], [10.1, 10.2], [10.2, 10.3], [10.1, 10.2]],
        [[2, 8], [6, 2], [3, 3], [4, 4]],
        name="toy",
    )


def sim():
    from obi_widgets import datasets

    return datasets.simulate(seed=0, n_events=3000)


# -- validation ---------------------------------------------------------------------------------
def test_constructor_errors_name_the_parameter():
    with pytest.raises(ParameterError, match="Book or BookSource, got ndarray"):
        BookSource(np.zeros(3))
    with pytest.raises(ParameterError, match="at least one row"):
        BookSource(toy()[0:0])
    with pytest.raises(ParameterError, match="trades must be an obi_widgets.Trades"):
        BookSource(toy(), trades=[1, 2])
    for bad in (0, -1, 2.5, "10"):
        with pytest.raises(ParameterError, match="track_rows must be a positive int"):
            BookSource(toy(), track_rows=bad)
    with pytest.raises(ParameterError, match="track_levels"):
        BookSource(toy(), track_levels=0)


def test_cursor_must_be_a_row():
    src = BookSource(toy())
    with pytest.raises(traitlets.TraitError, match=r"cursor must be a row in \[0, 3\], got 4"):
        src.cursor = 4
    with pytest.raises(traitlets.TraitError, match="got -1"):
        src.cursor = -1
    with pytest.raises(traitlets.TraitError):
        BookSource(toy(), cursor=9)
    src.cursor = 3
    assert src.cursor == 3 and src._cursor_at == [3, 3000.0]


def test_time_range_validation():
    src = BookSource(toy())
    assert src.time_range == (0, 3 * S)
    with pytest.raises(traitlets.TraitError, match="start <= end"):
        src.time_range = (2 * S, 1 * S)
    src.time_range = (-100 * S, 100 * S)  # at most one book length beyond each end
    assert src.time_range == (-3 * S, 6 * S)
    src.time_range = (S, S)  # an empty span becomes one ns wide
    assert src.time_range == (S, S + 1)


def test_selection_validation():
    src = BookSource(toy())
    assert src.selection is None and src.selected is None
    src.selection = (2 * S, S)  # reversed: swapped
    assert src.selection == (S, 2 * S)
    sel = src.selected
    assert isinstance(sel, Book) and list(sel.ts) == [S]  # rows with start <= ts < end
    src.selection = None
    assert src.selection is None
    with pytest.raises(traitlets.TraitError):
        src.selection = (1, 2, 3)


# -- Python API ----------------------------------------------------------------------------------
def test_go_to_and_cursor_time():
    src = BookSource(toy())
    src.go_to(int(2.5 * S))
    assert src.cursor == 2 and src.cursor_time == pd.Timestamp(2 * S)
    src.go_to(pd.Timestamp(3 * S))
    assert src.cursor == 3
    src.go_to("1970-01-01 00:00:01")
    assert src.cursor == 1


def test_zoom_and_reset():
    src = BookSource(toy())
    src.zoom(S, 2 * S)
    assert src.time_range == (S, 2 * S)
    src.zoom(None, 2 * S)
    assert src.time_range == (0, 2 * S)
    src.zoom(pd.Timestamp(S))
    assert src.time_range == (S, 3 * S)
    src.selection = (0, S)
    src.reset()
    assert src.time_range == (0, 3 * S) and src.selection is None


def test_meta_and_repr():
    src = BookSource(toy(), name="my book")
    m = src._meta
    assert (m["rows"], m["levels"], m["start_ms"], m["end_ms"]) == (4, 2, 0.0, 3000.0)
    assert m["trades"] is False and m["venues"] == []
    assert src.name == "my book"
    assert BookSource(toy()).name == "toy"
    assert repr(src) == "BookSource(name='my book', rows=4, levels=2, cursor=0)"


# -- payloads ------------------------------------------------------------------------------------
def test_axis_is_min_max_of_the_mid_per_bin_by_a_plain_loop():
    s = sim()
    book = s.book
    src = BookSource(book, s.trades)
    axis, _ = unpack(src._axis)
    ts = book.ts
    mid = (book.bid_px[:, 0] + book.ask_px[:, 0]) / 2
    t0, t1 = int(ts[0]), int(ts[-1])
    edges = [t0 + (i * (t1 - t0)) // AXIS_BINS for i in range(AXIS_BINS + 1)]
    np.testing.assert_array_equal(axis["t"], np.array(edges, dtype=np.float64) / 1e6)
    lo = np.full(AXIS_BINS, np.nan)
    hi = np.full(AXIS_BINS, np.nan)
    row = np.zeros(AXIS_BINS, dtype=np.int64)
    j = 0  # rows in force during bin i: the one in force at its left edge, and those starting inside
    for i in range(AXIS_BINS):
        a, b = edges[i], edges[i + 1]
        while j + 1 < len(ts) and ts[j + 1] <= a:
            j += 1
        row[i] = j
        values = [mid[j]] if ts[j] <= a else []
        k = j + (1 if ts[j] <= a else 0)
        while k < len(ts) and (ts[k] < b or (i == AXIS_BINS - 1 and ts[k] <= b)):
            values.append(mid[k])
            k += 1
        values = [v for v in values if not np.isnan(v)]
        if values:
            lo[i], hi[i] = min(values), max(values)
    np.testing.assert_array_equal(axis["mid_lo"], lo)
    np.testing.assert_array_equal(axis["mid_hi"], hi)
    np.testing.assert_array_equal(axis["row"], row)
    assert axis["row"].dtype == np.int32


def test_track_rows_and_values_are_the_book_rows():
    s = sim()
    book = s.book
    src = BookSource(book, track_rows=500, track_levels=3)
    track, meta = unpack(src._track)
    assert meta == {"levels": 3, "rows": len(book), "depth_levels": 3}
    rows = track["row"]
    assert rows.dtype == np.int32 and rows[0] == 0 and rows[-1] == len(book) - 1
    assert len(rows) <= 500 and np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(track["t"], book.ts[rows] / 1e6)
    np.testing.assert_array_equal(track["bid_px"], book.bid_px[rows, :3])
    np.testing.assert_array_equal(track["ask_px"], book.ask_px[rows, :3])
    np.testing.assert_array_equal(track["bid_sz"], book.bid_sz[rows, :3].astype(np.float32))
    np.testing.assert_array_equal(track["ask_sz"], book.ask_sz[rows, :3].astype(np.float32))
    # cumulative sizes and imbalances by hand from the same rows
    for k in (0, 137, len(rows) - 1):
        r = rows[k]
        bid, ask = book.bid_sz[r, :3], book.ask_sz[r, :3]
        np.testing.assert_allclose(track["bid_cum"][k], np.cumsum(bid), rtol=1e-6)
        np.testing.assert_allclose(track["ask_cum"][k], np.cumsum(ask), rtol=1e-6)
        l1 = (bid[0] - ask[0]) / (bid[0] + ask[0])
        assert track["imb_l1"][k] == pytest.approx(l1, rel=1e-6)
        assert track["imb_depth"][k] == pytest.approx((bid.sum() - ask.sum()) / (bid.sum() + ask.sum()), rel=1e-6)


def test_short_book_tracks_every_row():
    src = BookSource(toy())
    track, _ = unpack(src._track)
    np.testing.assert_array_equal(track["row"], [0, 1, 2, 3])
    assert np.isnan(track["bid_px"][3, 1]) and track["bid_sz"].dtype == np.float32


def test_consolidated_book_is_shown_through_its_book():
    b = toy()
    cb = ow.consolidate([b, b], names=["X", "Y"])
    src = BookSource(cb)
    assert src.consolidated is cb and src.book is cb.book
    assert src._meta["venues"] == ["X", "Y"]


# -- views and sources ---------------------------------------------------------------------------
def test_a_view_made_from_a_book_makes_its_own_source():
    b = toy()
    tr = Trades.from_arrays([0, S], [10.2, 10.1], [1, 2], [1, -1])
    v = ow.DepthChart(b, tr)
    assert isinstance(v.source, BookSource) and v.source.book is b and v.source.trades is tr
    w = ow.Replay(b)
    assert w.source is not v.source


def test_views_made_from_one_source_share_it():
    src = BookSource(toy())
    chart, replay = ow.DepthChart(src), ow.Replay(src)
    assert chart.source is src and replay.source is src
    replay.cursor = 2
    assert chart.cursor == 2 and src.cursor == 2
    chart.go_to(3 * S)
    assert replay.cursor == 3
    with pytest.raises(ParameterError, match="pass trades to the BookSource"):
        ow.Replay(src, Trades.from_arrays([0], [10.2], [1], [1]))

"""consolidate(): hand-computed golden cases on two venues, and identities on simulated books."""

from __future__ import annotations

import numpy as np
import pytest

import obi_widgets.consolidation as consolidate_mod
from obi_widgets import Book
from obi_widgets.consolidation import ConsolidatedBook, consolidate, fragmentation, venue_share
from obi_widgets.datasets import simulate
from obi_widgets.errors import CrossedBookError, ParameterError

nan = np.nan


def same(a, b):
    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


# Venue A (from t=10) and venue B (from t=20), interleaved, tick 0.01, 2 levels each.
#   A t=10: bids 100.00x5  99.99x7    asks 100.02x1 100.03x2
#   A t=30: bids  99.99x2  99.98x4    asks 100.01x3 100.03x4
#   B t=20: bids 100.00x10 99.98x20   asks 100.01x6 100.02x8
#   B t=40: bids 100.04x1  (empty)    asks 100.05x9 (empty)
A = Book(
    [10, 30],
    [[100.00, 99.99], [99.99, 99.98]],
    [[5, 7], [2, 4]],
    [[100.02, 100.03], [100.01, 100.03]],
    [[1, 2], [3, 4]],
    name="A",
)
B = Book(
    [20, 40],
    [[100.00, 99.98], [100.04, nan]],
    [[10, 20], [1, nan]],
    [[100.01, 100.02], [100.05, nan]],
    [[6, 8], [9, nan]],
    name="B",
)


@pytest.fixture(scope="module")
def cb():
    return consolidate([A, B], levels=3)


def test_golden_time_axis_and_ladder(cb):
    assert isinstance(cb, ConsolidatedBook)
    assert cb.names == ("A", "B") and cb.tick == 0.01 and cb.levels == 3 and cb.venues == 2 and len(cb) == 4
    assert cb.ts.tolist() == [10, 20, 30, 40]
    assert cb.venue_rows.tolist() == [[0, -1], [0, 0], [1, 0], [1, 1]]  # B has nothing before t=20
    # t=10 A alone; t=20 100.00 = 5 (A) + 10 (B); t=30 99.98 = 4 + 20, ask 100.01 = 3 + 6; t=40 B bids above A's ask
    assert same(
        cb.bid_px, [[100.00, 99.99, nan], [100.00, 99.99, 99.98], [100.00, 99.99, 99.98], [100.04, 99.99, 99.98]]
    )
    assert same(cb.bid_sz, [[5, 7, nan], [15, 7, 20], [10, 2, 24], [1, 2, 4]])
    assert same(
        cb.ask_px, [[100.02, 100.03, nan], [100.01, 100.02, 100.03], [100.01, 100.02, 100.03], [100.01, 100.03, 100.05]]
    )
    assert same(cb.ask_sz, [[1, 2, nan], [6, 9, 2], [9, 8, 4], [3, 4, 9]])
    # prices are the venues' own floats
    assert cb.bid_px[3, 0] == 100.04 and cb.ask_px[1, 0] == 100.01


def test_golden_per_venue_sizes(cb):
    assert same(
        cb.venue_bid_sz,
        [
            [[5, 0], [7, 0], [nan, nan]],
            [[5, 10], [7, 0], [0, 20]],
            [[0, 10], [2, 0], [4, 20]],
            [[0, 1], [2, 0], [4, 0]],
        ],
    )
    assert same(
        cb.venue_ask_sz,
        [
            [[1, 0], [2, 0], [nan, nan]],
            [[0, 6], [1, 8], [2, 0]],
            [[3, 6], [0, 8], [4, 0]],
            [[3, 0], [4, 0], [0, 9]],
        ],
    )


def test_golden_crossed_flag_and_book(cb):
    assert cb.crossed.tolist() == [False, False, False, True]  # 100.04 (B bid) > 100.01 (A ask)
    assert cb.locked.tolist() == [False, False, False, False]
    book = cb.book
    assert cb.book_rows.tolist() == [0, 1, 2]
    assert book.ts.tolist() == [10, 20, 30] and book.name == "A+B"
    assert same(book.bid_sz, [[5, 7, nan], [15, 7, 20], [10, 2, 24]])
    kept = consolidate([A, B], levels=3, crossed="keep")
    assert kept.book.ts.tolist() == [10, 20, 30, 40] and kept.book.bid_px[3, 0] == 100.04
    with pytest.raises(
        CrossedBookError, match=r"crossed at .*\(row 3\): best bid 100.04 \(B\) >= best ask 100.01 \(A\); 1 such times"
    ):
        consolidate([A, B], crossed="raise")


def test_golden_complete_levels(cb):
    # bids: t=10 A shows down to 99.99; t=20 A to 99.99, B to 99.98 -> only levels >= 99.99 are exact;
    # t=30 both show down to 99.98; t=40 B's bid side is not full (1 of 2 levels) so only A bounds it
    assert cb.bid_complete.tolist() == [2, 2, 3, 3]
    # asks: t=20/30 B shows up to 100.02 only; t=40 B's ask side is not full
    assert cb.ask_complete.tolist() == [2, 2, 2, 2]


def test_golden_shares_and_fragmentation(cb):
    # top level, both sides: t=10 A 5+1; t=20 A 5+0, B 10+6; t=30 A 0+3, B 10+6; t=40 A 0+3, B 1+0
    share = venue_share(cb, levels=1)
    assert np.allclose(share, [[1, 0], [5 / 21, 16 / 21], [3 / 19, 16 / 19], [3 / 4, 1 / 4]])
    assert np.allclose(cb.venue_share(3, side="bid")[1], [12 / 42, 30 / 42])
    assert np.allclose(cb.venue_share(2, side="ask")[2], [3 / 17, 14 / 17])
    frag = fragmentation(cb, levels=1)
    assert np.allclose(frag, [0, 1 - (25 + 256) / 441, 1 - (9 + 256) / 361, 1 - (9 + 1) / 16])
    ffi = cb.fragmentation(1, kind="fidessa")
    assert np.allclose(ffi, [1, 441 / 281, 361 / 265, 16 / 10])
    with pytest.raises(ParameterError, match="levels must be an int from 1 to 3"):
        venue_share(cb, levels=4)
    with pytest.raises(ParameterError, match="kind"):
        fragmentation(cb, kind="gini")


def test_locked_is_flagged_as_crossed():
    x = Book([0], [[10.0]], [[1.0]], [[10.2]], [[1.0]], name="x")
    y = Book([5], [[10.2]], [[2.0]], [[10.3]], [[1.0]], name="y")
    c = consolidate([x, y], tick=0.1)
    assert c.crossed.tolist() == [False, True] and c.locked.tolist() == [False, True]
    assert c.book.ts.tolist() == [0]
    assert same(c.bid_px, [[10.0], [10.2]])


def test_empty_share_is_nan():
    x = Book([0, 1], [[10.0], [nan]], [[1.0], [nan]], [[10.2], [nan]], [[1.0], [nan]], name="x")
    c = consolidate([x], tick=0.1)
    assert same(c.venue_share(), [[1.0], [nan]])
    assert same(c.fragmentation(), [0.0, nan])


def test_a_venue_without_rows_contributes_nothing():
    empty = Book(
        np.zeros(0, dtype=np.int64), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3)), name="E"
    )
    c = consolidate([A, empty], levels=2)
    assert c.venue_rows.tolist() == [[0, -1], [1, -1]]
    assert same(c.bid_px, A.bid_px) and same(c.ask_sz, A.ask_sz)
    assert same(c.venue_bid_sz[:, :, 1], [[0, 0], [0, 0]])


def test_float_noise_matches_on_the_tick_grid():
    x = Book([0], [[0.1 + 0.2]], [[1.0]], [[0.5]], [[1.0]], name="x")  # 0.30000000000000004
    y = Book([0], [[0.3]], [[2.0]], [[0.4]], [[1.0]], name="y")
    c = consolidate([x, y], levels=2)  # tick inferred: 0.1
    assert c.tick == 0.1
    # one level at 3 ticks; its price is the first venue's own float
    assert same(c.bid_px, [[0.1 + 0.2, nan]]) and same(c.bid_sz, [[3.0, nan]])
    assert consolidate([y, x], levels=2).bid_px[0, 0] == 0.3
    assert same(c.ask_px, [[0.4, 0.5]]) and same(c.ask_sz, [[1.0, 1.0]])
    assert same(c.venue_bid_sz, [[[1.0, 2.0], [nan, nan]]])
    with pytest.raises(
        ParameterError,
        match=r"venue 'x': bid price 0.30000000000000004 at row 0, level 0 is not a multiple of tick=0.25",
    ):
        consolidate([x, y], tick=0.25)


def test_duplicate_times_take_the_last_row():
    x = Book([10, 10, 20], [[1.0], [1.1], [1.2]], [[1], [2], [3]], [[2.0], [2.0], [2.0]], [[1], [1], [1]], name="x")
    y = Book([15], [[1.0]], [[5.0]], [[2.1]], [[5.0]], name="y")
    c = consolidate([x, y], tick=0.1, levels=2)
    assert c.ts.tolist() == [10, 15, 20]
    assert c.venue_rows.tolist() == [[1, -1], [1, 0], [2, 0]]
    assert same(c.bid_px, [[1.1, nan], [1.1, 1.0], [1.2, 1.0]])
    assert same(c.bid_sz, [[2, nan], [2, 5], [3, 5]])


def test_names_and_arguments():
    d = consolidate({"venueX": A, "venueY": B}, levels=2)
    assert d.names == ("venueX", "venueY") and d.name == "venueX+venueY"
    assert consolidate([A, B], names=["a", "b"], name="BTC").book.name == "BTC"
    twin = Book(A.ts, A.bid_px, A.bid_sz, A.ask_px, A.ask_sz, name="A")
    with pytest.raises(ParameterError, match=r"books 0 and 1 are both 'A'; pass names="):
        consolidate([A, twin])
    with pytest.raises(ParameterError, match="3 names for 2 books"):
        consolidate([A, B], names=["a", "b", "c"])
    with pytest.raises(ParameterError, match=r"books\[1\] is a dict"):
        consolidate([A, {}])
    with pytest.raises(ParameterError, match="crossed must be one of"):
        consolidate([A, B], crossed="ignore")
    assert consolidate([A, B]).levels == 2  # default: the deepest venue


# -- identities on simulated books (expected values are the inputs, not recomputed) -----------
@pytest.fixture(scope="module")
def sim():
    return simulate(seed=7, n_events=600, levels=5).book


def test_single_venue_is_the_identity(sim):
    c = consolidate([sim], tick=0.01)
    assert c.ts.tolist() == sim.ts.tolist()
    for side in ("bid_px", "bid_sz", "ask_px", "ask_sz"):
        assert same(getattr(c, side), getattr(sim, side)), side
    assert not c.crossed.any()
    assert (c.bid_complete == (~np.isnan(sim.bid_px)).sum(axis=1)).all()


def test_same_book_twice_doubles_sizes_in_chunks(sim, monkeypatch):
    monkeypatch.setattr(consolidate_mod, "_CHUNK", 37)  # many small chunks, uneven boundaries
    c = consolidate({"x": sim, "y": sim})
    assert c.tick == 0.01
    assert same(c.bid_px, sim.bid_px) and same(c.ask_px, sim.ask_px)
    assert same(c.bid_sz, 2 * sim.bid_sz) and same(c.ask_sz, 2 * sim.ask_sz)
    assert same(c.venue_bid_sz[:, :, 0], sim.bid_sz) and same(c.venue_bid_sz[:, :, 1], sim.bid_sz)
    assert np.allclose(c.venue_share(), 0.5)
    assert np.allclose(c.fragmentation(), 0.5) and np.allclose(c.fragmentation(kind="fidessa"), 2.0)


def test_time_shifted_copy_is_an_as_of_join(sim):
    # venue y is venue x delayed by 1 ns: at x's times y shows x's previous row
    late = Book(sim.ts + 1, sim.bid_px, sim.bid_sz, sim.ask_px, sim.ask_sz, name="late")
    c = consolidate([sim, late], tick=0.01)
    assert c.ts.tolist() == np.sort(np.concatenate([sim.ts, sim.ts + 1])).tolist()
    n = len(sim)
    expect = np.empty((2 * n, 2), dtype=np.int64)
    expect[0::2, 0] = np.arange(n)
    expect[1::2, 0] = np.arange(n)
    expect[0::2, 1] = np.arange(n) - 1
    expect[1::2, 1] = np.arange(n)
    assert c.venue_rows.tolist() == expect.tolist()
    # at x's time ts[r], the late venue's best bid is x's best bid of row r - 1, with its size
    rows = np.arange(1, n)
    at_x = c.bid_px[2 * rows]  # (n - 1, L) consolidated ladder at x's times
    late_best = sim.bid_px[rows - 1, 0]
    match = np.rint(at_x * 100) == np.rint(late_best * 100)[:, None]
    assert (match.sum(axis=1) == 1).all()
    level = match.argmax(axis=1)
    assert (c.venue_bid_sz[2 * rows, level, 1] == sim.bid_sz[rows - 1, 0]).all()

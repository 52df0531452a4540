"""The incremental L2 builder: hand-computed golden cases, a dict reference on random streams, crossing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Book
from obi_widgets.errors import BookError, CrossedBookError, ObiError, ParameterError, TimestampError
from obi_widgets.io.builder import BookBuilder, BuildResult, build_book, infer_tick_size

NAN = np.nan
T0 = 1_700_000_000_000_000_000


def rows(book: Book, side: str) -> list:
    """A (T, L) array as nested lists with NaN written as None (so == compares them)."""
    arr = np.asarray(getattr(book, side))
    return [[None if np.isnan(v) else float(v) for v in row] for row in arr]


# -- golden cases, computed by hand --------------------------------------------------------------
# row: side, price, size           book after the row (bids best first | asks best first)
GOLDEN = [
    (+1, 100.0, 1.0),  # 0  b: 100x1                      | a: -
    (+1, 99.5, 2.0),  # 1  b: 100x1 99.5x2               | a: -
    (-1, 101.0, 3.0),  # 2  b: 100x1 99.5x2               | a: 101x3
    (+1, 100.5, 4.0),  # 3  b: 100.5x4 100x1 (99.5 shifts to level 2, out of view) | a: 101x3
    (+1, 100.0, 7.0),  # 4  b: 100.5x4 100x7              | a: 101x3      (update in place)
    (+1, 100.5, 0.0),  # 5  b: 100x7 99.5x2               | a: 101x3      (best deleted: 99.5 shifts up)
    (-1, 100.75, 1.0),  # 6  b: 100x7 99.5x2               | a: 100.75x1 101x3
    (-1, 102.0, 0.0),  # 7  same                          (delete of an absent level: no-op)
    (-1, 100.75, 0.0),  # 8  b: 100x7 99.5x2               | a: 101x3
    (-1, 101.0, 0.0),  # 9  b: 100x7 99.5x2               | a: -          (side empties)
]


def golden_arrays():
    side, price, size = (np.array(c) for c in zip(*GOLDEN))
    ts = T0 + np.arange(len(GOLDEN)) * 1000
    return ts, side, price, size


def test_golden_insert_update_delete_and_shifts():
    ts, side, price, size = golden_arrays()
    res = build_book(ts, side, price, size, levels=2)
    book = res.book
    assert book.shape == (10, 2)
    assert book.ts.tolist() == ts.tolist()
    assert rows(book, "bid_px") == [
        [100.0, None],
        [100.0, 99.5],
        [100.0, 99.5],
        [100.5, 100.0],
        [100.5, 100.0],
        [100.0, 99.5],
        [100.0, 99.5],
        [100.0, 99.5],
        [100.0, 99.5],
        [100.0, 99.5],
    ]
    assert rows(book, "bid_sz") == [
        [1.0, None],
        [1.0, 2.0],
        [1.0, 2.0],
        [4.0, 1.0],
        [4.0, 7.0],
        [7.0, 2.0],
        [7.0, 2.0],
        [7.0, 2.0],
        [7.0, 2.0],
        [7.0, 2.0],
    ]
    assert rows(book, "ask_px") == [
        [None, None],
        [None, None],
        [101.0, None],
        [101.0, None],
        [101.0, None],
        [101.0, None],
        [100.75, 101.0],
        [100.75, 101.0],
        [101.0, None],
        [None, None],
    ]
    assert rows(book, "ask_sz") == [
        [None, None],
        [None, None],
        [3.0, None],
        [3.0, None],
        [3.0, None],
        [3.0, None],
        [1.0, 3.0],
        [1.0, 3.0],
        [3.0, None],
        [None, None],
    ]
    assert res.source_row.tolist() == list(range(10))
    assert not res.flags["crossed"].any() and not res.unreliable.any()
    assert res.tick_size == 0.25  # prices 100, 99.5, 101, 100.5, 100.75, 102: gcd of the hundredths is 25


def test_levels_beyond_depth_are_nan_tails():
    ts, side, price, size = golden_arrays()
    book = build_book(ts, side, price, size, levels=5).book
    assert rows(book, "bid_px")[3] == [100.5, 100.0, 99.5, None, None]
    assert rows(book, "bid_sz")[3] == [4.0, 1.0, 2.0, None, None]
    assert rows(book, "ask_px")[6] == [100.75, 101.0, None, None, None]


def test_multi_row_messages_emit_once():
    # two messages: rows 0-2 (a snapshot-like batch), rows 3-4 (a two-level diff)
    ts = T0 + np.array([0, 0, 0, 5, 5])
    side = [1, 1, -1, 1, -1]
    price = [10.0, 9.0, 11.0, 9.0, 12.0]
    size = [1.0, 2.0, 3.0, 0.0, 4.0]
    for emit in ([False, False, True, False, True], [2, 4], "ts"):
        res = build_book(ts, side, price, size, levels=3, emit=emit)
        assert len(res.book) == 2
        assert res.source_row.tolist() == [2, 4]
        assert res.book.ts.tolist() == [T0, T0 + 5]
        assert rows(res.book, "bid_px") == [[10.0, 9.0, None], [10.0, None, None]]
        assert rows(res.book, "ask_px") == [[11.0, None, None], [11.0, 12.0, None]]
        assert rows(res.book, "ask_sz") == [[3.0, None, None], [3.0, 4.0, None]]


def test_reset_starts_a_new_snapshot():
    ts = T0 + np.arange(7)
    side = [1, -1, 1, 1, -1, 1, -1]
    price = [10.0, 11.0, 9.0, 9.5, 10.5, 9.25, 10.0]
    size = [1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    reset = [False, False, False, True, False, False, False]
    emit = [False, False, True, False, True, False, True]
    res = build_book(ts, side, price, size, levels=2, emit=emit, reset=reset)
    # before the reset: 10 / 9 | 11; the snapshot (rows 3-4) replaces everything: 9.5 | 10.5
    assert rows(res.book, "bid_px") == [[10.0, 9.0], [9.5, None], [9.5, 9.25]]
    assert rows(res.book, "ask_px") == [[11.0, None], [10.5, None], [10.0, 10.5]]
    assert rows(res.book, "ask_sz") == [[1.0, None], [3.0, None], [5.0, 3.0]]
    # reset given as row indices means the same
    res2 = build_book(ts, side, price, size, levels=2, emit=emit, reset=[3])
    assert rows(res2.book, "ask_sz") == rows(res.book, "ask_sz")


def test_marker_rows_and_empty_snapshot():
    # side 0 changes nothing but can carry an emit, and a reset (an empty snapshot)
    ts = T0 + np.arange(4)
    res = build_book(
        ts, [1, 0, -1, 0], [10.0, NAN, 11.0, NAN], [1.0, NAN, 2.0, NAN], levels=1, reset=[False, False, False, True]
    )
    assert rows(res.book, "bid_px") == [[10.0], [10.0], [10.0], [None]]
    assert rows(res.book, "ask_px") == [[None], [None], [11.0], [None]]


def test_side_spellings():
    ts = T0 + np.arange(2)
    for side in (["bid", "ask"], ["BUY", "sell"], np.array([True, False]), np.array([1.0, -1.0])):
        book = build_book(ts, side, [1.0, 2.0], [1.0, 1.0], levels=1).book
        assert rows(book, "bid_px") == [[1.0], [1.0]] and rows(book, "ask_px") == [[None], [2.0]]
    with pytest.raises(BookError, match="row 1"):
        build_book(ts, ["bid", "mid"], [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(BookError, match="row 0"):
        build_book(ts, [2, 1], [1.0, 2.0], [1.0, 1.0])


def test_bad_values_name_the_row():
    ts = T0 + np.arange(3)
    with pytest.raises(BookError, match="size at row 2"):
        build_book(ts, [1, 1, 1], [1.0, 2.0, 3.0], [1.0, 1.0, -1.0])
    with pytest.raises(BookError, match="price at row 1"):
        build_book(ts, [1, 1, 1], [1.0, NAN, 3.0], [1.0, 1.0, 1.0])
    with pytest.raises(ParameterError, match="size has shape"):
        build_book(ts, [1, 1, 1], [1.0, 2.0, 3.0], [1.0, 1.0])
    with pytest.raises(ParameterError, match="emit"):
        build_book(ts, [1, 1, 1], [1.0, 2.0, 3.0], [1.0, 1.0, 1.0], emit=[True])
    with pytest.raises(ParameterError, match="levels"):
        BookBuilder(0)
    with pytest.raises(TimestampError):
        build_book([5, 4, 6], [1, 1, 1], [1.0, 2.0, 3.0], [1.0, 1.0, 1.0])


def test_tick_size_inferred_given_and_off_grid():
    assert infer_tick_size([61837.63, 61837.5, 61000.0]) == 0.01
    assert infer_tick_size([0.5, 1.0, 2.5]) == 0.5
    assert infer_tick_size([1e-8, 3e-8]) == 1e-8
    assert infer_tick_size([0.1 + 0.2, 0.4]) == 0.1  # float noise of 0.30000000000000004 is absorbed
    ts = T0 + np.arange(2)
    res = build_book(ts, [1, -1], [100.05, 100.10], [1.0, 1.0], tick_size=0.05)
    assert res.tick_size == 0.05
    assert res.book.bid_px[0, 0] == 100.05  # prices come out as given
    with pytest.raises(ParameterError, match="row 1.*not a multiple of tick_size"):
        build_book(ts, [1, -1], [100.05, 100.12], [1.0, 1.0], tick_size=0.05)
    with pytest.raises(ParameterError, match="decimal"):
        build_book(ts, [1, -1], [1 / 3, 1.0], [1.0, 1.0])


def test_chunks_carry_the_ladder_and_refine_the_grid():
    # first chunk on a 0.5 grid, the second needs 0.01: the live keys are rescaled
    b = BookBuilder(levels=3, name="chunks")
    b.feed(T0 + np.arange(3), [1, 1, -1], [100.0, 99.5, 101.0], [1.0, 2.0, 3.0], emit=[2])
    assert b.tick_size == 0.5
    b.feed(T0 + np.arange(3, 6), [1, 1, -1], [99.75, 100.0, 100.01], [5.0, 0.0, 4.0])
    assert b.tick_size == 0.01
    res = b.result()
    assert res.source_row.tolist() == [2, 3, 4, 5]
    assert rows(res.book, "bid_px") == [
        [100.0, 99.5, None],
        [100.0, 99.75, 99.5],
        [99.75, 99.5, None],
        [99.75, 99.5, None],
    ]
    assert rows(res.book, "ask_px") == [
        [101.0, None, None],
        [101.0, None, None],
        [101.0, None, None],
        [100.01, 101.0, None],
    ]
    assert res.book.name == "chunks"
    bp, bs, ap, as_ = b.depth()
    assert bp.tolist() == [99.75, 99.5] and bs.tolist() == [5.0, 2.0]
    assert ap.tolist() == [100.01, 101.0] and as_.tolist() == [4.0, 3.0]


# -- crossed books ---------------------------------------------------------------------------------
def crossing_stream():
    ts = T0 + np.arange(4) * 1_000_000
    side = [1, -1, 1, 1]
    price = [10.0, 11.0, 11.5, 11.5]
    size = [1.0, 1.0, 2.0, 0.0]  # row 2 crosses (bid 11.5 > ask 11); row 3 removes it
    return ts, side, price, size


def test_crossed_book_raises_naming_row_and_time():
    with pytest.raises(
        CrossedBookError, match=r"crossed at row 2 .*2023-11-14 22:13:20.002.*input row 2.*11.5 >= best ask 11.0"
    ):
        build_book(*crossing_stream())
    # locked (bid == ask) counts too
    with pytest.raises(CrossedBookError, match="locked at row 1"):
        build_book(T0 + np.arange(2), [1, -1], [10.0, 10.0], [1.0, 1.0])


def test_crossed_book_flagged():
    res = build_book(*crossing_stream(), on_crossed="flag", levels=1)
    assert isinstance(res, BuildResult)
    assert res.flags["crossed"].tolist() == [False, False, True, False]
    assert res.unreliable.tolist() == [False, False, True, False]
    assert len(res.book) == 4 and res.book.bid_px[2, 0] == 11.5
    clean = res.book[~res.unreliable]
    assert len(clean) == 3
    Book.from_arrays(clean.ts, clean.bid_px, clean.bid_sz, clean.ask_px, clean.ask_sz)  # a valid book
    with pytest.raises(ParameterError, match="on_crossed"):
        build_book(*crossing_stream(), on_crossed="ignore")
    assert "crossed=1" in repr(res)


def test_flags_are_read_only_and_can_be_extended():
    res = build_book(*crossing_stream(), on_crossed="flag")
    with pytest.raises(ValueError):
        res.flags["crossed"][0] = True
    more = res.with_flags(gap=np.array([True, False, False, False]))
    assert more.unreliable.tolist() == [True, False, True, False]
    with pytest.raises(ParameterError):
        res.with_flags(gap=np.array([True]))
    assert issubclass(CrossedBookError, ObiError)


# -- against a tiny dict reference ------------------------------------------------------------------
def dict_reference(side, price, size, reset, emit, levels):
    bids: dict = {}
    asks: dict = {}
    out = []
    for i in range(len(side)):
        if reset[i]:
            bids.clear()
            asks.clear()
        if side[i] != 0:
            book = bids if side[i] > 0 else asks
            if size[i] == 0:
                book.pop(price[i], None)
            else:
                book[price[i]] = size[i]
        if emit[i]:
            bp = sorted(bids, reverse=True)[:levels]
            ap = sorted(asks)[:levels]
            pad = lambda xs: list(xs) + [None] * (levels - len(xs))  # noqa: E731
            out.append((pad(bp), pad([bids[p] for p in bp]), pad(ap), pad([asks[p] for p in ap])))
    return [[row[j] for row in out] for j in range(4)]


def check_against_reference(side, price, size, reset, emit, levels, cuts=()):
    n = len(side)
    ts = T0 + np.arange(n)
    b = BookBuilder(levels)
    bounds = [0, *sorted(set(cuts)), n]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        b.feed(ts[lo:hi], side[lo:hi], price[lo:hi], size[lo:hi], emit=emit[lo:hi], reset=reset[lo:hi])
    res = b.result(on_crossed="flag")
    want = dict_reference(side.tolist(), price.tolist(), size.tolist(), reset.tolist(), emit.tolist(), levels)
    for name, w in zip(("bid_px", "bid_sz", "ask_px", "ask_sz"), want):
        assert rows(res.book, name) == w, name
    assert res.source_row.tolist() == np.flatnonzero(emit).tolist()


@st.composite
def delta_streams(draw):
    n = draw(st.integers(1, 120))
    spread = draw(st.sampled_from([6, 40, 400]))
    side = np.array(draw(st.lists(st.sampled_from([1, -1, 1, -1, 0]), min_size=n, max_size=n)), dtype=np.int8)
    ticks = np.array(draw(st.lists(st.integers(0, spread), min_size=n, max_size=n)))
    price = (10_000 + ticks) / 100.0  # decimals with two places, as parsed from text
    size = np.array(draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 2.5, 0.001, 7.0]), min_size=n, max_size=n)))
    reset = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))) & (np.arange(n) % 17 == 16)
    emit = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    levels = draw(st.integers(1, 6))
    cuts = draw(st.lists(st.integers(1, max(1, n - 1)), max_size=3)) if n > 1 else []
    return side, price, size, reset, emit, levels, cuts


@settings(max_examples=250, deadline=None)
@given(delta_streams())
def test_matches_dict_reference_on_random_streams(stream):
    check_against_reference(*stream)


def test_matches_dict_reference_on_a_long_drifting_stream():
    # 30k rows, the price drifting over thousands of ticks and deep levels left behind: many block
    # splits, frees and ladder growths inside the kernel
    rng = np.random.default_rng(7)
    n = 30_000
    mid = 1_000_000 + np.cumsum(rng.choice([-1, 0, 1, 1], size=n))
    side = rng.choice(np.array([1, -1], dtype=np.int8), size=n)
    dist = np.where(rng.random(n) < 0.8, 1 + rng.geometric(0.1, size=n), rng.integers(1, 5000, size=n))
    ticks = np.where(side > 0, mid - dist, mid + dist)
    price = ticks / 100.0
    size = np.where(rng.random(n) < 0.4, 0.0, np.round(rng.random(n) * 5, 3) + 0.001)
    reset = np.zeros(n, dtype=bool)
    reset[20_000] = True
    emit = rng.random(n) < 0.05
    check_against_reference(side, price, size, reset, emit, levels=7, cuts=[12_345, 20_001])


def test_matches_dict_reference_with_heavy_churn_on_a_deep_ladder():
    # a few hundred live levels per side, every one hit again and again: blocks fill, split,
    # empty and are reused; each update lands on an existing level most of the time
    rng = np.random.default_rng(11)
    n = 20_000
    side = rng.choice(np.array([1, -1], dtype=np.int8), size=n)
    ticks = np.where(side > 0, rng.integers(0, 400, size=n), rng.integers(400, 800, size=n))
    size = np.where(rng.random(n) < 0.3, 0.0, 1.0 + rng.integers(0, 9, size=n))
    # first fill every level in ascending then descending order (splits at both ends)
    fill = np.concatenate([np.arange(0, 400), np.arange(799, 399, -1)])
    side = np.concatenate([np.where(fill < 400, 1, -1).astype(np.int8), side])
    ticks = np.concatenate([fill, ticks])
    size = np.concatenate([np.full(fill.size, 5.0), size])
    price = (50_000 + ticks) / 100.0
    n = side.size
    reset = np.zeros(n, dtype=bool)
    emit = np.zeros(n, dtype=bool)
    emit[::25] = True
    emit[-1] = True
    check_against_reference(side, price, size, reset, emit, levels=400)


def test_drain_hands_rows_on_chunk_by_chunk_and_the_ladder_carries_over():
    from obi_widgets.io.builder import BookBuilder

    b = BookBuilder(levels=1)
    b.feed([1, 2], [1, -1], [10.0, 11.0], [3.0, 4.0])
    ts, bpx, bsz, apx, asz, src = b.drain()
    assert ts.tolist() == [1, 2] and bsz[:, 0].tolist() == [3.0, 3.0] and src.tolist() == [0, 1]
    b.feed([3], [1], [10.0], [5.0])  # the bid from the first chunk is still there
    ts, bpx, bsz, apx, asz, src = b.drain()
    assert ts.tolist() == [3] and bsz[:, 0].tolist() == [5.0] and asz[:, 0].tolist() == [4.0] and src.tolist() == [2]
    assert b.drain()[0].size == 0 and b.rows_out == 3


# -- hypothesis streams against a pure-Python reference: grids, chunks, resets, flags -------------
def reference_build(side, units, size, reset, emit, levels, chunks):
    """Pure Python, independent of the builder: per side a dict price -> size, the top N by sorting.

    ``units`` are integer prices in units of 10**-3 (``price = units / 1000``). Returns the four
    (T, N) snapshots as lists (None = empty level), the source rows, the crossed flags, and the
    tick after each chunk (the gcd of every priced row's units so far, as a float; NaN if none).
    """
    from fractions import Fraction
    from math import gcd

    bids: dict = {}
    asks: dict = {}
    snaps: list = [[], [], [], []]
    src, crossed, ticks = [], [], []
    g = 0
    bounds = [0, *chunks, len(side)]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        for i in range(lo, hi):
            if reset[i]:
                bids.clear()
                asks.clear()
            if side[i] != 0:
                g = gcd(g, abs(units[i]))
                book = bids if side[i] > 0 else asks
                price = units[i] / 1000
                if size[i] == 0:
                    book.pop(price, None)
                else:
                    book[price] = size[i]
            if emit[i]:
                bp = sorted(bids, reverse=True)[:levels]
                ap = sorted(asks)[:levels]
                for out, prices, book in ((0, bp, bids), (2, ap, asks)):
                    pad = [None] * (levels - len(prices))
                    snaps[out].append(list(prices) + pad)
                    snaps[out + 1].append([book[p] for p in prices] + pad)
                src.append(i)
                crossed.append(bool(bp and ap and bp[0] >= ap[0]))
        ticks.append(float(Fraction(g, 1000)) if g else float("nan"))
    return snaps, src, crossed, ticks


@st.composite
def gridded_streams(draw):
    """Chunks of deltas whose price grid changes from chunk to chunk (0.5, 0.25, 0.01, 0.001 or
    whole numbers, so later chunks refine the inferred tick), deletes that often miss, resets,
    marker rows, emits, a wide or a tight ladder."""
    n_chunks = draw(st.integers(1, 4))
    parts = []
    for _ in range(n_chunks):
        m = draw(st.integers(1, 90))
        step = draw(st.sampled_from([1000, 500, 250, 10, 1]))  # in units of 0.001
        width = draw(st.sampled_from([8, 60, 300]))  # distinct levels per side
        side = draw(st.lists(st.sampled_from([1, -1, 1, -1, 0]), min_size=m, max_size=m))
        # bids at or below 100, asks at or above 100 (crossings happen at 100 and when flagged)
        off = draw(st.lists(st.integers(0, width), min_size=m, max_size=m))
        units = [100_000 + (-o if s > 0 else o) * step for s, o in zip(side, off)]
        size = draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 2.5, 0.001, 7.0, 1e6]), min_size=m, max_size=m))
        reset = draw(st.lists(st.sampled_from([False] * 15 + [True]), min_size=m, max_size=m))
        emit = draw(st.lists(st.booleans(), min_size=m, max_size=m))
        parts.append((side, units, size, reset, emit))
    levels = draw(st.integers(1, 8))
    chunks, total = [], 0
    for p in parts[:-1]:
        total += len(p[0])
        chunks.append(total)
    side, units, size, reset, emit = (sum((list(p[j]) for p in parts), []) for j in range(5))
    return side, units, size, reset, emit, levels, chunks


@settings(max_examples=300, deadline=None)
@given(gridded_streams(), st.sampled_from(["int8", "int64", "str"]))
def test_matches_reference_across_chunks_with_refined_grids_resets_and_flags(stream, side_kind):
    side, units, size, reset, emit, levels, chunks = stream
    n = len(side)
    price = np.array(units, dtype=np.float64) / 1000
    side_arr = {
        "int8": np.array(side, dtype=np.int8),
        "int64": np.array(side, dtype=np.int64),
        "str": np.array(["bid" if s > 0 else "ask" if s < 0 else "" for s in side]),
    }[side_kind]
    # marker rows carry no price or size
    price[np.array(side) == 0] = NAN
    size_arr = np.where(np.array(side) == 0, NAN, np.array(size))
    ts = T0 + np.arange(n)
    want, want_src, want_crossed, want_ticks = reference_build(side, units, size, reset, emit, levels, chunks)
    b = BookBuilder(levels)
    got_ticks = []
    bounds = [0, *chunks, n]
    emit_arr, reset_arr = np.array(emit), np.array(reset)
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        b.feed(ts[lo:hi], side_arr[lo:hi], price[lo:hi], size_arr[lo:hi], emit=emit_arr[lo:hi], reset=reset_arr[lo:hi])
        got_ticks.append(b.tick_size)
    res = b.result(on_crossed="flag")
    for name, w in zip(("bid_px", "bid_sz", "ask_px", "ask_sz"), want):
        assert rows(res.book, name) == w, name
    assert res.source_row.tolist() == want_src
    assert res.flags["crossed"].tolist() == want_crossed
    assert res.book.ts.tolist() == (T0 + np.array(want_src, dtype=np.int64)).tolist()
    assert [("nan" if np.isnan(t) else t) for t in got_ticks] == [("nan" if np.isnan(t) else t) for t in want_ticks]
    if any(want_crossed):
        with pytest.raises(CrossedBookError):
            b.result()
    else:
        assert rows(b.result().book, "bid_px") == want[0]


def test_a_failed_feed_changes_nothing():
    b = BookBuilder(2)
    b.feed(T0 + np.arange(2), np.array([1, -1], np.int8), [10.0, 11.0], [1.0, 2.0])
    before = [a.tolist() for a in b.depth()]
    bad_chunks = [
        (np.array([1, 1, 2], np.int8), [9.0, 8.0, 7.0], [1.0, 1.0, 1.0], BookError, "side at row 2"),
        (np.array([1, 1, 1], np.int8), [9.0, 8.0, 7.0], [1.0, -1.0, 1.0], BookError, "size at row 1"),
        (np.array([1, 1, 1], np.int8), [9.5, np.inf, 7.0], [1.0, 1.0, 1.0], BookError, "price at row 1"),
        (np.array([1, 0, 1], np.int8), [9.25, NAN, 1 / 3], [1.0, NAN, 1.0], ParameterError, "row 2.*decimal"),
    ]
    for side, price, size, err, match in bad_chunks:
        with pytest.raises(err, match=match):
            b.feed(T0 + np.arange(3), side, price, size)
        assert [a.tolist() for a in b.depth()] == before
        assert b.rows_in == 2 and b.rows_out == 2 and b.tick_size == 1.0
    b.feed([T0 + 5], [1], [10.5], [3.0])  # and it carries on
    assert b.tick_size == 0.5 and b.depth()[0].tolist() == [10.5, 10.0]


def test_explicit_tick_rejects_a_later_off_grid_chunk_and_overflow_is_named():
    b = BookBuilder(1, tick_size=0.25)
    b.feed([T0], [1], [10.25], [1.0])
    with pytest.raises(ParameterError, match="row 1.*not a multiple of tick_size 0.25"):
        b.feed([T0 + 1, T0 + 2], [-1, -1], [10.5, 10.3], [1.0, 1.0])
    assert b.result().book.bid_px.tolist() == [[10.25]]
    big = BookBuilder(1)
    big.feed([T0], [1], [4e12], [1.0])  # 4e12 at 10**0
    with pytest.raises(ParameterError, match="overflows"):
        big.feed([T0 + 1], [-1], [1e-7], [1.0])  # needs 10**-7: 4e19 does not fit int64 keys
    assert big.tick_size == 4e12 and big.depth()[0].tolist() == [4e12]


def test_deep_ladder_grows_across_many_feeds():
    # 3000 levels per side fed in 7 chunks (ladder growth inside a feed and between feeds), then
    # deleted from the middle out; every emitted row checked against the reference
    rng = np.random.default_rng(3)
    ticks = rng.permutation(3000)
    side = [1] * 3000 + [-1] * 3000
    units = [10_000_000 - 10 * int(t) for t in ticks] + [10_000_010 + 10 * int(t) for t in ticks]
    size = [1.0 + (i % 7) for i in range(6000)]
    dels = rng.permutation(6000)[:4000]
    side += [side[i] for i in dels]
    units += [units[i] for i in dels]
    size += [0.0] * 4000
    n = len(side)
    emit = (np.arange(n) % 97 == 0).tolist()
    reset = [False] * n
    chunks = [700, 1500, 4000, 6001, 8000, 9999]
    want, want_src, want_crossed, _ = reference_build(side, units, size, reset, emit, 12, chunks)
    b = BookBuilder(12)
    price = np.array(units, dtype=np.float64) / 1000
    bounds = [0, *chunks, n]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        b.feed(T0 + np.arange(lo, hi), side[lo:hi], price[lo:hi], size[lo:hi], emit=emit[lo:hi])
    res = b.result()
    for name, w in zip(("bid_px", "bid_sz", "ask_px", "ask_sz"), want):
        assert rows(res.book, name) == w, name
    assert res.source_row.tolist() == want_src and not any(want_crossed)
    assert len(b.depth()[0]) + len(b.depth()[2]) == 2000

"""Tests of obi_widgets.metrics.ofi: OFI (best level and multi-level), integrated OFI, aggregate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Book
from obi_widgets.errors import ParameterError, TimestampError
from obi_widgets.metrics.imbalance import level1_imbalance
from obi_widgets.metrics.ofi import IntegratedOFI, aggregate, integrated_ofi, ofi
from obi_widgets.metrics.prices import mid

from ._book_strategies import T0, books, mirror

NAN = np.nan
SEC = 1_000_000_000


def book1(rows, ts=None):
    """A level-1 book from (bid, bid size, ask, ask size) tuples."""
    arr = np.array(rows, dtype=float)
    ts = T0 + np.arange(len(rows)) * SEC if ts is None else np.asarray(ts)
    return Book.from_arrays(ts, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])


def reference_ofi(book: Book, levels: int) -> np.ndarray:
    """A plain-Python transcription of e_n, empty levels as size 0 at -inf (bid) / +inf (ask)."""

    def side(px, sz, empty_px):
        return (empty_px, 0.0) if np.isnan(px) else (float(px), float(sz))

    out = np.zeros((len(book), levels))
    for n in range(1, len(book)):
        for m in range(levels):
            pb, qb = side(book.bid_px[n, m], book.bid_sz[n, m], -np.inf)
            pb0, qb0 = side(book.bid_px[n - 1, m], book.bid_sz[n - 1, m], -np.inf)
            pa, qa = side(book.ask_px[n, m], book.ask_sz[n, m], np.inf)
            pa0, qa0 = side(book.ask_px[n - 1, m], book.ask_sz[n - 1, m], np.inf)
            e = 0.0
            if pb >= pb0:
                e += qb
            if pb <= pb0:
                e -= qb0
            if pa <= pa0:
                e -= qa
            if pa >= pa0:
                e += qa0
            out[n, m] = e
    return out


# -- best-level OFI: hand-computed golden cases --------------------------------------------------
GOLDEN = [
    # (bid, qb, ask, qa), expected e_n worked out by hand from Cont-Kukanov-Stoikov eq. (2)
    ((10.00, 5, 10.01, 4), 0.0),  # first row: 0 by convention
    ((10.00, 8, 10.01, 6), 1.0),  # both prices equal: (8 - 5) - (6 - 4) = 1, all four terms fire
    ((10.01, 2, 10.03, 6), 8.0),  # bid improves: +2; ask retreats: +6 (old ask queue)
    ((10.00, 7, 10.03, 3), 1.0),  # bid retreats: -2 (old queue); ask equal: -(3) + 6 = 3
    ((10.00, 7, 10.02, 9), -9.0),  # bid equal: 7 - 7 = 0; ask improves: -9 (new queue)
    ((10.05, 3, 10.08, 1), 12.0),  # book shifts up 5-6 ticks: bid improves +3, ask retreats +9
    ((9.98, 4, 10.00, 2), -5.0),  # book shifts down several ticks: bid -3, ask improves -2
    ((9.98, 4, 10.00, 2), 0.0),  # nothing changes
]


def test_golden_level1():
    book = book1([r for r, _ in GOLDEN])
    expected = np.array([e for _, e in GOLDEN])
    got = ofi(book)
    assert got.shape == (len(GOLDEN),) and got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)


def test_equal_prices_are_not_strict():
    # A strict-inequality implementation gives 0 when no price moves; the paper's rule gives the
    # queue changes: bid +10, ask -(7 - 3) -> 6.
    book = book1([(10.0, 5, 10.01, 3), (10.0, 15, 10.01, 7)])
    assert ofi(book)[1] == 6.0


def test_first_row_is_zero_and_short_books():
    assert ofi(book1([(10.0, 5, 10.01, 3)])).tolist() == [0.0]
    empty = Book.from_arrays(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    assert ofi(empty).shape == (0,)
    assert ofi(Book.from_arrays(np.zeros(0, dtype=np.int64), *[np.zeros((0, 3))] * 4), 2).shape == (0, 2)


def test_empty_best_level_zero_mode():
    # the best bid disappears (whole bid side empty), then comes back one tick lower
    book = book1(
        [(10.00, 5, 10.01, 3), (NAN, NAN, 10.01, 3), (9.99, 2, 10.01, 3), (NAN, NAN, NAN, NAN), (NAN, NAN, NAN, NAN)]
    )
    # row1: bid queue of 5 vanishes -> -5; ask unchanged -> 0
    # row2: a bid queue of 2 appears -> +2
    # row3: bid 2 vanishes -> -2; ask 3 vanishes (price to +inf, retreat) -> +3; total +1
    # row4: both sides empty in both rows -> 0
    np.testing.assert_array_equal(ofi(book), [0.0, -5.0, 2.0, 1.0, 0.0])
    np.testing.assert_array_equal(ofi(book, empty="nan"), [0.0, NAN, NAN, NAN, NAN])


def test_multilevel_golden_with_empty_levels():
    ts = T0 + np.arange(5) * SEC
    bid_px = [[10.00, 9.99], [10.00, NAN], [10.00, 9.98], [10.00, NAN], [10.00, NAN]]
    bid_sz = [[5, 4], [5, NAN], [6, 6], [6, NAN], [6, NAN]]
    ask_px = [[10.01, 10.02], [10.01, 10.02], [10.01, 10.02], [10.01, NAN], [10.01, NAN]]
    ask_sz = [[3, 2], [3, 2], [3, 2], [1, NAN], [1, NAN]]
    book = Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz)
    got = ofi(book, 2)
    expected = np.array(
        [
            [0.0, 0.0],
            [0.0, -4.0],  # level 2 bid (9.99 x 4) vanishes: -4
            [1.0, 6.0],  # level 1 bid 5 -> 6: +1; level 2 bid appears at 9.98 x 6: +6
            [2.0, -4.0],  # level 1 ask 3 -> 1: -(1 - 3) = +2; level 2: bid -6, ask vanishes +2
            [0.0, 0.0],  # nothing changes; level 2 empty on both sides in both rows
        ]
    )
    assert got.shape == (5, 2)
    np.testing.assert_array_equal(got, expected)
    nan_mode = ofi(book, 2, empty="nan")
    np.testing.assert_array_equal(nan_mode[:, 0], expected[:, 0])
    np.testing.assert_array_equal(nan_mode[:, 1], [0.0, NAN, NAN, NAN, NAN])
    # level 1 of the multi-level OFI is the best-level OFI
    np.testing.assert_array_equal(ofi(book, 1), expected[:, 0])


def test_tick_mode_compares_on_the_grid():
    # 0.1 + 0.2 is 0.30000000000000004: one ulp above 0.3, "an improvement" to exact comparisons
    book = book1([(0.3, 5, 0.31, 2), (0.1 + 0.2, 5, 0.31, 2)])
    assert ofi(book)[1] == 5.0  # exact: the bid "improved" and its whole queue counts
    assert ofi(book, tick=0.01)[1] == 0.0  # on the grid: same price, same queue
    with pytest.raises(ParameterError, match="not a multiple of tick"):
        ofi(book1([(0.305, 5, 0.31, 2)]), tick=0.01)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"levels": 0}, "levels"),
        ({"levels": 3}, "only 2 level"),
        ({"levels": True}, "levels"),
        ({"levels": 1.0}, "levels"),
        ({"empty": "skip"}, "empty"),
        ({"tick": 0}, "tick"),
        ({"tick": -0.01}, "tick"),
        ({"tick": "a"}, "tick"),
    ],
)
def test_bad_arguments(kwargs, match):
    book = Book.from_arrays(T0 + np.arange(2), [[10.0, 9.99]] * 2, [[1, 1]] * 2, [[10.01, 10.02]] * 2, [[1, 1]] * 2)
    with pytest.raises(ParameterError, match=match):
        ofi(book, **kwargs)


def test_not_a_book():
    with pytest.raises(ParameterError, match="Book"):
        ofi(np.zeros((3, 4)))


# -- properties ------------------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(books())
def test_matches_plain_python_transcription(book):
    levels = book.levels
    expected = reference_ofi(book, levels)
    np.testing.assert_array_equal(ofi(book, levels).reshape(len(book), levels), expected)
    np.testing.assert_array_equal(ofi(book), expected[:, 0])  # best level alone, from a strided column


@settings(max_examples=100, deadline=None)
@given(books())
def test_mirroring_the_book_negates_ofi_and_imbalance(book):
    flipped = mirror(book)
    np.testing.assert_array_equal(ofi(flipped, book.levels), -ofi(book, book.levels) + 0.0)
    np.testing.assert_array_equal(level1_imbalance(flipped), -level1_imbalance(book))


@settings(max_examples=100, deadline=None)
@given(books(min_rows=2), st.data())
def test_ofi_of_a_slice_is_the_slice_of_ofi(book, data):
    i = data.draw(st.integers(0, len(book) - 1))
    j = data.draw(st.integers(i + 1, len(book)))
    full = ofi(book, book.levels)
    part = ofi(book[i:j], book.levels)
    assert np.all(part[0] == 0)
    np.testing.assert_array_equal(part[1:], full[i + 1 : j])


@settings(max_examples=60, deadline=None)
@given(books(min_rows=2, allow_empty=False))
def test_sum_of_ofi_telescopes_when_prices_never_move(book):
    # with constant prices every row is (qb_n - qb_{n-1}) - (qa_n - qa_{n-1}): the sum telescopes
    const = Book.from_arrays(
        book.ts,
        np.broadcast_to(book.bid_px[:1], book.bid_px.shape),
        book.bid_sz,
        np.broadcast_to(book.ask_px[:1], book.ask_px.shape),
        book.ask_sz,
    )
    total = ofi(const, book.levels).reshape(len(book), -1).sum(axis=0)
    expected = (book.bid_sz[-1] - book.bid_sz[0]) - (book.ask_sz[-1] - book.ask_sz[0])
    np.testing.assert_allclose(total, expected)


# -- aggregate ----------------------------------------------------------------------------------------------
def test_aggregate_golden():
    ts = T0 + np.array([500_000_000, 1_000_000_000, 1_900_000_000, 3_200_000_000])
    vals = np.array([1.0, 2.0, 3.0, 4.0])
    s = aggregate(vals, ts, "1s")
    expected_index = pd.DatetimeIndex((T0 + np.arange(4) * SEC).view("datetime64[ns]"), name="ts")
    pd.testing.assert_index_equal(s.index, expected_index)
    assert s.tolist() == [1.0, 5.0, 0.0, 4.0]  # 1.000 s opens the second bin (left-closed)
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "last").to_numpy(), [1.0, 3.0, NAN, 4.0])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "first").to_numpy(), [1.0, 2.0, NAN, 4.0])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "mean").to_numpy(), [1.0, 2.5, NAN, 4.0])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "count").to_numpy(), [1, 2, 0, 1])
    started = aggregate(vals, ts, "1s", origin="start")  # bins [0.5, 1.5), [1.5, 2.5), [2.5, 3.5)
    assert started.tolist() == [3.0, 3.0, 4.0]
    assert started.index[0] == pd.Timestamp(T0 + 500_000_000)


def test_aggregate_two_dimensional_and_pandas_names():
    ts = T0 + np.array([0, 1, 2 * SEC])
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10.0, 20.0, 30.0]})
    out = aggregate(frame, ts, "1s")
    assert list(out.columns) == ["a", "b"]
    np.testing.assert_array_equal(out.to_numpy(), [[3.0, 30.0], [0.0, 0.0], [3.0, 30.0]])
    named = aggregate(pd.Series([1.0, 2.0, 3.0], name="ofi"), ts, "1s")
    assert named.name == "ofi"


def test_aggregate_nan_propagates_unless_skipna():
    ts = T0 + np.array([0, 1, 2, SEC])
    vals = np.array([1.0, NAN, 2.0, NAN])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s").to_numpy(), [NAN, NAN])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", skipna=True).to_numpy(), [3.0, 0.0])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "mean", skipna=True).to_numpy(), [1.5, NAN])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "last").to_numpy(), [2.0, NAN])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "last", skipna=True).to_numpy(), [2.0, NAN])
    # reversed: bin 0 holds NaN, 2.0, NaN and bin 1 holds 1.0
    np.testing.assert_array_equal(aggregate(vals[::-1].copy(), ts, "1s", "first", skipna=True).to_numpy(), [2.0, 1.0])
    np.testing.assert_array_equal(aggregate(vals[::-1].copy(), ts, "1s", "first").to_numpy(), [NAN, 1.0])
    np.testing.assert_array_equal(aggregate(vals, ts, "1s", "count", skipna=True).to_numpy(), [2, 0])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40 * SEC), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=60),
    st.sampled_from(["sum", "mean", "last", "first", "count"]),
    st.sampled_from(["1s", "3s", "10s"]),
)
def test_aggregate_agrees_with_pandas_resample(pairs, how, freq):
    pairs.sort(key=lambda p: p[0])
    ts = T0 + np.array([p[0] for p in pairs], dtype=np.int64)
    vals = np.array([p[1] for p in pairs])
    ours = aggregate(vals, ts, freq, how)
    series = pd.Series(vals, index=pd.DatetimeIndex(ts.view("datetime64[ns]")))
    theirs = getattr(series.resample(freq, origin="epoch"), how)()
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(dtype=float), rtol=1e-12, atol=1e-6)
    np.testing.assert_array_equal(ours.index.asi8, theirs.index.asi8)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((np.ones(3), T0 + np.arange(2)), {}, ParameterError, "rows"),
        ((np.ones(2), T0 - np.arange(2)), {}, TimestampError, "backwards"),
        ((np.ones(2), T0 + np.arange(2)), {"freq": "soon"}, ParameterError, "freq"),
        ((np.ones(2), T0 + np.arange(2)), {"freq": "-1s"}, ParameterError, "positive"),
        ((np.ones(2), T0 + np.arange(2)), {"how": "median"}, ParameterError, "how"),
        ((np.ones(2), T0 + np.arange(2)), {"origin": "noon-ish"}, ParameterError, "origin"),
        ((np.ones((2, 2, 2)), T0 + np.arange(2)), {}, ParameterError, "shape"),
        ((np.ones(2), np.array([0, 10**17])), {"freq": 1}, ParameterError, "bins"),
    ],
)
def test_aggregate_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        aggregate(*args, **kwargs)


def test_aggregate_is_vectorised_on_a_million_rows():
    import time

    n = 2_000_000
    ts = T0 + np.arange(n, dtype=np.int64) * 1_000_000  # 1 ms apart: 2000 s
    vals = np.ones(n)
    t0 = time.perf_counter()
    s = aggregate(vals, ts, "10s")
    elapsed = time.perf_counter() - t0
    assert s.sum() == n and len(s) == 200 and s.iloc[0] == 10_000
    assert elapsed < 2.0, f"aggregate took {elapsed:.2f} s for {n} rows"


# -- integrated OFI --------------------------------------------------------------------------------------------
def tiny_two_level_book() -> Book:
    ts = T0 + np.array([100_000_000, 500_000_000, 1_200_000_000, 1_700_000_000])
    bid_px = [[10.00, 9.99], [10.00, 9.99], [10.00, 9.99], [10.01, 10.00]]
    bid_sz = [[4, 6], [8, 6], [8, 2], [5, 8]]
    ask_px = [[10.01, 10.02], [10.01, 10.02], [10.01, 10.02], [10.02, 10.03]]
    ask_sz = [[2, 4], [2, 4], [6, 4], [10, 1]]
    return Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz)


def test_integrated_common_normalisation_by_hand():
    book = tiny_two_level_book()
    # e (by hand): row1 level1 +4 (bid 4->8), level2 0; row2 level1 -4 (ask 2->6), level2 -4 (bid 6->2);
    # row3: level1 bid improves +5, ask retreats +6 -> 11; level2 bid improves +8, ask retreats +4 -> 12
    # bin [0 s, 1 s): rows 0, 1; OFI = (4, 0); depth Q = (1 / (2 M dN)) sum (qb + qa) over levels and rows
    #   = ((4 + 6 + 2 + 4) + (8 + 6 + 2 + 4)) / (2 * 2 * 2) = 36 / 8 = 4.5
    # bin [1 s, 2 s): rows 2, 3; OFI = (-4 + 11, -4 + 12) = (7, 8); Q = ((8 + 2 + 6 + 4) + (5 + 8 + 10 + 1)) / 8 = 5.5
    res = integrated_ofi(book, 2, freq="1s", weights=[0.25, 0.75])
    assert isinstance(res, IntegratedOFI)
    np.testing.assert_allclose(res.depth, [4.5, 5.5])
    np.testing.assert_allclose(res.ofi, [[4 / 4.5, 0.0], [7 / 5.5, 8 / 5.5]])
    np.testing.assert_allclose(res.values, [0.25 * 4 / 4.5, 0.25 * 7 / 5.5 + 0.75 * 8 / 5.5])
    np.testing.assert_array_equal(res.weights, [0.25, 0.75])
    assert not res.train.any() and np.isnan(res.explained)
    np.testing.assert_array_equal(res.ts, T0 + np.array([0, SEC]))
    # per-row (freq=None): each event divided by its own row's depth (dN = 1), e.g. row 3: 11 / (24 / 4)
    per_row = integrated_ofi(book, 2, freq=None, weights=[1.0, 0.0])
    np.testing.assert_allclose(per_row.values, [0.0, 4 / 5.0, -4 / 5.0, 11 / 6.0])
    frame = res.to_frame()
    assert list(frame.columns) == ["ofi_1", "ofi_2", "depth", "integrated_ofi"]
    assert res.to_series().index[1] == pd.Timestamp(T0 + SEC)


def _random_book(rows: int, levels: int, seed: int) -> Book:
    rng = np.random.default_rng(seed)
    bid = 10_000 + np.cumsum(rng.integers(-1, 2, rows))
    spread = rng.integers(1, 3, rows)
    depth = np.arange(levels)
    ts = T0 + np.cumsum(rng.integers(1, 200_000_000, rows))
    return Book.from_arrays(
        ts,
        (bid[:, None] - depth) * 0.01,
        rng.integers(1, 100, (rows, levels)).astype(float),
        (bid + spread)[:, None] * 0.01 + depth * 0.01,
        rng.integers(1, 100, (rows, levels)).astype(float),
    )


def test_integrated_weights_come_from_the_training_window_only():
    book = _random_book(4000, 5, seed=3)
    cut = T0 + 200 * SEC  # a whole-second boundary: bins before it hold rows before it only
    base = integrated_ofi(book, 5, freq="1s", train=(None, cut))
    assert base.train.sum() >= 100 and not base.train[base.ts >= cut].any()
    # rewrite everything after the cut: other sizes, other prices
    after = book.ts >= cut
    rng = np.random.default_rng(99)
    bid_sz = np.array(book.bid_sz)
    ask_sz = np.array(book.ask_sz)
    bid_sz[after] = rng.integers(1, 1000, bid_sz[after].shape)
    ask_sz[after] = rng.integers(1, 5, ask_sz[after].shape)
    changed = Book.from_arrays(book.ts, book.bid_px, bid_sz, book.ask_px, ask_sz)
    again = integrated_ofi(changed, 5, freq="1s", train=(None, cut))
    np.testing.assert_array_equal(again.weights, base.weights)
    before = base.ts < cut
    np.testing.assert_array_equal(again.values[before], base.values[before])
    assert not np.array_equal(again.values[~before], base.values[~before])
    # whereas fitting on all of it does change the weights
    assert not np.allclose(integrated_ofi(changed, 5, freq="1s", train=1.0).weights, base.weights)


def test_integrated_weights_are_the_first_principal_component():
    book = _random_book(3000, 4, seed=5)
    res = integrated_ofi(book, 4, freq="2s", train=0.6)
    n_train = int(np.floor(0.6 * len(res.ts)))
    assert res.train[:n_train].all() and not res.train[n_train:].any()
    x = res.ofi[:n_train]
    _, sv, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)  # independent of the eigh route
    pc1 = vt[0] / np.abs(vt[0]).sum()
    pc1 = pc1 if pc1.sum() > 0 else -pc1
    np.testing.assert_allclose(res.weights, pc1, rtol=1e-10, atol=1e-12)
    assert np.abs(res.weights).sum() == pytest.approx(1.0)
    assert res.explained == pytest.approx(sv[0] ** 2 / (sv**2).sum())
    np.testing.assert_allclose(res.values, res.ofi @ res.weights)  # applied to every bin
    reused = integrated_ofi(book, 4, freq="2s", weights=res.weights)
    np.testing.assert_array_equal(reused.values, res.values)
    sliced = integrated_ofi(book, 4, freq="2s", train=slice(0, n_train))
    np.testing.assert_array_equal(sliced.weights, res.weights)


def test_integrated_empty_bins_have_zero_flow():
    book = tiny_two_level_book()
    ts = np.array(book.ts)
    ts[2:] += 3 * SEC  # rows 2, 3 move to [4 s, 5 s): three empty bins in between
    moved = Book.from_arrays(ts, book.bid_px, book.bid_sz, book.ask_px, book.ask_sz)
    res = integrated_ofi(moved, 2, freq="1s", weights=[0.5, 0.5])
    assert len(res.ts) == 5
    np.testing.assert_array_equal(res.values[1:4], [0.0, 0.0, 0.0])
    assert np.isnan(res.depth[1:4]).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"train": 0.0}, "fraction"),
        ({"train": 1.5}, "fraction"),
        ({"train": "half"}, "train"),
        ({"train": slice(0, 1)}, "at least 2"),
        ({"weights": [1.0]}, "shape"),
        ({"weights": [0.0, 0.0]}, "not all 0"),
        ({"weights": [np.nan, 1.0]}, "finite"),
        ({"levels": 3}, "only 2"),
        ({"freq": "x"}, "freq"),
    ],
)
def test_integrated_errors(kwargs, match):
    args = {"levels": 2, "freq": "1s"} | kwargs
    with pytest.raises(ParameterError, match=match):
        integrated_ofi(tiny_two_level_book(), **args)


def test_integrated_without_variance_is_an_error():
    rows = 6
    book = Book.from_arrays(
        T0 + np.arange(rows) * SEC, [[10.0, 9.99]] * rows, [[1, 1]] * rows, [[10.01, 10.02]] * rows, [[1, 1]] * rows
    )
    with pytest.raises(ParameterError, match="does not vary"):
        integrated_ofi(book, 2, freq="1s", train=1.0)


# -- real data -------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def amzn(amzn_files):
    return Book.from_lobster(*amzn_files)


@pytest.fixture(scope="module")
def aapl(aapl_files):
    return Book.from_lobster(*aapl_files)


@pytest.mark.realdata
def test_amzn_ofi_explains_mid_changes(amzn):
    """Cont, Kukanov & Stoikov (2014): Delta mid over 10 s is linear in OFI, R^2 around 0.65 within half hours."""
    flow = aggregate(ofi(amzn), amzn.ts, "10s")
    mids = aggregate(mid(amzn), amzn.ts, "10s", how="last").ffill()
    frame = pd.DataFrame({"ofi": flow, "dmid": mids.diff()}).iloc[1:]
    slope, _ = np.polyfit(frame.ofi, frame.dmid, 1)
    r2 = np.corrcoef(frame.ofi, frame.dmid)[0, 1] ** 2
    assert slope > 0 and r2 > 0.2  # one regression over the whole day: depth varies, the fit is looser
    per_half_hour = []
    for _, part in frame.groupby(pd.Grouper(freq="30min")):
        if len(part) < 60:
            continue
        b, _ = np.polyfit(part.ofi, part.dmid, 1)
        per_half_hour.append((b, np.corrcoef(part.ofi, part.dmid)[0, 1] ** 2))
    slopes, r2s = np.array(per_half_hour).T
    assert len(per_half_hour) == 13
    assert (slopes > 0).all()
    assert np.median(r2s) > 0.4, r2s  # 0.57 on this day; the paper reports ~0.65 on average


@pytest.mark.realdata
def test_amzn_multilevel_level1_equals_best_level(amzn):
    np.testing.assert_array_equal(ofi(amzn, 1), ofi(amzn, tick=0.01))


@pytest.mark.realdata
def test_aapl_integrated_ofi(aapl):
    res = integrated_ofi(aapl, 10, freq="1s", train=0.5)
    assert np.abs(res.weights).sum() == pytest.approx(1.0) and res.weights.sum() > 0
    assert 0.0 < res.explained <= 1.0
    mids = aggregate(mid(aapl), aapl.ts, "1s", how="last").ffill().diff().to_numpy()
    ok = np.isfinite(mids)
    assert np.corrcoef(res.values[ok], mids[ok])[0, 1] > 0.3
    per_level = ofi(aapl, 10)
    assert per_level.shape == (len(aapl), 10)
    np.testing.assert_array_equal(per_level, reference_ofi(aapl, 10))


def test_aggregate_max_min_by_hand():
    from obi_widgets.metrics import aggregate

    s = 1_000_000_000
    ts = np.array([0, s // 2, 2 * s, 2 * s + 1], dtype=np.int64)
    vals = np.array([3.0, -1.0, np.nan, 5.0])
    hi = aggregate(vals, ts, "1s", "max")
    assert hi.iloc[0] == 3.0 and np.isnan(hi.iloc[1]) and np.isnan(hi.iloc[2])  # NaN propagates
    assert aggregate(vals, ts, "1s", "max", skipna=True).iloc[2] == 5.0
    assert aggregate(vals, ts, "1s", "min").iloc[0] == -1.0

"""obi_widgets.raster: time-weighted depth cells, best-price envelopes, volume dots.

Expected values come from hand computation or from the simple loops below (written from the
docstring formulas, independent of the code under test)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from obi_widgets import Book, Trades
from obi_widgets import raster as rs
from obi_widgets.errors import ParameterError

NAN = np.nan


# -- independent references ---------------------------------------------------------------------------
def ref_edges(t0: int, t1: int, n: int) -> list[int]:
    return [t0 + (s * (t1 - t0)) // n for s in range(n + 1)]


def holding(book: Book, t0: int, t1: int):
    """(row, a, b): each row's holding interval clipped to the window; the last row holds to t1."""
    ts = [int(x) for x in book.ts]
    for i, a in enumerate(ts):
        b = ts[i + 1] if i + 1 < len(ts) else t1
        a, b = max(a, t0), min(b, t1)
        if b > a:
            yield i, a, b


def levels(book: Book, i: int):
    for px, sz in ((book.bid_px, book.bid_sz), (book.ask_px, book.ask_sz)):
        for p, q in zip(px[i], sz[i]):
            if not (math.isnan(p) or math.isnan(q)):
                yield float(p), float(q)


def ref_total(book: Book, t0: int, t1: int) -> float:
    """Σ_rows Σ_levels q |[t_i, t_{i+1}) ∩ [t0, t1)|."""
    return sum(q * (b - a) for i, a, b in holding(book, t0, t1) for _, q in levels(book, i))


def ref_cells(book: Book, t0: int, t1: int, n_time: int, tick: float, m0: int, k: int, n: int) -> np.ndarray:
    e = ref_edges(t0, t1, n_time)
    out = np.zeros((n_time, n))
    for i, a, b in holding(book, t0, t1):
        for s in range(n_time):
            w = min(b, e[s + 1]) - max(a, e[s])
            if w <= 0:
                continue
            for p, q in levels(book, i):
                j = round(p / tick) - m0
                if 0 <= j < n * k:
                    out[s, j // k] += q * w
    for s in range(n_time):
        out[s] /= (e[s + 1] - e[s]) * k
    return out


def ref_envelopes(book: Book, t0: int, t1: int, n_time: int):
    """Min/max of the best bid and ask over the rows in force during each slice (loop)."""
    e = ref_edges(t0, t1, n_time)
    ts = [int(x) for x in book.ts]
    out = np.full((4, n_time), NAN)
    for s in range(n_time):
        rows = [i for i, t in enumerate(ts) if e[s] <= t < e[s + 1] or (s == n_time - 1 and t == e[-1])]
        before = [i for i, t in enumerate(ts) if t <= e[s]]
        if before:
            rows.append(before[-1])
        for side, px in enumerate((book.bid_px, book.ask_px)):
            vals = [px[i, 0] for i in rows if not math.isnan(px[i, 0])]
            if vals:
                out[2 * side, s], out[2 * side + 1, s] = min(vals), max(vals)
    return out


def random_book(seed: int, rows: int = 60, levels_: int = 4, tick: float = 0.01, gaps: bool = True) -> Book:
    rng = np.random.default_rng(seed)
    ts = 1_000 + np.cumsum(rng.integers(0, 50, rows))  # repeated times too
    mid = 1000 + np.cumsum(rng.integers(-2, 3, rows))
    off = np.arange(levels_)
    bid = (mid[:, None] - 1 - off * rng.integers(1, 3)) * tick
    ask = (mid[:, None] + 1 + off * rng.integers(1, 3)) * tick
    bsz = rng.integers(1, 9, (rows, levels_)).astype(float)
    asz = rng.integers(1, 9, (rows, levels_)).astype(float)
    if gaps:  # thin books: empty deepest levels on some rows
        thin = rng.random(rows) < 0.3
        bid[thin, -1] = NAN
        bsz[thin, -1] = NAN
        thin = rng.random(rows) < 0.3
        ask[thin, -2:] = NAN
        asz[thin, -2:] = NAN
    return Book(ts, bid, bsz, ask, asz, meta={"tick": tick})


def toy() -> Book:
    # row 0 at t=0: bid 10.0 x 2, ask 10.1 x 4; row 1 at t=10: bid 10.0 x 6, ask 10.1 x 4
    return Book([0, 10], [[10.0], [10.0]], [[2.0], [6.0]], [[10.1], [10.1]], [[4.0], [4.0]], meta={"tick": 0.1})


# -- the price grid ------------------------------------------------------------------------------------
def test_price_grid_by_hand():
    g = rs.price_grid(99.95, 100.05, 100, 0.01)
    assert (g.m0, g.k, g.n) == (9995, 1, 11)
    np.testing.assert_allclose(g.edges[[0, -1]], [99.945, 100.055])
    # 11 levels into at most 4 buckets: 3 ticks need 5 buckets once aligned (9993..10007), 4 ticks fit
    g = rs.price_grid(99.95, 100.05, 4, 0.01)
    assert (g.m0, g.k, g.n) == (9992, 4, 4)
    np.testing.assert_array_equal(g.bucket([99.92, 99.95, 99.96, 100.05, 100.08, NAN]), [0, 0, 1, 3, -1, -1])
    np.testing.assert_allclose(g.centres[0], 99.935)


def test_price_grid_is_stable_under_pan():
    a = rs.price_grid(100.00, 101.00, 20, 0.01)
    b = rs.price_grid(100.13, 101.13, 20, 0.01)
    assert a.k == b.k and (b.m0 - a.m0) % a.k == 0


# -- cells ---------------------------------------------------------------------------------------------
def test_cells_by_hand():
    b = toy()
    r = rs.depth_raster(b, 0, 20, 2, 10.0, 10.1, 10)
    assert r.grid.k == 1 and r.grid.n == 2
    np.testing.assert_allclose(r.cells, [[2, 4], [6, 4]])  # the last row holds until the window end
    r = rs.depth_raster(b, 5, 15, 1, 10.0, 10.1, 10)
    np.testing.assert_allclose(r.cells, [[(2 * 5 + 6 * 5) / 10, 4]])
    # before the first row there is no book: [-10, 10) sees row 0 for half the slice
    r = rs.depth_raster(b, -10, 10, 1, 10.0, 10.1, 10)
    np.testing.assert_allclose(r.cells, [[1, 2]])
    # one bucket of both levels: the mean per level over the bucket's 2 ticks
    r = rs.depth_raster(b, 0, 20, 1, 10.0, 10.1, 1)
    assert r.grid.k == 2
    np.testing.assert_allclose(r.cells, [[((2 + 4) * 10 + (6 + 4) * 10) / 20 / 2]])


@pytest.mark.parametrize("seed", range(6))
def test_conservation_over_full_price_range(seed):
    b = random_book(seed)
    t_first, t_last = int(b.ts[0]), int(b.ts[-1])
    lo = float(np.nanmin(b.bid_px)) - 0.05
    hi = float(np.nanmax(b.ask_px)) + 0.05
    index = rs.DepthIndex(b)
    for t0, t1, n_time, n_price in [
        (t_first, t_last, 7, 500),
        (t_first - 100, t_last + 100, 13, 9),  # the window reaches beyond the book at both ends
        ((t_first + t_last) // 2, t_last - 5, 5, 3),
        (t_first + 3, t_first + 40, 40, 60),
    ]:
        expected = ref_total(b, t0, t1)
        for r in (rs.depth_raster(b, t0, t1, n_time, lo, hi, n_price), index.raster(t0, t1, n_time, lo, hi, n_price)):
            dt = np.diff(r.edges).astype(float)
            per_slice = (r.cells * dt[:, None] * r.grid.k).sum(axis=1)
            assert per_slice.sum() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_cells_match_loop_reference(seed):
    b = random_book(seed + 10)
    t0, t1 = int(b.ts[3]) - 7, int(b.ts[-4]) + 11
    lo = float(np.nanmedian(b.bid_px[:, 0]))  # a partial price range: levels outside are left out
    hi = float(np.nanmedian(b.ask_px[:, 1]))
    index = rs.DepthIndex(b)
    for n_time, n_price in [(9, 400), (4, 3), (30, 7)]:
        r = rs.depth_raster(b, t0, t1, n_time, lo, hi, n_price)
        g = r.grid
        want = ref_cells(b, t0, t1, n_time, 0.01, g.m0, g.k, g.n)
        np.testing.assert_allclose(r.cells, want, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(index.raster(t0, t1, n_time, lo, hi, n_price).cells, want, rtol=1e-12, atol=1e-12)
        assert list(r.edges) == ref_edges(t0, t1, n_time)


def test_index_with_tick_estimated_coarser_than_levels():
    # with a tick of 0.03, 10.01, 10.02 (bids) and 10.03 (ask) share tick number 334: the index sums
    # equal ticks within a side and across the sides
    b = Book([0, 5], [[10.02, 10.01], [10.02, 10.00]], [[1, 2], [3, 4]], [[10.03, 10.04], [10.03, 10.04]],
             [[5, 6], [7, 8]])  # fmt: skip
    for tick in (0.03, 0.01):
        r = rs.depth_raster(b, 0, 10, 2, 9.9, 10.1, 100, tick=tick)
        ri = rs.DepthIndex(b, tick=tick).raster(0, 10, 2, 9.9, 10.1, 100)
        np.testing.assert_allclose(ri.cells, r.cells, rtol=1e-12)
        want = ref_cells(b, 0, 10, 2, tick, r.grid.m0, r.grid.k, r.grid.n)
        np.testing.assert_allclose(r.cells, want, rtol=1e-12)


def test_one_row_book_and_empty_side():
    one = Book([100], [[10.0, 9.9]], [[1.0, 2.0]], [[10.1, 10.2]], [[3.0, 4.0]], meta={"tick": 0.1})
    r = rs.depth_raster(one, 100, 101, 50, 9.9, 10.2, 10)  # a 1 ns window holds one slice
    assert r.cells.shape == (1, 4)
    np.testing.assert_allclose(r.cells, [[2, 1, 3, 4]])
    np.testing.assert_allclose([r.bid_lo[0], r.bid_hi[0], r.ask_lo[0], r.ask_hi[0]], [10.0, 10.0, 10.1, 10.1])
    bids_only = Book([0, 4], [[10.0], [9.9]], [[1.0], [2.0]], [[NAN], [NAN]], [[NAN], [NAN]], meta={"tick": 0.1})
    r = rs.depth_raster(bids_only, 0, 8, 2, 9.8, 10.2, 10)
    np.testing.assert_allclose(r.cells[:, :3], [[0, 0, 1], [0, 2, 0]])
    assert np.all(r.cells[:, 3:] == 0)
    assert np.isnan(r.ask_lo).all() and np.isnan(r.ask_hi).all()
    np.testing.assert_allclose(r.bid_lo, [10.0, 9.9])
    assert rs.auto_price_range(rs.best_envelopes(bids_only, r.edges), 0.0, 0.1) == pytest.approx((9.8, 10.1))
    empty = Book([0, 1], [[NAN], [NAN]], [[NAN], [NAN]], [[NAN], [NAN]], [[NAN], [NAN]])
    assert rs.auto_price_range(rs.best_envelopes(empty, np.array([0, 1])), 0.0, 1.0) == (0.0, 1.0)
    assert rs.book_tick(empty) == 1.0 and rs.depth_pad(empty) == 0.0


# -- best prices ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_best_envelopes_match_loop(seed):
    b = random_book(seed + 20, rows=40)
    t0, t1 = int(b.ts[2]) + 1, int(b.ts[-1])
    for n in (1, 6, 25, 200):
        r = rs.depth_raster(b, t0, t1, n, 9.0, 11.0, 10)
        want = ref_envelopes(b, t0, t1, min(n, t1 - t0))
        np.testing.assert_array_equal(np.vstack([r.bid_lo, r.bid_hi, r.ask_lo, r.ask_hi]), want)


def test_depth_pad_and_auto_range_by_hand():
    b = Book([0, 1, 2], [[10.0, 9.9, 9.8]] * 3, [[1, 1, 1]] * 3, [[10.1, 10.2, NAN], [10.1, 10.5, 10.6], [10.1, NAN, NAN]],
             [[1, 1, NAN], [1, 1, 1], [1, NAN, NAN]], meta={"tick": 0.1})  # fmt: skip
    # per row: max(bid span 0.2, ask span 0.1 / 0.5 / 0) -> 0.2, 0.5, 0.2: median 0.2
    assert rs.depth_pad(b) == pytest.approx(0.2)
    env = ([10.0, 9.5], [10.0, 10.0], [10.1, NAN], [10.3, NAN])
    assert rs.auto_price_range(env, 0.2, 0.1) == pytest.approx((9.5 - 0.3, 10.3 + 0.3))


# -- volume dots ------------------------------------------------------------------------------------------
def test_volume_dots_vwap_and_volumes():
    g = rs.price_grid(10.0, 10.3, 2, 0.1)  # 4 levels, k = 2: buckets {10.0, 10.1}, {10.2, 10.3}
    assert (g.m0, g.k, g.n) == (100, 2, 2)
    tr = Trades(
        [0, 2, 3, 4, 9, 10, 10, 11],
        [10.0, 10.1, 10.1, 10.3, 10.2, 10.0, 9.8, 10.0],
        [1.0, 3.0, 2.0, 5.0, 1.0, 4.0, 7.0, 9.0],
        [1, -1, 0, 1, -1, -1, 1, 1],
    )
    d = rs.volume_dots(tr, np.array([0, 5, 10]), g)
    # slice 0 [0, 5): bucket 0 gets 10.0 x1 buy, 10.1 x3 sell, 10.1 x2 unsigned; bucket 1: 10.3 x5 buy
    # slice 1 [5, 10]: bucket 1: 10.2 x1 sell; bucket 0: 10.0 x4 sell at t=10 (right edge included);
    # 9.8 is below the grid, t=11 after the window
    np.testing.assert_array_equal(d.slice, [0, 0, 1, 1])
    np.testing.assert_array_equal(d.bucket, [0, 1, 0, 1])
    np.testing.assert_allclose(d.vwap, [(10.0 + 30.3 + 20.2) / 6, 10.3, 10.0, 10.2])
    np.testing.assert_array_equal(d.buy, [1, 5, 0, 0])
    np.testing.assert_array_equal(d.sell, [3, 0, 4, 1])
    np.testing.assert_array_equal(d.other, [2, 0, 0, 0])
    np.testing.assert_array_equal(d.count, [3, 1, 1, 1])
    assert len(rs.volume_dots(tr, np.array([100, 200]), g)) == 0


# -- errors -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, 0, 2, 10.0, 10.1, 4), "t0_ns < t1_ns"),
        ((5, 1, 2, 10.0, 10.1, 4), "t0_ns < t1_ns"),
        ((0.5, 10, 2, 10.0, 10.1, 4), "t0_ns must be an int"),
        ((0, 10, 0, 10.0, 10.1, 4), r"n_time must be in \[1, 100000\]"),
        ((0, 10, 2.0, 10.0, 10.1, 4), "n_time must be an int"),
        ((0, 10, 2, 10.0, 10.1, 0), r"n_price must be in \[1, 100000\]"),
        ((0, 10, 2, 10.2, 10.1, 4), "p0 <= p1"),
        ((0, 10, 2, NAN, 10.1, 4), "p0 must be a finite price"),
        ((0, 10, 2, "x", 10.1, 4), "p0 must be a finite price"),
    ],
)
def test_bad_arguments(args, match):
    with pytest.raises(ParameterError, match=match):
        rs.depth_raster(toy(), *args)


def test_bad_inputs():
    with pytest.raises(ParameterError, match="obi_widgets.Book"):
        rs.depth_raster("book", 0, 1, 1, 0, 1, 1)
    with pytest.raises(ParameterError, match="tick must be a finite number > 0"):
        rs.depth_raster(toy(), 0, 10, 1, 10.0, 10.1, 4, tick=0.0)
    with pytest.raises(ParameterError, match="obi_widgets.Trades"):
        rs.volume_dots(None, np.array([0, 1]), rs.price_grid(1, 2, 2, 1.0))
    tr = Trades([0], [1.0], [1.0])
    with pytest.raises(ParameterError, match="PriceGrid"):
        rs.volume_dots(tr, np.array([0, 1]), (0, 1))
    with pytest.raises(ParameterError, match="increasing"):
        rs.volume_dots(tr, np.array([1, 1]), rs.price_grid(1, 2, 2, 1.0))
    with pytest.raises(ParameterError, match="price_range must be"):
        rs.window_raster(toy(), 0, 10, 2, 4, price_range=(1.0,))
    with pytest.raises(ParameterError, match="same book"):
        rs.window_raster(toy(), 0, 10, 2, 4, index=rs.DepthIndex(toy()))
    with pytest.raises(ParameterError, match="spans more than"):
        rs.price_grid(0.0, 1e9, 10, 1e-6)

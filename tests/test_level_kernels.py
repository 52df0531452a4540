"""The compiled level-based metrics equal the previous numpy implementations, bit for bit.

The references below are the numpy formulations the kit shipped before the metrics moved to
one-pass kernels (``obi_widgets/metrics/_level_kernels.py``), copied here as they were (with their
own copies of ``ratio`` / ``filled``), so that every fast path is checked against an independent
implementation of the same formula. ``np.testing.assert_array_equal`` is exact (NaN where NaN).
The one deliberate exception is ``depth_imbalance``, whose old weighted sums went through BLAS
(``sizes @ w``, an order of summation that depends on the BLAS build): exact where the sums are
exact (integer sizes and weights), within a few ulps otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings

from obi_widgets import Book, metrics
from obi_widgets.datasets import simulate
from obi_widgets.errors import ParameterError

from ._book_strategies import books

NAN = np.nan
REL = 1e-12
EDGE_RTOL = 1e-9


# -- the previous implementations ----------------------------------------------------------------
def ratio(num, den):
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.isfinite(den) & (den != 0) & np.isfinite(num)
    np.divide(num, den, out=out, where=ok)
    return out


def filled(sz):
    return np.where(np.isnan(sz), 0.0, sz)


def finish(bid, ask, form):
    return ratio(bid - ask, bid + ask) if form == "diff" else ratio(bid, bid + ask)


def old_mid(b):
    return 0.5 * (b.bid_px[:, 0] + b.ask_px[:, 0])


def old_level1(b, form="diff"):
    return finish(b.bid_sz[:, 0], b.ask_sz[:, 0], form)


def old_depth_imbalance(b, levels, w, form="diff"):
    return finish(filled(b.bid_sz[:, :levels]) @ w, filled(b.ask_sz[:, :levels]) @ w, form)


def old_weighted_mid(b):
    bid, ask = b.bid_px[:, 0], b.ask_px[:, 0]
    qb, qa = b.bid_sz[:, 0], b.ask_sz[:, 0]
    w = ratio(qb, qb + qa)
    return np.minimum(np.maximum(bid + (ask - bid) * w, bid), ask)


def old_band(b, bps, form="diff", truncated="nan"):
    m = 0.5 * (b.bid_px[:, 0] + b.ask_px[:, 0])
    ok = m > 0
    half = np.where(ok, m, np.nan)[:, None] * (float(bps) * 1e-4)
    slack = half * EDGE_RTOL
    mid2 = np.where(ok, m, np.nan)[:, None]
    with np.errstate(invalid="ignore"):
        in_bid = (mid2 - b.bid_px) <= half + slack
        in_ask = (b.ask_px - mid2) <= half + slack
    bid = np.where(in_bid, filled(b.bid_sz), 0.0).sum(axis=1)
    ask = np.where(in_ask, filled(b.ask_sz), 0.0).sum(axis=1)
    bad = ~ok
    if truncated == "nan":
        bad |= in_bid[:, -1] | in_ask[:, -1]
    out = finish(bid, ask, form)
    out[bad] = np.nan
    return out


def old_cumulative_depth(b, side):
    px, sz = (b.bid_px, b.bid_sz) if side == "bid" else (b.ask_px, b.ask_sz)
    cum = np.cumsum(np.where(np.isnan(sz), 0.0, sz), axis=1)
    cum[np.isnan(px)] = np.nan
    return cum


def old_cumulative_depth_imbalance(b):
    bid, ask = old_cumulative_depth(b, "bid"), old_cumulative_depth(b, "ask")
    return ratio(bid - ask, bid + ask)


def old_depth(b, levels=None, bps=None, side="both", unit="size"):
    n_lv = b.levels if levels is None else levels
    band = None if bps is None else float(bps) / 1e4
    m = old_mid(b)
    total = np.zeros(len(b))
    for name in ("bid", "ask") if side == "both" else (side,):
        px = getattr(b, f"{name}_px")[:, :n_lv]
        sz = filled(getattr(b, f"{name}_sz")[:, :n_lv])
        if unit == "notional":
            sz = sz * np.where(np.isnan(px), 0.0, px)
        if band is not None:
            with_mid = np.where(np.isnan(m), 0.0, m)[:, None]
            dist = np.abs(np.where(np.isnan(px), np.inf, px) - with_mid)
            inside = dist <= np.abs(with_mid) * (band + REL)
            sz = np.where(inside, sz, 0.0)
        total += sz.sum(axis=1)
    if band is not None:
        total[np.isnan(m)] = np.nan
    return total


def old_side_slope(px, sz, m, log_volume):
    have = ~np.isnan(px)
    count = have.sum(axis=1)
    cum = np.cumsum(filled(sz), axis=1)
    if log_volume:
        pos = have & (cum > 0)
        v = np.full(cum.shape, np.nan)
        np.log(cum, out=v, where=pos)
    else:
        v = np.where(have, cum, np.nan)
    first = ratio(v[:, 0], np.abs(ratio(px[:, 0], m) - 1.0))
    total = first.copy()
    if px.shape[1] > 1:
        num = ratio(v[:, 1:], v[:, :-1]) - 1.0
        den = np.abs(ratio(px[:, 1:], px[:, :-1]) - 1.0)
        terms = ratio(num, den)
        pair = have[:, 1:]
        bad = pair & ~np.isfinite(terms)
        total = total + np.where(pair, np.where(np.isfinite(terms), terms, 0.0), 0.0).sum(axis=1)
        total[bad.any(axis=1)] = np.nan
    out = ratio(total, count.astype(np.float64))
    out[count == 0] = np.nan
    return out


def old_book_slope(b, levels=None, side="both", log_volume=True):
    n_lv = b.levels if levels is None else levels
    m = old_mid(b)
    out = {}
    for name in ("bid", "ask") if side == "both" else (side,):
        px = getattr(b, f"{name}_px")[:, :n_lv]
        sz = getattr(b, f"{name}_sz")[:, :n_lv]
        out[name] = old_side_slope(px, sz, m, log_volume)
    return 0.5 * (out["bid"] + out["ask"]) if side == "both" else out[side]


def old_sweep(b, q, side="buy", reference="mid", unit="bps"):
    if side == "buy":
        px, sz, best = b.ask_px, b.ask_sz, b.ask_px[:, 0]
    else:
        px, sz, best = b.bid_px, b.bid_sz, b.bid_px[:, 0]
    qq = filled(sz)
    cum = np.cumsum(qq, axis=1)
    notional = np.cumsum(qq * np.where(np.isnan(px), 0.0, px), axis=1)
    t = px.shape[0]
    reach = cum >= q * (1.0 - REL)
    ok = reach.any(axis=1)
    k = np.argmax(reach, axis=1)
    rows = np.arange(t)
    prev_cum = np.where(k > 0, cum[rows, np.maximum(k - 1, 0)], 0.0)
    prev_not = np.where(k > 0, notional[rows, np.maximum(k - 1, 0)], 0.0)
    remaining = np.maximum(q - prev_cum, 0.0)
    with np.errstate(invalid="ignore"):  # the old code computed cost / q on every row
        cost = prev_not + np.where(ok, px[rows, k], 0.0) * remaining
        vwap = np.where(ok, cost / q, np.nan)
    ref = old_mid(b) if reference == "mid" else best
    diff = vwap - ref if side == "buy" else ref - vwap
    return diff if unit == "price" else 1e4 * ratio(diff, ref)


def old_microprice(b, model):
    tick, n = model.tick, model.n_imb
    bid, ask = b.bid_px[:, 0], b.ask_px[:, 0]
    qb, qa = b.bid_sz[:, 0], b.ask_sz[:, 0]
    bt, at = np.rint(bid / tick), np.rint(ask / tick)
    spread = at - bt
    ok_spread = (spread >= 1) & (spread <= model.n_spread)
    total = qb + qa
    valid = np.isfinite(total) & (total > 0)
    d = np.where(valid, ratio(qb - qa, total), 0.0)
    u = np.abs(d) * (n / 2.0)
    sign = np.sign(d).astype(np.int64)
    if n % 2:
        c = (n - 1) // 2
        lo = c + sign * np.clip(np.ceil(u - 0.5), 0, c).astype(np.int64)
        hi, w_lo = lo, np.ones(lo.shape)
    else:
        half = n // 2
        j = np.clip(np.ceil(u) - 1, 0, half - 1).astype(np.int64)
        lo = np.where(sign > 0, half + j, half - 1 - j)
        hi = np.where(sign == 0, half, lo)
        lo = np.where(sign == 0, half - 1, lo)
        w_lo = np.where(sign == 0, 0.5, 1.0)
    ok = ok_spread & valid
    base = (np.where(ok, spread, 1).astype(np.int64) - 1) * n
    g = model.adjustment.ravel()
    adj = w_lo * g[base + lo] + (1.0 - w_lo) * np.where(w_lo < 1.0, g[base + hi], 0.0)
    out = np.full(len(b), np.nan)
    out[ok] = old_mid(b)[ok] + adj[ok]
    return out


def old_mean_depth(b, levels):
    return (filled(b.bid_sz[:, :levels]).sum(axis=1) + filled(b.ask_sz[:, :levels]).sum(axis=1)) / (2.0 * levels)


# -- books ---------------------------------------------------------------------------------------
def random_book(rows=4000, levels=10, seed=0, integer=False, tick=0.01) -> Book:
    """A valid book with fractional (or integer) sizes, zero sizes, empty tails of random depth,
    whole empty sides, spreads of 1-4 ticks and uneven gaps between levels."""
    rng = np.random.default_rng(seed)
    best = 100_000 + np.cumsum(rng.integers(-2, 3, rows))
    spread = rng.integers(1, 5, rows)
    gb = rng.integers(1, 4, (rows, levels))
    ga = rng.integers(1, 4, (rows, levels))
    gb[:, 0] = 0
    ga[:, 0] = 0
    bid_px = (best[:, None] - np.cumsum(gb, axis=1)) * tick
    ask_px = (best + spread)[:, None] * tick + np.cumsum(ga, axis=1) * tick
    if integer:
        bid_sz = rng.integers(0, 40, (rows, levels)).astype(float)
        ask_sz = rng.integers(0, 40, (rows, levels)).astype(float)
    else:
        bid_sz = np.round(rng.exponential(3.0, (rows, levels)), 5) * (rng.random((rows, levels)) > 0.05)
        ask_sz = np.round(rng.exponential(3.0, (rows, levels)), 5) * (rng.random((rows, levels)) > 0.05)
    for px, sz in ((bid_px, bid_sz), (ask_px, ask_sz)):
        depth = np.where(rng.random(rows) < 0.3, rng.integers(0, levels + 1, rows), levels)
        empty = np.arange(levels)[None, :] >= depth[:, None]
        px[empty] = np.nan
        sz[empty] = np.nan
    ts = 1_700_000_000_000_000_000 + np.cumsum(rng.integers(0, 50_000_000, rows))
    return Book.from_arrays(ts, bid_px, bid_sz, ask_px, ask_sz)


BOOKS = {
    "fractional": random_book(seed=1),
    "integer": random_book(seed=2, integer=True),
    "one level": random_book(seed=3, levels=1),
    "twelve levels": random_book(rows=1500, seed=4, levels=12),
    "deep 150": random_book(rows=300, seed=5, levels=150),
    "crypto tick": random_book(seed=6, tick=0.1),
    "simulated": simulate(seed=0).book,
}


@pytest.fixture(params=list(BOOKS), ids=list(BOOKS))
def book(request) -> Book:
    return BOOKS[request.param]


def same(got, want):
    assert got.dtype == np.float64 and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


# -- tests -----------------------------------------------------------------------------------------
def test_prices(book):
    same(metrics.mid(book), old_mid(book))
    same(metrics.spread(book), book.ask_px[:, 0] - book.bid_px[:, 0])
    same(metrics.weighted_mid(book), old_weighted_mid(book))


@pytest.mark.parametrize("form", ["diff", "ratio"])
def test_level1_imbalance(book, form):
    same(metrics.level1_imbalance(book, form=form), old_level1(book, form))


@pytest.mark.parametrize("form", ["diff", "ratio"])
def test_depth_imbalance(book, form):
    for levels in sorted({1, min(3, book.levels), min(5, book.levels), book.levels}):
        for weights in (None, "linear", "exp", np.arange(levels, 0, -1.0)):
            w = metrics.level_weights(levels, weights, decay=0.3)
            got = metrics.depth_imbalance(book, levels, weights, decay=0.3, form=form)
            want = old_depth_imbalance(book, levels, w, form)
            exact = book is BOOKS["integer"] and (weights is None or not isinstance(weights, str))
            if exact or levels == 1:
                same(got, want)
            else:  # BLAS sums in its own order: a few ulps apart, NaN at the same rows
                np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("form", ["diff", "ratio"])
@pytest.mark.parametrize("truncated", ["nan", "keep"])
def test_band_imbalance(book, form, truncated):
    # 1 bps of 1000 = 0.1 (ten ticks): levels on the edge; 0.3 bps: around the best quotes; 500: all
    for bps in (0.3, 1, 2.5, 10, 500):
        same(metrics.band_imbalance(book, bps, form=form, truncated=truncated), old_band(book, bps, form, truncated))


def test_profiles(book):
    same(metrics.cumulative_depth(book, "bid"), old_cumulative_depth(book, "bid"))
    same(metrics.cumulative_depth(book, "ask"), old_cumulative_depth(book, "ask"))
    same(metrics.cumulative_depth_imbalance(book), old_cumulative_depth_imbalance(book))


def test_depth(book):
    for levels in sorted({None, 1, min(4, book.levels)}, key=lambda x: -1 if x is None else x):
        for bps in (None, 1, 3.0):
            for side in ("both", "bid", "ask"):
                for unit in ("size", "notional"):
                    same(metrics.depth(book, levels, bps, side, unit=unit), old_depth(book, levels, bps, side, unit))


def test_book_slope(book):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for levels in sorted({None, 1, min(3, book.levels)}, key=lambda x: -1 if x is None else x):
            for side in ("both", "bid", "ask"):
                for log_volume in (True, False):
                    got = metrics.book_slope(book, levels, side, log_volume=log_volume)
                    same(got, old_book_slope(book, levels, side, log_volume))


def test_sweep_cost_and_slippage_curve(book):
    qs = [0.5, 3.0, 7.25, 40.0, 1e6]
    for side in ("buy", "sell"):
        for reference in ("mid", "best"):
            for unit in ("bps", "price"):
                curve = metrics.slippage_curve(book, qs, side, reference=reference, unit=unit)
                assert curve.shape == (len(book), len(qs))
                for j, q in enumerate(qs):
                    want = old_sweep(book, q, side, reference, unit)
                    same(metrics.sweep_cost(book, q, side, reference=reference, unit=unit), want)
                    same(curve[:, j].copy(), want)


@pytest.mark.parametrize("n_imb", [4, 5, 10])
def test_microprice_apply(n_imb):
    sim = simulate(seed=1).book
    model = metrics.fit_microprice(sim, n_imb=n_imb, n_spread=3, tick=0.01)
    same(metrics.microprice(sim, model), old_microprice(sim, model))
    other = BOOKS["integer"]  # spreads up to 4 ticks, zero sizes, empty sides: many rows outside the model
    got = metrics.microprice(other, model)
    same(got, old_microprice(other, model))
    assert np.isnan(got).any() and np.isfinite(got).any()


def test_microprice_off_grid_names_the_row():
    sim = simulate(seed=1).book
    model = metrics.fit_microprice(sim, tick=0.01)
    bid_px = np.array(sim.bid_px)
    bid_px[7:, :] += 0.004  # 0.4 tick off the grid from row 7
    bad = Book.from_arrays(sim.ts, bid_px, sim.bid_sz, sim.ask_px, sim.ask_sz, validate=False)
    with pytest.raises(ParameterError, match=r"best bid .* at row 7 is not a multiple of tick=0.01"):
        metrics.microprice(bad, model)
    ask_px = np.array(sim.ask_px)
    ask_px[11, :] += 0.003
    bad = Book.from_arrays(sim.ts, sim.bid_px, sim.bid_sz, ask_px, sim.ask_sz, validate=False)
    with pytest.raises(ParameterError, match=r"best ask .* at row 11 is not a multiple"):
        metrics.microprice(bad, model)


def test_integrated_ofi_depth(book):
    from obi_widgets.metrics import _level_kernels

    for levels in sorted({1, book.levels}):
        out = np.empty(len(book))
        _level_kernels.mean_depth(book.bid_sz, book.ask_sz, levels, out)
        same(out, old_mean_depth(book, levels))
    res = metrics.integrated_ofi(book, book.levels, freq=None, train=1.0)
    same(res.depth, old_mean_depth(book, book.levels))


def test_strided_and_sliced_books():
    # a sliced book (views with an offset) and a fancy-indexed one (copies) give the same values
    b = BOOKS["fractional"]
    for part in (b[100:900], b[np.arange(0, len(b), 3)]):
        same(metrics.weighted_mid(part), old_weighted_mid(part))
        same(metrics.band_imbalance(part, 2), old_band(part, 2))
        same(metrics.book_slope(part, 4), old_book_slope(part, 4))


def test_empty_book():
    b = BOOKS["fractional"][:0]
    for fn in (metrics.mid, metrics.weighted_mid, metrics.level1_imbalance, metrics.depth, metrics.book_slope):
        assert fn(b).shape == (0,)
    assert metrics.depth_imbalance(b, 3).shape == (0,)
    assert metrics.band_imbalance(b, 5).shape == (0,)
    assert metrics.cumulative_depth_imbalance(b).shape == (0, b.levels)
    assert metrics.slippage_curve(b, [1, 2]).shape == (0, 2)


@settings(max_examples=60, deadline=None)
@given(books(max_rows=30, max_levels=4))
def test_hypothesis_books(b):
    same(metrics.weighted_mid(b), old_weighted_mid(b))
    same(metrics.level1_imbalance(b), old_level1(b))
    same(metrics.depth_imbalance(b, b.levels), old_depth_imbalance(b, b.levels, np.ones(b.levels)))  # integer sizes
    same(metrics.band_imbalance(b, 3, truncated="keep"), old_band(b, 3, truncated="keep"))
    same(metrics.cumulative_depth_imbalance(b), old_cumulative_depth_imbalance(b))
    same(metrics.depth(b, bps=2), old_depth(b, bps=2))
    same(metrics.book_slope(b), old_book_slope(b))
    same(metrics.sweep_cost(b, 7), old_sweep(b, 7))


def old_forward_change(b, h):
    p = old_mid(b)
    t = len(b)
    j = np.arange(t) + h
    later = np.full(t, np.nan)
    later[j < t] = p[j[j < t]]
    return later - p


def test_forward_return_rows(book):
    for h in (1, 7, len(book) - 1, len(book), len(book) + 5):
        same(metrics.forward_return(book, h), old_forward_change(book, h))


@pytest.mark.parametrize("how", ["sum", "mean"])
def test_aggregate_sums_like_reduceat(how):
    rng = np.random.default_rng(7)
    t = 50_000
    ts = np.cumsum(rng.integers(0, 3_000_000_000, t))  # bins of 0 to ~40 rows at 10 s, some of 1 row
    vals = rng.normal(size=(t, 3)) * 10.0 ** rng.integers(-3, 4, (t, 3))
    vals[rng.random((t, 3)) < 0.001] = np.nan
    got = metrics.aggregate(vals, ts, "10s", how)
    bins = ts // 10_000_000_000
    starts = np.concatenate(([0], np.flatnonzero(np.diff(bins)) + 1))
    sums = np.add.reduceat(vals, starts, axis=0)
    want = np.full((bins[-1] - bins[0] + 1, 3), 0.0 if how == "sum" else np.nan)
    if how == "mean":
        counts = np.diff(np.append(starts, t)).astype(float)[:, None]
        sums = sums / counts
    want[bins[starts] - bins[0]] = sums
    same(got.to_numpy(), want)
    # one long bin (pairwise blocks of 128 and their split) and a strided 1-D input
    long = rng.normal(size=(3000, 2))
    same(
        metrics.aggregate(long[:, 1], np.zeros(3000, dtype=np.int64), "1s").to_numpy(), np.add.reduceat(long[:, 1], [0])
    )

"""Tests of the reference prices: weighted mid and Stoikov's micro-price (fit / apply)."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from math import ceil, floor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obi_widgets import Book
from obi_widgets.datasets import simulate
from obi_widgets.errors import ParameterError
from obi_widgets.metrics.prices import MicropriceModel, fit_microprice, microprice, mid, weighted_mid

from ._book_strategies import T0, books, mirror

NAN = np.nan
SEC = 1_000_000_000


def book1(rows) -> Book:
    arr = np.array(rows, dtype=float)
    return Book.from_arrays(T0 + np.arange(len(rows)) * SEC, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])


# -- weighted mid ---------------------------------------------------------------------------------------------
def test_weighted_mid_golden():
    book = book1(
        [(10.00, 3, 10.02, 1), (10.00, 0, 10.02, 5), (10.00, 5, 10.02, 0), (10.00, 0, 10.02, 0), (NAN, NAN, 10.02, 1)]
    )
    # (10.00 * 1 + 10.02 * 3) / 4 = 10.015; a zero bid queue gives the bid, a zero ask queue the ask
    np.testing.assert_allclose(weighted_mid(book), [10.015, 10.00, 10.02, NAN, NAN], rtol=0, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(1e-3, 1e6, allow_nan=False),
            st.floats(1e-9, 1e3, allow_nan=False),
            st.floats(0, 1e9, allow_nan=False),
            st.floats(0, 1e9, allow_nan=False),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_weighted_mid_lies_between_bid_and_ask(rows):
    bid = np.array([r[0] for r in rows])
    ask = bid + np.array([r[1] for r in rows]) * bid  # relative spreads, so bid < ask in floats
    ask = np.where(ask > bid, ask, np.nextafter(bid, np.inf))
    qb = np.array([r[2] for r in rows])
    qa = np.array([r[3] for r in rows])
    book = Book.from_arrays(T0 + np.arange(len(rows)), bid, qb, ask, qa)
    w = weighted_mid(book)
    defined = (qb + qa) > 0
    assert np.isnan(w[~defined]).all()
    assert (w[defined] >= bid[defined]).all() and (w[defined] <= ask[defined]).all()


@settings(max_examples=100, deadline=None)
@given(books(allow_zero_size=False))
def test_weighted_mid_mirrors(book):
    np.testing.assert_allclose(weighted_mid(mirror(book)), 200.0 - weighted_mid(book), rtol=0, atol=1e-9)


# -- micro-price: a chain small enough to solve by hand -----------------------------------------------------
# tick 0.01, n_imb = 2 (b0: I < 1/2, b1: I > 1/2), n_spread = 1 (spread of one tick only)
HAND_ROWS = [
    (10.00, 3, 10.01, 1),  # b1
    (10.00, 3, 10.01, 1),  # b1 -> b1, no move
    (10.00, 1, 10.01, 3),  # b1 -> b0, no move
    (10.00, 3, 10.01, 1),  # b0 -> b1, no move
    (10.01, 3, 10.02, 1),  # b1 -> b1, mid +1 tick
    (10.02, 3, 10.03, 1),  # b1 -> b1, mid +1 tick
    (10.03, 1, 10.04, 3),  # b1 -> b0, mid +1 tick
]


def test_microprice_hand_solved_chain():
    # With the mirrored transitions added, out of b1: no move to b1 once, to b0 twice (once observed,
    # once the mirror of b0 -> b1); three +1-tick moves, two landing in b1 and one in b0. Total 6.
    # b0 is the mirror image. So with states (b0, b1):
    #   Q = [[1, 2], [2, 1]] / 6,  R(+1 tick | b1) = R(-1 tick | b0) = 3/6,  T = [[2, 1], [1, 2]] / 6.
    # On the antisymmetric vector v = (-1, 1): (1 - Q) v = (1 - 1/6 + 2/6) v = 7/6 v and T v = 1/6 v, so
    #   g1 = (3/6 * 0.01) / (7/6) v = 3/700 v,  B v = (1/6) / (7/6) v = 1/7 v,
    #   g* = g1 / (1 - 1/7) = 0.005 v: half a tick, the micro-price is the ask (b1) or the bid (b0).
    book = book1(HAND_ROWS)
    model = fit_microprice(book, n_imb=2, n_spread=1, tick=0.01)
    assert isinstance(model, MicropriceModel)
    np.testing.assert_allclose(model.Q, np.array([[1, 2], [2, 1]]) / 6)
    np.testing.assert_allclose(model.R, np.array([[3, 0, 0, 0], [0, 0, 0, 3]]) / 6)
    np.testing.assert_allclose(model.T, np.array([[2, 1], [1, 2]]) / 6)
    np.testing.assert_allclose(model.g1, [[-3 / 700, 3 / 700]], rtol=1e-12)
    np.testing.assert_allclose(model.adjustment, [[-0.005, 0.005]], rtol=1e-9)
    np.testing.assert_array_equal(model.counts, [[6, 6]])
    assert model.dropped == 0
    frame = model.adjustment_frame()
    assert list(frame.index) == [1] and list(frame.columns) == [0.25, 0.75]
    mp = microprice(book, model)
    # b1 rows: mid + half a tick = the ask; b0 rows: the bid
    np.testing.assert_allclose(mp, [10.01, 10.01, 10.00, 10.01, 10.02, 10.03, 10.03], rtol=0, atol=1e-9)
    # fitting in-sample in one call gives the same numbers
    np.testing.assert_array_equal(microprice(book, n_imb=2, n_spread=1, tick=0.01), mp)
    np.testing.assert_array_equal(model.apply(book), mp)


def test_microprice_states_outside_the_model_are_nan():
    model = fit_microprice(book1(HAND_ROWS), n_imb=2, n_spread=1, tick=0.01)
    other = book1([(10.00, 2, 10.02, 5), (NAN, NAN, 10.01, 1), (10.00, 0, 10.01, 0), (10.00, 2, 10.01, 2)])
    mp = microprice(other, model)
    # spread 2 ticks (outside n_spread=1), empty bid, zero sizes: NaN; I = 1/2 with even n_imb: the mean
    # of the two central buckets, exactly the mid
    assert np.isnan(mp[:3]).all()
    assert mp[3] == pytest.approx(10.005, abs=1e-12)


def test_microprice_cycling_chain_does_not_converge():
    # b1 always moves up one tick into b0, b0 always down into b1: B swaps the two states and the sum
    # of B^i g1 oscillates forever
    rows = [(10.00, 3, 10.01, 1), (10.01, 1, 10.02, 3)] * 5
    with pytest.raises(ParameterError, match="did not converge"):
        fit_microprice(book1(rows), n_imb=2, n_spread=1, tick=0.01, max_iter=200)


def test_microprice_without_symmetrisation_drifts():
    with pytest.raises(ParameterError, match="symmetrize=True"):
        fit_microprice(book1(HAND_ROWS), n_imb=2, n_spread=1, tick=0.01, symmetrize=False, max_iter=500)


# -- micro-price: estimation against an independent transcription --------------------------------------------
def reference_counts(book: Book, n_imb: int, n_spread: int, tick_ticks: int = 100):
    """Weighted transition counts by the documented rules, in exact rational arithmetic.

    Prices are k / 100 (integer k); I = qb / (qb + qa) as a Fraction; buckets of width 1/n with
    edges given to the bucket nearer 1/2 and I = 1/2 split between the central buckets (n even).
    """
    obs = []
    for i in range(len(book)):
        b, a = book.bid_px[i, 0], book.ask_px[i, 0]
        qb, qa = book.bid_sz[i, 0], book.ask_sz[i, 0]
        if np.isnan(b) or np.isnan(a) or qb + qa <= 0:
            continue
        bt, at = round(b * tick_ticks), round(a * tick_ticks)
        s = at - bt
        if not 1 <= s <= n_spread:
            continue
        imb = Fraction(int(qb), int(qb + qa))
        if n_imb % 2 == 0 and imb == Fraction(1, 2):
            parts = [(n_imb // 2 - 1, Fraction(1, 2)), (n_imb // 2, Fraction(1, 2))]
        elif imb <= Fraction(1, 2):
            parts = [(min(floor(imb * n_imb), n_imb - 1), Fraction(1))]
        else:
            parts = [(max(ceil(imb * n_imb) - 1, 0), Fraction(1))]
        obs.append(([((s - 1) * n_imb + bk, w) for bk, w in parts], bt + at))
    q, r, t = defaultdict(Fraction), defaultdict(Fraction), defaultdict(Fraction)
    moves = {-2: 0, -1: 1, 1: 2, 2: 3}
    n_states = n_imb * n_spread

    def flip(x):
        s, bk = divmod(x, n_imb)
        return s * n_imb + n_imb - 1 - bk

    for (cur, m0), (nxt, m1) in zip(obs[:-1], obs[1:]):
        dm = m1 - m0
        if abs(dm) > 2:
            continue
        for x, wx in cur:
            for y, wy in nxt:
                w = wx * wy
                for xx, yy, d in ((x, y, dm), (flip(x), flip(y), -dm)):
                    if d == 0:
                        q[xx, yy] += w
                    else:
                        r[xx, moves[d]] += w
                        t[xx, yy] += w
    total = defaultdict(Fraction)
    for (x, _), w in list(q.items()) + list(r.items()):
        total[x] += w
    Q, R, T = np.zeros((n_states, n_states)), np.zeros((n_states, 4)), np.zeros((n_states, n_states))
    for (x, y), w in q.items():
        Q[x, y] = w / total[x]
    for (x, k), w in r.items():
        R[x, k] = w / total[x]
    for (x, y), w in t.items():
        T[x, y] = w / total[x]
    return Q, R, T


@pytest.fixture(scope="module")
def sim_book() -> Book:
    return simulate(seed=2, n_events=3000, levels=1).book


def test_microprice_matrices_match_an_independent_count(sim_book):
    model = fit_microprice(sim_book, n_imb=4, n_spread=2)
    assert model.tick == 0.01 and model.dropped == 0
    Q, R, T = reference_counts(sim_book, 4, 2)
    np.testing.assert_allclose(model.Q, Q, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.R, R, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.T, T, rtol=1e-12, atol=1e-15)
    # g1 = (1 - Q)^-1 R K, and g* is the solution of (1 - B) g = g1 orthogonal to B's stationary law
    k = np.array([-1, -0.5, 0.5, 1]) * 0.01
    g1 = np.linalg.solve(np.eye(8) - Q, R @ k)
    np.testing.assert_allclose(model.g1.ravel(), g1, rtol=1e-9, atol=1e-13)
    B = np.linalg.solve(np.eye(8) - Q, T)
    vals, vecs = np.linalg.eig(B.T)
    pi = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
    pi /= pi.sum()
    system = np.vstack([np.eye(8) - B, pi])
    g_star = np.linalg.lstsq(system, np.concatenate([g1, [0.0]]), rcond=None)[0]
    np.testing.assert_allclose(model.adjustment.ravel(), g_star, rtol=1e-6, atol=1e-10)
    # symmetric by construction: g(1 - I, S) = -g(I, S), increasing in I at each spread
    np.testing.assert_allclose(model.adjustment[:, ::-1], -model.adjustment, atol=1e-15)
    assert (np.diff(model.adjustment, axis=1) > 0).all()


def test_microprice_mirrored_book(sim_book):
    model = fit_microprice(sim_book, n_imb=5, n_spread=2)
    flipped = mirror(sim_book)
    mp, mp_flipped = microprice(sim_book, model), microprice(flipped, model)
    np.testing.assert_array_equal(np.isnan(mp), np.isnan(mp_flipped))
    np.testing.assert_allclose(mp_flipped, 200.0 - mp, rtol=0, atol=1e-9)
    # the symmetrised counts of the mirrored book are the same counts
    np.testing.assert_allclose(
        fit_microprice(flipped, n_imb=5, n_spread=2).adjustment, model.adjustment, rtol=1e-9, atol=1e-15
    )


def test_microprice_crypto_tick_inferred():
    # BTCUSDT-like: 0.01 ticks on a 60000 price (60000.01 - 60000.00 is 0.0099999999983 in floats)
    book = simulate(seed=1, n_events=3000, levels=1, start_price=60000.0, tick=0.01).book
    model = fit_microprice(book, n_imb=4, n_spread=2)
    assert model.tick == 0.01
    explicit = fit_microprice(book, n_imb=4, n_spread=2, tick=0.01)
    np.testing.assert_array_equal(model.adjustment, explicit.adjustment)
    mp = microprice(book, model)
    ok = np.isfinite(mp)
    spread_ticks = np.rint((book.ask_px[:, 0] - book.bid_px[:, 0]) * 100)
    np.testing.assert_array_equal(ok, spread_ticks <= 2)  # defined exactly on the model's spreads
    assert ok.mean() > 0.5
    assert (np.abs(mp[ok] - mid(book)[ok]) < 0.01).all()
    with pytest.raises(ParameterError, match="not a multiple of tick"):
        fit_microprice(book, tick=0.02)


def test_microprice_sampled_on_a_time_grid(sim_book):
    per_row = fit_microprice(sim_book, n_imb=4, n_spread=2)
    sampled = fit_microprice(sim_book, n_imb=4, n_spread=2, sample="1s")
    span = (sim_book.ts[-1] - sim_book.ts[0]) / SEC
    # one observation per second (times two with the mirror), fewer than one per row
    assert sampled.counts.sum() < per_row.counts.sum()
    assert sampled.counts.sum() <= 2 * (span + 1)
    assert np.isfinite(sampled.adjustment).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_imb": 0}, "n_imb"),
        ({"n_spread": 1.5}, "n_spread"),
        ({"step": 0}, "step"),
        ({"tol": 0}, "tol"),
        ({"tick": -1}, "tick"),
        ({"sample": "often"}, "freq|duration"),
        ({"n_spread": 1, "step": 10_000}, "observation"),
    ],
)
def test_fit_microprice_errors(sim_book, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        fit_microprice(sim_book, **kwargs)


def test_microprice_argument_errors(sim_book):
    model = fit_microprice(book1(HAND_ROWS), n_imb=2, n_spread=1, tick=0.01)
    with pytest.raises(ParameterError, match="cannot be used with model"):
        microprice(sim_book, model, n_imb=3)
    with pytest.raises(ParameterError, match="MicropriceModel"):
        microprice(sim_book, "model")
    with pytest.raises(ParameterError, match="unexpected"):
        microprice(sim_book, nimb=3)
    with pytest.raises(ParameterError, match="Book"):
        microprice(np.zeros(3))
    with pytest.raises(ParameterError, match="distinct prices"):
        fit_microprice(Book.from_arrays(T0 + np.arange(2), [10.0, 10.0], [1, 1], [NAN, NAN], [NAN, NAN]))


# -- real data ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def amzn(amzn_files):
    return Book.from_lobster(*amzn_files)


@pytest.fixture(scope="module")
def aapl(aapl_files):
    return Book.from_lobster(*aapl_files)


def _within(book, mp):
    ok = np.isfinite(mp)
    return ok.sum(), bool(np.all((mp[ok] >= book.bid_px[ok, 0]) & (mp[ok] <= book.ask_px[ok, 0])))


@pytest.mark.realdata
def test_microprice_within_the_quotes_on_lobster(amzn, aapl):
    """Stoikov's setting (spreads of 1-2 ticks, 10 imbalance buckets): the micro-price stays inside the quotes.

    AMZN (2012) mostly quotes wider spreads, so only the rows with a 1-2 tick spread are in the
    model; the 49-second AAPL excerpt is too short to fit on, so the AMZN model (same tick, same
    day) is applied to it.
    """
    model = fit_microprice(amzn)  # n_imb=10, n_spread=2
    assert model.tick == 0.01 and np.isfinite(model.adjustment).all()
    assert (np.abs(model.adjustment) < 0.005).all()
    for book in (amzn, aapl):
        n, inside = _within(book, microprice(book, model))
        assert n > 30 and inside
    weighted = weighted_mid(amzn)
    assert (weighted >= amzn.bid_px[:, 0]).all() and (weighted <= amzn.ask_px[:, 0]).all()

"""Tests of obi_widgets.datasets.simulate: reproducibility, book validity, trades, stylised facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from obi_widgets import Book, Trades
from obi_widgets.datasets import Simulation, simulate
from obi_widgets.errors import ParameterError

TICK = 0.01


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(seed=0)


def _arrays(book: Book):
    return book.ts, book.bid_px, book.bid_sz, book.ask_px, book.ask_sz


def _same(s1: Simulation, s2: Simulation) -> bool:
    pairs = list(zip(_arrays(s1.book), _arrays(s2.book)))
    pairs += [(getattr(s1.trades, c), getattr(s2.trades, c)) for c in ("ts", "price", "size", "side")]
    return all(x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True) for x, y in pairs)


# -- reproducibility -----------------------------------------------------------------------------
def test_same_seed_is_bit_identical(sim):
    again = simulate(seed=0)
    assert _same(sim, again)
    # bit-identical, not merely equal: compare raw bytes (NaN payloads included)
    for x, y in zip(_arrays(sim.book), _arrays(again.book)):
        assert x.tobytes() == y.tobytes()
    pd.testing.assert_frame_equal(sim.events, again.events)


def test_different_seeds_differ(sim):
    other = simulate(seed=1)
    assert not np.array_equal(sim.book.bid_sz, other.book.bid_sz, equal_nan=True)
    assert not np.array_equal(sim.book.ts, other.book.ts)
    assert not np.array_equal(sim.trades.price, other.trades.price) or len(sim.trades) != len(other.trades)


def test_shorter_run_is_a_prefix_of_a_longer_one():
    long = simulate(seed=7, n_events=9_000)  # crosses two random-number chunks
    short = simulate(seed=7, n_events=5_000)
    for x, y in zip(_arrays(short.book), _arrays(long.book[:5_000])):
        assert np.array_equal(x, y, equal_nan=True)
    n = len(short.trades)
    assert np.array_equal(short.trades.price, long.trades.price[:n])
    assert np.array_equal(short.trades.ts, long.trades.ts[:n])


# -- shapes, dtypes ------------------------------------------------------------------------------
def test_shapes_and_dtypes(sim):
    assert isinstance(sim, Simulation)
    assert isinstance(sim.book, Book) and isinstance(sim.trades, Trades)
    assert sim.book.shape == (20_000, 10)
    assert sim.book.ts.dtype == np.int64
    for a in _arrays(sim.book)[1:]:
        assert a.dtype == np.float64 and a.shape == (20_000, 10)
    assert sim.trades.price.dtype == np.float64 and sim.trades.size.dtype == np.float64
    assert set(np.unique(sim.trades.side)) == {-1, 1}
    assert len(sim.events) == len(sim.book)
    assert np.array_equal(sim.events["ts"].to_numpy(), sim.book.ts)
    assert sim.params["seed"] == 0 and sim.params["levels"] == 10


def test_other_shapes_and_start():
    s = simulate(seed=3, n_events=1, levels=1)
    assert s.book.shape == (1, 1)
    s = simulate(seed=3, n_events=500, levels=3, tick=0.5, start_price=250.0, start_time="2023-05-01 14:00")
    assert s.book.shape == (500, 3)
    t0 = pd.Timestamp("2023-05-01 14:00").value
    assert s.book.ts[0] >= t0 and s.book.ts[0] - t0 < 60 * 10**9
    assert abs(s.book.bid_px[0, 0] - 250.0) <= 3 * 0.5
    ticks = s.book.ask_px / 0.5
    assert np.array_equal(ticks, np.round(ticks))


def test_sizes_are_whole_lots(sim):
    for sz in (sim.book.bid_sz, sim.book.ask_sz, sim.trades.size):
        lots = sz[~np.isnan(sz)] / 100
        assert (lots >= 1).all() and np.array_equal(lots, np.round(lots))
    s = simulate(seed=0, n_events=2_000, lot_size=7)
    lots = s.book.bid_sz / 7
    assert np.array_equal(lots, np.round(lots))


# -- book validity -------------------------------------------------------------------------------
def test_book_passes_validation_and_is_full(sim):
    Book.from_arrays(*_arrays(sim.book), validate=True)  # raises on any broken invariant
    for a in _arrays(sim.book)[1:]:
        assert not np.isnan(a).any()  # K non-empty levels on both sides in every row
    assert (sim.book.bid_sz > 0).all() and (sim.book.ask_sz > 0).all()
    assert (np.diff(sim.book.ts) >= 0).all()


def test_spreads_and_tick_grid(sim):
    b = sim.book
    spread = np.round((b.ask_px[:, 0] - b.bid_px[:, 0]) / TICK)
    assert spread.min() >= 1
    assert (spread == 1).mean() > 0.8  # mostly one tick
    assert (spread == 2).any() and (spread == 3).any()  # sometimes wider
    assert (spread >= 6).mean() < 0.01
    for px in (b.bid_px, b.ask_px):
        ticks = px / TICK
        assert np.abs(ticks - np.round(ticks)).max() < 1e-6
        assert np.array_equal(px, np.round(np.round(ticks)) * TICK)  # exactly round(ticks) * tick
    assert (np.diff(b.bid_px, axis=1) < 0).all() and (np.diff(b.ask_px, axis=1) > 0).all()


# -- trades --------------------------------------------------------------------------------------
def test_trades_consistent_with_book(sim):
    b, t = sim.book, sim.trades
    assert len(t) > 500
    rows = np.searchsorted(b.ts, t.ts)
    assert np.array_equal(b.ts[rows], t.ts)  # every trade time is a book row's time
    has_prior = rows >= 1  # a trade at row 0 has no earlier book row to compare with
    before = rows - 1
    buy, sell = (t.side == 1) & has_prior, (t.side == -1) & has_prior
    assert buy.sum() > 200 and sell.sum() > 200
    assert (t.price[buy] >= b.ask_px[before[buy], 0] - 1e-9).all()
    assert (t.price[sell] <= b.bid_px[before[sell], 0] + 1e-9).all()
    ticks = t.price / TICK
    assert np.array_equal(t.price, np.round(ticks) * TICK)
    # the market-order events carry exactly the traded volume
    mk = sim.events[sim.events["kind"] == "market"]
    assert mk["size"].sum() == pytest.approx(t.size.sum())
    assert len(mk) == len(np.unique(t.ts))


def test_market_orders_walk_the_book(sim):
    t = sim.trades
    _, counts = np.unique(t.ts, return_counts=True)
    assert (counts >= 2).any() and (counts >= 3).any()
    # within one sweep, buy prices go up and sell prices go down, one row per level
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    for s0, c in zip(starts[counts >= 2], counts[counts >= 2]):
        px = t.price[s0 : s0 + c]
        side = t.side[s0]
        assert (t.side[s0 : s0 + c] == side).all()
        assert (np.diff(px) * side > 0).all()


def test_buy_trades_leave_the_ask_at_or_above_their_price(sim):
    b, t = sim.book, sim.trades
    rows = np.searchsorted(b.ts, t.ts)
    buy = t.side == 1
    assert (b.ask_px[rows[buy], 0] >= t.price[buy] - 1e-9).all()
    sell = t.side == -1
    assert (b.bid_px[rows[sell], 0] <= t.price[sell] + 1e-9).all()


# -- price dynamics, stylised facts ----------------------------------------------------------------
def _mid(book: Book) -> np.ndarray:
    return (book.bid_px[:, 0] + book.ask_px[:, 0]) / 2


def test_price_moves(sim):
    mid = _mid(sim.book)
    assert np.unique(np.round(mid / (TICK / 2))).size >= 10
    moves = np.count_nonzero(np.diff(mid))
    assert moves > 200
    assert mid.max() - mid.min() >= 5 * TICK


def _next_move_sign(mid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows that have a later mid change, sign of that next change)."""
    change = np.flatnonzero(np.diff(mid) != 0) + 1  # rows where the mid differs from the row before
    pos = np.searchsorted(change, np.arange(mid.size), side="right")
    ok = np.flatnonzero(pos < change.size)
    return ok, np.sign(mid[change[pos[ok]]] - mid[ok])


def _imbalance_next_move_corr(book: Book) -> float:
    qb, qa = book.bid_sz[:, 0], book.ask_sz[:, 0]
    imb = (qb - qa) / (qb + qa)
    rows, sign = _next_move_sign(_mid(book))
    return float(np.corrcoef(imb[rows], sign)[0, 1])


def test_imbalance_predicts_next_mid_move(sim):
    assert _imbalance_next_move_corr(sim.book) > 0.2
    assert _imbalance_next_move_corr(simulate(seed=5, n_events=10_000).book) > 0.2


def test_imbalance_feedback_tilts_market_orders():
    strong = simulate(seed=2, n_events=20_000, imbalance_feedback=1.0)
    none = simulate(seed=2, n_events=20_000, imbalance_feedback=0.0)

    def buy_share_given_imbalance(s: Simulation) -> float:
        b = s.book
        imb = (b.bid_sz[:-1, 0] - b.ask_sz[:-1, 0]) / (b.bid_sz[:-1, 0] + b.ask_sz[:-1, 0])
        ev = s.events.iloc[1:]
        mk = (ev["kind"] == "market").to_numpy()
        side = ev["side"].to_numpy()[mk]
        x = imb[mk]
        return float(np.corrcoef(x, side)[0, 1])

    assert buy_share_given_imbalance(strong) > 0.3
    assert abs(buy_share_given_imbalance(none)) < 0.1
    assert _imbalance_next_move_corr(strong.book) > _imbalance_next_move_corr(none.book)


def test_events_table(sim):
    ev = sim.events
    assert list(ev.columns) == ["ts", "kind", "side", "level", "size"]
    kinds = ev["kind"].value_counts()
    assert set(kinds.index) == {"limit", "cancel", "market", "inside"}
    assert 0.02 < kinds["market"] / len(ev) < 0.2
    assert (ev["size"] > 0).all()
    inside = ev["kind"] == "inside"
    assert (ev.loc[inside, "level"] >= 1).all()


# -- parameter errors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(n_events=0), "n_events"),
        (dict(n_events=2.5), "n_events"),
        (dict(n_events=True), "n_events"),
        (dict(levels=0), "levels"),
        (dict(tick=0), "tick"),
        (dict(tick=-0.01), "tick"),
        (dict(tick=float("nan")), "tick"),
        (dict(start_price=-1.0), "start_price"),
        (dict(start_price=0.2), "start_price"),  # 20 ticks: too close to zero
        (dict(start_time="not a time"), "start_time"),
        (dict(seed=-1), "seed"),
        (dict(seed="abc"), "seed"),
        (dict(lot_size=0), "lot_size"),
        (dict(cancel_rate=0), "cancel_rate"),
        (dict(limit_rate=-1), "limit_rate"),
        (dict(market_rate=-0.5), "market_rate"),
        (dict(imbalance_feedback=-0.1), "imbalance_feedback"),
        (dict(imbalance_feedback=float("inf")), "imbalance_feedback"),
        (dict(market_size=0.5), "market_size"),
    ],
)
def test_parameter_errors(kwargs, word):
    with pytest.raises(ParameterError, match=word):
        simulate(**{"n_events": 10, **kwargs})


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(levels=1),
        dict(levels=40),
        dict(cancel_rate=2.0),  # thin book: gaps, and missing levels padded with NaN
        dict(market_rate=20.0, market_size=20.0),  # violent sweeps
        dict(inside_rate=0.01),  # wide spreads
    ],
)
def test_extreme_parameters_still_give_valid_books(kwargs):
    s = simulate(seed=11, n_events=5_000, **kwargs)
    b = Book.from_arrays(*_arrays(s.book))  # validation: no crossed/locked rows, NaN only at the end
    assert b.shape == (5_000, kwargs.get("levels", 10))
    assert not np.isnan(b.bid_px[:, 0]).any() and not np.isnan(b.ask_px[:, 0]).any()
    assert (np.round((b.ask_px[:, 0] - b.bid_px[:, 0]) / TICK) >= 1).all()
    if kwargs.get("levels") == 40:
        assert not np.isnan(b.ask_px).any()  # deep books stay full with the default rates


def test_no_market_orders_means_no_trades():
    s = simulate(seed=4, n_events=3_000, market_rate=0.0)
    assert len(s.trades) == 0
    assert (s.events["kind"] != "market").all()
    Book.from_arrays(*_arrays(s.book))

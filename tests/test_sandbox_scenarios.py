"""Scenario presets: each loads and steps reproducibly with a seed and shows the feature it is for."""

from __future__ import annotations

import numpy as np
import pytest

from obi_widgets import metrics
from obi_widgets.sandbox import SCENARIOS, Sandbox

NAMES = ["balanced", "buy_pressure", "liquidity_withdrawal", "large_sweep", "spoof_layering", "two_venues"]


def _arrays(sb: Sandbox) -> list:
    b, t = sb.history.book, sb.history.trades
    return [b.ts, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, t.ts, t.price, t.size, t.side]


def _same(x: list, y: list) -> bool:
    return all(a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f") for a, b in zip(x, y))


def test_the_six_presets_and_their_texts():
    assert list(SCENARIOS) == NAMES
    for name, sc in SCENARIOS.items():
        assert sc.name == name
        assert len(sc.title) > 5 and len(sc.description) > 40 and len(sc.suggestion) > 30


@pytest.mark.parametrize("name", NAMES)
def test_scenario_is_reproducible_with_a_seed(name):
    a = Sandbox(scenario=name, seed=5)
    a.step(300)
    b = Sandbox(seed=5)
    b.load(name)
    b.step(300)
    assert a.scenario == b.scenario == name
    assert _same(_arrays(a), _arrays(b))
    c = Sandbox(scenario=name, seed=6)
    c.step(300)
    assert not _same(_arrays(a), _arrays(c))
    # the initial book: best bid 100.00, a one-tick spread, ten levels on each side
    book = a.history.book
    assert book.bid_px[0, 0] == pytest.approx(100.00) and book.ask_px[0, 0] == pytest.approx(100.01)
    assert np.isfinite(book.bid_px[0]).all() and np.isfinite(book.ask_px[0]).all()


def test_load_with_a_seed_and_reset():
    sb = Sandbox(scenario="balanced", seed=1)
    sb.load("spoof_layering", seed=9)
    assert sb.scenario == "spoof_layering" and sb.seed == 9
    ref = Sandbox(scenario="spoof_layering", seed=9)
    sb.step(100)
    ref.step(100)
    assert _same(_arrays(sb), _arrays(ref))
    assert "spoof" in sb.history.events["text"].str.cat(sep=" ")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_buy_pressure_leans_to_buying(seed):
    sb = Sandbox(scenario="buy_pressure", seed=seed)
    book0 = sb.history.book
    assert np.nansum(book0.bid_sz[0]) > 1.5 * np.nansum(book0.ask_sz[0])  # bid-heavy start
    sb.step(1000)
    book = sb.history.book
    ev = sb.history.events
    mkt = ev[ev["kind"] == "flow_market"]
    assert (mkt["side"] == "buy").mean() > 0.55
    assert np.nanmean(metrics.depth_imbalance(book)) > 0.1
    assert metrics.mid(book)[-1] > metrics.mid(book)[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_liquidity_withdrawal_thins_depth_and_widens_spread(seed):
    sb = Sandbox(scenario="liquidity_withdrawal", seed=seed)
    sb.step(800)
    book = sb.history.book
    depth = metrics.depth(book, levels=5)
    spread = metrics.spread(book)
    assert depth[-100:].mean() < 0.5 * depth[:100].mean()
    assert np.nanmean(spread[-100:]) > 1.5 * np.nanmean(spread[:100])


@pytest.mark.parametrize("seed", [0, 3])
def test_large_sweep_pays_slippage_and_moves_the_mid(seed):
    sb = Sandbox(scenario="large_sweep", seed=seed)
    assert sb.reference_size == 2000.0
    touch = sb.history.book.ask_px[-1, 0]
    ex = sb.market("buy", 2000)
    assert ex.size == 2000.0
    assert len({f.price for f in ex}) >= 3  # walked several levels
    assert ex.slippage > 0 and ex.avg_price > touch
    assert ex.impact > 0
    assert sb.readouts.sweep_cost_buy == pytest.approx(metrics.sweep_cost(sb.history.book, 2000.0, "buy")[-1])


def test_spoof_layers_appear_then_vanish_without_trading():
    sb = Sandbox(scenario="spoof_layering", seed=2)
    sb.step(1000)
    ev = sb.history.events
    placed = ev[ev["text"] == "spoof layer placed"]
    cancelled = ev[ev["text"] == "spoof layer cancelled"]
    assert len(placed) >= 30 and len(cancelled) >= len(placed) - 3
    assert not [f for f in sb.fills() if f.owner == "spoofer"]  # cancelled before they could trade
    book = sb.history.book
    bpx, bsz = book.bid_px, book.bid_sz
    text = ev["text"].to_numpy()
    oids = ev["order_id"].to_numpy(dtype=float, na_value=np.nan)
    prices = ev["price"].to_numpy()
    placed_rows = np.flatnonzero(text == "spoof layer placed")
    for row_in in placed_rows[:9]:
        oid, price = oids[row_in], prices[row_in]
        lvl = np.flatnonzero(np.isclose(bpx[row_in], price))
        assert lvl.size == 1 and bsz[row_in, lvl[0]] >= 6000.0  # the layer shows in the book
        row_out = int(np.flatnonzero((text == "spoof layer cancelled") & (oids == oid))[0])
        assert row_out > row_in
        lvl = np.flatnonzero(np.isclose(bpx[row_out], price))
        assert lvl.size == 0 or bsz[row_out, lvl[0]] < 6000.0  # and is gone after its cancel
    # a layer moves depth imbalance, not level-1 imbalance
    r = int(placed_rows[2])  # the third layer of the first batch
    l1 = metrics.level1_imbalance(book)
    di = metrics.depth_imbalance(book, levels=5)
    assert l1[r] == l1[r - 3] and di[r] > di[r - 3] + 0.2


def test_two_venues_fragment_liquidity():
    sb = Sandbox(scenario="two_venues", seed=1)
    assert sb.venues == ("A", "B")
    sb.step(300)
    va, vb = sb.history.venues["A"], sb.history.venues["B"]
    assert len(va) == len(vb) == len(sb.history.book)
    assert np.nansum(va.bid_sz[0]) > 1.5 * np.nansum(vb.bid_sz[0])  # A deep, B thin
    # the consolidated best is the best of the two venues, its size the sum at that price
    row = -1
    best_bid = np.nanmax([va.bid_px[row, 0], vb.bid_px[row, 0]])
    size = sum(v.bid_sz[row, 0] for v in (va, vb) if v.bid_px[row, 0] == best_bid)
    assert sb.history.book.bid_px[row, 0] == best_bid and sb.history.book.bid_sz[row, 0] == size
    ev = sb.history.events
    assert set(ev.loc[ev["kind"] == "flow_limit", "venue"]) == {"A", "B"}
    cb = sb.history.consolidated
    assert cb is not None and len(cb) == len(sb.history.book)

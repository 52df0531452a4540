"""The sandbox as a whole: order flow on the user's book, reproducibility, read-outs = metrics, the
history accepted by the kit, venues, the ladder, seeding from a Book."""

from __future__ import annotations

import math

import numpy as np
import pytest

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.datasets import simulate
from obi_widgets.errors import SandboxError
from obi_widgets.metrics.frame import frame as metrics_frame
from obi_widgets.sandbox import Readouts, Sandbox
from obi_widgets.views.source import BookSource


def _arrays(sb: Sandbox) -> list:
    b, t = sb.history.book, sb.history.trades
    return [b.ts, b.bid_px, b.bid_sz, b.ask_px, b.ask_sz, t.ts, t.price, t.size, t.side]


def _same(x: list, y: list) -> bool:
    return all(a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f") for a, b in zip(x, y))


def _session(seed: int) -> Sandbox:
    sb = Sandbox(scenario="balanced", seed=seed)
    sb.place("bid", 100.00, 500)
    sb.step(150)
    sb.market("buy", 800)
    oid = sb.place("ask", 100.10, 300)
    sb.step(150)
    if sb.order(oid).status == "resting":
        sb.cancel(oid)
    sb.step(50)
    return sb


def test_same_seed_same_actions_same_history():
    a, b = _session(4), _session(4)
    assert _same(_arrays(a), _arrays(b))
    assert a.history.events.equals(b.history.events)
    assert len(a.history.book) > 350


def test_different_seed_differs():
    a, b = _session(4), _session(5)
    assert not _same(_arrays(a), _arrays(b))


def test_reset_replays_the_same_flow():
    sb = Sandbox(scenario="balanced", seed=2)
    sb.step(200)
    first = [x.copy() for x in _arrays(sb)]
    sb.place("bid", 99.95, 100)
    sb.reset()
    assert len(sb.history.book) == 1 and sb.orders().empty
    sb.step(200)
    assert _same(first, _arrays(sb))


def test_step_kinds_and_clock():
    sb = Sandbox(scenario="balanced", seed=1)
    events = sb.step(500)
    assert len(events) == 500
    kinds = {e["kind"] for e in events}
    assert kinds <= {"flow_limit", "flow_cancel", "flow_market", "flow_inside"}
    assert {"flow_limit", "flow_cancel", "flow_market"} <= kinds
    assert len(sb.history.book) == 501
    ts = sb.history.book.ts
    assert (np.diff(ts) >= 0).all() and ts[-1] > ts[0]
    # trades: one per resting order touched by the flow's market orders, signed by the aggressor
    ev = sb.history.events
    n_mkt = int((ev["kind"] == "flow_market").sum())
    assert len(sb.history.trades) >= n_mkt
    assert set(np.unique(sb.history.trades.side)) <= {-1, 1}


def test_flow_never_cancels_user_orders():
    sb = Sandbox(scenario="balanced", seed=7)
    ids = [sb.place("bid", 100.00 - 0.01 * j, 100) for j in range(5)]
    ids += [sb.place("ask", 100.01 + 0.01 * j, 100) for j in range(5)]
    sb.step(3000)
    ev = sb.history.events
    flow_cancels = ev[ev["kind"] == "flow_cancel"]
    assert len(flow_cancels) > 100
    assert (flow_cancels["owner"] == "market").all()
    filled_of = {i: 0.0 for i in ids}
    for f in sb.fills(owner="you"):
        filled_of[f.order_id] += f.size
    for i in ids:
        o = sb.order(i)
        assert o.status in ("resting", "filled")
        # whatever left the order left it through fills
        assert o.original_size - o.size == pytest.approx(filled_of[i])


def test_user_order_fills_only_when_its_queue_turn_comes():
    sb = Sandbox(scenario="balanced", seed=11)
    b = sb.history.book.bid_px[-1, 0]
    oid = sb.place("bid", b, 200)
    tick = sb._orders[oid].tick
    seen_fill = False
    for _ in range(4000):
        if sb.order(oid).status != "resting":
            break
        before = sb.order(oid).size
        ahead = [r.order_id for r in sb._engines["main"].queue("bid", tick) if r.order_id < oid]
        sb.step(1)
        if sb.order(oid).size < before:
            seen_fill = True
            # every order that was ahead in the queue was filled first (none is still resting)
            assert all(sb.order(i).status == "filled" for i in ahead)
            assert sb.history.events["kind"].iloc[-1] == "flow_market"
    assert seen_fill


def _direct_metrics(book, depth_levels: int, q: float, tick: float) -> dict:
    model = metrics.fit_microprice(
        simulate(seed=0, n_events=20_000, tick=tick, start_price=10_000 * tick).book, tick=tick
    )
    o = metrics.ofi(book)
    return dict(
        level1_imbalance=metrics.level1_imbalance(book)[-1],
        depth_imbalance=metrics.depth_imbalance(book, levels=depth_levels)[-1],
        ofi_last=o[-1],
        ofi_cumulative=np.nansum(o),
        mid=metrics.mid(book)[-1],
        weighted_mid=metrics.weighted_mid(book)[-1],
        microprice=metrics.microprice(book, model)[-1],
        spread=metrics.spread(book)[-1],
        best_bid=book.bid_px[-1, 0],
        best_ask=book.ask_px[-1, 0],
        bid_depth=metrics.depth(book, levels=depth_levels, side="bid")[-1],
        ask_depth=metrics.depth(book, levels=depth_levels, side="ask")[-1],
        sweep_cost_buy=metrics.sweep_cost(book, q, "buy")[-1],
        sweep_cost_sell=metrics.sweep_cost(book, q, "sell")[-1],
    )


def test_readouts_are_the_metrics_on_the_history_book():
    sb = Sandbox(scenario="balanced", seed=3, depth_levels=3, reference_size=700)
    sb.step(300)
    sb.place("bid", float(sb.history.book.bid_px[-1, 0]), 900)
    r = sb.readouts
    assert isinstance(r, Readouts)
    want = _direct_metrics(sb.history.book, 3, 700.0, 0.01)
    for k, v in want.items():
        got = getattr(r, k)
        assert (math.isnan(v) and math.isnan(got)) or got == pytest.approx(float(v), rel=1e-12, abs=1e-12), k
    assert r.row == len(sb.history.book) - 1 and r.ts == int(sb.history.book.ts[-1])
    assert math.isfinite(r.microprice) and r.best_bid <= r.microprice <= r.best_ask
    d = r.as_dict()
    assert d["reference_size"] == 700.0 and d["depth_levels"] == 3


def test_readouts_of_an_empty_book_are_none_in_the_dict():
    d = Sandbox().readouts.as_dict()
    assert d["mid"] is None and d["level1_imbalance"] is None and d["microprice"] is None
    assert d["bid_depth"] == 0.0 and d["ofi_cumulative"] == 0.0


def test_last_change_sentence_for_a_bid():
    sb = Sandbox(tick_size=0.01)
    sb.place("bid", 100.00, 100)
    sb.place("ask", 100.01, 300)  # level-1 imbalance (100 - 300) / 400 = -0.50
    sb.place("bid", 100.00, 500)  # (600 - 300) / 900 = 0.33
    assert sb.last_change == "your 500-lot bid at 100.00 raised level-1 imbalance from -0.50 to 0.33"
    sb.market("buy", 300)
    assert sb.last_change.startswith("your market buy of 300 filled 300 at an average 100.01 (slippage 0)")
    sb.step(3)
    assert sb.last_change.startswith("3 simulated events moved the mid")


def test_history_is_accepted_by_the_kit():
    sb = Sandbox(scenario="balanced", seed=0)
    sb.step(400)
    sb.market("sell", 1500)
    book, trades = sb.history.book, sb.history.trades
    assert isinstance(book, ow.Book) and isinstance(trades, ow.Trades)
    assert book.levels == 10 and book.tick == 0.01
    # the whole record passes the Book's full validation at once
    again = ow.Book.from_arrays(book.ts, book.bid_px, book.bid_sz, book.ask_px, book.ask_sz, validate=True)
    assert len(again) == len(book)
    src = BookSource(book, trades)
    assert src is not None
    fr = metrics_frame(book, ["mid", "level1_imbalance", "ofi"], trades=trades)
    assert len(fr) == len(book)
    assert np.array_equal(fr["ofi"].to_numpy(), metrics.ofi(book))
    # prices of the history book are on the grid
    px = book.bid_px[np.isfinite(book.bid_px)]
    assert np.allclose(np.round(px / 0.01) * 0.01, px, rtol=0, atol=1e-9)


def test_history_book_is_cached_until_the_next_event():
    sb = Sandbox(scenario="balanced", seed=0)
    b1 = sb.history.book
    assert sb.history.book is b1
    sb.step(1)
    assert sb.history.book is not b1 and len(sb.history.book) == 2


def test_two_venues_route_best_price_first_ties_by_venue_order():
    sb = Sandbox(tick_size=0.01, venues=("A", "B"))
    sb.place("bid", 99.99, 100, venue="B")
    a2 = sb.place("ask", 100.02, 100, venue="A")
    b1 = sb.place("ask", 100.01, 100, venue="B")
    a1 = sb.place("ask", 100.01, 100, venue="A")  # later than B's, but venue A comes first
    cons = sb.history.book
    assert cons.ask_px[-1, :2].tolist() == pytest.approx([100.01, 100.02])
    assert cons.ask_sz[-1, :2].tolist() == [200.0, 100.0]  # sizes summed across venues
    assert sb.history.venues["A"].ask_sz[-1, :2].tolist() == [100.0, 100.0]
    assert sb.history.venues["B"].ask_sz[-1, 0] == 100.0 and np.isnan(sb.history.venues["B"].ask_sz[-1, 1])
    ex = sb.market("buy", 250)
    assert [(f.order_id, f.venue, f.price, f.size) for f in ex] == [
        (a1, "A", 100.01, 100.0),
        (b1, "B", 100.01, 100.0),
        (a2, "A", 100.02, 50.0),
    ]
    cb = sb.history.consolidated
    assert cb is not None and len(cb) == len(sb.history.book)
    # venue-restricted market order only touches that venue
    sb.place("ask", 100.03, 100, venue="B")
    ex = sb.market("buy", 500, venue="B")
    assert {f.venue for f in ex} == {"B"} and ex.size == 100.0
    with pytest.raises(SandboxError, match=r"unknown venue 'C'; venues are 'A', 'B'"):
        sb.place("bid", 99.0, 1, venue="C")


def test_crossing_limit_on_one_venue_trades_against_the_other():
    sb = Sandbox(tick_size=0.01, venues=("A", "B"))
    b = sb.place("ask", 100.01, 100, venue="B")
    oid = sb.place("bid", 100.01, 60, venue="A")
    assert sb.order(oid).status == "filled"
    assert sb.order(b).size == 40.0


def test_ladder_fields():
    sb = Sandbox(tick_size=0.01, levels=3)
    o1 = sb.place("bid", 100.00, 100, owner="market")
    o2 = sb.place("bid", 100.00, 50)
    sb.place("bid", 99.98, 70)
    sb.place("ask", 100.02, 30, owner="market")
    lad = sb.ladder()
    G = 2 * 3 + 4
    assert lad["price"].shape == (G,)
    # mid 100.01 -> window of 10 ticks 100.06 .. 99.97, highest first
    assert lad["price"] == pytest.approx(np.round(100.06 - 0.01 * np.arange(G), 2))
    r = {round(p, 2): i for i, p in enumerate(lad["price"])}
    assert lad["bid_sz"][r[100.00]] == 150.0 and lad["own_bid_sz"][r[100.00]] == 50.0
    assert lad["bid_orders"][r[100.00]] == 2 and lad["bid_orders"][r[99.99]] == 0
    assert lad["own_bid_sz"][r[99.98]] == 70.0 and lad["ask_sz"][r[100.02]] == 30.0
    assert lad["own_ask_sz"].sum() == 0.0 and lad["ask_sz"].sum() == 30.0
    assert lad["bid_orders"].dtype == np.int32 and lad["bid_sz"].dtype == np.float64
    assert (r[100.00], "bid", [(o1, "market", 100.0), (o2, "you", 50.0)]) in lad["queues"]
    assert lad["best_bid"] == 100.00 and lad["best_ask"] == 100.02 and lad["mid"] == pytest.approx(100.01)
    assert lad["tick"] == 0.01 and "venue_bid_sz" not in lad
    assert sb.ladder(rows=5)["price"].shape == (5,)


def test_ladder_with_venues_and_empty_book():
    sb = Sandbox(tick_size=0.5, venues=("X", "Y"))
    lad = sb.ladder(rows=6)
    assert math.isnan(lad["mid"]) and lad["bid_sz"].sum() == 0.0
    sb.place("ask", 10.5, 3, venue="Y")
    sb.place("bid", 10.0, 2, venue="X")
    lad = sb.ladder(rows=6)
    assert lad["venue_bid_sz"].shape == (6, 2) and lad["venues"] == ["X", "Y"]
    r = {p: i for i, p in enumerate(lad["price"])}
    assert lad["venue_ask_sz"][r[10.5]].tolist() == [0.0, 3.0]
    assert lad["venue_bid_sz"][r[10.0]].tolist() == [2.0, 0.0]


def test_orders_frame():
    sb = Sandbox(tick_size=0.01)
    a = sb.place("bid", 99.0, 5)
    sb.place("ask", 101.0, 7, owner="teacher")
    df = sb.orders()
    assert df["order_id"].tolist() == [a] and df["price"].tolist() == [99.0] and df["size"].tolist() == [5.0]
    assert list(df.columns[:6]) == ["order_id", "side", "price", "size", "venue", "ts"]
    assert len(sb.orders(owner=None)) == 2


def test_seed_from_a_book_last_row():
    ts = np.array([0, 1])
    book = ow.Book.from_arrays(
        ts,
        [[10.0, 9.5], [10.0, 9.0]],
        [[3.0, 4.0], [5.0, 6.0]],
        [[10.5, 11.0], [11.0, 12.0]],
        [[2.0, 1.0], [7.0, 8.0]],
        meta={"tick": 0.5},
    )
    sb = Sandbox(book, levels=2)
    assert sb.tick_size == 0.5
    h = sb.history.book
    assert h.bid_px[0].tolist() == [10.0, 9.0] and h.bid_sz[0].tolist() == [5.0, 6.0]
    assert h.ask_px[0].tolist() == [11.0, 12.0] and h.ask_sz[0].tolist() == [7.0, 8.0]
    assert len(sb.orders(owner="market")) == 4
    with pytest.raises(SandboxError, match="not on the tick grid"):
        Sandbox(book, tick_size=0.3)


def test_constructor_errors():
    with pytest.raises(SandboxError, match=r"unknown scenario 'nope'; scenarios are balanced, buy_pressure"):
        Sandbox(scenario="nope")
    assert Sandbox(levels=3).depth_levels == 3  # reduced to the recorded levels
    with pytest.raises(SandboxError, match=r"depth_levels must be an integer >= 1, got 0"):
        Sandbox(depth_levels=0)
    with pytest.raises(SandboxError, match=r"seed must be a non-negative integer, got -1"):
        Sandbox(seed=-1)
    with pytest.raises(SandboxError, match=r"venues must be distinct non-empty strings"):
        Sandbox(venues=("A", "A"))
    with pytest.raises(SandboxError, match=r"n must be an integer >= 0, got 1\.5"):
        Sandbox().step(1.5)  # pyright: ignore[reportArgumentType]


def test_seed_from_a_consolidated_book_and_cancel_sentence():
    from obi_widgets.consolidation import consolidate

    ts = np.array([0])
    a = ow.Book.from_arrays(ts, [[10.0]], [[3.0]], [[10.5]], [[2.0]], meta={"tick": 0.5})
    b = ow.Book.from_arrays(ts, [[10.0]], [[4.0]], [[11.0]], [[5.0]], meta={"tick": 0.5})
    sb = Sandbox(consolidate([a, b], names=["a", "b"], levels=2), levels=2)
    h = sb.history.book
    assert h.bid_px[0].tolist()[:1] == [10.0] and h.bid_sz[0, 0] == 7.0  # 3 + 4 at 10.0
    assert h.ask_px[0].tolist() == [10.5, 11.0] and h.ask_sz[0].tolist() == [2.0, 5.0]
    oid = sb.place("bid", 10.0, 7)  # (14 - 2) / 16 = 0.75 from (7 - 2) / 9 = 0.56
    assert sb.last_change == "your 7-lot bid at 10.0 raised level-1 imbalance from 0.56 to 0.75"
    sb.cancel(oid)
    assert sb.last_change == "cancelling your 7-lot bid at 10.0 lowered level-1 imbalance from 0.75 to 0.56"
    r = sb.readouts
    assert r.level1_imbalance == pytest.approx(5 / 9) and r.ofi_cumulative == 0.0  # +7 then -7

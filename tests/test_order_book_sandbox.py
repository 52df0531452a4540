"""OrderBookSandbox (the widget): it shows the core Sandbox and forwards the browser's actions."""

from __future__ import annotations

import numpy as np
import pytest

import obi_widgets as ow
from obi_widgets.errors import ParameterError, SandboxError
from obi_widgets.views._buffers import unpack
from obi_widgets.views.order_book_sandbox import _decimals, timeline_points


@pytest.fixture
def sbx():
    w = ow.OrderBookSandbox(scenario="balanced", seed=1)
    w._sent = []
    w.send = w._sent.append  # the acks the browser would receive (no comm in a test)
    yield w
    w.close()


def frame(w):
    fields, meta = unpack(w._frame)
    return fields, meta


def msg(w, **content):
    w._on_message(w, content, [])
    return w._sent[-1]


def test_empty_book_by_default():
    w = ow.OrderBookSandbox()
    fields, meta = frame(w)
    assert w.scenario == "" and w.events == 1
    assert not fields["bid_sz"].any() and not fields["ask_sz"].any()
    assert meta["best_bid"] is None and meta["best_ask"] is None and meta["queues"] == []
    assert w.readouts["level1_imbalance"] is None
    assert [s["name"] for s in w.scenarios] == list(ow.sandbox.SCENARIOS)
    w.close()


def test_place_updates_frame_readouts_and_sentence(sbx):
    bb = sbx.readouts["best_bid"]
    qb0 = float(sbx.history.book.bid_sz[-1, 0])
    qa0 = float(sbx.history.book.ask_sz[-1, 0])
    oid = sbx.place("bid", bb, 500)
    fields, meta = frame(sbx)
    row = int(np.flatnonzero(np.isclose(fields["price"], bb))[0])
    assert fields["own_bid_sz"][row] == 500 and fields["bid_sz"][row] == qb0 + 500
    queue = next(q for r, side, q in meta["queues"] if r == row and side == "bid")
    assert queue[-1] == [oid, "you", 500.0]  # last in time priority
    # (Qb - Qa) / (Qb + Qa) by hand
    want = (qb0 + 500 - qa0) / (qb0 + 500 + qa0)
    assert sbx.readouts["level1_imbalance"] == pytest.approx(want)
    assert sbx.last_change.startswith(f"your 500-lot bid at {bb:.2f} raised level-1 imbalance")
    assert sbx.events == 2 and len(sbx.orders()) == 1


def test_browser_messages_place_cancel_market_step(sbx):
    ba = sbx.readouts["best_ask"]
    assert msg(sbx, action="place", side="ask", price=ba + 0.05, size=300, seq=1) == {"ack": 1, "ok": True}
    oid = int(sbx.orders().order_id.iloc[0])
    assert msg(sbx, action="cancel", order_id=oid, seq=2) == {"ack": 2, "ok": True}
    assert len(sbx.orders()) == 0
    ask_sizes = sbx.history.book.ask_sz[-1]
    ask_px = sbx.history.book.ask_px[-1]
    assert msg(sbx, action="market", side="buy", size=float(ask_sizes[0] + 10), seq=3)["ok"]
    ex = sbx.execution
    # the whole best ask and 10 at the next price: the average by hand
    want_avg = (ask_px[0] * ask_sizes[0] + ask_px[1] * 10) / (ask_sizes[0] + 10)
    assert ex["side"] == "buy" and ex["filled"] == ask_sizes[0] + 10 and ex["unfilled"] == 0
    assert ex["avg_price"] == pytest.approx(want_avg)
    assert ex["slippage"] == pytest.approx(want_avg - ba)
    assert sum(f[1] for f in ex["fills"]) == ask_sizes[0] + 10
    n = sbx.events
    assert msg(sbx, action="step", n=25, seq=4)["ok"]
    assert sbx.events >= n + 25 and len(sbx.history.book) == sbx.events


def test_refused_actions_answer_with_the_reason_not_a_traceback(sbx):
    out = msg(sbx, action="cancel", order_id=12345, seq=5)
    assert out["ok"] is False and "12345" in out["error"] and sbx.error == out["error"]
    out = msg(sbx, action="place", side="middle", price=100.0, size=5, seq=6)
    assert out["ok"] is False and "middle" in sbx.error
    out = msg(sbx, action="place", side="bid", price=100.003, size=5, seq=7)
    assert out["ok"] is False and "tick" in sbx.error
    out = msg(sbx, action="step", n=0, seq=8)
    assert out["ok"] is False and "steps must be at least 1" in sbx.error
    out = msg(sbx, action="launch", seq=9)
    assert out["ok"] is False and "unknown sandbox action 'launch'" in sbx.error
    assert msg(sbx, action="reset", seq=10) == {"ack": 10, "ok": True}
    assert sbx.error == ""
    n = len(sbx._sent)
    sbx._on_message(sbx, {"type": "png"}, [])  # not a sandbox message: ignored
    assert len(sbx._sent) == n


def test_load_and_reset_start_over(sbx):
    sbx.place("bid", 99.99, 100)
    sbx.load("spoof_layering")
    assert sbx.scenario == "spoof_layering" and sbx.events == 1 and len(sbx.orders()) == 0
    sbx.step(5)
    sbx.reset()
    assert sbx.events == 1 and sbx.execution == {}
    with pytest.raises(SandboxError):
        sbx.load("no_such_scenario")


def test_python_calls_equal_the_core_and_state_survives_a_new_view(sbx):
    sbx.market("sell", 700)
    sbx.step(30)
    core = ow.sandbox.Sandbox(scenario="balanced", seed=1)
    core.market("sell", 700)
    core.step(30)
    np.testing.assert_array_equal(sbx.history.book.bid_sz, core.history.book.bid_sz)
    np.testing.assert_array_equal(sbx.history.trades.price, core.history.trades.price)
    # a second display reads the same synced state (it lives in Python)
    state = sbx.get_state()
    assert state["_frame"] == sbx._frame and state["events"] == len(core.history.book)


def test_two_venues_frame_splits_sizes():
    w = ow.OrderBookSandbox(scenario="two_venues", seed=2)
    fields, meta = frame(w)
    assert meta["venues"] == ["A", "B"] and w.venues == ["A", "B"]
    np.testing.assert_allclose(fields["venue_bid_sz"].sum(axis=1), fields["bid_sz"])
    np.testing.assert_allclose(fields["venue_ask_sz"].sum(axis=1), fields["ask_sz"])
    w.place("bid", 100.0, 250, venue="B")
    assert w.orders().venue.tolist() == ["B"]
    w.close()


def test_timeline_keeps_the_last_row_of_each_bin():
    core = ow.sandbox.Sandbox(scenario="balanced", seed=3)
    core.step(99)  # 100 rows
    book = core.history.book
    pts = timeline_points(book, 8)
    # ceil((k + 1) * 100 / 8) - 1 for k = 0..7, by hand
    assert pts["row"].tolist() == [12, 24, 37, 49, 62, 74, 87, 99]
    b, a = book.bid_sz[:, 0], book.ask_sz[:, 0]
    np.testing.assert_allclose(pts["l1"], ((b - a) / (b + a))[[12, 24, 37, 49, 62, 74, 87, 99]])
    assert timeline_points(book, 500)["row"].tolist() == list(range(100))


def test_width_from_the_browser_rebins_the_timeline(sbx):
    sbx.step(300)
    sbx._width = 50
    fields, _ = unpack(sbx._timeline)
    assert fields["row"].shape == (50,) and fields["row"][-1] == sbx.events - 1


def test_bad_arguments():
    with pytest.raises(ParameterError, match="order_size"):
        ow.OrderBookSandbox(order_size=0)
    with pytest.raises(ParameterError, match="rows"):
        ow.OrderBookSandbox(rows=2)
    with pytest.raises(SandboxError):
        ow.OrderBookSandbox(scenario="nope")


def test_decimals_and_repr():
    assert [_decimals(0.01), _decimals(0.5), _decimals(5.0), _decimals(0.0025)] == [2, 1, 0, 4]
    w = ow.OrderBookSandbox(scenario="large_sweep")
    assert repr(w) == "OrderBookSandbox(scenario='large_sweep', tick_size=0.01, events=1)"
    w.close()


def test_origin_says_what_the_book_started_from():
    from obi_widgets import datasets

    sim = datasets.simulate(seed=0, n_events=50)
    w = ow.OrderBookSandbox(sim.book)
    assert w.origin.startswith("Started from the last row of simulated (seed=0)")
    fields, _ = frame(w)
    assert fields["bid_sz"].sum() == pytest.approx(np.nansum(sim.book.bid_sz[-1]))  # inside the 24-tick window
    assert ow.OrderBookSandbox().origin.startswith("An empty book")
    w.close()


def test_other_traders_orders_queue_ahead_and_are_not_yours():
    w = ow.OrderBookSandbox(tick_size=0.01)
    a = w.place("bid", 99.99, 300, owner="alice")
    mine = w.place("bid", 99.99, 200)
    fields, meta = frame(w)
    queue = next(q for _, side, q in meta["queues"] if side == "bid")
    assert queue == [[a, "alice", 300.0], [mine, "you", 200.0]]
    assert fields["own_bid_sz"].sum() == 200 and fields["bid_sz"].sum() == 500
    ex = w.market("sell", 400, owner="bob")
    assert [(f.owner, f.size) for f in ex] == [("alice", 300.0), ("you", 100.0)]  # time priority
    assert w.orders()["size"].tolist() == [100.0]
    w.close()

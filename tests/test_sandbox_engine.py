"""Matching in the sandbox: price-time priority, partial fills, sweeps, marketable limits, cancels, errors.

Every expected value is worked out by hand from the orders placed in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from obi_widgets.errors import SandboxError
from obi_widgets.sandbox import Execution, Fill, Order, Sandbox


def _empty() -> Sandbox:
    return Sandbox(tick_size=0.01)


def test_empty_book_has_one_empty_row():
    sb = _empty()
    book = sb.history.book
    assert len(book) == 1
    assert np.isnan(book.bid_px).all() and np.isnan(book.ask_px).all()
    assert list(sb.history.events["kind"]) == ["start"]
    assert len(sb.history.trades) == 0


def test_older_order_at_a_price_fills_first_then_partial_fill():
    sb = _empty()
    first = sb.place("ask", 100.01, 300, owner="a")
    second = sb.place("ask", 100.01, 200, owner="b")
    ex = sb.market("buy", 100)
    assert [(f.order_id, f.owner, f.price, f.size) for f in ex] == [(first, "a", 100.01, 100.0)]
    # partial fill: 200 of the first order's 300 remain, ahead of the second
    ex = sb.market("buy", 300)
    assert [(f.order_id, f.size) for f in ex] == [(first, 200.0), (second, 100.0)]
    assert sb.order(first).status == "filled" and sb.order(first).size == 0.0
    o2 = sb.order(second)
    assert (o2.status, o2.size, o2.original_size) == ("resting", 100.0, 200.0)


def test_later_better_price_fills_before_earlier_worse_price():
    sb = _empty()
    worse = sb.place("ask", 100.02, 100)
    better = sb.place("ask", 100.01, 100)
    ex = sb.market("buy", 150)
    assert [(f.order_id, f.price, f.size) for f in ex] == [(better, 100.01, 100.0), (worse, 100.02, 50.0)]
    assert ex.avg_price == pytest.approx((100.01 * 100 + 100.02 * 50) / 150, abs=1e-12)
    # sell side: the higher bid first, whatever the order of arrival
    low = sb.place("bid", 99.98, 100)
    high = sb.place("bid", 99.99, 100)
    ex = sb.market("sell", 120)
    assert [(f.order_id, f.side, f.size) for f in ex] == [(high, "sell", 100.0), (low, "sell", 20.0)]


def _ladder_book() -> Sandbox:
    sb = _empty()
    sb.place("bid", 99.99, 100)
    sb.place("ask", 100.01, 100)
    sb.place("ask", 100.02, 200)
    sb.place("ask", 100.03, 300)
    return sb


def test_market_sweep_fills_avg_slippage_impact():
    sb = _ladder_book()
    ex = sb.market("buy", 300)
    assert isinstance(ex, Execution) and all(isinstance(f, Fill) for f in ex)
    assert [(f.price, f.size) for f in ex] == [(100.01, 100.0), (100.02, 200.0)]
    assert ex.size == 300.0 and ex.unfilled == 0.0
    avg = (100.01 * 100 + 100.02 * 200) / 300  # 100.016667
    assert ex.avg_price == pytest.approx(avg, abs=1e-12)
    assert ex.touch_before == pytest.approx(100.01)
    assert ex.mid_before == pytest.approx(100.00)
    assert ex.slippage == pytest.approx(avg - 100.01, abs=1e-12)
    assert ex.slippage_bps == pytest.approx(1e4 * (avg - 100.01) / 100.00, abs=1e-9)
    # best ask now 100.03, best bid 99.99: mid 100.01
    assert ex.mid_after == pytest.approx(100.01)
    assert ex.impact == pytest.approx(0.01, abs=1e-12)


def test_market_sweep_exhausting_the_side_leaves_unfilled():
    sb = _ladder_book()
    ex = sb.market("buy", 1000)
    assert [(f.price, f.size) for f in ex] == [(100.01, 100.0), (100.02, 200.0), (100.03, 300.0)]
    assert ex.size == 600.0 and ex.unfilled == 400.0
    assert ex.avg_price == pytest.approx((100.01 * 100 + 100.02 * 200 + 100.03 * 300) / 600, abs=1e-12)
    assert math.isnan(ex.mid_after) and math.isnan(ex.impact)  # no ask left
    assert "found no liquidity" in sb.last_change
    book = sb.history.book
    assert np.isnan(book.ask_px[-1]).all() and book.bid_px[-1, 0] == pytest.approx(99.99)


def test_sell_slippage_is_positive_cost():
    sb = _empty()
    sb.place("ask", 100.05, 100)
    sb.place("bid", 100.00, 100)
    sb.place("bid", 99.98, 100)
    ex = sb.market("sell", 200)
    assert ex.avg_price == pytest.approx(99.99)
    assert ex.touch_before == pytest.approx(100.00)
    assert ex.slippage == pytest.approx(0.01, abs=1e-12)  # touch - avg
    assert ex.mid_before == pytest.approx(100.025)


def test_market_on_empty_side():
    sb = _empty()
    ex = sb.market("buy", 10)
    assert len(ex) == 0 and ex.size == 0.0 and ex.unfilled == 10.0 and math.isnan(ex.avg_price)


def test_marketable_limit_executes_then_rests():
    sb = _ladder_book()
    oid = sb.place("bid", 100.02, 400)
    # executes 100 at 100.01 and 200 at 100.02, the remaining 100 rests at 100.02
    o = sb.order(oid)
    assert (o.status, o.size, o.original_size, o.price) == ("resting", 100.0, 400.0, 100.02)
    book = sb.history.book
    assert book.bid_px[-1, 0] == pytest.approx(100.02) and book.bid_sz[-1, 0] == 100.0
    assert book.ask_px[-1, 0] == pytest.approx(100.03) and book.ask_sz[-1, 0] == 300.0
    tr = sb.history.trades
    assert tr.price.tolist() == pytest.approx([100.01, 100.02]) and tr.size.tolist() == [100.0, 200.0]
    assert tr.side.tolist() == [1, 1]
    # a fully executed limit: filled at once, cannot be cancelled
    oid2 = sb.place("ask", 99.99, 60)  # hits the 100.02 bid (better than its limit)
    assert sb.order(oid2).status == "filled"
    assert sb.history.trades.price[-1] == pytest.approx(100.02)
    assert sb.history.trades.side[-1] == -1
    with pytest.raises(SandboxError, match=rf"order {oid2} was already filled"):
        sb.cancel(oid2)


def test_limit_does_not_trade_beyond_its_price():
    sb = _ladder_book()
    oid = sb.place("bid", 100.01, 250)  # only the 100 at 100.01 is within the limit
    assert sb.order(oid).size == 150.0
    assert sb.history.book.ask_px[-1, 0] == pytest.approx(100.02)


def test_cancel_returns_remaining_and_errors():
    sb = _empty()
    a = sb.place("ask", 100.01, 300)
    sb.place("bid", 99.99, 50)
    sb.market("buy", 120)
    out = sb.cancel(a)
    assert isinstance(out, Order)
    assert (out.order_id, out.status, out.size, out.original_size) == (a, "cancelled", 180.0, 300.0)
    assert np.isnan(sb.history.book.ask_px[-1]).all()
    assert sb.history.events["kind"].iloc[-1] == "cancel"
    with pytest.raises(SandboxError, match=rf"order {a} was already cancelled"):
        sb.cancel(a)
    with pytest.raises(SandboxError, match=r"unknown order id 999: ids so far are 1\.\.2"):
        sb.cancel(999)
    with pytest.raises(SandboxError, match=r"order id must be an integer, got '1'"):
        sb.cancel("1")


def test_cancel_on_a_fresh_sandbox():
    with pytest.raises(SandboxError, match="no order has been placed yet"):
        _empty().cancel(1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("buy", 100.0, 10), r"place\(\): side must be 'bid' or 'ask', got 'buy'"),
        (("bid", 100.005, 10), r"price 100\.005 is not on the tick grid \(tick 0\.01\)"),
        (("bid", -1.0, 10), r"price must be a finite number > 0, got -1\.0"),
        (("bid", float("nan"), 10), r"price must be a finite number > 0, got nan"),
        (("bid", "100", 10), r"price must be a number, got '100'"),
        (("bid", 100.0, 0), r"size must be a finite number > 0, got 0"),
        (("bid", 100.0, -5), r"size must be a finite number > 0, got -5"),
        (("bid", 100.0, True), r"size must be a number > 0, got True"),
    ],
)
def test_place_errors(args, message):
    sb = _empty()
    with pytest.raises(SandboxError, match=message):
        sb.place(*args)
    assert len(sb.history.book) == 1  # nothing recorded


def test_market_errors():
    sb = _empty()
    with pytest.raises(SandboxError, match=r"market\(\): side must be 'buy' or 'sell', got 'bid'"):
        sb.market("bid", 10)
    with pytest.raises(SandboxError, match=r"size must be a finite number > 0, got inf"):
        sb.market("buy", float("inf"))
    with pytest.raises(SandboxError, match=r"unknown venue 'X'; venues are none"):
        sb.market("buy", 10, venue="X")


def test_price_on_grid_within_relative_tolerance():
    sb = _empty()
    oid = sb.place("bid", 0.1 + 0.2, 10)  # 0.30000000000000004: on the grid up to float noise
    assert sb.order(oid).price == pytest.approx(0.30)


def test_every_action_is_one_book_row_after_it():
    sb = _empty()
    sb.place("bid", 99.99, 100)
    sb.place("bid", 99.99, 50)
    sb.place("ask", 100.02, 70)
    sb.market("sell", 30)
    book = sb.history.book
    assert len(book) == 5
    assert book.bid_sz[:, 0].tolist()[1:] == [100.0, 150.0, 150.0, 120.0]
    assert book.ask_sz[-1, 0] == 70.0
    assert list(sb.history.events["kind"]) == ["start", "place", "place", "place", "market"]
    assert (np.diff(book.ts) > 0).all()  # each user action advances the clock

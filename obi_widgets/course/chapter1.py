"""Chapter 1 exercises: what an order book is (spread, depth, queues and price-time priority)."""

from __future__ import annotations

from ._check import Exercise

#: the simulated market of the chapter: ``datasets.simulate(seed=SEED, n_events=N_EVENTS)``
SEED = 1
N_EVENTS = 5_000
#: the row of the simulated book that exercise 1.1 asks about
ROW = 2_000


def data():
    """The chapter's simulated market (book and trades): ``datasets.simulate(seed=1, n_events=5_000)``."""
    from ..datasets import simulate

    return simulate(seed=SEED, n_events=N_EVENTS)


def queue_book():
    """The book of exercise 1.2, built by hand in a core ``Sandbox`` (tick 0.01).

    Resting orders, in the order they arrive: "alice" bids 300 at 99.99, "bob" bids 200 at 99.99,
    "you" bid 500 at 99.98, "carol" offers 400 at 100.01. Returns the sandbox before the market sell.
    """
    from ..sandbox import Sandbox

    sb = Sandbox(tick_size=0.01)
    sb.place("bid", 99.99, 300, owner="alice")
    sb.place("bid", 99.99, 200, owner="bob")
    sb.place("bid", 99.98, 500, owner="you")
    sb.place("ask", 100.01, 400, owner="carol")
    return sb


def _spread_and_depth():
    from .. import metrics

    book = data().book[ROW]
    spread_ticks = float(metrics.spread(book)[0]) / 0.01
    depth3 = float(metrics.depth(book, levels=3, side="bid")[0])
    return [spread_ticks, depth3]


def _queue_fill():
    sb = queue_book()
    ex = sb.market("sell", 600, owner="dave")
    yours = sum(f.size for f in ex if f.owner == "you")
    return [float(yours), float(ex.avg_price)]


EXERCISES = {
    "1.1": Exercise(
        "1.1",
        f"In the chapter's simulated market (`chapter1.data().book`), at row {ROW}: what is the quoted "
        "spread in ticks (tick 0.01), and how many shares rest on the first three bid levels together? "
        "Answer [spread_in_ticks, bid_depth_3_levels].",
        _spread_and_depth,
        kind="numbers",
        hint="book[2000] is a one-row Book; metrics.spread gives price units (divide by the tick); "
        "metrics.depth(row, levels=3, side='bid') sums the sizes.",
        explanation="The spread is the price of immediacy; the depth is what a seller can hit near the touch.",
    ),
    "1.2": Exercise(
        "1.2",
        "Build this book in a sandbox (tick 0.01), orders in this order: alice bids 300 at 99.99, bob bids "
        "200 at 99.99, you bid 500 at 99.98, carol offers 400 at 100.01. Then a market SELL of 600 arrives. "
        "How many of YOUR shares are filled, and what is the seller's average price? "
        "Answer [your_filled_shares, average_price].",
        _queue_fill,
        kind="numbers",
        rtol=1e-6,
        hint="Price first (99.99 before 99.98), then time inside a price level (alice, then bob).",
        explanation="Price-time priority: the whole 99.99 queue (500) goes first, then 100 of your 500 at 99.98.",
    ),
}

"""Chapter 1 of the course: what an order book is; reading a ladder, a depth chart and a heat map."""

FILENAME = "01_order_book.ipynb"
TITLE = "What an order book is"

CELLS = [
    (
        "md",
        r"""# Chapter 1 — What an order book is

In this chapter you will learn to:

- name the parts of a limit order book: bids, asks, the best quotes, the spread, the mid, the queues;
- apply **price-time priority**: who trades first when a market order arrives;
- read the three pictures of a book: the **ladder**, the **depth chart** and the **depth heat map**;
- handle the kit's `Book`: one row per event, the best levels of each side.

About 30 minutes. Run the cells from top to bottom; the two exercises at the end are checked by
`ow.course.check`.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter1""",
    ),
    (
        "md",
        r"""## 1. Orders, quotes and the spread

A **limit order** says: buy (a *bid*) or sell (an *ask*, or offer) up to a size, at a given price or
better. Limit orders that do not trade at once *rest* in the book, waiting for a counterparty. A
**market order** says: buy or sell this size now, at whatever prices the book offers; it trades
against the resting orders of the other side.

The highest bid is the **best bid** $P^b$, the lowest ask the **best ask** $P^a$. Together they are
the *touch* (or *quotes*). From them:

$$s = P^a - P^b \quad\text{(quoted spread)}, \qquad m = \frac{P^b + P^a}{2} \quad\text{(mid price)}.$$

Prices live on a grid: the **tick size** (0.01 USD for US stocks above 1 USD). The spread is at least
one tick; a book with $P^b \ge P^a$ would be *crossed* and trade at once.

All resting orders at one price form a **queue**. When a market sell arrives it trades against the
highest bid first (price priority) and, within one price, against the oldest order first (time
priority): **price-time priority**, the rule of most electronic exchanges.

Reference: Gould, Porter, Williams, McDonald, Fenn & Howison (2013), "Limit order books",
*Quantitative Finance* 13(11), 1709-1742 (a survey of the definitions used here); Harris (2003),
*Trading and Exchanges*, Oxford University Press, ch. 4-6.""",
    ),
    (
        "md",
        r"""### Build a book by hand

The sandbox is an order book you move yourself. It starts empty; `place(side, price, size)` adds a
limit order of yours and returns its id. To play the other traders, use the core sandbox behind the
widget, `sbx.sandbox`, whose `place` also takes an `owner`. Three bids and one ask from others, then
an ask of yours (a call on the widget itself redraws the view).""",
    ),
    (
        "code",
        """sbx = ow.OrderBookSandbox(tick_size=0.01)
others = sbx.sandbox                                  # the core Sandbox the widget shows
others.place("bid", 99.99, 300, owner="alice")
others.place("bid", 99.99, 200, owner="bob")          # same price as alice, but later
others.place("bid", 99.98, 500, owner="carol")
others.place("ask", 100.01, 400, owner="dave")
mine = sbx.place("ask", 100.02, 600)                  # yours (owner "you")
sbx""",
    ),
    (
        "md",
        r"""In the ladder each row is one tick; bids on the left, asks on the right, and each queue is drawn
as its orders in time priority (yours highlighted). Click a row on the bid side or the ask side to
place an order of the size in the size control; click one of your orders to cancel it.

The same state from Python: the best quotes, the spread and the mid.""",
    ),
    (
        "code",
        """r = sbx.sandbox.readouts                              # the read-outs as numbers (sbx.readouts: a dict for the view)
print(f"best bid {r.best_bid:.2f}, best ask {r.best_ask:.2f}, spread {r.spread:.2f}, mid {r.mid:.3f}")
sbx.orders(owner=None)                                # every resting order""",
    ),
    (
        "md",
        r"""### Price-time priority

You send a market **sell** of 600 shares. Before you run the next cell, predict: which orders trade,
in which order, and at what prices? (Alice's 300 at 99.99 is older than Bob's 200 at the same price.)
In the widget, the same is the "Market sell" button with 600 in the size box.""",
    ),
    (
        "code",
        """fills = sbx.market("sell", 600)
pd.DataFrame([{"owner": f.owner, "price": f.price, "size": f.size} for f in fills])""",
    ),
    (
        "code",
        """print(f"filled {fills.size:.0f}, average price {fills.avg_price:.4f}, "
      f"slippage {fills.slippage:.4f} USD per share against the best bid before ({fills.touch_before:.2f})")
print(sbx.last_change)""",
    ),
    (
        "md",
        r"""The 99.99 queue went first (Alice, then Bob: time priority), then the rest came out of Carol's
order at the next price level (price priority). The seller's average price is below the best bid it saw: a market order
larger than the best queue **walks the book**. Chapter 5 measures that cost.""",
    ),
    (
        "md",
        r"""## 2. The kit's `Book`: one row per event

A real book changes thousands of times a day. The kit stores it as a `Book`: for every event (an
order placed, cancelled or executed) one row with the prices and sizes of the first $L$ levels of each
side *after* that event: `bid_px`, `bid_sz`, `ask_px`, `ask_sz`, arrays of shape $(T, L)$, level 0 the
best. Here a simulated market (a queue-reactive model, reproducible with its seed) so that every
number below is the same on every run.""",
    ),
    (
        "code",
        """sim = chapter1.data()          # datasets.simulate(seed=1, n_events=5_000): book and trades
book, trades = sim.book, sim.trades
print(book)
print(trades)
row = book[1000]               # a one-row Book
pd.DataFrame({"bid_px": row.bid_px[0], "bid_sz": row.bid_sz[0], "ask_px": row.ask_px[0], "ask_sz": row.ask_sz[0]}).head(5)""",
    ),
    (
        "code",
        """quotes = pd.DataFrame(
    {"mid": metrics.mid(book), "spread (ticks)": metrics.spread(book) / 0.01},
    index=book.to_frame().index,
)
print("spread in ticks, share of rows:")
print(quotes["spread (ticks)"].round().value_counts(normalize=True).sort_index().round(3))""",
    ),
    (
        "md",
        r"""## 3. Three pictures of the same book

### The ladder (depth of market)

The trader's screen: one row per tick around the touch, bid sizes left, ask sizes right, the volume
traded at each price in the last 30 s in the middle. The header gives the mid, the spread and the
imbalance. Arrow Left / Right step through the events; the wheel scrolls the prices.
What to look for: where the best quotes are, how large the queues at the touch are compared with
those behind, and the gaps (empty ticks).""",
    ),
    (
        "code",
        """src = ow.BookSource(book, trades)   # one shared source: the views below move together
ladder = ow.Ladder(src, rows=21)
ladder""",
    ),
    (
        "md",
        r"""### The depth chart

The cumulative size on each side as a function of the price: at a price $p$ above the mid, the ask
curve is the total size offered between the best ask and $p$ — how much a buyer must absorb to push
the price to $p$. A steep wall means a deep book; a flat stretch, a thin one. Hover for the level,
price and cumulative size; the strip below moves through the events.""",
    ),
    (
        "code",
        """chart = ow.DepthChart(src)
chart""",
    ),
    (
        "md",
        r"""### The depth heat map

Time left to right, price bottom to top, colour = size resting at that price (brighter: more). The
line is the best bid and ask; the dots are trades (green: buyer-initiated, red: seller-initiated).
Horizontal bright bands are large resting orders ("walls"); watch whether the price stalls at them,
eats through them, or they vanish when the price comes close. Wheel zooms, drag pans, a click moves
the shared cursor: the ladder and the depth chart above follow.""",
    ),
    (
        "code",
        """heatmap = ow.DepthHeatmap(src)
heatmap""",
    ),
    (
        "code",
        """src.cursor = 2_000                  # all three views jump to row 2000
print(src.cursor_time, "best bid", book.bid_px[2000, 0], "best ask", book.ask_px[2000, 0])""",
    ),
    (
        "md",
        r"""### A real book (optional)

The first 999 events of NASDAQ AAPL on 2012-06-21, 10 levels (a LOBSTER sample), when the data
folder `../shared/data` is there. Compare the queue sizes and gaps with the simulated market.""",
    ),
    (
        "code",
        """from obi_widgets.course import chapter2

aapl, aapl_trades = chapter2.data()    # LOBSTER AAPL excerpt, or the simulated market when absent
ow.Ladder(aapl, aapl_trades, rows=21, cursor=len(aapl) - 1)""",
    ),
    (
        "md",
        r"""## Exercises

**1.1** In the chapter's simulated market (`chapter1.data().book`), at row 2000: what is the quoted
spread in ticks (tick 0.01), and how many shares rest on the first three bid levels together?
Answer `[spread_in_ticks, bid_depth_3_levels]`. (Read it off the ladder above at the cursor, then
compute it.)""",
    ),
    (
        "exercise",
        """answer_1_1 = None  # your answer here, e.g. [2, 1500]
ow.course.check("1.1", answer_1_1)""",
    ),
    (
        "solution",
        """row = book[2000]
spread_ticks = metrics.spread(row)[0] / 0.01
bid_depth_3 = metrics.depth(row, levels=3, side="bid")[0]
answer = [spread_ticks, bid_depth_3]
print(answer)
assert ow.course.check("1.1", answer).correct""",
    ),
    (
        "md",
        r"""**1.2** Build this book in a sandbox (tick 0.01), orders in this order: alice bids 300 at 99.99,
bob bids 200 at 99.99, you bid 500 at 99.98, carol offers 400 at 100.01. Then a market **sell** of
600 arrives. How many of **your** shares are filled, and what is the seller's average price?
Answer `[your_filled_shares, average_price]`. Predict first, then verify in a sandbox.""",
    ),
    (
        "exercise",
        """answer_1_2 = None  # your answer here, e.g. [0, 99.99]
ow.course.check("1.2", answer_1_2)""",
    ),
    (
        "solution",
        """from obi_widgets.sandbox import Sandbox   # the core sandbox: every order can name its owner

box = Sandbox(tick_size=0.01)
box.place("bid", 99.99, 300, owner="alice")
box.place("bid", 99.99, 200, owner="bob")
box.place("bid", 99.98, 500)                  # yours: owner "you"
box.place("ask", 100.01, 400, owner="carol")
ex = box.market("sell", 600, owner="dave")
answer = [sum(f.size for f in ex if f.owner == "you"), ex.avg_price]
print(answer)   # the 99.99 queue (500) first, then 100 of yours at 99.98
assert ow.course.check("1.2", answer).correct""",
    ),
]

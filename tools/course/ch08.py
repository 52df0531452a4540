"""Chapter 8 of the course: fragmented liquidity across venues."""

FILENAME = "08_fragmented_liquidity.ipynb"
TITLE = "Fragmented liquidity across venues"

CELLS = [
    (
        "md",
        r"""# Chapter 8 — Fragmented liquidity across venues

In this chapter you will learn to:

- build the **consolidated book** of one instrument traded on several venues;
- measure each venue's **share** of the displayed depth and the **fragmentation** of liquidity;
- read the **per-venue split** in a ladder;
- route a market order **across venues** (best price first) in the sandbox, and see where it fills.

About 25 minutes. **All data in this chapter are simulated**: the shared real data have no two
venues of one instrument. Prerequisites: chapters 1 and 5.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets.course import chapter8

history = chapter8.data()      # SIMULATED: the sandbox's "two_venues" scenario, seed 8, 3,000 events
cb = history.consolidated      # a ConsolidatedBook
print(history.venues)
print(cb)""",
    ),
    (
        "md",
        r"""## 1. One instrument, several books

A share of a large stock trades on many exchanges and trading systems at once (in the US since
Reg NMS, 2005; in Europe since MiFID, 2007). Each venue has its own limit order book. What a trader
can get is the **consolidated book**: at each time and each price, the sizes of every venue summed,

$$Q^{b}_t(p) = \sum_{v} Q^{b}_{v,t}(p), \qquad Q^{a}_t(p) = \sum_{v} Q^{a}_{v,t}(p),$$

its best bid the highest bid of any venue, its best ask the lowest ask. If one venue's bid is at or
above another's ask, the consolidated book is **crossed** (or locked): an arbitrage that real
traders remove in milliseconds. `ow.consolidate({venue: book, ...})` builds a `ConsolidatedBook`
on the union of the venues' timestamps; `cb.book` is a plain `Book` (crossed times dropped by
default) that every metric and view accepts; `cb.venue_bid_sz` / `cb.venue_ask_sz` keep the split.

The chapter's data set comes from the sandbox: one engine per venue, venue B about 40 % as deep as
A, the simulated order flow split 70/30 between them. Consolidating its two books by hand gives the
sandbox's own consolidated book:""",
    ),
    (
        "code",
        """mine = ow.consolidate(history.venues)
print(mine)
print("same best bid and ask as the sandbox's:",
      np.array_equal(mine.bid_px[:, 0], cb.bid_px[:, 0]) and np.array_equal(mine.ask_px[:, 0], cb.ask_px[:, 0]))
print(f"crossed or locked times: {cb.crossed.mean():.1%}")""",
    ),
    (
        "md",
        r"""Why not simply take two runs of the simulator with different seeds as the two venues? Try it:
their prices are not linked, so they drift apart and the "consolidated" book is crossed most of the
time. Real venues of one instrument stay in line because traders arbitrage them.""",
    ),
    (
        "code",
        """loose = chapter8.independent()   # datasets.simulate(seed=81) and (seed=82) as "venues" A and B
print(loose)
print(f"crossed or locked times: {loose.crossed.mean():.1%}; rows left in loose.book: {len(loose.book):,}")""",
    ),
    (
        "md",
        r"""## 2. Venue shares and fragmentation

Venue $v$'s share of the displayed depth in the top $L$ consolidated levels (both sides added, or
one side), and the Herfindahl-Hirschman index of the shares:

$$s_{v,t} = \frac{D_{v,t}}{\sum_u D_{u,t}}, \qquad \mathrm{HHI}_t = \sum_v s_{v,t}^2, \qquad
F_t = 1 - \mathrm{HHI}_t \in \left[0,\ 1 - \tfrac{1}{V}\right].$$

$F = 0$: one venue holds everything; $F = 1 - 1/V$: equal shares. The Fidessa fragmentation index is
$1/\mathrm{HHI}$, the "effective number of venues" (from 1 to $V$). Degryse, de Jong & van Kervel
(2015), "The impact of dark trading and visible fragmentation on market quality", *Review of
Finance* 19(4), measure visible fragmentation as $1 - \mathrm{HHI}$; O'Hara & Ye (2011), "Is market
fragmentation harming market quality?", *Journal of Financial Economics* 100(3), ask whether it
harms liquidity (they find it does not). `ow.venue_share(cb, levels=L, side=)` (T, V),
`ow.fragmentation(cb, levels=L, kind="1-hhi" | "fidessa")` (T,).""",
    ),
    (
        "code",
        """L = chapter8.LEVELS
share = pd.DataFrame(ow.venue_share(cb, levels=L), columns=cb.names, index=pd.DatetimeIndex(cb.ts))
frag = pd.DataFrame({"1 - HHI": ow.fragmentation(cb, levels=L),
                     "effective venues (Fidessa)": ow.fragmentation(cb, levels=L, kind="fidessa")},
                    index=share.index)
pd.concat([share.describe().round(3), frag.describe().round(3)], axis=1)""",
    ),
    (
        "md",
        r"""The best quote alone can tell a different story from the depth: how often does each venue have
the best price (alone or tied)?""",
    ),
    (
        "code",
        """best_bid = cb.venue_bid_sz[:, 0, :] > 0      # venue v has size at the consolidated best bid
best_ask = cb.venue_ask_sz[:, 0, :] > 0
pd.DataFrame({"at the best bid": best_bid.mean(axis=0), "at the best ask": best_ask.mean(axis=0),
              f"share of top-{L} depth": np.nanmean(ow.venue_share(cb, levels=L), axis=0)},
             index=list(cb.names)).round(3)""",
    ),
    (
        "md",
        r"""## 3. The ladder's per-venue split

A `Ladder` of a `ConsolidatedBook` shows each price's size split by venue (one colour per venue):
step through the rows with the slider and see which venue holds the queue at the touch.""",
    ),
    ("code", """ow.Ladder(cb, rows=15)"""),
    (
        "md",
        r"""## 4. Routing a market order across venues

A market buy on a fragmented market should take the **best price first, wherever it is** (US rules
forbid trading through a better displayed price on another venue: the order protection rule of
Reg NMS). The sandbox's router sweeps the consolidated book level by level; at a price offered on
both venues it fills venue A first, then B (ties by venue order). Load the scenario and look at the
ask side: each row shows A's and B's size. In the widget, send a market buy larger than venue A's
best ask (size box, then "Market buy") and read the fills panel; or from Python:""",
    ),
    (
        "code",
        """sbx = ow.OrderBookSandbox(scenario="two_venues", seed=chapter8.ROUTE_SEED)
sbx""",
    ),
    (
        "code",
        """ladder = sbx.sandbox.ladder()
asks = pd.DataFrame(ladder["venue_ask_sz"], columns=ladder["venues"], index=ladder["price"])
asks[asks.sum(axis=1) > 0].sort_index().head(6)   # the lowest asks, per venue""",
    ),
    (
        "code",
        """ex = sbx.market("buy", 600)
print(sbx.last_change)
pd.DataFrame([{"venue": f.venue, "price": f.price, "size": f.size} for f in ex])""",
    ),
    (
        "md",
        r"""Each fill names its venue: the order took the lowest ask of both venues before the next price.
The thin venue's liquidity is consumed as fast as the deep one's at each price — which is why a
trader looking at one venue only would misjudge the cost (chapter 5's sweep cost, on the
consolidated book, counts both). Press "Step" or call `sbx.step(100)` to let the flow refill the book.

## Exercises

**8.1** On the chapter's consolidated book (`history.consolidated`), what is the mean fragmentation
$1 - \mathrm{HHI}$ of the displayed depth in the top `chapter8.LEVELS` consolidated levels (both
sides), over all rows? Compare it with the maximum possible for two venues.""",
    ),
    (
        "exercise",
        """answer_8_1 = None  # your answer here
ow.course.check("8.1", answer_8_1)""",
    ),
    (
        "solution",
        """answer = np.nanmean(ow.fragmentation(history.consolidated, levels=chapter8.LEVELS))
print(f"mean 1 - HHI: {answer:.3f} (maximum for two venues: 0.5)")
assert ow.course.check("8.1", answer).correct""",
    ),
    (
        "md",
        r"""**8.2** In a fresh "two_venues" sandbox (seed `chapter8.ROUTE_SEED`), send a market buy of
`chapter8.ROUTE_SIZE` lots. How many lots fill on venue **B**? Predict it from the per-venue ask sizes
first (the table in section 4 shows them before any order), then verify.""",
    ),
    (
        "exercise",
        """answer_8_2 = None  # your answer here
ow.course.check("8.2", answer_8_2)""",
    ),
    (
        "solution",
        """fresh = ow.OrderBookSandbox(scenario="two_venues", seed=chapter8.ROUTE_SEED)
fills = fresh.market("buy", chapter8.ROUTE_SIZE)
answer = sum(f.size for f in fills if f.venue == "B")
print(f"filled on B: {answer:,.0f} of {fills.size:,.0f}")
assert ow.course.check("8.2", answer).correct""",
    ),
]

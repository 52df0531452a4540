"""Chapter 2 of the course: order-book imbalance at the best quotes and across depth."""

FILENAME = "02_order_book_imbalance.ipynb"
TITLE = "Order-book imbalance at the best quotes and across depth"

CELLS = [
    (
        "md",
        r"""# Chapter 2 — Order-book imbalance at the best quotes and across depth

In this chapter you will learn to:

- measure the **level-1 (queue) imbalance** between the best bid and ask queues;
- extend it **across depth**: several levels, with equal, linear or exponential weights;
- measure it within a **price band** around the mid, and **through each level** (the depth profile);
- move the imbalance by hand in the sandbox and read it on a gauge and a timeline.

About 35 minutes. Prerequisite: chapter 1 (bids, asks, queues).""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter2""",
    ),
    (
        "md",
        r"""## 1. Level-1 (queue) imbalance

The intuition: when far more shares wait to buy at the best bid than to sell at the best ask, the ask
queue is likely to be eaten first and the price to tick up. With $Q^b_t, Q^a_t$ the sizes at the best
bid and ask after event $t$,

$$I_t = \frac{Q^b_t - Q^a_t}{Q^b_t + Q^a_t} \in [-1, 1]$$

$+1$: only bids at the touch; $-1$: only asks; $0$: balanced. This is the **queue imbalance** of
Gould & Bonart (2016), "Queue imbalance as a one-tick-ahead price predictor in a limit order book",
*Market Microstructure and Liquidity* 2(2). Stoikov (2018), "The micro-price: a high-frequency
estimator of future prices", *Quantitative Finance* 18(12), uses the ratio form
$Q^b/(Q^b+Q^a) \in [0, 1]$ (`form="ratio"` in the kit; it equals $(1 + I)/2$).

The kit: `metrics.level1_imbalance(book, form="diff")`, one value per row, NaN when a side is empty.""",
    ),
    (
        "md",
        r"""### Move it by hand

A balanced book from the sandbox's presets. Run the cell, then read the read-outs: level-1 imbalance,
depth imbalance (5 levels), weighted mid and microprice against the mid.""",
    ),
    (
        "code",
        """sbx = ow.OrderBookSandbox(scenario="balanced", seed=1)
sbx""",
    ),
    (
        "code",
        """r = sbx.sandbox.readouts   # numbers (sbx.readouts holds the same as a dict, for the view)
print(f"best bid {r.best_bid:.2f}  best ask {r.best_ask:.2f}")
print(f"level-1 imbalance {r.level1_imbalance:+.3f}, depth imbalance (5 levels) {r.depth_imbalance:+.3f}")""",
    ),
    (
        "md",
        r"""Predict, then run: a 500-share bid **at the best bid** joins the bid queue: $Q^b$ grows, $I$ rises.""",
    ),
    (
        "code",
        """at_touch = sbx.place("bid", r.best_bid, 500)
print(sbx.last_change)""",
    ),
    (
        "md",
        r"""Now the same 500 shares **four ticks below** the best bid: the touch does not see them, so the
level-1 imbalance does not move, but the depth imbalance over 5 levels does. In the ladder, click a
bid row yourself (size from the size control) and watch both read-outs.""",
    ),
    (
        "code",
        """sbx.cancel(at_touch)
deep = sbx.place("bid", round(r.best_bid - 4 * sbx.tick_size, 2), 500)
print(sbx.last_change)
r2 = sbx.sandbox.readouts
print(f"level-1 {r2.level1_imbalance:+.3f} (was {r.level1_imbalance:+.3f}); depth {r2.depth_imbalance:+.3f} (was {r.depth_imbalance:+.3f})")""",
    ),
    (
        "md",
        r"""## 2. Depth imbalance, with weights

The touch is only part of the book. Summing over the first $L$ levels, each level $i$ (0 = best) with
a weight $w_i$,

$$I^{(L)}_t = \frac{\sum_{i<L} w_i Q^b_{t,i} - \sum_{i<L} w_i Q^a_{t,i}}{\sum_{i<L} w_i Q^b_{t,i} + \sum_{i<L} w_i Q^a_{t,i}}$$

the depth imbalance studied by Cao, Hansch & Wang (2009), "The information content of an open
limit-order book", *Journal of Futures Markets* 29(1), 16-41 (they find that the book beyond the
touch carries about a fifth of the price discovery), and Cartea, Jaimungal & Penalva (2015),
*Algorithmic and High-Frequency Trading*, ch. 4. Weights in the kit (`metrics.level_weights`):
`None` equal ($w_i = 1$), `"linear"` ($w_i = 1/(i+1)$), `"exp"` ($w_i = e^{-\text{decay}\cdot i}$).
Far levels are more often cancelled before the price gets there, so decaying weights trust them less.
$L = 1$ gives back the level-1 imbalance.

The data: the first 999 events of NASDAQ AAPL on 2012-06-21, 10 levels (LOBSTER sample), when
`../shared/data` has it; `chapter2.data()` says so in one line and uses the simulator otherwise.""",
    ),
    (
        "code",
        """book, trades = chapter2.data()
print(book)
imb = pd.DataFrame(
    {
        "level 1": metrics.level1_imbalance(book),
        "5 levels": metrics.depth_imbalance(book, levels=5),
        "10 levels": metrics.depth_imbalance(book, levels=10),
        "10 levels, linear": metrics.depth_imbalance(book, levels=10, weights="linear"),
        "10 levels, exp(0.5)": metrics.depth_imbalance(book, levels=10, weights="exp", decay=0.5),
    },
    index=book.to_frame().index,
)
imb.describe().round(3)""",
    ),
    (
        "md",
        r"""How similar are they? The correlation matrix: the level-1 imbalance and the deep equal-weight
imbalance are different signals; the weighted ones sit in between.""",
    ),
    ("code", """imb.corr().round(2)"""),
    (
        "md",
        r"""## 3. Imbalance within a price band

A fixed number of levels covers a different price distance in a book with many empty ticks than in a
dense one. The **band imbalance** sums what rests within $\delta$ = `bps`/10⁴ of the mid $m_t$:

$$B_t = \sum_{i:\,P^b_{t,i} \ge m_t(1-\delta)} Q^b_{t,i}, \qquad A_t = \sum_{i:\,P^a_{t,i} \le m_t(1+\delta)} Q^a_{t,i}, \qquad \frac{B_t - A_t}{B_t + A_t}$$

the depth imbalance of Cao, Hansch & Wang (2009) over a price band instead of a number of levels
(the "depth within x bps" of liquidity reports). When the deepest visible level is still inside the
band, the book may hide more volume there: the kit returns NaN (`truncated="nan"`) or uses what it
sees (`truncated="keep"`).""",
    ),
    (
        "code",
        """bands = pd.DataFrame({f"{b} bps": metrics.band_imbalance(book, bps=b) for b in (2, 5, 10, 20)}, index=imb.index)
kept = pd.DataFrame({f"{b} bps": metrics.band_imbalance(book, bps=b, truncated="keep") for b in (2, 5, 10, 20)})
print("share of rows defined:                 ", bands.notna().mean().round(3).to_dict())
print("share of rows defined, truncated='keep':", kept.notna().mean().round(3).to_dict())
bands.describe().round(3)""",
    ),
    (
        "md",
        r"""Two reasons for a NaN, at the two ends. A **narrow** band can hold nothing at all: when the
spread is wider than the band, neither best quote lies inside it (both sums are 0). A **wide** band
can reach past the tenth visible level: the book may hide more size there (`truncated="nan"`);
`truncated="keep"` uses the visible size as a lower bound. Choose the band from the spread and the
depth of the book you study.""",
    ),
    (
        "md",
        r"""## 4. Imbalance through each level: the depth profile

`metrics.cumulative_depth_imbalance(book)` gives, for every row and every $k$, the imbalance of the
first $k$ levels (equal weights): $I_{t,k} = (D^b_{t,k} - D^a_{t,k})/(D^b_{t,k} + D^a_{t,k})$ with
$D^s_{t,k}$ the cumulative depth of side $s$ through level $k$ — what the depth chart shows when you
hover a level. Column $k-1$ equals `depth_imbalance(book, levels=k)`.""",
    ),
    (
        "code",
        """profile = metrics.cumulative_depth_imbalance(book)
last = pd.DataFrame(
    {"bid depth": metrics.cumulative_depth(book, "bid")[-1], "ask depth": metrics.cumulative_depth(book, "ask")[-1],
     "imbalance through level": profile[-1]},
    index=pd.RangeIndex(1, book.levels + 1, name="level"),
)
print("equals depth_imbalance(levels=5):", np.isclose(profile[-1, 4], metrics.depth_imbalance(book[-1], levels=5)[0]))
last.round(3)""",
    ),
    (
        "code",
        """src = ow.BookSource(book, trades)
depth_chart = ow.DepthChart(src, cursor=len(book) - 1)
depth_chart""",
    ),
    (
        "md",
        r"""## 5. Watching imbalance: gauge and timeline

The **gauge** shows one imbalance at the shared cursor: the needle, the range over the last 30 s
(the band) and a sparkline of the recent rows. The **timeline** shows the mid on top and one panel per
imbalance on the same time axis: drag to brush a span, double-click to zoom. Move the cursor in the
timeline or the depth chart and the gauges follow. Watch how much faster the level-1 imbalance jumps
than the depth imbalance: one order at the touch can flip it.""",
    ),
    (
        "code",
        """import ipywidgets as widgets

gauges = widgets.HBox(
    [
        ow.ImbalanceGauge(src, metric="level1_imbalance", title="level 1"),
        ow.ImbalanceGauge(src, metric="depth_imbalance", levels=5, title="5 levels"),
    ]
)
gauges""",
    ),
    (
        "code",
        """timeline = ow.ImbalanceTimeline(
    src,
    series={
        "level 1": "level1_imbalance",
        "5 levels": "depth_imbalance",
        "10 levels, exp(0.5)": imb["10 levels, exp(0.5)"].to_numpy(),
        "band 5 bps": bands["5 bps"].to_numpy(),
    },
)
timeline""",
    ),
    (
        "md",
        r"""## Exercises

**2.1** At row 500 of the chapter's book (`chapter2.data()[0]`), compute the depth imbalance over the
first 5 levels with equal weights, then with exponential weights (`weights="exp"`, `decay=0.5`).
Answer `[equal_weights, exp_weights]`. Before computing: which of the two do you expect closer to the
level-1 imbalance at that row, and why?""",
    ),
    (
        "exercise",
        """answer_2_1 = None  # your answer here, e.g. [0.1, 0.2]
ow.course.check("2.1", answer_2_1)""",
    ),
    (
        "solution",
        """row = book[500]
answer = [
    metrics.depth_imbalance(row, levels=5)[0],
    metrics.depth_imbalance(row, levels=5, weights="exp", decay=0.5)[0],
]
print(answer, "level 1:", metrics.level1_imbalance(row)[0])
assert ow.course.check("2.1", answer).correct""",
    ),
    (
        "md",
        r"""**2.2** Over all rows of the chapter's book where both are defined, on what fraction of rows do
the level-1 imbalance and the 10-level (equal weights) depth imbalance have **opposite** signs (a zero
is not a sign)? Answer a fraction between 0 and 1.""",
    ),
    (
        "exercise",
        """answer_2_2 = None  # your answer here
ow.course.check("2.2", answer_2_2)""",
    ),
    (
        "solution",
        """l1 = metrics.level1_imbalance(book)
d10 = metrics.depth_imbalance(book, levels=10)
ok = np.isfinite(l1) & np.isfinite(d10)
answer = np.mean(np.sign(l1[ok]) * np.sign(d10[ok]) < 0)
print(f"opposite signs on {answer:.1%} of the rows")
assert ow.course.check("2.2", answer).correct""",
    ),
]

"""Chapter 5 of the course: liquidity imbalance (spreads, depth, slippage, market impact, Kyle's lambda)."""

FILENAME = "05_liquidity_imbalance.ipynb"
TITLE = "Liquidity imbalance: spreads, depth, slippage and market impact"

CELLS = [
    (
        "md",
        r"""# Chapter 5 — Liquidity imbalance: spreads, depth, slippage and market impact

In this chapter you will learn to:

- measure the **spread** (quoted and relative) and the **depth** of each side;
- compute what a market order of a given size costs: the **sweep cost** and the **slippage curve**;
- see **liquidity imbalance**: one side of the book cheaper to trade against than the other;
- send large market orders in the sandbox and read fills, slippage and **market impact**;
- estimate price impact from trades: **Kyle's lambda** and **Amihud's illiquidity**.

About 40 minutes. Data: the AAPL 10-level excerpt and the AMZN level-1 day (LOBSTER samples of
2012-06-21) from `../shared/data`, the simulator when absent (a line says so). Prerequisite:
chapters 1 and 2.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter5

(deep, deep_trades), (book, trades) = chapter5.data()   # AAPL 10 levels; AMZN level 1 (or simulated)
print(deep)
print(book)""",
    ),
    (
        "md",
        r"""## 1. Three dimensions of liquidity

A market is liquid when you can trade a large size, quickly, at a price close to the fair price.
Three measures from the book:

- **tightness**, the quoted spread $s_t = P^a_t - P^b_t$, or relative to the mid, $10^4\, s_t / m_t$
  in basis points: what an immediate round trip of a small order costs;
- **depth**, the size resting on the first $L$ levels, or within a band of the mid:
  $D_t = \sum_{i<L} Q_{t,i}$ (`metrics.depth(book, levels, bps, side)`);
- **resilience**, how fast the book refills after a large trade (section 4, in the sandbox).

Liquidity is **imbalanced** when the two sides differ: a thin ask side makes buying dearer than
selling. The depth imbalance of chapter 2 measures that asymmetry in shares; the sweep cost below
measures it in money. (Harris 2003, *Trading and Exchanges*, ch. 19; Kyle 1985 for tightness, depth
and resiliency.)""",
    ),
    (
        "code",
        """m = metrics.mid(book)
s = metrics.spread(book)
quotes = pd.DataFrame(
    {"spread (ticks)": s / 0.01, "spread (bps)": 1e4 * s / m,
     "bid depth": metrics.depth(book, levels=1, side="bid"), "ask depth": metrics.depth(book, levels=1, side="ask")},
    index=book.to_frame().index,
)
quotes.describe().round(2)""",
    ),
    (
        "md",
        r"""Over the day: the mean relative spread and the touch depth per half hour (`metrics.aggregate`
on the book's times). Spreads are often widest right after the open.""",
    ),
    (
        "code",
        """by_half_hour = pd.DataFrame(
    {c: metrics.aggregate(quotes[c], book.ts, "30min", how="mean") for c in quotes.columns}
)
by_half_hour.round(2)""",
    ),
    (
        "md",
        r"""## 2. The cost of walking the book

A market buy of $q$ shares lifts the asks from the best level up until it is filled; its average price
is

$$\bar P_t(q) = \frac{1}{q}\sum_i P_{t,i}\,\min\!\big(Q_{t,i},\ (q - C_{t,i-1})^+\big), \qquad C_{t,i} = \sum_{j\le i} Q_{t,j},$$

and its cost, in basis points against the mid $m_t$, is $10^4(\bar P_t - m_t)/m_t$ (a sell:
$10^4(m_t - \bar P_t)/m_t$) — the "cost of round trip" / Xetra Liquidity Measure family (Irvine, Benston
& Kandel 2000, "Liquidity beyond the inside spread"; Gomber, Schweickert & Theissen 2015). Against the
same side's best quote instead (`reference="best"`) it is the impact beyond the touch, without the
half-spread. `metrics.sweep_cost(book, q, side)`; the **slippage curve** is the cost for several sizes,
`metrics.slippage_curve(book, quantities, side)`. NaN when the visible book is too thin.""",
    ),
    (
        "code",
        """sizes = [100, 500, 1_000, 2_000, 5_000]
last = deep[-1]                                      # the last row of the 10-level book
curve = pd.DataFrame(
    {"buy (bps vs mid)": metrics.slippage_curve(last, sizes, "buy")[0],
     "sell (bps vs mid)": metrics.slippage_curve(last, sizes, "sell")[0],
     "buy (USD beyond best ask)": metrics.slippage_curve(last, sizes, "buy", reference="best", unit="price")[0],
     "sell (USD beyond best bid)": metrics.slippage_curve(last, sizes, "sell", reference="best", unit="price")[0]},
    index=pd.Index(sizes, name="shares"),
)
print(f"depth on 10 levels: bid {metrics.depth(last, side='bid')[0]:,.0f}, ask {metrics.depth(last, side='ask')[0]:,.0f}")
curve.round(4)""",
    ),
    (
        "md",
        r"""The curve is convex in the size: each extra share comes from a worse level. Where the buy and
sell columns differ, liquidity is imbalanced at that moment. The depth chart shows the same thing
as a picture: the curve that rises more slowly is the side that is cheaper to trade against.""",
    ),
    ("code", """ow.DepthChart(deep, deep_trades, cursor=len(deep) - 1)"""),
    (
        "md",
        r"""### The slope of the book

Næs & Skjeltorp (2006), "Order book characteristics and the volume-volatility relation", *Journal of
Financial Markets* 9(4), summarise the whole depth profile in one number per side, the average
elasticity of (log) cumulative depth to price along the book:

$$\mathrm{BS}_t = \frac{1}{N^B}\left\{\frac{v^B_1}{|p^B_1/p_0 - 1|} + \sum_{\tau=1}^{N^B-1} \frac{v^B_{\tau+1}/v^B_\tau - 1}{|p^B_{\tau+1}/p^B_\tau - 1|}\right\}, \qquad v_\tau = \ln \textstyle\sum_{j\le\tau} Q_j$$

(likewise $\mathrm{AS}_t$ for the asks; steeper = more liquid). `metrics.book_slope(book, side=...)`.""",
    ),
    (
        "code",
        """slopes = pd.DataFrame(
    {"bid slope": metrics.book_slope(deep, side="bid"), "ask slope": metrics.book_slope(deep, side="ask"),
     "buy 1,000 (bps)": metrics.sweep_cost(deep, 1_000, "buy"), "sell 1,000 (bps)": metrics.sweep_cost(deep, 1_000, "sell")},
    index=deep.to_frame().index,
)
print("correlation of the ask slope with the cost of buying 1,000:",
      round(slopes["ask slope"].corr(slopes["buy 1,000 (bps)"]), 2))
slopes.describe().round(2)""",
    ),
    (
        "md",
        r"""## 3. A large market order by hand

The sandbox's `"large_sweep"` preset. Read its description, then send a market buy much larger than
the best ask queue. The `Execution` lists every fill; its `avg_price`, its `slippage` (average price
minus the best ask before, USD per share: a cost when > 0), `slippage_bps` (against the mid before)
and its `impact` (mid after minus mid before). In the widget: the "Market buy" button with a size.""",
    ),
    (
        "code",
        """from obi_widgets.sandbox import SCENARIOS

print(SCENARIOS["large_sweep"].description)
print("Try:", SCENARIOS["large_sweep"].suggestion)
sbx = ow.OrderBookSandbox(scenario="large_sweep", seed=5)
sbx""",
    ),
    (
        "code",
        """before = sbx.history.book[-1]                          # the book now (its 10 visible levels)
size = 1_200
print(f"best ask queue {before.ask_sz[0, 0]:,.0f}; visible ask depth {metrics.depth(before, side='ask')[0]:,.0f}")
predicted = metrics.sweep_cost(before, size, "buy", reference="best", unit="price")[0]
ex = sbx.market("buy", size)
print(f"bought {ex.size:,.0f} (unfilled {ex.unfilled:,.0f}) in {len(ex)} fills at {ex.avg_price:.4f}")
print(f"slippage {ex.slippage:.4f} USD/share (sweep_cost said {predicted:.4f}), {ex.slippage_bps:.2f} bps vs mid")
print(f"impact on the mid: {ex.impact:+.4f} USD")
pd.DataFrame([{"price": f.price, "size": f.size, "owner": f.owner} for f in ex])""",
    ),
    (
        "md",
        r"""The slippage of the fills equals the sweep cost the book promised beforehand: `sweep_cost`
is exactly this walk, done on every row of a book. (An order larger than the whole ask side would
leave no ask at all: no mid after it, so an `impact` of NaN; try `sbx.market("buy", 5_000)` later.) Now let the market react: step the simulated
order flow and watch whether the asks refill (resilience) and where the mid settles.""",
    ),
    (
        "code",
        """mid_after_trade = sbx.sandbox.readouts.mid
sbx.step(200)
r = sbx.sandbox.readouts
print(f"after 200 events: mid {r.mid:.3f} (just after the sweep {mid_after_trade:.3f}), spread {r.spread:.2f}, "
      f"bid depth {r.bid_depth:,.0f}, ask depth {r.ask_depth:,.0f}")""",
    ),
    (
        "md",
        r"""### Liquidity withdrawal

In `"liquidity_withdrawal"` the liquidity providers pull back: spreads widen, depth thins, and the
same order costs more. Step the market and follow the spread, the depth and the cost of a reference
order on the sandbox's history (a `Book` like any other). In the widget, press Run and watch the
read-outs instead.""",
    ),
    (
        "code",
        """print(SCENARIOS["liquidity_withdrawal"].description)
sbx.load("liquidity_withdrawal", seed=5)
sbx.step(600)
h = sbx.history.book
q = sbx.sandbox.readouts.reference_size
path = pd.DataFrame(
    {"spread": metrics.spread(h), "bid depth": metrics.depth(h, levels=5, side="bid"),
     "ask depth": metrics.depth(h, levels=5, side="ask"), f"buy {q:,.0f} (bps)": metrics.sweep_cost(h, q, "buy")},
)
path.rolling(50, min_periods=25).mean().iloc[59::60].round(3)   # means over the last 50 events, every 60th
# (a NaN spread or cost: a side of the book was empty, or too thin for the reference size)""",
    ),
    (
        "md",
        r"""## 4. Price impact from trades: Kyle's lambda and Amihud

Kyle (1985), "Continuous auctions and insider trading", *Econometrica* 53(6): market makers move the
price in proportion to the net order flow, $\Delta p = \lambda\, S$. Estimated as in Hasbrouck (2009),
"Trading costs and returns for U.S. equities", *Journal of Finance* 64(3), and Goyenko, Holden &
Trzcinka (2009), over time bins $n$:

$$y_n = \alpha + \lambda\, S_n + \varepsilon_n, \qquad S_n = \sum_{k \in n} s_k f_k,$$

with $s_k = \pm1$ the trade's aggressor side and $f_k$ its size (`flow="volume"`) or
$\sqrt{\text{price}\times\text{size}}$ (`"sqrt_dollar"`, Hasbrouck), and $y_n$ the mid change
(`response="mid_change"`) or its log return. LOBSTER knows the aggressor of each execution, so no
trade-signing rule is needed here.

Amihud (2002), "Illiquidity and stock returns", *Journal of Financial Markets* 5(1): the absolute
return per dollar traded, $\mathrm{ILLIQ}_n = |r_n| / \mathrm{DVol}_n$, averaged over the bins.""",
    ),
    (
        "code",
        """kyle = metrics.kyle_lambda(book, trades, "5min")
hasbrouck = metrics.kyle_lambda(book, trades, "5min", flow="sqrt_dollar", response="log_return")
print(f"Kyle's lambda (5 min, signed shares -> USD): {kyle.slope:.3g} USD per share, t = {kyle.t_stat:.1f}, "
      f"R² = {kyle.r2:.2f}, n = {kyle.n}")
print(f"  so 1,000 net shares bought move the mid by about {1_000 * kyle.slope:.3f} USD")
print(f"Hasbrouck's version (sqrt dollar flow -> log return): {hasbrouck.slope:.3g}, t = {hasbrouck.t_stat:.1f}")
illiq = metrics.amihud(trades, "30min", book=book)
print(f"Amihud illiquidity per 30 min, mean x 1e9: {1e9 * illiq.mean():.3f}")""",
    ),
    (
        "md",
        r"""## Exercises

**5.1** At the **last** row of the 10-level book (`deep`, from `chapter5.data()[0][0]`), what does it
cost, in basis points from the mid, to **buy** 1,000 shares at once by walking the book? And to
**sell** 1,000? Answer `[buy_cost_bps, sell_cost_bps]`. Which side is cheaper, and does the depth
chart agree?""",
    ),
    (
        "exercise",
        """answer_5_1 = None  # your answer here
ow.course.check("5.1", answer_5_1)""",
    ),
    (
        "solution",
        """row = deep[-1]
answer = [metrics.sweep_cost(row, 1_000, "buy")[0], metrics.sweep_cost(row, 1_000, "sell")[0]]
print(answer)
assert ow.course.check("5.1", answer).correct""",
    ),
    (
        "md",
        r"""**5.2** Estimate Kyle's lambda on the chapter's level-1 book (`book, trades`: the AMZN day, or the
simulated market when the data are absent) with **5-minute** bins, signed
volume as the order flow and the mid change (USD) as the response. Answer the slope (USD per share).
Then try 1-minute and 10-minute bins: is the estimate stable?""",
    ),
    (
        "exercise",
        """answer_5_2 = None  # your answer here
ow.course.check("5.2", answer_5_2)""",
    ),
    (
        "solution",
        """fit = metrics.kyle_lambda(book, trades, "5min", flow="volume", response="mid_change")
answer = fit.slope
print(f"lambda = {answer:.4g} USD per share")
for f in ("1min", "10min"):
    print(f, f"{metrics.kyle_lambda(book, trades, f).slope:.4g}")
assert ow.course.check("5.2", answer).correct""",
    ),
]

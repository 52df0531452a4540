"""Chapter 6 of the course: trade imbalance, trade signing and VPIN; footprint charts."""

FILENAME = "06_trade_imbalance_vpin.ipynb"
TITLE = "Trade imbalance, trade signing and VPIN"

CELLS = [
    (
        "md",
        r"""# Chapter 6 — Trade imbalance, trade signing and VPIN

In this chapter you will learn to:

- **sign** trades when the feed does not say who the aggressor was: the tick rule, Lee & Ready's
  quote rule, and bulk volume classification;
- measure the **trade imbalance** $(B - S)/(B + S)$ and the **cumulative volume delta**;
- build **equal-volume buckets** and compute **VPIN**, the "flow toxicity" of Easley, López de Prado
  & O'Hara;
- read a **footprint chart**: volume per bar and price, split into buyers and sellers.

About 35 minutes. Data: 500,000 trades of the E-mini S&P 500 future (2013-09-01 to 09-03) from
`../shared/data` — trades only, **no quotes and no aggressor side**. Where a book is needed (the
quote rule, the footprint chart) the chapter uses the kit's simulated market, whose true aggressor
sides are known. Prerequisite: chapter 2.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter6

trades = chapter6.data()      # the ES futures trades (or the simulated fallback)
sim = chapter6.simulated()    # datasets.simulate(seed=6, n_events=30_000): a book and signed trades
print(trades)
print(f"total volume {trades.size.sum():,.0f} contracts; any side known? {bool(np.any(trades.side != 0))}")""",
    ),
    (
        "md",
        r"""## 1. Who initiated the trade? The tick rule

A trade happens when an aggressive order meets a resting one; the *aggressor* is the side that
crossed the spread. Many feeds (this one) report only price and size. The **tick rule** guesses the
aggressor from prices alone: a trade above the last *different* earlier price was a buy (it lifted
the offer), below it a sell; a trade at the same price keeps the sign of the last change:

$$s_i = \operatorname{sign}(P_i - P_{j(i)}), \qquad j(i) = \max\{j < i : P_j \ne P_i\}.$$

Trades before the first price change are unknown ($s_i = 0$, or `first=`). Lee & Ready (1991),
"Inferring trade direction from intraday data", *Journal of Finance* 46(2), 733-746.
`metrics.sign_trades(trades, method="tick")` returns int8 signs $-1, 0, +1$.""",
    ),
    (
        "code",
        """tick_sign = metrics.sign_trades(trades, method="tick")
print(pd.Series(tick_sign).value_counts().rename({1: "buy", -1: "sell", 0: "unknown"}))""",
    ),
    (
        "md",
        r"""## 2. The quote rule (Lee & Ready) — needs a book

With quotes, compare the trade with the mid $m$ in force just before it: $s_i = \operatorname{sign}(P_i - m)$,
and use the tick rule only for trades exactly at the mid (Lee & Ready 1991). The ES file has no
quotes, so we test both rules on the simulated market, where the true side is known
(`sim.trades.side`). `metrics.sign_trades(trades, book, method="lee_ready")`.""",
    ),
    (
        "code",
        """true = sim.trades.side
rows = []
for name, s in [("tick rule", metrics.sign_trades(sim.trades, method="tick")),
                ("Lee-Ready", metrics.sign_trades(sim.trades, sim.book, method="lee_ready"))]:
    rows.append({"rule": name, "accuracy": np.mean(s == true), "unknown": np.mean(s == 0)})
pd.DataFrame(rows).set_index("rule").round(3)""",
    ),
    (
        "md",
        r"""The tick rule is wrong whenever a buy follows a buy at a *lower* price (a new, lower offer),
and the like; the quote rule knows where the spread was. On the simulator every trade executes at
the touch against quotes it can see, so the quote rule is exact there by construction; on real data
(hidden orders, quotes stamped late, trades inside the spread) it is not, but studies that know the
true side still find it more accurate than the tick rule (e.g. Ellis, Michaely & O'Hara 2000, *Journal
of Financial and Quantitative Analysis* 35(4)).

## 3. Bulk volume classification (BVC)

Easley, López de Prado & O'Hara (2012, *Review of Financial Studies* 25(5); and 2016, "Discerning
information from trade data", *Journal of Financial Economics* 120(2)) classify **volume**, not
trades: aggregate trades into bars (one minute here), and call a fraction
$\Phi(\Delta P_\tau / \sigma_{\Delta P})$ of each bar's volume buys, with $\Delta P_\tau$ the price
change over the bar, $\sigma_{\Delta P}$ its standard deviation and $\Phi$ the standard normal CDF:

$$V^B_\tau = V_\tau\,\Phi\!\left(\frac{\Delta P_\tau}{\sigma_{\Delta P}}\right), \qquad V^S_\tau = V_\tau - V^B_\tau .$$

A price that rose a lot in the bar says most of its volume was buying. `sign_trades(..., method="bvc")`
gives each trade the *fractional* sign $2\Phi(\cdot) - 1 \in [-1, 1]$ of its bar.""",
    ),
    (
        "code",
        """bvc_sign = metrics.sign_trades(trades, method="bvc", freq="1min")
print(f"BVC signs: min {bvc_sign.min():+.2f}, max {bvc_sign.max():+.2f}, mean {bvc_sign.mean():+.3f}")""",
    ),
    (
        "md",
        r"""## 4. Trade imbalance and cumulative volume delta

With signs, the buyer- and seller-initiated volumes $B$ and $S$ over a bin give the **trade
imbalance** (Chordia & Subrahmanyam 2004, "Order imbalance and individual stock returns", *Journal
of Financial Economics* 72(3))

$$TI = \frac{B - S}{B + S} \in [-1, 1],$$

and their running difference is the **cumulative volume delta** $\mathrm{CVD}_i = \sum_{j \le i} s_j v_j$.
`metrics.trade_imbalance(trades, freq="5min", signs=...)`, `metrics.cumulative_volume_delta(trades, signs=...)`.
Do the two classifications agree, bin by bin?""",
    ),
    (
        "code",
        """ti = pd.DataFrame({
    "tick rule": metrics.trade_imbalance(trades, freq="5min", signs=tick_sign),
    "BVC": metrics.trade_imbalance(trades, freq="5min", signs=bvc_sign),
}).dropna()
print(f"{len(ti)} five-minute bins; correlation tick rule vs BVC: {ti.corr().iloc[0, 1]:.2f}")
ti.describe().round(3)""",
    ),
    (
        "code",
        """cvd = pd.Series(metrics.cumulative_volume_delta(trades, signs=tick_sign), index=pd.DatetimeIndex(trades.ts))
price = pd.Series(trades.price, index=pd.DatetimeIndex(trades.ts))
hourly = pd.DataFrame({"last price": price.resample("1h").last(), "CVD (tick rule)": cvd.resample("1h").last()})
hourly.dropna().head(12)""",
    ),
    (
        "md",
        r"""Read the table: when the CVD climbs, buyers were the aggressors, and the price usually climbs
with it (trades move prices: chapter 4).

## 5. VPIN: flow toxicity in volume time

Easley, López de Prado & O'Hara (2012), "Flow toxicity and liquidity in a high-frequency world",
*Review of Financial Studies* 25(5), 1457-1493. Cut the trades into buckets of equal volume $V$
(a trade that crosses a boundary is split), classify each bucket's volume into $V^B_\tau + V^S_\tau = V$,
and average the absolute imbalance over the last $n$ buckets (their eq. 4):

$$\mathrm{VPIN}_k = \frac{\sum_{\tau=k-n+1}^{k} |V^B_\tau - V^S_\tau|}{n\,V} \in [0, 1].$$

The intuition: market makers lose to informed traders; when the flow is one-sided for many buckets
in a row, the flow is "toxic" and liquidity providers withdraw. Volume time speeds up when the market
is busy. The paper takes $V$ = average daily volume / 50 and $n = 50$; this sample spans only two
sessions (one of them a holiday), so the chapter uses smaller buckets (`chapter6.BUCKET_VOLUME`)
to get enough of them. `metrics.volume_buckets(trades, V, classification=...)`,
`metrics.vpin(trades, V, n, classification)`.""",
    ),
    (
        "code",
        """V, n = chapter6.BUCKET_VOLUME, chapter6.WINDOW
buckets = metrics.volume_buckets(trades, V, classification="tick")
print(f"{len(buckets)} buckets of {V:,} contracts")
buckets.head()""",
    ),
    (
        "code",
        """vp = pd.DataFrame({
    "VPIN tick rule": metrics.vpin(trades, V, n, "tick"),
    "VPIN BVC (1-min bars)": metrics.vpin(trades, V, n, "bvc", bvc_bar="1min"),
})
vp.describe().round(3)""",
    ),
    (
        "md",
        r"""Compare the two columns: the classification matters. With bulk classification a bucket that sits
inside one bar gets $|2\Phi(Z) - 1|$, whose mean is about 1/2 whatever the flow, so BVC-VPIN is only
meaningful when the bars are several times shorter than a bucket takes to fill (see the `vpin`
docstring). Where is VPIN highest? The hours below:""",
    ),
    (
        "code",
        """vp["VPIN tick rule"].resample("1h").max().dropna().sort_values(ascending=False).head(5).round(3)""",
    ),
    (
        "md",
        r"""## 6. Footprint charts

A footprint chart cuts the trades into bars (one minute here) and, inside each bar, shows per price
the volume sold by aggressors × the volume bought by aggressors. Read it:

- `delta` $= B - S$ per cell and per bar: who pushed;
- the **point of control** (POC): the price of the bar's largest volume;
- **diagonal imbalances** (the ATAS / Sierra Chart convention): buyers lifting the offer at $p$
  compared with sellers hitting the bid one row below, flagged when one is `imbalance_ratio` (3) times
  the other; three in a row stack into a zone.

`ow.FootprintChart` needs a book (it shares the cursor with the other views): it runs on the
simulated market, whose trades carry their true side. `metrics.footprint` gives the numbers, and
works on trades alone — below on the ES trades signed with the tick rule.""",
    ),
    (
        "code",
        """ow.FootprintChart(sim.book, sim.trades, bar="1min")""",
    ),
    (
        "code",
        """fp = metrics.footprint(trades, bar="1h", signs=tick_sign)
cols = ["bar_start", "price", "sell_volume", "buy_volume", "delta", "poc"]
fp[fp["bar"] == fp["bar"].iloc[len(fp) // 2]][cols]""",
    ),
    (
        "md",
        r"""## Exercises

**6.1** Sign the chapter's trades with the tick rule. What is the cumulative volume delta (buy
volume minus sell volume, in contracts) at the last trade?""",
    ),
    (
        "exercise",
        """answer_6_1 = None  # your answer here
ow.course.check("6.1", answer_6_1)""",
    ),
    (
        "solution",
        """s = metrics.sign_trades(trades, method="tick")
answer = metrics.cumulative_volume_delta(trades, signs=s)[-1]
print(f"CVD at the last trade: {answer:,.0f} contracts")
assert ow.course.check("6.1", answer).correct""",
    ),
    (
        "md",
        r"""**6.2** Compute VPIN on the chapter's trades with buckets of `chapter6.BUCKET_VOLUME` contracts,
a window of `chapter6.WINDOW` buckets and the tick rule as classification. What is its mean over the
buckets where it is defined? Before computing: do you expect it above or below the BVC version's?""",
    ),
    (
        "exercise",
        """answer_6_2 = None  # your answer here
ow.course.check("6.2", answer_6_2)""",
    ),
    (
        "solution",
        """v = metrics.vpin(trades, chapter6.BUCKET_VOLUME, chapter6.WINDOW, "tick")
answer = np.nanmean(v.to_numpy())
print(f"mean VPIN (tick rule): {answer:.3f}")
assert ow.course.check("6.2", answer).correct""",
    ),
]

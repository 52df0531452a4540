"""Chapter 4 of the course: order flow imbalance (Cont, Kukanov & Stoikov 2014) and price impact."""

FILENAME = "04_order_flow_imbalance.ipynb"
TITLE = "Order flow imbalance and price impact"

CELLS = [
    (
        "md",
        r"""# Chapter 4 — Order flow imbalance and price impact

In this chapter you will learn to:

- compute the **order flow imbalance** (OFI) of each event, $e_n$, by hand and with the kit;
- see in the sandbox what each kind of event contributes (a bid added, a bid cancelled, an ask hit);
- regress mid-price changes on OFI over time intervals, as Cont, Kukanov & Stoikov (2014) do, and read
  the slope (price impact) and the $R^2$;
- extend OFI to several levels (multi-level and integrated OFI).

About 40 minutes. Data: a day of NASDAQ AMZN, level 1 (LOBSTER sample, 2012-06-21), and the AAPL
10-level excerpt, from `../shared/data` (the simulator when absent; a line says so). Prerequisite:
chapters 1 and 2. The notebook `notebooks/ofi_price_impact.ipynb` runs the same regression as a
compact report.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter2, chapter4""",
    ),
    (
        "md",
        r"""## 1. The idea: count the pressure on each side of the touch

Chapter 2's imbalance is a *state*: how large the queues are. OFI is a *flow*: how the queues at
the best quotes **changed**. Every event that adds to the best bid, or removes from the best ask, is
buying pressure; every event that removes from the best bid, or adds to the best ask, is selling
pressure. Cont, Kukanov & Stoikov (2014), "The price impact of order book events", *Journal of
Financial Econometrics* 12(1), 47-88, define for event $n$, with $P^b_n, q^b_n$ ($P^a_n, q^a_n$) the
best bid (ask) price and size after it,

$$e_n = \mathbb{1}\{P^b_n \ge P^b_{n-1}\}\, q^b_n - \mathbb{1}\{P^b_n \le P^b_{n-1}\}\, q^b_{n-1}
      - \mathbb{1}\{P^a_n \le P^a_{n-1}\}\, q^a_n + \mathbb{1}\{P^a_n \ge P^a_{n-1}\}\, q^a_{n-1}.$$

Read it case by case (bid side; the ask side is the mirror image with the opposite sign):

| what happened at the bid | bid part of $e_n$ |
|---|---|
| price unchanged (both indicators fire) | $q^b_n - q^b_{n-1}$: the change of the queue |
| a better bid appeared (price up) | $+q^b_n$: the whole new queue |
| the best bid emptied or was cancelled away (price down) | $-q^b_{n-1}$: the whole old queue |

The OFI of an interval $k$ is the sum over its events, $\mathrm{OFI}_k = \sum_{n \in k} e_n$. The kit:
`metrics.ofi(book)` (one $e_n$ per row, row 0 gets 0) and `metrics.aggregate(e, book.ts, "10s")`.""",
    ),
    (
        "md",
        r"""## 2. Each event's contribution, by hand

A small book in the sandbox, seeded from a one-row `Book`: 300 bid at 99.99, 200 offered at 100.01
(one resting order per level, owned by "market"). Then one event at a time; after each,
`readouts.ofi_last` is $e_n$ of that event. Other traders' orders go through the core sandbox behind
the widget, `sbx.sandbox`, whose `place` takes an `owner`. Predict each value before you run the cell.""",
    ),
    (
        "code",
        """start = ow.Book(
    np.array(["2024-01-02T09:30:00"], dtype="datetime64[ns]"),
    bid_px=[[99.99]], bid_sz=[[300.0]], ask_px=[[100.01]], ask_sz=[[200.0]],
)
sbx = ow.OrderBookSandbox(start, tick_size=0.01)
maker = sbx.sandbox                       # the core sandbox behind the widget: other traders' orders
sbx""",
    ),
    (
        "code",
        """steps = []


def record(what):
    r = sbx.sandbox.readouts
    steps.append({"event": what, "best bid": r.best_bid, "best ask": r.best_ask, "e_n": r.ofi_last, "cumulative OFI": r.ofi_cumulative})


oid = sbx.place("bid", 99.99, 100)
record("a bid of 100 joins the best bid")          # + 100
sbx.cancel(oid)
record("that bid is cancelled")                    # - 100
sbx.market("buy", 50)
record("a market buy of 50 hits the ask")          # + 50: the ask queue shrank
maker.place("bid", 100.00, 200, owner="maker")
record("a better bid: 200 at 100.00")              # + 200: the whole new queue
sbx.market("sell", 200)
record("a market sell of 200 empties that bid")    # - 200: the whole old queue
pd.DataFrame(steps)""",
    ),
    (
        "md",
        r"""Buying pressure (a bid added, an ask consumed, a better bid) is positive; selling pressure (an
ask added, a bid cancelled or hit) negative. An ask added (try `maker.place("ask", 100.01, 100, owner="maker")`) would
count $-100$. A cancellation counts like a trade of the same size on the same side: OFI does not care
*why* a queue changed. Now click in the ladder above (bids, asks, market orders) and watch the OFI
read-outs: which clicks move the cumulative OFI, and which do not (an order behind the touch)?

The same numbers from the history of the sandbox, computed on its `Book` with the kit:""",
    ),
    (
        "code",
        """hist = sbx.history
print("e_n of the last five events:", metrics.ofi(hist.book)[-5:])
print("cumulative OFI:", np.nansum(metrics.ofi(hist.book)), "=", sbx.sandbox.readouts.ofi_cumulative)""",
    ),
    (
        "md",
        r"""## 3. OFI and price changes on a real day

Cont, Kukanov & Stoikov regress the mid-price change over short intervals on the OFI of the interval,

$$\Delta P_k = \alpha + \beta\, \mathrm{OFI}_k + \varepsilon_k,$$

and find, for 50 US stocks in 2010, a linear relation with an average $R^2$ around 65 % on 10-second
intervals (regressions run in half-hour windows), and a slope $\beta$ (the price impact coefficient)
inversely proportional to the depth at the touch: a thin book moves more for the same flow. Here on
the chapter's book (AMZN when the data are there): 10-second bins, the mid change in ticks.""",
    ),
    (
        "code",
        """book, trades = chapter4.data()        # LOBSTER AMZN level 1, or the simulated fallback
print(book)
e = metrics.ofi(book)
print(f"events with e_n = 0 (nothing changed at the touch): {np.mean(e == 0):.1%}")
frame = chapter4.ofi_frame(book, "10s")  # OFI_k and ΔP_k (ticks) per 10-second bin
frame.describe().round(2)""",
    ),
    (
        "md",
        r"""`chapter4.ofi_frame` is four lines: `aggregate(ofi(book), book.ts, freq)` for $\mathrm{OFI}_k$;
`aggregate(mid(book), book.ts, freq, how="last").ffill()` for the mid at the end of each bin, whose
difference divided by the tick is $\Delta P_k$ (read it with `chapter4.ofi_frame??`).""",
    ),
    (
        "code",
        """day = metrics.regress(frame["ofi"], frame["dmid"])
print(f"whole day, 10 s: ΔP = {day.intercept:+.3f} + {day.slope:.3g} × OFI (ticks per share); "
      f"t = {day.t_stat:.1f}, R² = {day.r2:.2f}, n = {day.n}")""",
    ),
    (
        "md",
        r"""As in the paper, in each half-hour window separately, with the average depth at the touch
$\bar D = \overline{(q^b + q^a)/2}$ of the window: is the slope smaller where the book is deeper?""",
    ),
    (
        "code",
        """depth_touch = pd.Series((book.bid_sz[:, 0] + book.ask_sz[:, 0]) / 2, index=book.to_frame().index)
windows = []
for start, part in frame.groupby(frame.index.floor("30min")):
    if len(part) >= 30:
        fit = metrics.regress(part["ofi"], part["dmid"])
        d = depth_touch[start : start + pd.Timedelta("30min")].mean()
        windows.append({"window": start.strftime("%H:%M"), "slope": fit.slope, "r2": fit.r2, "n": fit.n, "depth": d})
windows = pd.DataFrame(windows).set_index("window")
print(f"median R² over {len(windows)} half-hour windows: {windows['r2'].median():.2f}")
print(f"correlation of the slope with 1 / depth: {np.corrcoef(windows['slope'], 1 / windows['depth'])[0, 1]:+.2f}")
windows.round({"slope": 5, "r2": 2, "depth": 0})""",
    ),
    (
        "md",
        r"""### Seeing it

The scatter of the 10-second bins: OFI against the mid change, with the mean move per OFI bucket
and the regression line. Then the day on the timeline: the mid on top, the cumulative OFI below it —
the two curves should wander together.""",
    ),
    (
        "code",
        """ow.SignalScatter(frame["ofi"], frame["dmid"], signal_name="OFI over 10 s (shares)", move_name="mid change (ticks)")""",
    ),
    (
        "code",
        """ow.ImbalanceTimeline(book, series={"cumulative OFI": "ofi", "OFI over 10 s": frame["ofi"]})""",
    ),
    (
        "md",
        r"""## 4. Beyond the touch: multi-level and integrated OFI

Xu, Gould & Howison (2018), "Multi-level order-flow imbalance in a limit order book", *Market
Microstructure and Liquidity* 4(3-4), apply the same $e_n$ rule to the $m$-th best level of each
side, $e^m_n$ (`metrics.ofi(book, levels=M)`, shape $(T, M)$). Cont, Cucuringu & Zhang (2023),
"Cross-impact of order flow imbalance in equity markets", *Quantitative Finance* 23, combine the
levels into one **integrated OFI**: each bin's multi-level OFI divided by the average depth $Q^M_t$ of
the first $M$ levels, then weighted by the first principal component $w_1$ (fitted on a training
window only, here the first half of the bins):

$$\mathrm{ofi}^I_t = \frac{w_1^\top \mathrm{ofi}_t}{\lVert w_1 \rVert_1}.$$

`metrics.integrated_ofi(book, levels, freq=..., train=0.5)`. On the 10-level AAPL excerpt (49 s of
trading, one-second bins: a small sample, so read the numbers as an illustration):""",
    ),
    (
        "code",
        """deep, deep_trades = chapter2.data()      # LOBSTER AAPL 10 levels, or the simulated fallback
M = 5
multi = metrics.aggregate(metrics.ofi(deep, levels=M), deep.ts, "1s")
dmid_1s = metrics.aggregate(metrics.mid(deep), deep.ts, "1s", how="last").ffill().diff() / 0.01
r2 = {f"level {m + 1}": metrics.regress(multi.iloc[:, m], dmid_1s).r2 for m in range(M)}
iofi = metrics.integrated_ofi(deep, levels=M, freq="1s", train=0.5)
print(iofi)
r2["integrated"] = metrics.regress(pd.Series(iofi.values, index=multi.index), dmid_1s).r2
pd.Series(r2, name="R² of ΔP on OFI (1 s bins)").round(3)""",
    ),
    (
        "md",
        r"""The weights `iofi.weights` say how much each level counts; the first component usually puts the
most weight near the touch. With more data (a full day of 10 levels) you would also test the
integrated OFI **out of sample**: fit the weights on one day, reuse them (`weights=`) on the next.""",
    ),
    (
        "md",
        r"""## Exercises

**4.1** Before an event the best bid is 99.99 × 300 and the best ask 100.01 × 200; after it the best
bid is 100.00 × 100 and the best ask 100.01 × 500. What is this row's order flow imbalance $e_n$
(shares)? Work it out by hand from the formula, then check it with `metrics.ofi` on a two-row `Book`.""",
    ),
    (
        "exercise",
        """answer_4_1 = None  # your answer here
ow.course.check("4.1", answer_4_1)""",
    ),
    (
        "solution",
        """two = ow.Book(
    np.array(["2024-01-02T09:30:00", "2024-01-02T09:30:01"], dtype="datetime64[ns]"),
    bid_px=[[99.99], [100.00]], bid_sz=[[300.0], [100.0]],
    ask_px=[[100.01], [100.01]], ask_sz=[[200.0], [500.0]],
)
answer = metrics.ofi(two)[1]   # bid up: +100 (new queue); ask unchanged: -(500 - 200)
print(answer)
assert ow.course.check("4.1", answer).correct""",
    ),
    (
        "md",
        r"""**4.2** Repeat the regression of section 3 (mid change in ticks on OFI, whole book) with
**1-minute** intervals instead of 10 seconds. What is its $R^2$? Answer a number between 0 and 1.
Before computing: do you expect it higher or lower than at 10 seconds?""",
    ),
    (
        "exercise",
        """answer_4_2 = None  # your answer here
ow.course.check("4.2", answer_4_2)""",
    ),
    (
        "solution",
        """minute = chapter4.ofi_frame(book, "1min")
fit = metrics.regress(minute["ofi"], minute["dmid"])
answer = fit.r2
print(f"1 min: R² = {answer:.3f} (10 s: {day.r2:.3f}), n = {fit.n}")
assert ow.course.check("4.2", answer).correct""",
    ),
]

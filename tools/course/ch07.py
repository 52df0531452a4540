"""Chapter 7 of the course: the micro-price, a better fair price than the mid (Stoikov 2018)."""

FILENAME = "07_microprice.ipynb"
TITLE = "Microprice: a better fair price than the mid"

SANDBOX = """sbx = ow.OrderBookSandbox(scenario="balanced", seed=1)
r = sbx.readouts   # a dict of the read-outs (Readouts.as_dict())
print(f"best bid {r['best_bid']:.2f}  best ask {r['best_ask']:.2f}")
print(f"mid {r['mid']:.4f}  weighted mid {r['weighted_mid']:.4f}  microprice {r['microprice']:.4f}")
sbx"""

CELLS = [
    (
        "md",
        r"""# Chapter 7 — Microprice: a better fair price than the mid

In this chapter you will learn to:

- say why the **mid** is a poor fair price when the queues are unequal;
- compute the **weighted mid** and see why it over-reacts;
- fit **Stoikov's micro-price**, the expected mid after the next moves, given imbalance and spread;
- test which of the three best forecasts the **next mid**, out of sample;
- move the queues in the **sandbox** and watch the weighted mid and the micro-price respond.

About 30 minutes. Data: the kit's simulated market (a large-tick book, as in Stoikov's paper), and
the LOBSTER AMZN level-1 day when `../shared/data` is there. Prerequisites: chapters 2 and 3.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter7

train, test = chapter7.data()   # datasets.simulate(seed=7, n_events=40_000).book, first and second half
print(train)
print(test)""",
    ),
    (
        "md",
        r"""## 1. Three candidate fair prices

The **mid** $M_t = (P^b_t + P^a_t)/2$ ignores the queues: a bid of 5,000 shares against an ask of 100
gives the same mid as a balanced book. Yet chapter 3 showed the next move then is most likely **up**.

The **weighted mid** leans towards the side that is likely to be hit next:

$$W_t = \frac{P^b_t Q^a_t + P^a_t Q^b_t}{Q^a_t + Q^b_t} = P^b_t + S_t I_t, \qquad I_t = \frac{Q^b_t}{Q^b_t + Q^a_t}.$$

With $I_t$ near 1 it sits at the ask, as if the move up had already happened — too far, and it
jumps with every queue change (Stoikov calls it noisy and not a martingale).

The **micro-price** (Stoikov 2018, "The micro-price: a high-frequency estimator of future prices",
*Quantitative Finance* 18(12), 1959-1966) is the mid plus an adjustment learnt from the data:

$$P^{micro}_t = M_t + g^*(I_t, S_t), \qquad g^*(I, S) = \lim_{i \to \infty} E\left[M_{\tau_i} - M_t \mid I_t = I, S_t = S\right],$$

with $\tau_i$ the times of the successive mid moves. The state $(I, S)$ — imbalance in `n_imb`
buckets, spread in ticks — is a Markov chain; from the observed transitions Stoikov estimates
$Q$ (moves between states without a mid change), $R$ (the mid moves $K = \{-1, -\tfrac12, \tfrac12, 1\}$ ticks)
and $T$ (the state after a move), and

$$g^1 = (1 - Q)^{-1} R K, \qquad B = (1 - Q)^{-1} T, \qquad g^* = \sum_{i \ge 0} B^i g^1 .$$

The data are symmetrised (each transition also counted mirrored), so $g^*(1 - I, S) = -g^*(I, S)$.
`metrics.mid`, `metrics.weighted_mid`, `metrics.fit_microprice(book, n_imb=, n_spread=)` (a
`MicropriceModel`), `metrics.microprice(book, model)`.""",
    ),
    (
        "code",
        """model = metrics.fit_microprice(train, n_imb=chapter7.N_IMB, n_spread=chapter7.N_SPREAD)
centres = (np.arange(model.n_imb) + 0.5) / model.n_imb
g = pd.DataFrame(model.adjustment / model.tick, index=[f"spread {s} tick" for s in range(1, model.n_spread + 1)],
                 columns=[f"I≈{c:.2f}" for c in centres])
print("g*(I, S) in ticks (NaN: a state the fit could not estimate)")
g.round(3)""",
    ),
    (
        "md",
        r"""Read a row from left (ask-heavy) to right (bid-heavy): $g^*$ rises from negative to positive and
stays well inside $\pm\frac12$ tick, while the weighted mid's adjustment $W - M = S(I - \tfrac12)$ goes
all the way to $\pm\frac12$ spread. The micro-price believes the imbalance, but less than the
weighted mid does.

## 2. Which price forecasts the next mid?

Take each row of the **test** half (the model never saw it) and compare three forecasts of the mid
after the next mid change, $M_{s(t)}$ with $s(t)$ as in chapter 3 (`metrics.forward_return(book, "next")`
is $M_{s(t)} - M_t$). The root mean squared error of each: `chapter7.next_mid_errors(test, model)`.""",
    ),
    (
        "code",
        """import inspect
print(inspect.getsource(chapter7.next_mid_errors))""",
    ),
    (
        "code",
        """err = pd.Series(chapter7.next_mid_errors(test, model), name="RMSE vs next mid")
print((err / test.meta["tick"]).round(4).rename("RMSE in ticks"))""",
    ),
    (
        "md",
        r"""The smaller, the better. The mid is always at least half a tick off (the next mid differs from
it by construction). Which wins on this book? The ordering is the point of Stoikov's paper.

And in time: over a few hundred events of the test book, the kit's timeline draws the level-1
imbalance with the weighted mid and the micro-price as their distance from the mid (series
`"weighted_mid"` and `"microprice"`, the model fitted on the training half passed as
`microprice_model=`). Watch the two move with the imbalance, the micro-price by less:""",
    ),
    (
        "code",
        """window = test[:400]
ow.ImbalanceTimeline(window, series=["level1_imbalance", "weighted_mid", "microprice"], microprice_model=model)""",
    ),
    (
        "code",
        """mp = metrics.microprice(window, model)
frame = pd.DataFrame({"bid": window.bid_px[:, 0], "ask": window.ask_px[:, 0], "mid": metrics.mid(window),
                      "weighted mid": metrics.weighted_mid(window), "microprice": mp,
                      "I": metrics.level1_imbalance(window)}, index=pd.DatetimeIndex(window.ts))
frame.iloc[::40].round(4)""",
    ),
    (
        "md",
        r"""## 3. On real data: LOBSTER AMZN

Stoikov's model has states for spreads of 1 to `n_spread` ticks and mid moves of at most one tick.
That fits a **large-tick** book (spread nearly always one tick). AMZN in 2012 was a **small-tick**
stock: look at its spread in ticks below before trusting a fit on it — the rows outside the model
get no micro-price (NaN).""",
    ),
    (
        "code",
        """from obi_widgets.course import chapter3

amzn_book, _ = chapter3.amzn()   # LOBSTER AMZN level 1 (or the chapter-3 simulated fallback)
tick = 0.01
ticks = np.round(metrics.spread(amzn_book) / tick)
print("spread in ticks, quartiles:", np.nanpercentile(ticks, [25, 50, 75]))
half = len(amzn_book) // 2
amzn_model = metrics.fit_microprice(amzn_book[:half], n_imb=10, n_spread=4, tick=tick)
covered = np.isfinite(metrics.microprice(amzn_book[half:], amzn_model)).mean()
print(f"share of test rows inside the model (spread 1-4 ticks): {covered:.3f}")
print((pd.Series(chapter7.next_mid_errors(amzn_book[half:], amzn_model)) / tick).round(4).rename("RMSE in ticks"))""",
    ),
    (
        "md",
        r"""Judge the comparison with the coverage in mind: it holds only for the rows with a narrow spread,
and on a small-tick book a mid move is often several ticks, outside the model's $K$. Stoikov
illustrates the micro-price on large-tick stocks (Bank of America, Chevron) for this reason.

## 4. In the sandbox: move a queue, watch the prices

The sandbox read-outs include the mid, the weighted mid and the micro-price (a model fitted once on
a seeded simulator run with the sandbox's tick). Start from a balanced book and add size to the bid
queue: the weighted mid moves towards the ask at once, the micro-price by less. In the widget, click
a bid row to add an order of the size in the size box, click your order to cancel it, and watch the
read-outs; the cells below do the same from Python (the widget above updates).""",
    ),
    ("code", SANDBOX),
    (
        "code",
        """rows = []
for size in (0, 200, 500, 1000, 2000, 4000):
    if size:
        sbx.place("bid", r["best_bid"], size - rows[-1]["added"])
    now = sbx.readouts
    rows.append({"added": size, "level-1 imbalance": now["level1_imbalance"],
                 "weighted mid - mid": now["weighted_mid"] - now["mid"], "microprice - mid": now["microprice"] - now["mid"]})
print(sbx.last_change)
pd.DataFrame(rows).set_index("added").round(4)""",
    ),
    (
        "md",
        r"""Now try it yourself: place on the **ask** side (click an ask row, or `sbx.place("ask", r["best_ask"], 1000)`), cancel one
of your orders (`sbx.cancel(order_id)`, ids in `sbx.orders()`), or let the market act with
`sbx.step(50)` and print `sbx.readouts` again. When is the micro-price closest to the weighted mid?

## Exercises

**7.1** Fit the micro-price model on the chapter's training book (`n_imb=10`, `n_spread=2`). What is its
adjustment $g^*$ for a one-tick spread and the most bid-heavy imbalance bucket, **in ticks**? Before
computing: is it above or below the weighted mid's adjustment in that bucket?""",
    ),
    (
        "exercise",
        """answer_7_1 = None  # your answer here
ow.course.check("7.1", answer_7_1)""",
    ),
    (
        "solution",
        """m = metrics.fit_microprice(train, n_imb=10, n_spread=2)
answer = m.adjustment[0, -1] / m.tick
centre = (m.n_imb - 0.5) / m.n_imb  # the top bucket's mid-point imbalance
print(f"g*(top bucket, spread 1 tick) = {answer:+.4f} ticks; weighted mid - mid at its centre: {centre - 0.5:+.2f} ticks")
assert ow.course.check("7.1", answer).correct""",
    ),
    (
        "md",
        r"""**7.2** On the chapter's test book, with the model fitted on the training book: what is the ratio
of the micro-price's RMSE to the mid's RMSE as forecasts of the next mid (below 1: the micro-price is
the better forecast)?""",
    ),
    (
        "exercise",
        """answer_7_2 = None  # your answer here
ow.course.check("7.2", answer_7_2)""",
    ),
    (
        "solution",
        """e = chapter7.next_mid_errors(test, metrics.fit_microprice(train, n_imb=10, n_spread=2))
answer = e["microprice"] / e["mid"]
print(f"RMSE ratio microprice / mid: {answer:.4f}")
assert ow.course.check("7.2", answer).correct""",
    ),
]

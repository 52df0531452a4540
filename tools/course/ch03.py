"""Chapter 3 of the course: order imbalance and short-term direction (Gould & Bonart 2016)."""

FILENAME = "03_imbalance_and_direction.ipynb"
TITLE = "Order imbalance and short-term direction"

CELLS = [
    (
        "md",
        r"""# Chapter 3 — Order imbalance and short-term direction

In this chapter you will learn to:

- define the **next mid move** after each event, in event time and clock time;
- build an **imbalance profile**: the probability that the next move is up, per imbalance bucket;
- test the prediction with a regression and a **hit rate**, and see it in a `SignalScatter`;
- judge what such a prediction is worth (and what it is not).

About 35 minutes. Data: a full day of NASDAQ AMZN at level 1 (LOBSTER sample, 2012-06-21) when
`../shared/data` is there; otherwise the simulated market (a line says so). Prerequisite: chapter 2.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter3

book, trades = chapter3.data()    # LOBSTER AMZN level 1 (book, trades), or the simulated fallback
print(book)
print(trades)""",
    ),
    (
        "md",
        r"""## 1. The target: the next move of the mid

The mid price $m_t$ changes only now and then: most events change a queue, not a price. For each row
$t$ the kit finds the next row whose mid differs,

$$s(t) = \min\{s > t : m_s \ne m_t\}, \qquad \Delta_t = m_{s(t)} - m_t, \qquad \operatorname{sign}(\Delta_t) \in \{-1, +1\},$$

and the time until it, in events ($s(t) - t$) and in seconds. This is the one-tick-ahead target of
Gould & Bonart (2016), "Queue imbalance as a one-tick-ahead price predictor in a limit order book",
*Market Microstructure and Liquidity* 2(2), and of Cont & de Larrard (2013), "Price dynamics in a
Markovian limit order market", *SIAM J. Financial Mathematics* 4(1). `metrics.next_move(book)`.""",
    ),
    (
        "code",
        """nm = metrics.next_move(book)
imb = metrics.level1_imbalance(book)
moves = nm.to_frame()
print(f"rows {len(book):,}; rows with a next move: {np.isfinite(nm.sign).sum():,}")
print(f"share of next moves up: {np.nanmean(nm.sign > 0):.3f}")
print(f"median wait: {np.nanmedian(nm.event_time):.0f} events, {np.nanmedian(nm.clock_time_ns) / 1e9:.2f} s")
moves.head()""",
    ),
    (
        "md",
        r"""## 2. The imbalance profile

Group the rows by their level-1 imbalance $I_t$ and, in each bucket, estimate
$P(\Delta_t > 0 \mid \Delta_t \ne 0,\ I_t \in \text{bucket})$. Gould & Bonart (2016) use equal-width
buckets of $I$ (`binning="uniform"`) and find this probability rising steadily with the imbalance
for every stock they study (they fit it with a logistic regression), and the relation much stronger
for large-tick stocks, whose spread is mostly one tick, than for small-tick ones. (Look at the
spread of this book in chapter 5: which kind is it?) Check below whether this book agrees, bucket by
bucket.
The intuition: the price moves when a best queue empties; the smaller queue (relative to the other)
is the likelier to empty first. `metrics.imbalance_profile(signal, future_move, bins, binning)`.""",
    ),
    (
        "code",
        """profile = metrics.imbalance_profile(imb, nm.sign, bins=10, binning="uniform")
profile.round(3)""",
    ),
    (
        "md",
        r"""Read `p_up` from the first bucket (ask-heavy) to the last (bid-heavy). `count` shows how many
rows each bucket has: the extremes are rarer, so their estimate is noisier. (On a level-1 book the
imbalance changes with every queue update, so neighbouring rows share the same next move: the
effective sample is smaller than `count`.)""",
    ),
    (
        "md",
        r"""## 3. A regression and a hit rate

A linear probability model of the direction: $\operatorname{sign}(\Delta_t) = a + b\,I_t + e_t$
(`metrics.regress`, ordinary least squares). Its slope $b$ says how much the expected direction moves
per unit of imbalance; $P(\text{up}) = (1 + E[\operatorname{sign}])/2$ so $b/2$ is the change of the
up-probability. The t-statistic is optimistic (overlapping targets, no HAC correction).

A **hit rate** asks the practical question: predict "up" when $I_t > 0$, "down" when $I_t < 0$; how
often is that right?""",
    ),
    (
        "code",
        """fit = metrics.regress(imb, nm.sign)
print(f"sign = {fit.intercept:+.3f} + {fit.slope:.3f} * I   (t = {fit.t_stat:.1f}, R² = {fit.r2:.3f}, n = {fit.n:,})")
usable = np.isfinite(imb) & np.isfinite(nm.sign) & (imb != 0)
hit = np.mean(np.sign(imb[usable]) == nm.sign[usable])
print(f"hit rate of sign(I): {hit:.3f} over {usable.sum():,} rows")""",
    ),
    (
        "md",
        r"""Is a strong imbalance more reliable? The hit rate when $|I_t|$ is above a threshold, and how
many rows remain:""",
    ),
    (
        "code",
        """rows = []
for q in (0.0, 0.25, 0.5, 0.75):
    keep = usable & (np.abs(imb) > q)
    rows.append({"|I| above": q, "rows": int(keep.sum()), "hit rate": np.mean(np.sign(imb[keep]) == nm.sign[keep])})
pd.DataFrame(rows).set_index("|I| above").round(3)""",
    ),
    (
        "md",
        r"""## 4. Seeing it: the signal scatter

`SignalScatter` draws every pair (imbalance, next mid change) as a density, the mean move per bucket
over it, $P(\text{up})$ per bucket below, and the regression line with its slope, t and $R^2$.
`from_source` links it to the book: click a point and the ladder jumps to that event. Drag a box to
select pairs (their rows land in `scatter.selection`). The mid changes in multiples of half a tick, so the
points form horizontal stripes: it is the *balance* of up and down stripes that moves with $I$.""",
    ),
    (
        "code",
        """src = ow.BookSource(book, trades)
scatter = ow.SignalScatter.from_source(src, "level1_imbalance", horizon="next", binning="uniform")
scatter""",
    ),
    ("code", """ow.Ladder(src, rows=15)"""),
    (
        "md",
        r"""## 5. What the prediction is worth

- It is a statement in **event time** about the *next* mid change, not about returns over a fixed
  clock horizon: the wait can be long.
- A correct direction is not a profit: crossing the spread costs half a spread each way, about as
  much as one mid move (chapter 5 measures it). Queue imbalance is used to *time* orders (post or
  cross, leave or stay in a queue), less to trade on its own.
- The profile is an average over the day; it may differ between the open and the afternoon. Try it:
  `book.between("2012-06-21 09:30", "2012-06-21 10:30")`.""",
    ),
    (
        "md",
        r"""## Exercises

**3.1** On the chapter's book, among the rows whose level-1 imbalance is above 0.5 (and that have a
next mid move), what fraction see the next mid move go **up**? Answer a fraction between 0 and 1.
Compare it with the `p_up` of the top buckets of the profile.""",
    ),
    (
        "exercise",
        """answer_3_1 = None  # your answer here
ow.course.check("3.1", answer_3_1)""",
    ),
    (
        "solution",
        """keep = np.isfinite(imb) & np.isfinite(nm.sign) & (imb > 0.5)
answer = np.mean(nm.sign[keep] > 0)
print(f"P(next move up | I > 0.5) = {answer:.3f} over {keep.sum():,} rows")
assert ow.course.check("3.1", answer).correct""",
    ),
    (
        "md",
        r"""**3.2** The simplest predictor: "the next mid move goes the way of the imbalance" (up if $I > 0$,
down if $I < 0$). On the rows of the chapter's book with a non-zero level-1 imbalance and a next move,
what fraction of its calls are right (its hit rate)? Answer a fraction between 0 and 1. (Write it
yourself from `next_move` and `level1_imbalance`, without copying section 3.)""",
    ),
    (
        "exercise",
        """answer_3_2 = None  # your answer here
ow.course.check("3.2", answer_3_2)""",
    ),
    (
        "solution",
        """sign = metrics.next_move(book).sign
i1 = metrics.level1_imbalance(book)
keep = np.isfinite(i1) & np.isfinite(sign) & (i1 != 0)
answer = np.mean(np.sign(i1[keep]) == sign[keep])
print(f"hit rate {answer:.3f}")
assert ow.course.check("3.2", answer).correct""",
    ),
]

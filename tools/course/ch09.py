"""Chapter 9 of the course: replaying a real crypto session (Binance BTCUSDT) with the dashboard."""

FILENAME = "09_replay_crypto_session.ipynb"
TITLE = "Replay a real crypto session"

CELLS = [
    (
        "md",
        r"""# Chapter 9 — Replay a real crypto session

In this chapter you will learn to:

- load a raw exchange capture (Binance spot BTCUSDT) into a `Book` and `Trades`;
- replay it in the **dashboard** and know what to look at: the spread, imbalance before moves,
  sweeps, order flow imbalance;
- back what you saw with **summary statistics** from `obi_widgets.metrics`.

About 30 minutes. Data: the first six minutes (2024-08-08 23:54 to 2024-08-09 00:00 UTC) of a raw
websocket capture of Binance spot BTCUSDT in `../shared/data`; otherwise the simulated market (a line
says so). Prerequisites: chapters 1 to 4 (this chapter uses them all).""",
    ),
    (
        "md",
        r"""## 1. Loading the capture

The capture is the exchange's raw websocket stream, one message a line (`<capture time ns> <json>`):
depth diffs every 100 ms, best bid/offer updates, trades with the aggressor side, and one REST
snapshot of the book near the start. Rebuilding the book means applying the diffs to the snapshot
with Binance's sync rule (diffs older than the snapshot dropped, no gap in the update ids after it);
`ow.io.read_binance(paths, levels=)` does that, checks every row is uncrossed, and returns the book,
the trades and the flags. The JupyterLab extension recognises such files the same way
(`obi_widgets.jupyter.detect.detect(path)`): double-clicking one opens a notebook with a dashboard.

The full capture (two files, eleven minutes) takes a while to parse; the chapter reads the first file,
which holds the snapshot, and 10 levels per side (`chapter9.binance`). For the whole session pass both
files, `sorted(folder.glob("btcusdt_*.gz"))`, and e.g. `levels=100` for the deep walls.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics
from obi_widgets.course import chapter9

path = ow.course.data_file(chapter9.CAPTURE)
if path is not None:
    from obi_widgets.jupyter.detect import detect
    print(detect(path).label, "|", detect(path).notes)
book, trades = chapter9.data()   # io.read_binance([path], levels=10), or datasets.simulate(seed=0)
print(book)
print(trades)
print(book.meta)""",
    ),
    (
        "md",
        r"""## 2. The dashboard

`ow.Dashboard(book, trades)` links a depth heat map, a ladder, a depth chart and an imbalance
timeline (level-1 and depth imbalance, cumulative OFI by default) on one cursor. Press play, or drag
the cursor, and watch for:

- **the spread** — on a liquid large-tick market such as BTCUSDT (tick 0.01 USDT on a price near
  60,000) it is one tick nearly all the time; a wider spread is an event (a sweep, a withdrawal);
- **imbalance before moves** — a best queue that shrinks to almost nothing is about to go: watch the
  level-1 imbalance swing before the mid steps (chapter 3);
- **sweeps** — a market order that takes several levels at once: the heat map loses a band of
  liquidity, the trade dots sit at several prices at the same time;
- **OFI** — the cumulative order flow imbalance climbs when the bid is being built or the ask eaten,
  and the mid follows it (chapter 4).""",
    ),
    (
        "code",
        """dash = ow.Dashboard(book, trades)
dash""",
    ),
    (
        "md",
        r"""## 3. Summary statistics

What the eye saw, in numbers. First the spread, in ticks:""",
    ),
    (
        "code",
        """tick = book.meta.get("tick", 0.01)
spread_ticks = np.round(metrics.spread(book) / tick)
print(pd.Series(spread_ticks).value_counts(normalize=True).head(5).rename("share of rows").round(4))""",
    ),
    (
        "md",
        r"""**Imbalance before moves.** The level-1 imbalance $I_t = (Q^b_t - Q^a_t)/(Q^b_t + Q^a_t)$ (chapter 2)
against the direction of the next mid move (chapter 3): the profile and the hit rate of
"the next move goes the way of the imbalance".""",
    ),
    (
        "code",
        """imb = metrics.level1_imbalance(book)
nm = metrics.next_move(book)
print(metrics.imbalance_profile(imb, nm.sign, bins=5, binning="uniform").round(3))
usable = np.isfinite(imb) & np.isfinite(nm.sign) & (imb != 0)
print(f"hit rate of sign(I): {np.mean(np.sign(imb[usable]) == nm.sign[usable]):.3f} over {usable.sum():,} rows")""",
    ),
    (
        "md",
        r"""**Sweeps.** A market order that walks the book prints several trades with the same timestamp at
different prices. The largest ones, by the number of price levels taken:""",
    ),
    (
        "code",
        """tf = pd.DataFrame({"ts": trades.ts, "price": trades.price, "size": trades.size, "side": trades.side})
sweeps = tf.groupby(["ts", "side"]).agg(levels=("price", "nunique"), size=("size", "sum"),
                                         low=("price", "min"), high=("price", "max")).reset_index()
sweeps["ts"] = pd.to_datetime(sweeps["ts"])
print(f"{(sweeps['levels'] > 1).sum()} multi-level sweeps among {len(sweeps):,} aggressive orders")
sweeps.sort_values(["levels", "size"], ascending=False).head(5)""",
    ),
    (
        "md",
        r"""Move the dashboard's cursor to one of these times and look at the heat map and the ladder just
before and after.

**Trade imbalance and OFI.** Binance reports the aggressor side (`side` +1 buy, -1 sell), so no
signing rule is needed (chapter 6). Per minute, the volume trade imbalance $(B - S)/(B + S)$, the
order flow imbalance of Cont, Kukanov & Stoikov (2014) summed over the minute (in BTC), and the
change of the mid:""",
    ),
    (
        "code",
        """idx = pd.DatetimeIndex(book.ts)
minute = pd.DataFrame({
    "trade imbalance": metrics.trade_imbalance(trades, freq="1min"),
    "OFI (BTC)": pd.Series(metrics.ofi(book), index=idx).resample("1min").sum(),
    "mid change": pd.Series(metrics.mid(book), index=idx).resample("1min").last().diff(),
})
minute.round(3)""",
    ),
    (
        "md",
        r"""Do OFI and the mid change have the same sign minute by minute? With so few minutes this is an
illustration, not a test: chapter 4 did the regression on a full day.

## Exercises

**9.1** Imbalance before moves: on the chapter's book, what is the mean level-1 imbalance of the rows
whose next mid move is **up**, minus the mean level-1 imbalance of the rows whose next mid move is
**down**?""",
    ),
    (
        "exercise",
        """answer_9_1 = None  # your answer here
ow.course.check("9.1", answer_9_1)""",
    ),
    (
        "solution",
        """sign = metrics.next_move(book).sign
i1 = metrics.level1_imbalance(book)
answer = np.nanmean(i1[sign > 0]) - np.nanmean(i1[sign < 0])
print(f"mean imbalance before up moves minus before down moves: {answer:+.3f}")
assert ow.course.check("9.1", answer).correct""",
    ),
    (
        "md",
        r"""**9.2** Using the aggressor side the exchange reports, what is the volume trade imbalance
$(B - S)/(B + S)$ over **all** the chapter's trades?""",
    ),
    (
        "exercise",
        """answer_9_2 = None  # your answer here
ow.course.check("9.2", answer_9_2)""",
    ),
    (
        "solution",
        """buy = trades.size[trades.side > 0].sum()
sell = trades.size[trades.side < 0].sum()
answer = (buy - sell) / (buy + sell)
print(f"B = {buy:,.3f}, S = {sell:,.3f}, imbalance {answer:+.4f}")
assert ow.course.check("9.2", answer).correct""",
    ),
]

"""Write the notebooks of notebooks/ from the cells below (no outputs, deterministic cell ids).

Run ``uv run python tools/make_notebooks.py`` after editing the cells; the tests check that the
stored notebooks carry no outputs and nbval runs every one of them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

try:  # run as a script (python tools/make_notebooks.py) or imported as tools.make_notebooks
    from notebook_live import LIVE
except ImportError:
    from tools.notebook_live import LIVE

QUICKSTART = [
    (
        "md",
        """# obi_widgets quickstart

Order-book imbalance on a simulated market: no data file needed. `datasets.simulate` runs a
seeded queue-reactive order-book model (the same seed always gives the same market), and returns
a `Book` (prices and sizes of the best levels after every event) and the `Trades`.""",
    ),
    (
        "code",
        """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import datasets, metrics

sim = datasets.simulate(seed=0)
book, trades = sim.book, sim.trades
print(book)
print(trades)""",
    ),
    (
        "md",
        """## Imbalance at the best quotes and across depth

Level-1 imbalance (Gould & Bonart 2016): $I_t = \\dfrac{Q^b_t - Q^a_t}{Q^b_t + Q^a_t}$, with $Q^b, Q^a$ the sizes at
the best bid and ask. Depth imbalance uses the sums over the first levels, optionally weighted.""",
    ),
    (
        "code",
        """imbalances = pd.DataFrame(
    {
        "level 1": metrics.level1_imbalance(book),
        "5 levels": metrics.depth_imbalance(book, levels=5),
        "10 levels, exp weights": metrics.depth_imbalance(book, levels=10, weights="exp", decay=0.3),
    },
    index=book.to_frame().index,
)
imbalances.describe().round(3)""",
    ),
    (
        "md",
        """Does imbalance predict the next move? Group rows by the sign of the level-1 imbalance and
look at the direction of the next change of the mid price.""",
    ),
    (
        "code",
        """mid = metrics.mid(book)
changed = np.flatnonzero(np.diff(mid) != 0)        # rows just before a mid change
next_move = np.sign(np.diff(mid)[changed])
signal = np.sign(imbalances["level 1"].to_numpy()[changed])
for s, label in ((1, "bid-heavy (I > 0)"), (-1, "ask-heavy (I < 0)")):
    print(f"{label}: next mid move is up in {np.mean(next_move[signal == s] > 0):.0%} of cases")""",
    ),
    (
        "md",
        """## The depth chart

Cumulative size on each side of the mid at one row of the book. Hover the plot for price,
cumulative size and the imbalance through that level; click or drag the strip below to move
through the day (arrow keys step one event, Shift+arrow 1% of the book).""",
    ),
    (
        "code",
        """chart = ow.DepthChart(book, trades, cursor=1000)
chart""",
    ),
    (
        "md",
        """The cursor is synced both ways: move it from Python and the view follows; move it in the
view and Python sees the new value.""",
    ),
    (
        "code",
        """chart.cursor = len(book) // 2
chart.cursor, chart.cursor_time""",
    ),
    (
        "code",
        """chart.go_to(book.ts[0] + 60 * 10**9)   # the book in force one minute after the open
chart.cursor""",
    ),
    (
        "md",
        """## Everything at once: the dashboard

One call lays out linked views over one shared source of their own: the Replay bar (play, step,
scrub), the depth heat map with the trades, the ladder, the imbalance timeline, the depth chart and
a gauge. Press play: every view of the dashboard moves together (the chart above has its own
source; `ow.Dashboard(chart.source)` would link it too). The links live in the browser, so they also work in a
report exported with `obi-widgets report notebooks/quickstart.ipynb` (one HTML file that opens
offline) and in a page served by `voila notebooks/quickstart.ipynb`.""",
    ),
    (
        "code",
        """dash = ow.Dashboard(book, trades)
dash""",
    ),
]

OFI_PRICE_IMPACT = [
    (
        "md",
        """# Order flow imbalance and price impact (Cont, Kukanov & Stoikov 2014)

Cont, Kukanov & Stoikov, "The price impact of order book events", *J. Financial Econometrics* 12(1),
2014: over short intervals, mid-price changes are explained by the **order flow imbalance** (OFI) at
the best quotes, linearly, $\\Delta P_k = \\beta\\, \\mathrm{OFI}_k + \\varepsilon_k$, with $R^2$ around 65 %
for US stocks when the regression is run on 10-second intervals within half-hour windows.

$\\mathrm{OFI}_k = \\sum_{n \\in k} e_n$ sums the per-event contributions

$$e_n = \\mathbb{1}\\{P^b_n \\ge P^b_{n-1}\\} q^b_n - \\mathbb{1}\\{P^b_n \\le P^b_{n-1}\\} q^b_{n-1}
      - \\mathbb{1}\\{P^a_n \\le P^a_{n-1}\\} q^a_n + \\mathbb{1}\\{P^a_n \\ge P^a_{n-1}\\} q^a_{n-1}$$

(non-strict comparisons: an unchanged price contributes the change of its queue). Here on a real
day of NASDAQ AMZN, level 1 (LOBSTER sample, 2012-06-21).""",
    ),
    (
        "code",
        """import os
from pathlib import Path

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import metrics


def shared_data() -> Path | None:
    for candidate in (os.environ.get("OBI_DATA"), "../../shared/data", "../shared/data"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


data = shared_data()
if data is not None:
    folder = data / "lobster_AMZN_2012-06-21_level1"
    book = ow.Book.from_lobster(
        folder / "AMZN_2012-06-21_34200000_57600000_message_1.csv.gz",
        folder / "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv.gz",
    )
    tick = 0.01
else:  # no ../shared/data beside the project: the same analysis on the simulated market
    print("LOBSTER sample not found: using the simulated market instead")
    book = ow.datasets.simulate(seed=0, n_events=100_000).book
    tick = 0.01
book""",
    ),
    ("md", """OFI per event, summed over 10-second intervals; the mid-price change over each interval in ticks."""),
    (
        "code",
        """e = metrics.ofi(book)                                   # one value per event, first row 0
ofi_10s = metrics.aggregate(e, book.ts, "10s")            # OFI_k
mid_end = metrics.aggregate(metrics.mid(book), book.ts, "10s", how="last").ffill()
dmid = mid_end.diff() / tick                              # Delta P_k in ticks
frame = pd.DataFrame({"ofi": ofi_10s, "dmid": dmid}).dropna()
frame.describe().round(2)""",
    ),
    (
        "md",
        """The day at a glance with the kit's timeline: the mid on top, then the running sum of OFI, the
10-second OFI and the level-1 imbalance on one time axis. Drag to select a span (it lands in
`timeline.source.selection`), double-click in it to zoom, hover for the values.""",
    ),
    (
        "code",
        """timeline = ow.ImbalanceTimeline(
    book,
    series={"cumulative OFI": "ofi", "OFI over 10 s": frame["ofi"], "level-1 imbalance": "level1_imbalance"},
)
timeline""",
    ),
    ("md", """The regression over the whole day, then in each half-hour window as in the paper."""),
    (
        "code",
        """day = metrics.regress(frame["ofi"], frame["dmid"])
print(f"whole day: slope {day.slope:.3g} ticks per share, t = {day.t_stat:.1f}, R² = {day.r2:.2f}, n = {day.n}")

windows = []
for start, part in frame.groupby(frame.index.floor("30min")):
    if len(part) >= 30:
        fit = metrics.regress(part["ofi"], part["dmid"])
        windows.append({"window": start.strftime("%H:%M"), "slope": fit.slope, "t": fit.t_stat, "r2": fit.r2, "n": fit.n})
windows = pd.DataFrame(windows).set_index("window")
print(f"half-hour windows: median R² = {windows['r2'].median():.2f}, positive slopes: {(windows['slope'] > 0).sum()} of {len(windows)}")
windows.round(3)""",
    ),
    (
        "md",
        """Each point is a 10-second interval; the line is the fitted price impact. The bars show $R^2$ per
half-hour window.""",
    ),
    (
        "code",
        """x_sc, y_sc = bq.LinearScale(), bq.LinearScale()
points = bq.Scatter(x=frame["ofi"].to_numpy(), y=frame["dmid"].to_numpy(), scales={"x": x_sc, "y": y_sc},
                    default_size=8, opacities=[0.35], colors=["#1565c0"])
xs = np.array([frame["ofi"].min(), frame["ofi"].max()])
line = bq.Lines(x=xs, y=day.intercept + day.slope * xs, scales={"x": x_sc, "y": y_sc}, colors=["#c62828"], stroke_width=2)
scatter = bq.Figure(
    marks=[points, line],
    axes=[bq.Axis(scale=x_sc, label="OFI over 10 s (shares)", tick_format="~s"),
          bq.Axis(scale=y_sc, orientation="vertical", label="mid change (ticks)")],
    title=f"{(book.name or 'book').split('_')[0]}: ΔP = {day.slope:.2e} × OFI, R² = {day.r2:.2f}",
    layout=widgets.Layout(width="55%", height="380px"),
)
o_sc, r_sc = bq.OrdinalScale(), bq.LinearScale(min=0, max=1)
bars = bq.Bars(x=list(windows.index), y=windows["r2"].to_numpy(), scales={"x": o_sc, "y": r_sc}, colors=["#178a4c"])
r2_fig = bq.Figure(
    marks=[bars],
    axes=[bq.Axis(scale=o_sc, label="half-hour window", tick_rotate=-45),
          bq.Axis(scale=r_sc, orientation="vertical", label="R²")],
    title="R² per half-hour window",
    layout=widgets.Layout(width="45%", height="380px"),
)
widgets.HBox([scatter, r2_fig])""",
    ),
]

VIEWS_TOUR = [
    (
        "md",
        """# A tour of the views: one book, five linked views

Five views of the same order book, all made from **one `BookSource`**. The source holds what the
browser needs to draw any part of the book and the state the views share:

- `cursor`: the book row shown by the frame views (depth chart, ladder) and marked on the time views;
- `time_range`: the span shown by the time views (heat map, timeline); zoom and pan set it;
- `selection`: a span brushed on the timeline, or `None`.

Click, drag, scroll or press a key in any view and the others follow at once, in the browser,
without a round trip through Python (so the views stay linked in an exported page or while the
kernel is busy). Python sees every change, can set each of them, and sends exact data (the exact
book row, finer bins after a zoom) when a kernel is running.

The data: eleven minutes of the Binance spot BTCUSDT order book (a raw websocket capture of
2024-08-08/09, rebuilt with the exchange's snapshot + diff sync rule), with its trades.""",
    ),
    (
        "code",
        """import os
from pathlib import Path

import numpy as np

import obi_widgets as ow
from obi_widgets import metrics


def shared_data() -> Path | None:
    for candidate in (os.environ.get("OBI_DATA"), "../../shared/data", "../shared/data"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


data = shared_data()
capture = sorted((data / "binance_spot_BTCUSDT_2024-08-08").glob("btcusdt_*.gz")) if data else []
if capture:
    res = ow.io.read_binance(capture, levels=100)  # a deep book: the heat map shows the walls
    book, trades = res.book, res.trades
else:  # no ../shared/data beside the project: the same tour on the simulated market
    print("Binance capture not found: using the simulated market, datasets.simulate(seed=0)")
    sim = ow.datasets.simulate(seed=0)
    book, trades = sim.book, sim.trades
print(book)
print(trades)""",
    ),
    (
        "md",
        """## The shared source

Every view below takes `src` as its first argument. (A view can also take a `Book` directly; it
then makes a source of its own and is linked to nothing.)""",
    ),
    (
        "code",
        """src = ow.BookSource(book, trades)
src""",
    ),
    (
        "md",
        """## Depth heat map

Time runs left to right and price bottom to top; the colour of each cell is the size resting at
that price (brighter: more size), the line is the best bid and ask, and dots are trades (green:
buyer-initiated, red: seller-initiated; area ~ size). Liquidity walls show as bright horizontal
bands; watch whether the price pushes through them, stalls at them, or they vanish (pulled orders)
as the price approaches. Hover for the price, size and time under the pointer; **wheel** zooms the
time axis of every time view, drag pans; **click** moves the shared cursor to that time.""",
    ),
    (
        "code",
        """heatmap = ow.DepthHeatmap(src)
heatmap""",
    ),
    (
        "md",
        """## Ladder (DOM)

The price ladder at the cursor row, as on an exchange's depth-of-market screen: one row per tick
around the touch, bid sizes on the left and ask sizes on the right (bars ~ size), with the volume
traded at each price in the last 30 s. The header gives the mid, the spread and the imbalance.
Arrow Left / Right step the shared cursor; the wheel scrolls the price.""",
    ),
    (
        "code",
        """ladder = ow.Ladder(src)
ladder""",
    ),
    (
        "md",
        """## Imbalance timeline

The mid on top and one panel per imbalance series on the same time axis:

- `level1_imbalance`: $(Q^b - Q^a) / (Q^b + Q^a)$ at the best quotes (Gould & Bonart 2016);
- `depth_imbalance`: the same over the first 5 levels;
- `ofi`: cumulative order flow imbalance (Cont, Kukanov & Stoikov 2014), whose changes move the mid.

**Drag** to brush a span (it becomes `src.selection`, read below), double-click inside it to zoom
every time view there, double-click elsewhere for the whole book; click moves the cursor.""",
    ),
    (
        "code",
        """timeline = ow.ImbalanceTimeline(src, series=["level1_imbalance", "depth_imbalance", "ofi"])
timeline""",
    ),
    (
        "md",
        """## Depth chart

Cumulative size on each side of the mid at the cursor row: how much it costs to move the price by
a given amount. Hover for the level, price, cumulative size and the imbalance through that level;
the strip below shows the whole book (click or drag it; arrow keys step one row).""",
    ),
    (
        "code",
        """depth = ow.DepthChart(src)
depth""",
    ),
    (
        "md",
        """## Replay

Plays the book through the shared cursor: every view above moves with it. The speed menu offers
multiples of market time (×1 is real time; quiet periods stay quiet) or a fixed number of book
rows per second (every event gets the same screen time). Space plays or pauses, the arrow keys
step one row, the scrubber seeks. Playback runs in the browser, so it works in an exported page
too; `replay.play()` and `replay.pause()` drive it from Python.""",
    ),
    (
        "code",
        """replay = ow.Replay(src, speed=10)
replay""",
    ),
    (
        "md",
        """## Driving the views from Python

Setting the shared state moves every view; reading it gives what was clicked, brushed or zoomed
in the browser.""",
    ),
    (
        "code",
        """src.cursor = len(book) // 2          # every frame view shows this row, time views mark it
src.cursor, src.cursor_time""",
    ),
    (
        "code",
        """src.go_to(book.ts[0] + 120 * 10**9)  # the book in force two minutes after the start
src.cursor, src.cursor_time""",
    ),
    (
        "md",
        """`src.selection` is the span brushed on the timeline (or set here); `src.selected` is the book
inside it, ready for any metric.""",
    ),
    (
        "code",
        """t0 = int(book.ts[0])
src.selection = (t0 + 60 * 10**9, t0 + 180 * 10**9)
part = src.selected
mid = metrics.mid(part)
print(f"{len(part)} rows selected; mid {mid[0]:.2f} -> {mid[-1]:.2f}")
print(f"mean level-1 imbalance {np.nanmean(metrics.level1_imbalance(part)):+.3f}, OFI {metrics.ofi(part).sum():+.3f}")""",
    ),
    (
        "code",
        """src.zoom(t0 + 60 * 10**9, t0 + 240 * 10**9)   # the time views show these three minutes
src.time_range""",
    ),
    (
        "code",
        """src.reset()                                 # the whole book again, no selection
src.time_range, src.selection""",
    ),
]

SCALE_OUT = [
    (
        "md",
        """# Many days: a Parquet store and Dask

A year of order-book data does not fit in one `Book`. The kit stores books and trades in a
partitioned Parquet store (`obi_widgets.io.parquet`: `root/kind=book/instrument=X/date=YYYY-MM-DD/part-N.parquet`,
one row group per chunk written) and computes over it with Dask (`obi_widgets.dask`): metrics per
partition with the previous rows carried over, so results equal the single-process ones exactly, and
per instrument-day aggregations that come back as small pandas frames.

Here: a small simulated store (2 instruments x 3 days) in a temporary folder, a `distributed.LocalCluster`
with 2 workers, and the daily Cont-Kukanov-Stoikov regressions, imbalance profiles, VPIN and liquidity.""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from obi_widgets import metrics
from obi_widgets.datasets import simulate
from obi_widgets.io.parquet import part_info, read_parquet, to_parquet

root = Path(tempfile.mkdtemp(prefix="obi_store_"))
for j, instrument in enumerate(["SIM-A", "SIM-B"]):
    for day in range(3):
        sim = simulate(seed=10 * j + day, n_events=2_500, levels=10, start_time=f"2024-01-0{2 + day} 09:30", name=instrument)
        book, trades = sim.book, sim.trades
        # a streaming loader would hand chunks like these: each becomes one row group
        to_parquet((book[i : i + 1_000] for i in range(0, len(book), 1_000)), root, instrument=instrument)
        to_parquet(trades, root, instrument=instrument)
sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))[:4]""",
    ),
    (
        "md",
        """Every file carries the schema version, the kit version, instrument, venue, tick, units, clock and the
book's whole `meta` in its key-value metadata; `read_parquet` gives back the Book bit for bit, reading
only the days, row groups and levels asked for.""",
    ),
    (
        "code",
        """info = part_info(next(root.rglob("kind=book/instrument=SIM-A/date=2024-01-03/part-0.parquet")))
print(info.instrument, info.date, info.levels, "levels, tick", info.tick, "|", len(info.row_groups), "row groups,", info.rows, "rows")
day = read_parquet(root, instrument="SIM-A", start="2024-01-03", end="2024-01-04", levels=5)
day""",
    ),
    (
        "md",
        """## Dask on a LocalCluster

The same code runs on the default threads, on this `LocalCluster`, or on any cluster:
`Client("tcp://scheduler:8786")` (the workers must see `root`). Threads in this process here
(`processes=False`), so the notebook starts in a second.""",
    ),
    (
        "code",
        """from distributed import Client, LocalCluster

import obi_widgets.dask as od

cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
client = Client(cluster)
store = od.open_store(root, split="row_group")   # one partition per chunk written
store.npartitions, list(store.columns[:4]) + ["..."] + list(store.columns[-2:])""",
    ),
    (
        "md",
        """`map_book` runs any per-row metric on every partition; each partition's book starts with the previous
partition's last row, so the order-flow imbalance of the first row of every partition is right: the result
equals `metrics.ofi` on the whole series.""",
    ),
    (
        "code",
        """ofi = od.map_book(store, metrics.ofi).compute()
whole = read_parquet(root, instrument="SIM-B")
print("equal to the single-process OFI:", np.array_equal(ofi.loc[ofi.instrument == "SIM-B", "ofi"].to_numpy(), metrics.ofi(whole)))
ofi.tail(3)""",
    ),
    (
        "md",
        """## Per instrument-day results

Cont, Kukanov & Stoikov (2014): $\\Delta P_k = \\alpha + \\beta\\,\\mathrm{OFI}_k + \\varepsilon_k$ over 10-second bins
of each day.""",
    ),
    (
        "code",
        """regressions = od.ofi_regressions(store, "10s")
regressions.round({"slope": 6, "intercept": 5, "stderr": 7, "t_stat": 1, "r2": 3})""",
    ),
    (
        "code",
        """profiles = od.imbalance_profiles(store, horizon=1, bins=5)   # Gould & Bonart (2016)
profiles.loc[("SIM-A", "2024-01-02")][["lo", "hi", "count", "p_up", "p_zero"]].round(3)""",
    ),
    (
        "code",
        """od.vpin_by_day(root, window=10).round(3)          # trades store; buckets of each day's volume / 50""",
    ),
    (
        "code",
        """summary = od.daily_summary(store)
summary[["rows", "mid_open", "mid_close", "spread_mean", "depth_mean", "imbalance_mean", "ofi_sum"]].round(3)""",
    ),
    (
        "code",
        """client.close()
cluster.close()
import shutil

shutil.rmtree(root)""",
    ),
]

NOTEBOOKS = {
    "quickstart.ipynb": QUICKSTART,
    "ofi_price_impact.ipynb": OFI_PRICE_IMPACT,
    "views_tour.ipynb": VIEWS_TOUR,
    "scale_out.ipynb": SCALE_OUT,
    "live.ipynb": LIVE,
}


#: "md" markdown, "code" code, "exercise" a code cell for the student's answer (tagged), "solution" a
#: worked solution (tagged, its source collapsed in JupyterLab)
CELL_KINDS = ("md", "code", "exercise", "solution")


def write(name: str, cells) -> Path:
    """Write ``notebooks/<name>`` (a path below notebooks/, e.g. ``course/01_x.ipynb``) from ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, (kind, src) in enumerate(cells):
        if kind not in CELL_KINDS:
            raise ValueError(f"{name} cell {i}: kind must be one of {CELL_KINDS}, got {kind!r}")
        cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        cell["id"] = f"cell-{i:02d}"
        if kind == "exercise":  # where the student writes an answer
            cell.metadata["tags"] = ["exercise"]
        elif kind == "solution":  # a worked solution, collapsed until the student opens it
            cell.metadata["tags"] = ["solution"]
            cell.metadata["jupyter"] = {"source_hidden": True}
        nb.cells.append(cell)
    path = Path(__file__).resolve().parent.parent / "notebooks" / name
    nbformat.write(nb, path)
    return path


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        print(f"wrote {write(name, cells)}")


if __name__ == "__main__":
    main()
